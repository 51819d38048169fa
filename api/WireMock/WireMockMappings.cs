using System.Text.Json;
using System.Text.Json.Nodes;
using OrleansMock.Api.Http;
using OrleansMock.GrainInterfaces;
using static OrleansMock.Api.Http.ImportedJson;

namespace OrleansMock.Api.WireMock;

/// <summary>
/// WireMock's JSON stub mappings, in and out: a mapping becomes one endpoint (its request, one response, priority,
/// scenario, name, metadata) and an endpoint converts back. Anything WireMock can say that we cannot represent is a
/// <see cref="UnsupportedFieldException"/> naming the field, never dropped silently. Reading is here; writing an
/// endpoint back as a mapping is in <c>WireMockMappings.Write.cs</c>.
/// </summary>
public static partial class WireMockMappings
{
    private static readonly HashSet<string> MappingFields = ["id", "uuid", "name", "request", "response", "priority", "scenarioName",
        "requiredScenarioState", "newScenarioState", "metadata", "persistent", "insertionIndex", "serveEventListeners", "postServeActions"];
    private static readonly HashSet<string> ListenerFields = ["name", "parameters", "requestPhases"];
    private static readonly HashSet<string> RequestFields = ["method", "url", "urlPath", "urlPattern", "urlPathPattern", "urlPathTemplate",
        "queryParameters", "headers", "cookies", "bodyPatterns", "pathParameters", "formParameters", "basicAuth", "multipartPatterns"];
    private static readonly HashSet<string> ResponseFields = ["status", "statusMessage", "headers", "body", "jsonBody", "base64Body",
        "fixedDelayMilliseconds", "delayDistribution", "fault", "chunkedDribbleDelay", "transformers", "transformerParameters", "proxyBaseUrl",
        "additionalProxyRequestHeaders", "proxyUrlPrefixToRemove"];

    private static readonly HashSet<string> ValueFields = ["equalTo", "contains", "doesNotContain", "matches", "doesNotMatch", "caseInsensitive", "absent",
        "and", "or", "not", "hasExactly", "includes", "before", "after", "equalToDateTime", "actualFormat", "truncateExpected", "truncateActual",
        "equalToJson", "ignoreArrayOrder", "ignoreExtraElements"];
    private static readonly HashSet<string> BodyFields = ["equalTo", "contains", "matches", "doesNotContain", "doesNotMatch", "equalToJson",
        "ignoreArrayOrder", "ignoreExtraElements", "matchesJsonPath", "matchesJsonSchema", "schemaVersion", "caseInsensitive", "binaryEqualTo",
        "equalToXml", "enablePlaceholders", "matchesXPath", "xPathNamespaces"];
    private static readonly HashSet<string> SchemaVersions = ["V4", "V6", "V7", "V201909", "V202012"];

    // ---- in ----------------------------------------------------------------------------------------------------------

    /// <summary>A mapping as an endpoint, with the mapping's id (<c>id</c> or <c>uuid</c>) if it has one.</summary>
    public static EndpointImport ToEndpoint(JsonNode? node, string field = "mapping")
    {
        var mapping = Object(node, field);
        Known(mapping, MappingFields, field);
        var (method, path, pathPattern, request) = ToRequest(mapping["request"], $"{field}.request");
        var scenario = Text(mapping["scenarioName"], $"{field}.scenarioName") is { } name
            ? new ScenarioStep(name, Text(mapping["requiredScenarioState"], $"{field}.requiredScenarioState"), Text(mapping["newScenarioState"], $"{field}.newScenarioState"))
            : null;
        var webhooks = ToWebhooks(mapping, field);
        var response = ToResponse(mapping["response"], $"{field}.response") with { Scenario = scenario, Webhooks = webhooks.Length > 0 ? webhooks : null };
        var metadata = mapping["metadata"] is { } meta ? Object(meta, $"{field}.metadata").ToJsonString() : null;
        var source = (JsonObject)mapping.DeepClone();
        source.Remove("id");
        source.Remove("uuid");
        var spec = new EndpointSpec(method, path, response, pathPattern,
            Priority: Integer(mapping["priority"], $"{field}.priority") ?? EndpointSpec.DefaultPriority, Request: request,
            Name: Text(mapping["name"], $"{field}.name"), MetadataJson: metadata, SourceJson: source.ToJsonString());
        // A mapping without an id gets a UUID, as in WireMock (its clients type ids as UUIDs).
        return new EndpointImport(Text(mapping["id"], $"{field}.id") ?? Text(mapping["uuid"], $"{field}.uuid") ?? Guid.NewGuid().ToString(), spec);
    }

    /// <summary>A request pattern (a mapping's <c>request</c>, or a verification's body) as an endpoint's method, path and conditions.</summary>
    public static (string Method, string Path, string? PathPattern, RequestMatch? Request) ToRequest(JsonNode? node, string field)
    {
        var request = Object(node ?? new JsonObject(), field);
        Known(request, RequestFields, field);
        var method = Text(request["method"], $"{field}.method") ?? "ANY";
        var query = Values(request["queryParameters"], $"{field}.queryParameters");
        var (path, pattern) = ("", (string?)null);
        string? exactUrl = null, urlPattern = null;
        if (Text(request["url"], $"{field}.url") is { } url)
        {
            // WireMock's url is the exact path and query: no other parameter, the same order.
            var question = url.IndexOf('?');
            (path, pattern) = Literal(question < 0 ? url : url[..question]);
            exactUrl = url;
        }
        else if (Text(request["urlPath"], $"{field}.urlPath") is { } urlPath)
        {
            (path, pattern) = Literal(urlPath);
        }
        else if (Text(request["urlPathTemplate"], $"{field}.urlPathTemplate") is { } template)
        {
            path = template;
        }
        else if (Text(request["urlPathPattern"], $"{field}.urlPathPattern") is { } pathRegex)
        {
            pattern = pathRegex;
        }
        else if (Text(request["urlPattern"], $"{field}.urlPattern") is { } urlRegex)
        {
            // A pattern over the path and query: the path is any, the whole URL is the condition.
            (pattern, urlPattern) = (".*", urlRegex);
        }
        else
        {
            pattern = ".*"; // no URL: every path
        }
        var headers = Values(request["headers"], $"{field}.headers");
        if (request["basicAuth"] is { } basic)
        {
            // WireMock's basicAuth is the Authorization header those credentials make.
            var credentials = Object(basic, $"{field}.basicAuth");
            var token = Convert.ToBase64String(System.Text.Encoding.UTF8.GetBytes(
                $"{Text(credentials["username"], $"{field}.basicAuth.username")}:{Text(credentials["password"], $"{field}.basicAuth.password")}"));
            (headers ??= new Dictionary<string, ValueMatcher>(StringComparer.OrdinalIgnoreCase))["Authorization"] = new ValueMatcher(EqualTo: $"Basic {token}");
        }
        var cookies = Values(request["cookies"], $"{field}.cookies");
        var body = request["bodyPatterns"] is { } patterns
            ? Array(patterns, $"{field}.bodyPatterns").Select((p, i) => ToBody(p, $"{field}.bodyPatterns[{i}]")).ToArray()
            : null;
        var pathParameters = Values(request["pathParameters"], $"{field}.pathParameters");
        if (pathParameters is not null && request["urlPathTemplate"] is null)
        {
            throw new UnsupportedFieldException($"{field}.pathParameters", "path parameters need a urlPathTemplate that names them");
        }
        var form = Values(request["formParameters"], $"{field}.formParameters");
        var multipart = request["multipartPatterns"] is { } multipartPatterns
            ? Array(multipartPatterns, $"{field}.multipartPatterns").Select((p, i) => ToMultipart(p, $"{field}.multipartPatterns[{i}]")).ToArray()
            : null;
        // WireMock's strictness: a literal urlPath is that path exactly (a trailing slash is another), GET does not answer HEAD.
        var exactPath = request["urlPath"] is not null && pattern is null ? path : null;
        var exactMethod = method is "GET" ? method : null;
        var match = query is null && headers is null && cookies is null && body is null && pathParameters is null && form is null && exactUrl is null
            && urlPattern is null && exactPath is null && exactMethod is null && multipart is null
            ? null
            : new RequestMatch(query, headers, cookies, body, pathParameters, form, exactUrl, urlPattern, exactPath, exactMethod, multipart);
        return (method, path, pattern, match);
    }

    private static readonly HashSet<string> MultipartFields = ["matchingType", "headers", "bodyPatterns", "name"];

    /// <summary>
    /// One of WireMock's <c>multipartPatterns</c>: <c>matchingType</c> ANY (some part holds it, the default) or ALL (every
    /// part), the part's <c>headers</c> (Content-Disposition names the part) and <c>bodyPatterns</c>.
    /// </summary>
    private static MultipartPattern ToMultipart(JsonNode? node, string field)
    {
        var pattern = Object(node, field);
        Known(pattern, MultipartFields, field);
        var all = Text(pattern["matchingType"], $"{field}.matchingType") switch
        {
            null or "ANY" => false,
            "ALL" => true,
            var other => throw new UnsupportedFieldException($"{field}.matchingType", $"'{other}' is not one of ALL, ANY"),
        };
        var body = pattern["bodyPatterns"] is { } patterns
            ? Array(patterns, $"{field}.bodyPatterns").Select((p, i) => ToBody(p, $"{field}.bodyPatterns[{i}]")).ToArray()
            : null;
        return new MultipartPattern(Text(pattern["name"], $"{field}.name"), Body: body, Headers: Values(pattern["headers"], $"{field}.headers"), All: all);
    }

    private static (string Path, string? Pattern) Literal(string path) =>
        path.IndexOfAny(['{', '}', '*']) >= 0 ? ("", System.Text.RegularExpressions.Regex.Escape(path)) : (path, null);

    private static Dictionary<string, ValueMatcher>? Values(JsonNode? node, string field) =>
        node is null ? null : Object(node, field).ToDictionary(p => p.Key, p => ToValue(p.Value, $"{field}.{p.Key}"));

    private static ValueMatcher ToValue(JsonNode? node, string field)
    {
        var matcher = Object(node, field);
        Known(matcher, ValueFields, field);
        ValueMatcher[]? List(string name) => matcher[name] is { } list
            ? Array(list, $"{field}.{name}").Select((m, i) => ToValue(m, $"{field}.{name}[{i}]")).ToArray()
            : null;
        return new ValueMatcher(Text(matcher["equalTo"], $"{field}.equalTo"), Text(matcher["contains"], $"{field}.contains"),
            Text(matcher["doesNotContain"], $"{field}.doesNotContain"), Text(matcher["matches"], $"{field}.matches"),
            Text(matcher["doesNotMatch"], $"{field}.doesNotMatch"), Bool(matcher["caseInsensitive"], $"{field}.caseInsensitive"),
            Bool(matcher["absent"], $"{field}.absent"), List("and"), List("or"), matcher["not"] is { } not ? ToValue(not, $"{field}.not") : null,
            List("hasExactly"), List("includes"), Text(matcher["before"], $"{field}.before"), Text(matcher["after"], $"{field}.after"),
            Text(matcher["equalToDateTime"], $"{field}.equalToDateTime"), Text(matcher["actualFormat"], $"{field}.actualFormat"),
            Text(matcher["truncateExpected"], $"{field}.truncateExpected"), Text(matcher["truncateActual"], $"{field}.truncateActual"),
            JsonText(matcher["equalToJson"]), Bool(matcher["ignoreArrayOrder"], $"{field}.ignoreArrayOrder"),
            Bool(matcher["ignoreExtraElements"], $"{field}.ignoreExtraElements"));
    }

    /// <summary>A content pattern (a body pattern's shape: find-by-metadata's body), 422 naming what we cannot represent.</summary>
    public static BodyMatcher ToPattern(JsonNode? node, string field) => ToBody(node, field);

    private static BodyMatcher ToBody(JsonNode? node, string field)
    {
        var matcher = Object(node, field);
        Known(matcher, BodyFields, field);
        string? jsonPath = null;
        ValueMatcher? jsonPathValue = null;
        if (matcher["matchesJsonPath"] is JsonObject withValue)
        {
            jsonPath = Text(withValue["expression"], $"{field}.matchesJsonPath.expression");
            var rest = new JsonObject(withValue.Where(p => p.Key != "expression").Select(p => KeyValuePair.Create(p.Key, p.Value?.DeepClone())));
            jsonPathValue = ToValue(rest, $"{field}.matchesJsonPath");
        }
        else
        {
            jsonPath = Text(matcher["matchesJsonPath"], $"{field}.matchesJsonPath");
        }
        if (Text(matcher["schemaVersion"], $"{field}.schemaVersion") is { } version && !SchemaVersions.Contains(version))
        {
            throw new UnsupportedFieldException($"{field}.schemaVersion", $"'{version}' is not one of {string.Join(", ", SchemaVersions)}");
        }
        string? xPath;
        ValueMatcher? xPathValue = null;
        if (matcher["matchesXPath"] is JsonObject xPathWithValue)
        {
            xPath = Text(xPathWithValue["expression"], $"{field}.matchesXPath.expression");
            var rest = new JsonObject(xPathWithValue.Where(p => p.Key is not ("expression" or "xPathNamespaces")).Select(p => KeyValuePair.Create(p.Key, p.Value?.DeepClone())));
            xPathValue = rest.Count > 0 ? ToValue(rest, $"{field}.matchesXPath") : null;
        }
        else
        {
            xPath = Text(matcher["matchesXPath"], $"{field}.matchesXPath");
        }
        var namespaces = matcher["xPathNamespaces"] is { } ns
            ? Object(ns, $"{field}.xPathNamespaces").ToDictionary(p => p.Key, p => Text(p.Value, $"{field}.xPathNamespaces.{p.Key}") ?? "")
            : null;
        return new BodyMatcher(Text(matcher["equalTo"], $"{field}.equalTo"), Text(matcher["contains"], $"{field}.contains"),
            Text(matcher["matches"], $"{field}.matches"), JsonText(matcher["equalToJson"]), Bool(matcher["ignoreArrayOrder"], $"{field}.ignoreArrayOrder"),
            Bool(matcher["ignoreExtraElements"], $"{field}.ignoreExtraElements"), jsonPath, jsonPathValue, JsonText(matcher["matchesJsonSchema"]),
            Bool(matcher["caseInsensitive"], $"{field}.caseInsensitive"), Text(matcher["doesNotContain"], $"{field}.doesNotContain"),
            Text(matcher["doesNotMatch"], $"{field}.doesNotMatch"), Text(matcher["binaryEqualTo"], $"{field}.binaryEqualTo"),
            Text(matcher["equalToXml"], $"{field}.equalToXml"), xPath, namespaces, xPathValue);
    }

    /// <summary>WireMock takes JSON either as a JSON value or as a string holding JSON text.</summary>
    private static string? JsonText(JsonNode? node) =>
        node is null ? null : node is JsonValue value && value.GetValueKind() == JsonValueKind.String ? value.GetValue<string>() : node.ToJsonString();

    private static ResponseDefinition ToResponse(JsonNode? node, string field)
    {
        var response = Object(node ?? new JsonObject(), field);
        Known(response, ResponseFields, field);
        if (response["transformerParameters"] is JsonObject { Count: > 0 })
        {
            throw new UnsupportedFieldException($"{field}.transformerParameters", "transformer parameters are not supported");
        }
        var transformers = response["transformers"] is { } list ? Array(list, $"{field}.transformers").Select((t, i) => Text(t, $"{field}.transformers[{i}]")).ToArray() : [];
        if (transformers.FirstOrDefault(t => t != "response-template") is { } other)
        {
            throw new UnsupportedFieldException($"{field}.transformers", $"'{other}' is not supported; only response-template is");
        }
        var headers = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase);
        var moreValues = new List<KeyValuePair<string, string>>();
        foreach (var (name, value) in response["headers"] is { } h ? Object(h, $"{field}.headers") : [])
        {
            if (value is JsonArray values)
            {
                // Several values are sent as several header lines, as WireMock sends them (several Set-Cookie).
                var texts = values.Select((v, i) => Text(v, $"{field}.headers.{name}[{i}]") ?? "").ToArray();
                if (texts.Length == 0)
                {
                    continue;
                }
                headers[name] = texts[0];
                moreValues.AddRange(texts.Skip(1).Select(t => KeyValuePair.Create(name, t)));
            }
            else
            {
                headers[name] = Text(value, $"{field}.headers.{name}") ?? "";
            }
        }
        var contentType = headers.Remove("Content-Type", out var type) ? type : null;
        string? bodyJson = null;
        var base64 = false;
        if (Text(response["body"], $"{field}.body") is { } text)
        {
            bodyJson = JsonSerializer.Serialize(text);
        }
        else if (response["jsonBody"] is { } json)
        {
            bodyJson = json.ToJsonString();
        }
        else if (Text(response["base64Body"], $"{field}.base64Body") is { } encoded)
        {
            (bodyJson, base64) = (JsonSerializer.Serialize(encoded), true);
        }
        var proxy = Text(response["proxyBaseUrl"], $"{field}.proxyBaseUrl") is { } baseUrl
            ? new ProxySpec(baseUrl,
                response["additionalProxyRequestHeaders"] is { } extra ? Object(extra, $"{field}.additionalProxyRequestHeaders").ToDictionary(p => p.Key, p => Text(p.Value, $"{field}.additionalProxyRequestHeaders.{p.Key}") ?? "") : null,
                Text(response["proxyUrlPrefixToRemove"], $"{field}.proxyUrlPrefixToRemove"))
            : null;
        var fault = Text(response["fault"], $"{field}.fault") is { } faultName
            ? FaultNames.ByName.TryGetValue(faultName, out var known) ? known : throw new UnsupportedFieldException($"{field}.fault", $"'{faultName}' is not one of {FaultNames.All}")
            : Fault.None;
        ChunkedDribble? dribble = response["chunkedDribbleDelay"] is { } d
            ? new ChunkedDribble(Integer(Object(d, $"{field}.chunkedDribbleDelay")["numberOfChunks"], $"{field}.chunkedDribbleDelay.numberOfChunks") ?? 1,
                Integer(d["totalDuration"], $"{field}.chunkedDribbleDelay.totalDuration") ?? 0)
            : null;
        return new ResponseDefinition(Integer(response["status"], $"{field}.status") ?? 200, headers, bodyJson, contentType,
            Integer(response["fixedDelayMilliseconds"], $"{field}.fixedDelayMilliseconds") ?? 0, Template: transformers.Length > 0,
            Delay: ToDelay(response["delayDistribution"], $"{field}.delayDistribution"), Fault: fault, ChunkedDribbleDelay: dribble, Proxy: proxy,
            Base64Body: base64, NoContentType: contentType is null, // WireMock adds no Content-Type of its own
            MoreHeaderValues: moreValues.Count > 0 ? [.. moreValues] : null, StatusMessage: Text(response["statusMessage"], $"{field}.statusMessage"));
    }

    /// <summary>
    /// A mapping's webhooks: <c>serveEventListeners</c> (WireMock 3) and <c>postServeActions</c> (the older form, an array
    /// of the same entries or an object by name). Only the <c>webhook</c> listener exists here; any other is refused.
    /// </summary>
    private static WebhookSpec[] ToWebhooks(JsonObject mapping, string field)
    {
        var listeners = new List<(JsonNode? Node, string Field)>();
        foreach (var key in (string[])["serveEventListeners", "postServeActions"])
        {
            switch (mapping[key])
            {
                case null:
                    break;
                case JsonObject byName: // {"webhook": {...parameters}}
                    listeners.AddRange(byName.Select(p => ((JsonNode?)new JsonObject { ["name"] = p.Key, ["parameters"] = p.Value?.DeepClone() }, $"{field}.{key}.{p.Key}")));
                    break;
                case var list:
                    listeners.AddRange(Array(list, $"{field}.{key}").Select((l, i) => (l, $"{field}.{key}[{i}]")));
                    break;
            }
        }
        return [.. listeners.Select(l => ToWebhook(l.Node, l.Field))];
    }

    private static readonly HashSet<string> WebhookFields = ["method", "url", "headers", "body", "base64Body", "jsonBody", "delay"];

    private static WebhookSpec ToWebhook(JsonNode? node, string field)
    {
        var listener = Object(node, field);
        Known(listener, ListenerFields, field);
        if (Text(listener["name"], $"{field}.name") is not "webhook")
        {
            throw new UnsupportedFieldException($"{field}.name", $"'{listener["name"]}' is not supported; only the webhook listener is");
        }
        if (listener["requestPhases"] is { } phases && Array(phases, $"{field}.requestPhases").Any(p => Text(p, $"{field}.requestPhases") is not "AFTER_COMPLETE"))
        {
            throw new UnsupportedFieldException($"{field}.requestPhases", "webhooks are sent after the response (AFTER_COMPLETE), in no other phase");
        }
        field += ".parameters";
        var parameters = Object(listener["parameters"] ?? new JsonObject(), field);
        if (parameters["bodyFileName"] is not null)
        {
            throw new UnsupportedFieldException($"{field}.bodyFileName", "files of the server are not read; give the body inline (body, jsonBody or base64Body)");
        }
        var headers = new List<KeyValuePair<string, string>>();
        foreach (var (name, value) in parameters["headers"] is { } h ? Object(h, $"{field}.headers") : [])
        {
            var values = value is JsonArray many ? many.Select((v, i) => Text(v, $"{field}.headers.{name}[{i}]") ?? "") : [Text(value, $"{field}.headers.{name}") ?? ""];
            headers.AddRange(values.Select(v => KeyValuePair.Create(name, v)));
        }
        var (body, base64) = (Text(parameters["base64Body"], $"{field}.base64Body"), true);
        if (body is null)
        {
            (body, base64) = (parameters["jsonBody"] is { } json ? json.ToJsonString() : Text(parameters["body"], $"{field}.body"), false);
        }
        // The other parameters are the template's {{parameters.*}}, as in WireMock.
        var extra = new JsonObject(parameters.Where(p => !WebhookFields.Contains(p.Key)).Select(p => KeyValuePair.Create(p.Key, p.Value?.DeepClone())));
        return new WebhookSpec(
            Text(parameters["method"], $"{field}.method") ?? "GET",
            Text(parameters["url"], $"{field}.url") ?? throw new UnsupportedFieldException($"{field}.url", "a webhook needs the URL it is sent to"),
            [.. headers], body, base64, ToDelay(parameters["delay"], $"{field}.delay"), extra.Count > 0 ? extra.ToJsonString() : null);
    }

    private static DelaySpec? ToDelay(JsonNode? node, string field)
    {
        if (node is null)
        {
            return null;
        }
        var delay = Object(node, field);
        return Text(delay["type"], $"{field}.type") switch
        {
            "lognormal" => new DelaySpec(LognormalMedian: Number(delay["median"], $"{field}.median"), LognormalSigma: Number(delay["sigma"], $"{field}.sigma")),
            "uniform" => new DelaySpec(UniformLower: Integer(delay["lower"], $"{field}.lower"), UniformUpper: Integer(delay["upper"], $"{field}.upper")),
            "fixed" => new DelaySpec(Fixed: Integer(delay["milliseconds"], $"{field}.milliseconds")),
            var type => throw new UnsupportedFieldException($"{field}.type", $"'{type}' is not one of lognormal, uniform, fixed"),
        };
    }

    // ---- reading JSON with the field named on every mistake ------------------------------------------------------------

    private static void Known(JsonObject json, IReadOnlySet<string> known, string field)
    {
        if (json.Select(p => p.Key).FirstOrDefault(key => !known.Contains(key)) is { } unknown)
        {
            throw new UnsupportedFieldException($"{field}.{unknown}", "is not supported by OrleansMock's WireMock API");
        }
    }
}
