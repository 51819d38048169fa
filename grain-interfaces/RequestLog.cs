using System.Text.Json.Serialization;

namespace OrleansMock.GrainInterfaces;

/// <summary>
/// One mock request as the project's request journal keeps it (<see cref="Seq"/>: its place, increasing). Secrets are redacted by the front end before they are
/// sent (Authorization, cookies, X-Api-Key). <see cref="ServedMs"/> is the time spent in the grain plus the endpoint's
/// configured delay: the server's share, without the network. <see cref="Session"/>: the test session it ran in. <see cref="ContractViolation"/>: how the answer broke the
/// responses of the OpenAPI document the endpoint was imported from with validation on.
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
    [property: Id(10)] int? ResponseIndex = null,
    [property: Id(11)] long Seq = 0,
    [property: Id(12)] string? ContractViolation = null,
    [property: Id(13), JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] string? Session = null);

/// <summary>
/// Which journal entries to read, newest first: by method, path prefix, status, matched or not (a miss: no endpoint or
/// resource answered), time range; <see cref="Before"/> is the cursor (the last page's smallest <c>Seq</c>);
/// <see cref="After"/> keeps only entries newer than that <c>Seq</c> (the live stream). Every read is of one slice:
/// the project's own requests (<see cref="Session"/> null) or one test session's.
/// </summary>
[GenerateSerializer, Immutable, Alias("om.RequestLogQuery")]
public sealed record RequestLogQuery(
    [property: Id(0)] int Limit,
    [property: Id(1)] string? Method = null,
    [property: Id(2)] string? PathPrefix = null,
    [property: Id(3)] int? Status = null,
    [property: Id(4)] bool? Matched = null,
    [property: Id(5)] DateTimeOffset? From = null,
    [property: Id(6)] DateTimeOffset? To = null,
    [property: Id(7)] long? Before = null,
    [property: Id(8)] long? After = null,
    [property: Id(9)] string? Session = null);
