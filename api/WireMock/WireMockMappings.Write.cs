using System.Text.Json;
using System.Text.Json.Nodes;
using OrleansMock.Api.Http;
using OrleansMock.GrainInterfaces;
using static OrleansMock.Api.Http.ImportedJson;

namespace OrleansMock.Api.WireMock;

/// <summary>An endpoint written back as a WireMock mapping: the shapes WireMock's admin API answers with.</summary>
public static partial class WireMockMappings
{
    /// <summary>An endpoint as a WireMock mapping (its first response: WireMock has one per mapping).</summary>
    public static JsonObject ToMapping(EndpointInfo endpoint)
    {
        var spec = endpoint.Spec;
        if (spec.SourceJson is { } source && JsonNode.Parse(source) is JsonObject given)
        {
            // As it was given, with its id first and its uuid last (WireMock's order).
            var answered = new JsonObject { ["id"] = endpoint.Id };
            foreach (var (key, value) in given.ToList())
            {
                given.Remove(key);
                answered[key] = value;
            }
            answered["uuid"] = endpoint.Id;
            return answered;
        }
        var response = spec.AllResponses[0];
        var mapping = new JsonObject { ["id"] = endpoint.Id, ["uuid"] = endpoint.Id };
        if (spec.Name is { } name)
        {
            mapping["name"] = name;
        }
        mapping["request"] = FromRequest(spec.Method, spec.Path, spec.PathPattern, spec.Request);
        mapping["response"] = FromResponse(response);
        mapping["priority"] = spec.Priority;
        if (response.Scenario is { } scenario)
        {
            mapping["scenarioName"] = scenario.Name;
            if (scenario.RequiredState is { } required)
            {
                mapping["requiredScenarioState"] = required;
            }
            if (scenario.NewState is { } next)
            {
                mapping["newScenarioState"] = next;
            }
        }
        if (spec.MetadataJson is { } metadata)
        {
            mapping["metadata"] = JsonNode.Parse(metadata);
        }
        return mapping;
    }

    private static JsonObject FromRequest(string method, string path, string? pathPattern, RequestMatch? match)
    {
        var request = new JsonObject { ["method"] = method };
        if (match?.Url is { } url)
        {
            request["url"] = url;
        }
        else if (match?.UrlPattern is { } urlPattern)
        {
            request["urlPattern"] = urlPattern;
        }
        else if (pathPattern is not null)
        {
            request["urlPathPattern"] = pathPattern;
        }
        else
        {
            request[path.Contains('{') ? "urlPathTemplate" : "urlPath"] = path;
        }
        void Values(string key, Dictionary<string, ValueMatcher>? values)
        {
            if (values is { Count: > 0 })
            {
                request[key] = new JsonObject(values.Select(v => KeyValuePair.Create(v.Key, (JsonNode?)FromValue(v.Value))));
            }
        }
        Values("queryParameters", match?.Query);
        Values("headers", match?.Headers);
        Values("cookies", match?.Cookies);
        Values("pathParameters", match?.PathParameters);
        Values("formParameters", match?.Form);
        if (match?.Body is { Length: > 0 } body)
        {
            request["bodyPatterns"] = new JsonArray([.. body.Select(b => (JsonNode?)FromBody(b))]);
        }
        if (match?.Multipart is { Length: > 0 } multipart)
        {
            request["multipartPatterns"] = new JsonArray([.. multipart.Select(m => (JsonNode?)FromMultipart(m))]);
        }
        return request;
    }

    /// <summary>A multipart condition as WireMock writes it: the part's name and file name become Content-Disposition conditions.</summary>
    private static JsonObject FromMultipart(MultipartPattern pattern)
    {
        var headers = new JsonObject();
        var named = pattern.Headers?.Keys.Any(k => string.Equals(k, "Content-Disposition", StringComparison.OrdinalIgnoreCase)) == true;
        if (pattern.Name is { } name && !named)
        {
            headers["Content-Disposition"] = new JsonObject { ["contains"] = $"name=\"{name}\"" };
        }
        if (pattern.ContentType is { } contentType)
        {
            headers["Content-Type"] = FromValue(contentType);
        }
        foreach (var (key, value) in pattern.Headers ?? [])
        {
            headers[key] = FromValue(value);
        }
        var json = new JsonObject { ["matchingType"] = pattern.All ? "ALL" : "ANY" };
        if (headers.Count > 0)
        {
            json["headers"] = headers;
        }
        if (pattern.Body is { Length: > 0 } body)
        {
            json["bodyPatterns"] = new JsonArray([.. body.Select(b => (JsonNode?)FromBody(b))]);
        }
        return json;
    }

    private static JsonObject FromValue(ValueMatcher matcher)
    {
        var json = new JsonObject();
        void Put(string key, string? value)
        {
            if (value is not null)
            {
                json[key] = value;
            }
        }
        Put("equalTo", matcher.EqualTo);
        Put("contains", matcher.Contains);
        Put("doesNotContain", matcher.DoesNotContain);
        Put("matches", matcher.Matches);
        Put("doesNotMatch", matcher.DoesNotMatch);
        void List(string key, ValueMatcher[]? list)
        {
            if (list is not null)
            {
                json[key] = new JsonArray([.. list.Select(m => (JsonNode?)FromValue(m))]);
            }
        }
        List("and", matcher.And);
        List("or", matcher.Or);
        if (matcher.Not is { } not)
        {
            json["not"] = FromValue(not);
        }
        List("hasExactly", matcher.HasExactly);
        List("includes", matcher.Includes);
        Put("before", matcher.Before);
        Put("after", matcher.After);
        Put("equalToDateTime", matcher.EqualToDateTime);
        Put("actualFormat", matcher.ActualFormat);
        Put("truncateExpected", matcher.TruncateExpected);
        Put("truncateActual", matcher.TruncateActual);
        if (matcher.EqualToJson is { } equalToJson)
        {
            json["equalToJson"] = JsonNode.Parse(equalToJson);
        }
        if (matcher.IgnoreArrayOrder is { } order)
        {
            json["ignoreArrayOrder"] = order;
        }
        if (matcher.IgnoreExtraElements is { } extra)
        {
            json["ignoreExtraElements"] = extra;
        }
        if (matcher.CaseInsensitive is { } caseInsensitive)
        {
            json["caseInsensitive"] = caseInsensitive;
        }
        if (matcher.Absent is { } absent)
        {
            json["absent"] = absent;
        }
        return json;
    }

    /// <summary>A JSONPath or XPath: the expression alone, or with the condition on what it selects.</summary>
    private static JsonNode Expression(string expression, ValueMatcher? value)
    {
        if (value is null)
        {
            return expression;
        }
        var withValue = FromValue(value);
        withValue["expression"] = expression;
        return withValue;
    }

    private static JsonObject FromBody(BodyMatcher matcher)
    {
        var json = new JsonObject();
        if (matcher.EqualTo is { } equalTo) json["equalTo"] = equalTo;
        if (matcher.Contains is { } contains) json["contains"] = contains;
        if (matcher.Matches is { } matches) json["matches"] = matches;
        if (matcher.DoesNotContain is { } doesNotContain) json["doesNotContain"] = doesNotContain;
        if (matcher.DoesNotMatch is { } doesNotMatch) json["doesNotMatch"] = doesNotMatch;
        if (matcher.BinaryEqualTo is { } binary) json["binaryEqualTo"] = binary;
        if (matcher.EqualToXml is { } xml) json["equalToXml"] = xml;
        if (matcher.MatchesXPath is { } xPath)
        {
            json["matchesXPath"] = Expression(xPath, matcher.XPathValue);
        }
        if (matcher.XPathNamespaces is { } namespaces)
        {
            json["xPathNamespaces"] = new JsonObject(namespaces.Select(n => KeyValuePair.Create(n.Key, (JsonNode?)n.Value)));
        }
        if (matcher.EqualToJson is { } equalToJson) json["equalToJson"] = JsonNode.Parse(equalToJson);
        if (matcher.IgnoreArrayOrder is { } order) json["ignoreArrayOrder"] = order;
        if (matcher.IgnoreExtraElements is { } extra) json["ignoreExtraElements"] = extra;
        if (matcher.MatchesJsonPath is { } path)
        {
            json["matchesJsonPath"] = Expression(path, matcher.JsonPathValue);
        }
        if (matcher.MatchesJsonSchema is { } schema) json["matchesJsonSchema"] = schema;
        if (matcher.CaseInsensitive is { } caseInsensitive) json["caseInsensitive"] = caseInsensitive;
        return json;
    }

    private static JsonObject FromResponse(ResponseDefinition response)
    {
        var json = new JsonObject { ["status"] = response.Status };
        var headers = new JsonObject(response.Headers.Select(h => KeyValuePair.Create(h.Key, (JsonNode?)h.Value)));
        if (response.ContentType is { } contentType)
        {
            headers["Content-Type"] = contentType;
        }
        if (headers.Count > 0)
        {
            json["headers"] = headers;
        }
        if (response.BodyJson is { } body)
        {
            var parsed = JsonNode.Parse(body);
            if (response.Base64Body)
            {
                json["base64Body"] = parsed;
            }
            else if (parsed is JsonValue value && value.GetValueKind() == JsonValueKind.String && (response.ContentType is not null || response.Template || response.NoContentType))
            {
                json["body"] = parsed;
            }
            else
            {
                json["jsonBody"] = parsed;
            }
        }
        var fixedDelay = response.Delay?.Fixed ?? response.DelayMs;
        if (fixedDelay > 0)
        {
            json["fixedDelayMilliseconds"] = fixedDelay;
        }
        if (response.Delay is { LognormalMedian: { } median } lognormal)
        {
            json["delayDistribution"] = new JsonObject { ["type"] = "lognormal", ["median"] = median, ["sigma"] = lognormal.LognormalSigma };
        }
        else if (response.Delay is { UniformLower: { } lower } uniform)
        {
            json["delayDistribution"] = new JsonObject { ["type"] = "uniform", ["lower"] = lower, ["upper"] = uniform.UniformUpper };
        }
        if (response.Fault != Fault.None)
        {
            json["fault"] = FaultNames.Of(response.Fault);
        }
        if (response.ChunkedDribbleDelay is { } dribble)
        {
            json["chunkedDribbleDelay"] = new JsonObject { ["numberOfChunks"] = dribble.NumberOfChunks, ["totalDuration"] = dribble.TotalDuration };
        }
        if (response.Template)
        {
            json["transformers"] = new JsonArray("response-template");
        }
        if (response.Proxy is { } proxy)
        {
            json["proxyBaseUrl"] = proxy.BaseUrl;
            if (proxy.Headers is { Count: > 0 } extra)
            {
                json["additionalProxyRequestHeaders"] = new JsonObject(extra.Select(h => KeyValuePair.Create(h.Key, (JsonNode?)h.Value)));
            }
            if (proxy.StripPrefix is { } prefix)
            {
                json["proxyUrlPrefixToRemove"] = prefix;
            }
        }
        return json;
    }
}
