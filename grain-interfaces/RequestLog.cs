namespace OrleansMock.GrainInterfaces;

/// <summary>
/// One mock request as the project's request log keeps it. Secrets are redacted by the front end before they are
/// sent (Authorization, cookies, X-Api-Key). <see cref="ServedMs"/> is the time spent in the grain plus the endpoint's
/// configured delay: the server's share, without the network.
/// </summary>
[GenerateSerializer, Immutable, Alias("om.RequestLogEntry")]
public sealed record RequestLogEntry(
    [property: Id(0)] DateTimeOffset At,
    [property: Id(1)] string Method,
    [property: Id(2)] string Path,
    [property: Id(3)] string? Query,
    [property: Id(4)] KeyValuePair<string, string>[] Headers,
    [property: Id(5)] string? BodyPreview,
    [property: Id(6)] int Status,
    [property: Id(7)] string? EndpointId,
    [property: Id(8)] string? Miss,
    [property: Id(9)] double ServedMs,
    [property: Id(10)] int? ResponseIndex = null);
