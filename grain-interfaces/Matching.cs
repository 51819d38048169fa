namespace OrleansMock.GrainInterfaces;

/// <summary>
/// A condition on one string value (a query parameter, header or cookie), in WireMock's vocabulary: exactly one of
/// <see cref="EqualTo"/>, <see cref="Contains"/>, <see cref="DoesNotContain"/>, <see cref="Matches"/>,
/// <see cref="DoesNotMatch"/> (regular expressions, matched against the whole value), <see cref="Absent"/>; the
/// combinators <see cref="And"/>, <see cref="Or"/>, <see cref="Not"/>; over all of a value's occurrences
/// <see cref="HasExactly"/> and <see cref="Includes"/>; a date (<see cref="Before"/>, <see cref="After"/>,
/// <see cref="EqualToDateTime"/>: an ISO 8601 date or <c>now +3 days</c>, with <see cref="ActualFormat"/> and the
/// truncations); or JSON equality (<see cref="EqualToJson"/>, under a JSONPath).
/// </summary>
[GenerateSerializer, Immutable, Alias("om.ValueMatcher")]
public sealed record ValueMatcher(
    [property: Id(0)] string? EqualTo = null,
    [property: Id(1)] string? Contains = null,
    [property: Id(2)] string? DoesNotContain = null,
    [property: Id(3)] string? Matches = null,
    [property: Id(4)] string? DoesNotMatch = null,
    [property: Id(5)] bool? CaseInsensitive = null,
    [property: Id(6)] bool? Absent = null,
    [property: Id(7)] ValueMatcher[]? And = null,
    [property: Id(8)] ValueMatcher[]? Or = null,
    [property: Id(9)] ValueMatcher? Not = null,
    [property: Id(10)] ValueMatcher[]? HasExactly = null,
    [property: Id(11)] ValueMatcher[]? Includes = null,
    [property: Id(12)] string? Before = null,
    [property: Id(13)] string? After = null,
    [property: Id(14)] string? EqualToDateTime = null,
    [property: Id(15)] string? ActualFormat = null,
    [property: Id(16)] string? TruncateExpected = null,
    [property: Id(17)] string? TruncateActual = null,
    [property: Id(18)] string? EqualToJson = null,
    [property: Id(19)] bool? IgnoreArrayOrder = null,
    [property: Id(20)] bool? IgnoreExtraElements = null);

/// <summary>
/// A condition on the request body: a <see cref="ValueMatcher"/>-style text condition, or JSON equality
/// (<see cref="EqualToJson"/>, JSON text), a JSONPath (<see cref="MatchesJsonPath"/>, optionally with a condition on
/// what it selects) or a JSON Schema (<see cref="MatchesJsonSchema"/>, JSON text).
/// </summary>
[GenerateSerializer, Immutable, Alias("om.BodyMatcher")]
public sealed record BodyMatcher(
    [property: Id(0)] string? EqualTo = null,
    [property: Id(1)] string? Contains = null,
    [property: Id(2)] string? Matches = null,
    [property: Id(3)] string? EqualToJson = null,
    [property: Id(4)] bool? IgnoreArrayOrder = null,
    [property: Id(5)] bool? IgnoreExtraElements = null,
    [property: Id(6)] string? MatchesJsonPath = null,
    [property: Id(7)] ValueMatcher? JsonPathValue = null,
    [property: Id(8)] string? MatchesJsonSchema = null,
    [property: Id(9)] bool? CaseInsensitive = null,
    [property: Id(10)] string? DoesNotContain = null,
    [property: Id(11)] string? DoesNotMatch = null,
    [property: Id(12)] string? BinaryEqualTo = null,
    [property: Id(13)] string? EqualToXml = null,
    [property: Id(14)] string? MatchesXPath = null,
    [property: Id(15)] Dictionary<string, string>? XPathNamespaces = null,
    [property: Id(16)] ValueMatcher? XPathValue = null);

/// <summary>
/// Conditions on a request; all must hold. Names of query parameters and cookies are case-sensitive, of headers not.
/// <see cref="PathParameters"/> test a path template's parameters, <see cref="Form"/> the fields of a form body;
/// <see cref="Url"/> is the exact path and query (WireMock's <c>url</c>: no other parameter, same order),
/// <see cref="UrlPattern"/> a regular expression over them (WireMock's <c>urlPattern</c>). <see cref="ExactPath"/> and
/// <see cref="ExactMethod"/> hold WireMock's strictness where ours is lenient: a trailing slash is another path, and a
/// GET mapping does not answer HEAD.
/// </summary>
[GenerateSerializer, Immutable, Alias("om.RequestMatch")]
public sealed record RequestMatch(
    [property: Id(0)] Dictionary<string, ValueMatcher>? Query = null,
    [property: Id(1)] Dictionary<string, ValueMatcher>? Headers = null,
    [property: Id(2)] Dictionary<string, ValueMatcher>? Cookies = null,
    [property: Id(3)] BodyMatcher[]? Body = null,
    [property: Id(4)] Dictionary<string, ValueMatcher>? PathParameters = null,
    [property: Id(5)] Dictionary<string, ValueMatcher>? Form = null,
    [property: Id(6)] string? Url = null,
    [property: Id(7)] string? UrlPattern = null,
    [property: Id(8)] string? ExactPath = null,
    [property: Id(9)] string? ExactMethod = null,
    [property: Id(10)] MultipartPattern[]? Multipart = null);

/// <summary>
/// A condition on the parts of a <c>multipart/form-data</c> body. With <see cref="Name"/>, a part of that name must be
/// there and hold every other condition; without, some part must (<see cref="All"/>: every part must, WireMock's
/// <c>matchingType: ALL</c>). <see cref="Headers"/> are the part's own headers (Content-Disposition, Content-Type).
/// </summary>
[GenerateSerializer, Immutable, Alias("om.MultipartPattern")]
public sealed record MultipartPattern(
    [property: Id(0)] string? Name = null,
    [property: Id(1)] ValueMatcher? Filename = null,
    [property: Id(2)] ValueMatcher? ContentType = null,
    [property: Id(3)] BodyMatcher[]? Body = null,
    [property: Id(4)] Dictionary<string, ValueMatcher>? Headers = null,
    [property: Id(5)] bool All = false);

/// <summary>A step of a WireMock scenario: the response applies only in <see cref="RequiredState"/> and moves the scenario to <see cref="NewState"/>.</summary>
[GenerateSerializer, Immutable, Alias("om.ScenarioStep")]
public sealed record ScenarioStep(
    [property: Id(0)] string Name,
    [property: Id(1)] string? RequiredState,
    [property: Id(2)] string? NewState);

/// <summary>A delay before answering: fixed, uniform between two bounds, or log-normal (median and sigma), in milliseconds.</summary>
[GenerateSerializer, Immutable, Alias("om.DelaySpec")]
public sealed record DelaySpec(
    [property: Id(0)] int? Fixed = null,
    [property: Id(1)] int? UniformLower = null,
    [property: Id(2)] int? UniformUpper = null,
    [property: Id(3)] double? LognormalMedian = null,
    [property: Id(4)] double? LognormalSigma = null);

/// <summary>The body sent in <see cref="NumberOfChunks"/> pieces spread over <see cref="TotalDuration"/> milliseconds.</summary>
[GenerateSerializer, Immutable, Alias("om.ChunkedDribble")]
public sealed record ChunkedDribble(
    [property: Id(0)] int NumberOfChunks,
    [property: Id(1)] int TotalDuration);

/// <summary>How an endpoint picks among the responses that apply to a request.</summary>
[GenerateSerializer, Alias("om.ResponseMode")]
public enum ResponseMode
{
    /// <summary>The first applicable response in order.</summary>
    First = 0,
    /// <summary>The applicable responses in turn, per endpoint, wrapping around.</summary>
    Sequence = 1,
    /// <summary>An applicable response at random, in proportion to the weights.</summary>
    Random = 2,
}

/// <summary>What the front end does instead of, or while, writing a response (WireMock's faults).</summary>
[GenerateSerializer, Alias("om.Fault")]
public enum Fault
{
    None = 0,
    /// <summary>Close the connection with a TCP reset before any response.</summary>
    ConnectionResetByPeer = 1,
    /// <summary>Close the connection without sending a response.</summary>
    EmptyResponse = 2,
    /// <summary>Send a status line and a broken chunked body, then close.</summary>
    MalformedResponseChunk = 3,
    /// <summary>Send random bytes, then close.</summary>
    RandomDataThenClose = 4,
}

/// <summary>The one list of fault names, as WireMock spells them: the API, WireMock mappings and messages read it.</summary>
public static class FaultNames
{
    public static readonly IReadOnlyDictionary<string, Fault> ByName = new Dictionary<string, Fault>(StringComparer.Ordinal)
    {
        ["CONNECTION_RESET_BY_PEER"] = Fault.ConnectionResetByPeer,
        ["EMPTY_RESPONSE"] = Fault.EmptyResponse,
        ["MALFORMED_RESPONSE_CHUNK"] = Fault.MalformedResponseChunk,
        ["RANDOM_DATA_THEN_CLOSE"] = Fault.RandomDataThenClose,
    };

    /// <summary>"CONNECTION_RESET_BY_PEER, EMPTY_RESPONSE, ...", for messages.</summary>
    public static string All => string.Join(", ", ByName.Keys);

    /// <summary>A fault's name (null for none).</summary>
    public static string? Of(Fault fault) => fault == Fault.None ? null : ByName.First(f => f.Value == fault).Key;
}

/// <summary>The parts of a request a project's matchers or templates read, beyond method and path.</summary>
[Flags]
[GenerateSerializer, Alias("om.RequestParts")]
public enum RequestParts
{
    None = 0,
    Query = 1,
    Headers = 2,
    Body = 4,
}

/// <summary>The parts of a mock request the front end sends when the project asks for them (see <see cref="RequestParts"/>).</summary>
[GenerateSerializer, Immutable, Alias("om.RequestDetail")]
public sealed record RequestDetail(
    [property: Id(0)] string? Query,
    [property: Id(1)] KeyValuePair<string, string>[]? Headers,
    [property: Id(2)] string? Body,
    [property: Id(3)] string? Url,
    [property: Id(4)] RequestParts Parts);

/// <summary>A project's scenario and the state it is in.</summary>
[GenerateSerializer, Immutable, Alias("om.ScenarioInfo")]
public sealed record ScenarioInfo(
    [property: Id(0)] string Name,
    [property: Id(1)] string State,
    [property: Id(2)] string[] PossibleStates);
