namespace OrleansMock.GrainInterfaces;

/// <summary>
/// A mock request as the front end forwards it. <see cref="ExpectedSlug"/> is set when the caller resolved the
/// project through a cached slug; the grain answers <see cref="MockResultKind.SlugMismatch"/> if that slug is no
/// longer its own, so a stale cache can never serve another project's endpoints. <see cref="Caller"/> is the
/// authenticated user, if the request carried credentials (private projects answer only their owner).
/// </summary>
[GenerateSerializer, Immutable, Alias("om.MockRequest")]
public sealed record MockRequest(
    [property: Id(0)] string Method,
    [property: Id(1)] string Path,
    [property: Id(2)] string? ExpectedSlug,
    [property: Id(3)] string? Caller = null,
    [property: Id(4)] string? Query = null,
    [property: Id(5)] KeyValuePair<string, string>[]? Headers = null,
    [property: Id(6)] string? BodyPreview = null,
    [property: Id(7)] RequestDetail? Detail = null);

[GenerateSerializer, Alias("om.MockResultKind")]
public enum MockResultKind
{
    Matched = 0,
    NoMatch = 1,
    ProjectNotFound = 2,
    SlugMismatch = 3,
    /// <summary>OPTIONS with no endpoint of its own: the methods the path answers are in <see cref="MockResult.Allow"/>.</summary>
    Options = 4,
    /// <summary>The project is private and the caller is not its owner.</summary>
    Unauthorized = 5,
    /// <summary>The project's own rate limit refused the request; see <see cref="MockResult.RateLimit"/>.</summary>
    RateLimited = 6,
    /// <summary>No endpoint matched but a resource does: send the request to <see cref="MockResult.Resource"/>.</summary>
    Resource = 7,
    /// <summary>The project's matchers or templates read parts of the request it did not carry: send it again with <see cref="MockRequest.Detail"/>.</summary>
    NeedsDetail = 8,
    /// <summary>The endpoint's matchers or template could not answer this request (see <see cref="MockResult.Error"/>): a regular expression ran too long, a template failed.</summary>
    Failed = 9,
    /// <summary>Forward the request to <see cref="MockResult.Proxy"/> (the project's fallback, or a recording with <see cref="MockResult.Record"/>).</summary>
    Proxy = 10,
    /// <summary>The request breaks the endpoint's OpenAPI contract; <see cref="MockResult.Error"/> lists each violation.</summary>
    Invalid = 11,
}

/// <summary>A ready-to-write response. Built once per endpoint change and shared by every request.</summary>
[GenerateSerializer, Immutable, Alias("om.MockResponse")]
public sealed class MockResponse
{
    [Id(0)] public required int Status { get; init; }
    [Id(1)] public required KeyValuePair<string, string>[] Headers { get; init; }
    [Id(2)] public required string? ContentType { get; init; }
    [Id(3)] public required byte[] Body { get; init; }
    [Id(4)] public required int DelayMs { get; init; }
    [Id(5)] public required string EndpointId { get; init; }
    [Id(6)] public int ResponseIndex { get; init; }
    [Id(7)] public Fault Fault { get; init; }
    [Id(8)] public ChunkedDribble? ChunkedDribble { get; init; }

    /// <summary>Forward the request there instead of answering it.</summary>
    [Id(9)] public ProxySpec? Proxy { get; init; }
}

/// <summary>The closest endpoint to a request that matched none, and why it did not match.</summary>
[GenerateSerializer, Immutable, Alias("om.NearMiss")]
public sealed record NearMiss(
    [property: Id(0)] string EndpointId,
    [property: Id(1)] string Method,
    [property: Id(2)] string Path,
    [property: Id(3)] string Reason);

[GenerateSerializer, Immutable, Alias("om.MockResult")]
public sealed record MockResult(
    [property: Id(0)] MockResultKind Kind,
    [property: Id(1)] MockResponse? Response,
    [property: Id(2)] NearMiss? Closest,
    [property: Id(3)] string[]? Allow,
    [property: Id(4)] RateLimitDecision? RateLimit = null,
    [property: Id(5)] ResourceRoute? Resource = null,
    [property: Id(6)] bool CorsDisabled = false,
    [property: Id(7)] RequestParts Needs = RequestParts.None,
    [property: Id(8)] string? Error = null,
    [property: Id(9)] ProxySpec? Proxy = null,
    [property: Id(10)] bool Record = false,
    [property: Id(11)] string? ContractViolation = null)
{
    public static readonly MockResult ProjectNotFound = new(MockResultKind.ProjectNotFound, null, null, null);
    public static readonly MockResult SlugMismatch = new(MockResultKind.SlugMismatch, null, null, null);
    public static readonly MockResult Unauthorized = new(MockResultKind.Unauthorized, null, null, null);
}
