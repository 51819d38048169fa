namespace OrleansMock.GrainInterfaces;

/// <summary>
/// A response that forwards the request to a real API: <see cref="BaseUrl"/> plus the request's path (less
/// <see cref="StripPrefix"/>) and query, with <see cref="Headers"/> added or replaced. WireMock's <c>proxyBaseUrl</c>.
/// </summary>
[GenerateSerializer, Immutable, Alias("om.ProxySpec")]
public sealed record ProxySpec(
    [property: Id(0)] string BaseUrl,
    [property: Id(1)] Dictionary<string, string>? Headers = null,
    [property: Id(2)] string? StripPrefix = null);

/// <summary>
/// Which parts of a recorded request its endpoint matches on, beyond method and path: the named
/// <see cref="Headers"/>, the query (<see cref="Query"/>), and the body (<see cref="Body"/>: <c>json</c> as
/// equalToJson, <c>text</c> as equalTo, null not at all).
/// </summary>
[GenerateSerializer, Immutable, Alias("om.RecordMatch")]
public sealed record RecordMatch(
    [property: Id(0)] string[]? Headers = null,
    [property: Id(1)] bool Query = true,
    [property: Id(2)] string? Body = null);

/// <summary>
/// A recording: mock calls go to <see cref="TargetBaseUrl"/> and each distinct request becomes an endpoint.
/// <see cref="Sequence"/>: a repeated request whose answer differs adds a response (served in sequence) instead of
/// keeping the first. <see cref="KeepHeaders"/>: sensitive response headers to store anyway (they are dropped otherwise).
/// </summary>
[GenerateSerializer, Immutable, Alias("om.RecordingSpec")]
public sealed record RecordingSpec(
    [property: Id(0)] string TargetBaseUrl,
    [property: Id(1)] RecordMatch Match,
    [property: Id(2)] bool Sequence = false,
    [property: Id(3)] string[]? KeepHeaders = null);

/// <summary>Where a recording stands: what it has created and updated so far, and what it could not record and why.</summary>
[GenerateSerializer, Immutable, Alias("om.RecordingStatus")]
public sealed record RecordingStatus(
    [property: Id(0)] bool Recording,
    [property: Id(1)] RecordingSpec? Spec,
    [property: Id(2)] DateTimeOffset? StartedAt,
    [property: Id(3)] int Requests,
    [property: Id(4)] string[] Created,
    [property: Id(5)] string[] Updated,
    [property: Id(6)] string[] Skipped,
    [property: Id(7)] bool EverStarted = false);

/// <summary>
/// One real request and the real answer to it, to become an endpoint: from a recording, or a tester history entry.
/// Bodies keep their bytes; headers are as sent and received (the grain drops the sensitive ones).
/// </summary>
[GenerateSerializer, Immutable, Alias("om.RecordedExchange")]
public sealed record RecordedExchange(
    [property: Id(0)] string Method,
    [property: Id(1)] string Path,
    [property: Id(2)] KeyValuePair<string, string>[] Query,
    [property: Id(3)] KeyValuePair<string, string>[] RequestHeaders,
    [property: Id(4)] byte[]? RequestBody,
    [property: Id(5)] int Status,
    [property: Id(6)] KeyValuePair<string, string>[] ResponseHeaders,
    [property: Id(7)] byte[] ResponseBody);
