using System.Text.Json;
using System.Text.Json.Serialization;
using OrleansMock.Api.Http;
using OrleansMock.GrainInterfaces;

namespace OrleansMock.Api.Apis;

// The wire shape of an endpoint: WireMock's vocabulary for matchers, scenarios, delays and faults. These types fix the
// JSON shape (an unknown field is a 400 naming it); the grain checks the rules (regexes, templates, limits).

/// <summary>
/// An endpoint: <c>method</c> (or ANY) and <c>path</c> (a template such as <c>/orders/{id}</c>) or <c>pathPattern</c> (a
/// regular expression on the whole path, ranked below templates); optional <c>priority</c> (lower wins, default 5) and
/// <c>request</c> conditions; one <c>response</c> or several <c>responses</c> chosen by <c>responseMode</c>; optional
/// <c>name</c> and <c>metadata</c> (a JSON object), labels for the user (WireMock's mappings carry them).
/// </summary>
public sealed record EndpointRequest(
    string? Method,
    string? Path,
    ResponseRequest? Response,
    string? PathPattern = null,
    int? Priority = null,
    RequestMatchRequest? Request = null,
    [property: JsonConverter(typeof(LowerCaseEnum<ResponseMode>))] ResponseMode? ResponseMode = null,
    ResponseRequest[]? Responses = null,
    string? Name = null,
    [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] JsonElement? Metadata = null,
    [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] GraphQlRequestBody? Graphql = null)
{
    public static EndpointRequest From(EndpointSpec spec) => new(
        spec.Method,
        spec.PathPattern is null ? spec.Path : null,
        spec.Responses is null ? ResponseRequest.From(spec.Response) : null,
        spec.PathPattern,
        spec.Priority == EndpointSpec.DefaultPriority ? null : spec.Priority,
        RequestMatchRequest.From(spec.Request),
        spec.ResponseMode == GrainInterfaces.ResponseMode.First ? null : spec.ResponseMode,
        spec.Responses?.Select(ResponseRequest.From).ToArray(),
        spec.Name,
        spec.MetadataJson is null ? null : JsonDocument.Parse(spec.MetadataJson).RootElement.Clone());

    /// <summary>The spec, or a message naming the field whose shape is wrong.</summary>
    public EndpointSpec ToSpec()
    {
        if (Graphql is not null)
        {
            // "graphql" beside method and path: a GraphQL API as the endpoint's one response.
            if (Response is not null || Responses is not null)
            {
                throw new ContractException("give graphql (a GraphQL API) or response/responses, not both; a response may carry graphql too");
            }
            return (this with { Graphql = null, Response = new ResponseRequest(null, null, default, null, null, Graphql: Graphql) }).ToSpec();
        }
        if (Response is not null && Responses is not null)
        {
            throw new ContractException("give response (one) or responses (several), not both");
        }
        var responses = Responses?.Select((r, i) => r?.ToDefinition($"responses[{i}]") ?? throw new ContractException($"responses[{i}] is null")).ToArray();
        var first = Response?.ToDefinition("response") ?? responses?.FirstOrDefault()
            ?? throw new ContractException("response is required, for example {\"status\":200,\"body\":{\"ok\":true}}");
        var metadata = (Metadata?.ValueKind ?? JsonValueKind.Undefined) switch
        {
            JsonValueKind.Undefined or JsonValueKind.Null => null,
            JsonValueKind.Object => Metadata!.Value.GetRawText(),
            _ => throw new ContractException("metadata must be a JSON object"),
        };
        return new EndpointSpec(Method ?? "", Path ?? "", first, PathPattern, Priority ?? EndpointSpec.DefaultPriority,
            Request?.ToMatch("request"), ResponseMode ?? GrainInterfaces.ResponseMode.First, responses, Name, metadata);
    }
}

/// <summary>A wire shape the grain cannot even be asked about (a matcher of the wrong form); the message names the field.</summary>
public sealed class ContractException(string message) : Exception(message);

/// <summary>
/// Conditions on a request, all of which must hold: <c>query</c>, <c>headers</c> and <c>cookies</c> map names to a
/// matcher (<c>equalTo</c>, <c>contains</c>, <c>doesNotContain</c>, <c>matches</c>, <c>doesNotMatch</c>, with optional
/// <c>caseInsensitive</c>; or <c>absent: true</c>); <c>body</c> lists body matchers; <c>multipart</c> lists parts of a
/// multipart body that must be there and hold (<see cref="MultipartRequest"/>).
/// </summary>
public sealed record RequestMatchRequest(
    Dictionary<string, ValueMatcher>? Query,
    Dictionary<string, ValueMatcher>? Headers,
    Dictionary<string, ValueMatcher>? Cookies,
    BodyMatcherRequest[]? Body,
    [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] MultipartRequest[]? Multipart = null)
{
    public static RequestMatchRequest? From(RequestMatch? match) => match is null
        ? null
        : new(match.Query, match.Headers, match.Cookies, match.Body?.Select(BodyMatcherRequest.From).ToArray(),
            match.Multipart is { Length: > 0 } parts ? [.. parts.Select(MultipartRequest.From)] : null);

    public RequestMatch ToMatch(string field) =>
        new(Query, Headers, Cookies, Body?.Select((b, i) => b?.ToMatcher($"{field}.body[{i}]") ?? throw new ContractException($"{field}.body[{i}] is null")).ToArray(),
            Multipart: Multipart?.Select((m, i) => m?.ToPattern($"{field}.multipart[{i}]") ?? throw new ContractException($"{field}.multipart[{i}] is null")).ToArray());
}

/// <summary>
/// A part of a multipart body: <c>name</c> (a part of that name must be there), <c>filename</c> and <c>contentType</c>
/// (value matchers), <c>headers</c> (the part's own), <c>body</c> (a body matcher, or a list of them); without a name,
/// some part must hold them (<c>"matchingType": "ALL"</c>: every part).
/// </summary>
public sealed record MultipartRequest(
    string? Name,
    [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] ValueMatcher? Filename = null,
    [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] ValueMatcher? ContentType = null,
    [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] JsonElement? Body = null,
    [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] Dictionary<string, ValueMatcher>? Headers = null,
    [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] string? MatchingType = null)
{
    public static MultipartRequest From(MultipartPattern pattern) => new(pattern.Name, pattern.Filename, pattern.ContentType,
        pattern.Body is { Length: > 0 } body ? JsonSerializer.SerializeToElement(body.Length == 1 ? (object)BodyMatcherRequest.From(body[0]) : body.Select(BodyMatcherRequest.From).ToArray(), JsonBody.Options) : null,
        pattern.Headers, pattern.All ? "ALL" : null);

    public MultipartPattern ToPattern(string field)
    {
        var body = Body?.ValueKind switch
        {
            null or JsonValueKind.Undefined or JsonValueKind.Null => null,
            JsonValueKind.Object => [Matcher(Body.Value, $"{field}.body")],
            JsonValueKind.Array => Body.Value.EnumerateArray().Select((b, i) => Matcher(b, $"{field}.body[{i}]")).ToArray(),
            _ => throw new ContractException($"{field}.body must be a body matcher (for example {{\"contains\": \"PNG\"}}) or a list of them"),
        };
        var all = MatchingType?.ToUpperInvariant() switch
        {
            null or "ANY" => false,
            "ALL" => true,
            _ => throw new ContractException($"{field}.matchingType '{MatchingType}' is not one of ALL, ANY"),
        };
        return new MultipartPattern(Name, Filename, ContentType, body, Headers, all);
    }

    private static BodyMatcher Matcher(JsonElement element, string field) =>
        (element.Deserialize<BodyMatcherRequest>(JsonBody.Options) ?? throw new ContractException($"{field} is null")).ToMatcher(field);
}

/// <summary>
/// One condition on the body: <c>equalTo</c> / <c>contains</c> / <c>matches</c> (text), <c>equalToJson</c> (any JSON, with
/// <c>ignoreArrayOrder</c> and <c>ignoreExtraElements</c>), <c>matchesJsonPath</c> (a JSONPath string, or
/// <c>{"expression": "$.a", "equalTo": "x"}</c> with any value matcher), or <c>matchesJsonSchema</c> (a JSON Schema).
/// </summary>
public sealed record BodyMatcherRequest(
    string? EqualTo,
    string? Contains,
    string? Matches,
    [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingDefault)] JsonElement EqualToJson,
    bool? IgnoreArrayOrder,
    bool? IgnoreExtraElements,
    [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingDefault)] JsonElement MatchesJsonPath,
    [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingDefault)] JsonElement MatchesJsonSchema,
    bool? CaseInsensitive)
{
    public static BodyMatcherRequest From(BodyMatcher matcher) => new(
        matcher.EqualTo, matcher.Contains, matcher.Matches, Element(matcher.EqualToJson), matcher.IgnoreArrayOrder, matcher.IgnoreExtraElements,
        matcher.MatchesJsonPath is null ? default
            : matcher.JsonPathValue is null ? JsonSerializer.SerializeToElement(matcher.MatchesJsonPath)
            : JsonPathObject(matcher.MatchesJsonPath, matcher.JsonPathValue),
        Element(matcher.MatchesJsonSchema), matcher.CaseInsensitive);

    public BodyMatcher ToMatcher(string field)
    {
        string? path = null;
        ValueMatcher? pathValue = null;
        switch (MatchesJsonPath.ValueKind)
        {
            case JsonValueKind.Undefined or JsonValueKind.Null:
                break;
            case JsonValueKind.String:
                path = MatchesJsonPath.GetString();
                break;
            case JsonValueKind.Object:
                var members = MatchesJsonPath.EnumerateObject().ToDictionary(p => p.Name, p => p.Value);
                if (!members.Remove("expression", out var expression) || expression.ValueKind != JsonValueKind.String)
                {
                    throw new ContractException($"{field}.matchesJsonPath as an object needs \"expression\" (a JSONPath string) and a value matcher");
                }
                path = expression.GetString();
                try
                {
                    pathValue = JsonSerializer.Deserialize<ValueMatcher>(JsonSerializer.Serialize(members), JsonBody.Options);
                }
                catch (JsonException exception)
                {
                    throw new ContractException($"{field}.matchesJsonPath: {Http.JsonBody.Describe(exception)}");
                }
                break;
            default:
                throw new ContractException($"{field}.matchesJsonPath is a JSONPath string or {{\"expression\": ..., <matcher>}}");
        }
        return new BodyMatcher(EqualTo, Contains, Matches, Text(EqualToJson), IgnoreArrayOrder, IgnoreExtraElements, path, pathValue,
            Text(MatchesJsonSchema), CaseInsensitive);
    }

    private static string? Text(JsonElement element) => element.ValueKind is JsonValueKind.Undefined ? null : element.GetRawText();

    private static JsonElement Element(string? json) => json is null ? default : JsonDocument.Parse(json).RootElement.Clone();

    private static JsonElement JsonPathObject(string expression, ValueMatcher value)
    {
        var node = JsonSerializer.SerializeToNode(value, JsonBody.Options)!.AsObject();
        node.Insert(0, "expression", expression);
        foreach (var empty in node.Where(p => p.Value is null).Select(p => p.Key).ToList())
        {
            node.Remove(empty);
        }
        return JsonSerializer.SerializeToElement(node);
    }
}

/// <summary>A delay: <c>{"fixed": 50}</c>, <c>{"uniform": {"lower": 10, "upper": 90}}</c> or <c>{"lognormal": {"median": 80, "sigma": 0.4}}</c> (ms).</summary>
public sealed record DelayRequest(int? Fixed, UniformDelay? Uniform, LognormalDelay? Lognormal)
{
    public static DelayRequest? From(DelaySpec? delay) => delay is null
        ? null
        : new(delay.Fixed,
            delay.UniformLower is { } lower ? new UniformDelay(lower, delay.UniformUpper ?? lower) : null,
            delay.LognormalMedian is { } median ? new LognormalDelay(median, delay.LognormalSigma ?? 0) : null);

    public DelaySpec ToSpec() => new(Fixed, Uniform?.Lower, Uniform?.Upper, Lognormal?.Median, Lognormal?.Sigma);
}

public sealed record UniformDelay(int Lower, int Upper);

public sealed record LognormalDelay(double Median, double Sigma);

/// <summary>
/// What an endpoint answers. <c>body</c> is any JSON value, served as application/json; a string body with a
/// <c>contentType</c> (or a Content-Type header) is served as that text. Optional: <c>when</c> (conditions for this
/// response), <c>scenario</c>, <c>template</c> (Handlebars in body and header values), <c>delay</c>, <c>fault</c>,
/// <c>chunkedDribbleDelay</c>, <c>weight</c> (for <c>responseMode: random</c>), <c>bodyEncoding: "base64"</c> (the body is a
/// string of base64: its bytes are served, e.g. a recorded image), <c>proxy</c> (<c>{"baseUrl", "headers", "stripPrefix"}</c>:
/// forward the request to a real API instead), <c>webhooks</c> (requests sent after this response answers),
/// <c>graphql</c> (<c>{"schema": "&lt;SDL&gt;", "values": {"Query.user": {...}}}</c>: a GraphQL API instead).
/// </summary>
public sealed record ResponseRequest(
    int? Status,
    Dictionary<string, string>? Headers,
    [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingDefault)] JsonElement Body,
    string? ContentType,
    int? DelayMs,
    RequestMatchRequest? When = null,
    ScenarioStep? Scenario = null,
    bool? Template = null,
    DelayRequest? Delay = null,
    string? Fault = null,
    ChunkedDribble? ChunkedDribbleDelay = null,
    int? Weight = null,
    ProxySpec? Proxy = null,
    string? BodyEncoding = null,
    [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] WebhookRequest[]? Webhooks = null,
    [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] GraphQlRequestBody? Graphql = null)
{
    public static ResponseRequest From(ResponseDefinition response) => new(
        response.Status,
        response.Headers,
        response.BodyJson is null ? default : JsonDocument.Parse(response.BodyJson).RootElement.Clone(),
        response.ContentType,
        response.DelayMs,
        RequestMatchRequest.From(response.When),
        response.Scenario,
        response.Template ? true : null,
        DelayRequest.From(response.Delay),
        GrainInterfaces.FaultNames.Of(response.Fault),
        response.ChunkedDribbleDelay,
        response.Weight == 1 ? null : response.Weight,
        response.Proxy,
        response.Base64Body ? "base64" : null,
        response.Webhooks is { Length: > 0 } webhooks ? [.. webhooks.Select(WebhookRequest.From)] : null,
        GraphQlRequestBody.From(response.Graphql));

    public ResponseDefinition ToDefinition(string field = "response") => new(
        Status ?? 200,
        Headers ?? [],
        Body.ValueKind is JsonValueKind.Undefined or JsonValueKind.Null ? null : Body.GetRawText(),
        ContentType,
        DelayMs ?? 0,
        When?.ToMatch($"{field}.when"),
        Scenario,
        Template ?? false,
        Delay?.ToSpec(),
        Fault is null ? GrainInterfaces.Fault.None
            : GrainInterfaces.FaultNames.ByName.TryGetValue(Fault, out var fault) ? fault
            : throw new ContractException($"{field}.fault '{Fault}' is not one of {GrainInterfaces.FaultNames.All}"),
        ChunkedDribbleDelay,
        Weight ?? 1,
        Proxy,
        IsBase64(BodyEncoding, field),
        Webhooks: Webhooks is { Length: > 0 } webhooks ? [.. webhooks.Select((w, i) => w.ToSpec($"{field}.webhooks[{i}]"))] : null,
        Graphql: Graphql?.ToSpec($"{field}.graphql"));

    /// <summary>Whether a <c>bodyEncoding</c> says base64 (utf8 or none: text).</summary>
    internal static bool IsBase64(string? encoding, string field) => encoding switch
    {
        null or "utf8" => false,
        "base64" => true,
        _ => throw new ContractException($"{field}.bodyEncoding '{encoding}' is not one of utf8, base64"),
    };
}

/// <summary>A GraphQL API: <c>schema</c> (SDL) and <c>values</c> (a JSON object keyed <c>"Type.field"</c>).</summary>
public sealed record GraphQlRequestBody(string? Schema, [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] JsonElement? Values = null)
{
    public static GraphQlRequestBody? From(GraphQlSpec? spec) =>
        spec is null ? null : new(spec.Schema, spec.ValuesJson is { } values ? JsonDocument.Parse(values).RootElement.Clone() : null);

    public GraphQlSpec ToSpec(string field) => new(
        string.IsNullOrWhiteSpace(Schema) ? throw new ContractException($"{field}.schema is missing: the API's schema in GraphQL SDL") : Schema,
        Values is null or { ValueKind: JsonValueKind.Null } ? null
            : Values.Value.ValueKind == JsonValueKind.Object ? Values.Value.GetRawText()
            : throw new ContractException($"{field}.values must be a JSON object keyed \"Type.field\""));
}

/// <summary>
/// A request sent after the response answers (WireMock's webhook): <c>method</c> (POST unless given), <c>url</c>,
/// <c>headers</c> (a value or an array of values), <c>body</c> (text; base64 with <c>bodyEncoding: "base64"</c>), <c>delay</c>.
/// Every text is a template over <c>originalRequest</c>, the request that triggered it.
/// </summary>
public sealed record WebhookRequest(string? Method, string? Url, Dictionary<string, JsonElement>? Headers, string? Body, string? BodyEncoding, DelayRequest? Delay,
    [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] JsonElement? Parameters = null)
{
    public static WebhookRequest From(WebhookSpec webhook) => new(webhook.Method, webhook.Url,
        webhook.Headers.GroupBy(h => h.Key, StringComparer.OrdinalIgnoreCase).ToDictionary(g => g.Key,
            g => JsonSerializer.SerializeToElement(g.Count() == 1 ? (object)g.First().Value : g.Select(h => h.Value).ToArray())),
        webhook.Body, webhook.Base64Body ? "base64" : null, DelayRequest.From(webhook.Delay),
        webhook.ParametersJson is { } json ? JsonDocument.Parse(json).RootElement.Clone() : null);

    public WebhookSpec ToSpec(string field) => new(
        Method ?? "POST",
        Url ?? throw new ContractException($"{field}.url is missing: the URL the webhook is sent to"),
        [.. (Headers ?? []).SelectMany(h => HeaderValues(h.Value, $"{field}.headers.{h.Key}").Select(v => KeyValuePair.Create(h.Key, v)))],
        Body,
        ResponseRequest.IsBase64(BodyEncoding, field),
        Delay?.ToSpec(),
        Parameters is { ValueKind: JsonValueKind.Object } parameters ? parameters.GetRawText()
            : Parameters is null or { ValueKind: JsonValueKind.Null } ? null : throw new ContractException($"{field}.parameters must be a JSON object"));

    private static IEnumerable<string> HeaderValues(JsonElement value, string field) => value.ValueKind switch
    {
        JsonValueKind.String => [value.GetString()!],
        JsonValueKind.Array when value.EnumerateArray().All(v => v.ValueKind == JsonValueKind.String) => value.EnumerateArray().Select(v => v.GetString()!),
        _ => throw new ContractException($"{field} must be a string or an array of strings"),
    };
}

public sealed record EndpointResponse(
    string Id, string Method, string? Path, ResponseRequest? Response, int Revision, DateTimeOffset CreatedAt, DateTimeOffset UpdatedAt,
    string? PathPattern = null, int? Priority = null, RequestMatchRequest? Request = null,
    [property: JsonConverter(typeof(LowerCaseEnum<ResponseMode>))] ResponseMode? ResponseMode = null,
    ResponseRequest[]? Responses = null, string? Name = null,
    [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] JsonElement? Metadata = null,
    [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] bool? Validated = null,
    [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] string[]? Warnings = null)
{
    /// <summary><c>validated: true</c> marks an endpoint imported from an OpenAPI document with validation on (kept across edits).</summary>
    public static EndpointResponse From(EndpointInfo endpoint)
    {
        var spec = EndpointRequest.From(endpoint.Spec);
        return new(endpoint.Id, spec.Method!, spec.Path, spec.Response, endpoint.Revision, endpoint.CreatedAt, endpoint.UpdatedAt,
            spec.PathPattern, spec.Priority, spec.Request, spec.ResponseMode, spec.Responses, spec.Name, spec.Metadata,
            endpoint.Spec.Contract is null ? null : true, endpoint.Spec.Warnings() is { Length: > 0 } warnings ? warnings : null);
    }
}

/// <summary>An enum written in lower camel case ("sequence"), read in any case; numbers are refused.</summary>
public sealed class LowerCaseEnum<T>() : JsonStringEnumConverter<T>(JsonNamingPolicy.CamelCase, allowIntegerValues: false) where T : struct, Enum;

/// <summary>Moves a scenario to a state (one of the states its responses name, or "Started").</summary>
public sealed record ScenarioStateRequest(string? State);
