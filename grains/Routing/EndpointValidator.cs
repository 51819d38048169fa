using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;
using OrleansMock.GrainInterfaces;
using OrleansMock.Grains.Matching;
using OrleansMock.Grains.Proxying;
using OrleansMock.Grains.Responses;

namespace OrleansMock.Grains.Routing;

/// <summary>The domain rules for an endpoint definition. Returns the normalized spec, or a message naming what is wrong.</summary>
public static class EndpointValidator
{
    public const string AnyMethod = "ANY";

    // Hop-by-hop and framing headers are the server's business; letting a mock set them breaks HTTP framing.
    private static readonly HashSet<string> ReservedHeaders = new(StringComparer.OrdinalIgnoreCase)
    {
        "Content-Length", "Transfer-Encoding", "Connection", "Keep-Alive", "Upgrade", "Trailer", "TE", "Proxy-Connection",
    };

    /// <summary>Why a GraphQL response's schema or values cannot be mocked (the field and the line named), or null.</summary>
    public static string? CheckGraphQl(EndpointSpec spec)
    {
        var responses = spec.AllResponses;
        for (var i = 0; i < responses.Length; i++)
        {
            if (responses[i].Graphql is { } graphql && GraphQl.MockSchema.Check(graphql.Schema, graphql.ValuesJson) is { } error)
            {
                return $"{(spec.Responses is null ? "response" : $"responses[{i}]")}.graphql: {error}";
            }
        }
        return null;
    }

    /// <summary>
    /// Checks and normalizes a spec against the rules (method, path, sizes, headers, delays...). What compiles (the
    /// pattern, conditions, templates, the contract) is checked when the endpoint is compiled, once:
    /// <see cref="CompiledEndpoint.TryCompile"/>, or <see cref="TryValidate"/> for both.
    /// </summary>
    public static bool TryNormalize(EndpointSpec spec, MockLimits limits, out EndpointSpec normalized, out string error)
    {
        normalized = spec;
        var method = spec.Method?.Trim().ToUpperInvariant() ?? "";
        if (method.Length == 0)
        {
            error = "method is required: an HTTP method such as GET or POST, or ANY to match every method";
            return false;
        }
        if (method.Length > 32 || !method.All(IsTokenChar))
        {
            error = $"method '{spec.Method}' is not a valid HTTP method; use GET, POST, PUT, PATCH, DELETE, HEAD, OPTIONS, another token, or ANY";
            return false;
        }
        var path = "";
        if (spec.PathPattern is not null)
        {
            if (!string.IsNullOrEmpty(spec.Path))
            {
                error = "give either path (a template such as /orders/{id}) or pathPattern (a regular expression), not both";
                return false;
            }
            if (spec.PathPattern.Length is 0 || spec.PathPattern.Length > limits.MaxPathLength)
            {
                error = $"pathPattern must hold 1 to {limits.MaxPathLength} characters";
                return false;
            }
        }
        else if (!RouteTemplate.TryParse(spec.Path, limits.MaxPathLength, out var template, out error))
        {
            return false;
        }
        else
        {
            path = template.Text;
        }
        if (spec.Name is { Length: > 200 })
        {
            error = "name is longer than 200 characters";
            return false;
        }
        if (spec.SourceJson is { } source && (source.Length > limits.MaxResponseBodyBytes * 2L + 64 * 1024 || !IsJson(source)))
        {
            error = "the WireMock mapping is too large to keep as given";
            return false;
        }
        if (spec.MetadataJson is { } metadata && (metadata.Length > 16 * 1024 || !IsJson(metadata) || !metadata.TrimStart().StartsWith('{')))
        {
            error = "metadata must be a JSON object of at most 16 KB";
            return false;
        }
        if (spec.Priority is < 1 or > 1_000_000)
        {
            error = $"priority {spec.Priority} must be between 1 (first) and 1000000; the default is {EndpointSpec.DefaultPriority}";
            return false;
        }
        if (!Enum.IsDefined(spec.ResponseMode))
        {
            error = "responseMode must be first, sequence or random";
            return false;
        }
        var responses = spec.Responses is { Length: > 0 } given ? given : spec.Response is null ? [] : [spec.Response];
        if (responses.Length == 0)
        {
            error = "response (or responses) is required, for example {\"status\":200,\"body\":{\"ok\":true}}";
            return false;
        }
        if (responses.Length > MaxResponses)
        {
            error = $"an endpoint may have {MaxResponses} responses; this one has {responses.Length}";
            return false;
        }
        var normalizedResponses = new ResponseDefinition[responses.Length];
        for (var i = 0; i < responses.Length; i++)
        {
            var field = spec.Responses is { Length: > 0 } ? $"responses[{i}]" : "response";
            if (responses[i] is null)
            {
                error = $"{field} is empty";
                return false;
            }
            if (!TryNormalizeResponse(responses[i], field, limits, out normalizedResponses[i], out error))
            {
                return false;
            }
        }
        if (spec.ResponseMode == ResponseMode.Random && normalizedResponses.All(r => r.Weight == 0))
        {
            error = "responseMode random needs a response with a weight above 0";
            return false;
        }
        normalized = new EndpointSpec(method, path, normalizedResponses[0], spec.PathPattern, spec.Priority, spec.Request, spec.ResponseMode,
            spec.Responses is { Length: > 0 } ? normalizedResponses : null, spec.Name, spec.MetadataJson, spec.Contract, spec.SourceJson);
        error = "";
        return true;
    }

    /// <summary>Checks, normalizes and compiles a spec that is not saved (a journal filter, a recorded answer): the endpoint it would be.</summary>
    public static bool TryValidate(EndpointSpec spec, MockLimits limits, out EndpointInfo endpoint, out string error)
    {
        endpoint = null!;
        if (!TryNormalize(spec, limits, out var normalized, out error))
        {
            return false;
        }
        endpoint = new EndpointInfo("probe", normalized, 1, DateTimeOffset.UnixEpoch, DateTimeOffset.UnixEpoch);
        return CompiledEndpoint.TryCompile(endpoint, out _, out error);
    }

    /// <summary>Conditions per request match (query, headers, cookies and body entries together).</summary>
    public const int MaxConditions = 32;

    public const int MaxResponses = 50;

    /// <summary>Null when a response's webhooks are within the limits; else what is wrong (their templates are compiled with the response).</summary>
    private static string? CheckWebhooks(WebhookSpec[]? webhooks, string field, MockLimits limits)
    {
        if (webhooks is not { Length: > 0 })
        {
            return null;
        }
        if (webhooks.Length > limits.MaxWebhooksPerResponse)
        {
            return $"{field} has {webhooks.Length} webhooks; a response may send {limits.MaxWebhooksPerResponse}";
        }
        foreach (var (webhook, i) in webhooks.Select((w, i) => (w, i)))
        {
            if (string.IsNullOrWhiteSpace(webhook.Url) || (!webhook.Url.Contains("{{", StringComparison.Ordinal)
                && TargetGuard.ParseHttpUrl(webhook.Url, out _) is null))
            {
                return $"{field}[{i}].url '{webhook.Url}' is not an absolute http(s) URL (or a template making one)";
            }
            if (webhook.Headers.Length > limits.MaxResponseHeaders)
            {
                return $"{field}[{i}] has {webhook.Headers.Length} headers; the limit is {limits.MaxResponseHeaders}";
            }
            if (webhook.Headers.FirstOrDefault(h => string.IsNullOrEmpty(h.Key) || !h.Key.All(IsTokenChar)) is { Key: { } badName })
            {
                return $"{field}[{i}] header name '{badName}' is not a valid HTTP header name";
            }
            if (webhook.Base64Body && !IsBase64(webhook.Body))
            {
                return $"{field}[{i}].base64Body is not base64";
            }
            if (webhook.Body?.Length > limits.MaxWebhookBodyBytes)
            {
                return $"{field}[{i}].body is {webhook.Body.Length} characters; a webhook body may have {limits.MaxWebhookBodyBytes} bytes";
            }
            if (DelaySampler.Check(webhook.Delay, $"{field}[{i}].delay", limits.MaxWebhookDelayMs) is { } delayError)
            {
                return delayError;
            }
        }
        return null;
    }

    private static bool IsBase64(string? text) => text is not null && Convert.TryFromBase64String(text, new byte[text.Length], out _);

    private static bool TryNormalizeResponse(ResponseDefinition response, string field, MockLimits limits, out ResponseDefinition normalized, out string error)
    {
        normalized = response;
        if (response.Status is < 200 or > 599)
        {
            error = $"{field}.status {response.Status} is not a final HTTP status; use a code from 200 to 599";
            return false;
        }
        if (response.DelayMs < 0 || response.DelayMs > limits.MaxDelayMs)
        {
            error = $"{field}.delayMs must be between 0 and {limits.MaxDelayMs}";
            return false;
        }
        if (response.Delay is not null && response.DelayMs != 0)
        {
            error = $"{field} gives both delayMs and delay; give one";
            return false;
        }
        if (DelaySampler.Check(response.Delay, $"{field}.delay", limits.MaxDelayMs) is { } delayError)
        {
            error = delayError;
            return false;
        }
        if (response.Weight < 0)
        {
            error = $"{field}.weight {response.Weight} must be 0 or more";
            return false;
        }
        if (!Enum.IsDefined(response.Fault))
        {
            error = $"{field}.fault must be one of {FaultNames.All}";
            return false;
        }
        if (response.ChunkedDribbleDelay is { } dribble
            && (dribble.NumberOfChunks is < 1 or > 1000 || dribble.TotalDuration < 0 || dribble.TotalDuration > limits.MaxDelayMs))
        {
            error = $"{field}.chunkedDribbleDelay needs 1 to 1000 chunks over 0 to {limits.MaxDelayMs} ms";
            return false;
        }
        if (response.Proxy is { } proxy && ProxyRules.Check(proxy, $"{field}.proxy") is { } proxyError)
        {
            error = proxyError;
            return false;
        }
        if (response.Graphql is not null && response.Proxy is not null)
        {
            error = $"{field} gives a proxy and a GraphQL API: one or the other";
            return false;
        }
        if (CheckWebhooks(response.Webhooks, $"{field}.webhooks", limits) is { } webhookError)
        {
            error = webhookError;
            return false;
        }
        if (response.Scenario is { } scenario && (string.IsNullOrWhiteSpace(scenario.Name) || scenario.Name.Length > 200
            || scenario.RequiredState?.Length > 200 || scenario.NewState?.Length > 200 || (scenario.RequiredState ?? scenario.NewState) is null))
        {
            error = $"{field}.scenario needs a name and a requiredState or newState (each at most 200 characters)";
            return false;
        }

        var headers = response.Headers ?? [];
        if (headers.Count > limits.MaxResponseHeaders)
        {
            error = $"{field} has {headers.Count} headers; the limit is {limits.MaxResponseHeaders}";
            return false;
        }
        var seen = new HashSet<string>(StringComparer.OrdinalIgnoreCase);
        string? headerContentType = null;
        foreach (var (name, value) in headers)
        {
            if (string.IsNullOrEmpty(name) || !name.All(IsTokenChar))
            {
                error = $"{field} header name '{name}' is not a valid HTTP header name";
                return false;
            }
            if (!seen.Add(name))
            {
                error = $"{field} header '{name}' is given twice (header names are case-insensitive)";
                return false;
            }
            if (ReservedHeaders.Contains(name))
            {
                error = $"{field} header '{name}' is set by the server and cannot be mocked";
                return false;
            }
            if (value is null || value.Any(c => c is '\r' or '\n' or '\0' || (char.IsControl(c) && c != '\t')))
            {
                error = $"{field} header '{name}' has an empty value or a control character (CR, LF, NUL)";
                return false;
            }
            if (string.Equals(name, "Content-Type", StringComparison.OrdinalIgnoreCase))
            {
                headerContentType = value;
            }
        }

        foreach (var (name, value) in response.MoreHeaderValues ?? [])
        {
            // A header's further values (WireMock's header arrays: several Set-Cookie): a header given above, each value clean.
            if (!seen.Contains(name) || ReservedHeaders.Contains(name) || name.Equals("Content-Type", StringComparison.OrdinalIgnoreCase) || value is null || value.Any(c => char.IsControl(c) && c != '\t'))
            {
                error = $"{field} header '{name}' has a further value without a first one, or a value with a control character";
                return false;
            }
        }
        if ((response.MoreHeaderValues?.Length ?? 0) + headers.Count > limits.MaxResponseHeaders)
        {
            error = $"{field} has {(response.MoreHeaderValues?.Length ?? 0) + headers.Count} header values; the limit is {limits.MaxResponseHeaders}";
            return false;
        }
        if (response.StatusMessage is { } message && (message.Length > 256 || message.Any(c => char.IsControl(c) && c != '\t')))
        {
            error = $"{field}.statusMessage may have at most 256 characters and no control character";
            return false;
        }

        var contentType = string.IsNullOrWhiteSpace(response.ContentType) ? null : response.ContentType.Trim();
        if (contentType is not null && headerContentType is not null && !string.Equals(contentType, headerContentType, StringComparison.OrdinalIgnoreCase))
        {
            error = $"{field}.contentType '{contentType}' disagrees with the Content-Type header '{headerContentType}'; give one of them";
            return false;
        }
        contentType ??= headerContentType;
        if (contentType is not null && !MediaTypeHeaderValue.TryParse(contentType, out _))
        {
            error = $"content type '{contentType}' is not a valid media type, for example \"text/plain; charset=utf-8\"";
            return false;
        }

        var body = response.BodyJson;
        if (body is not null)
        {
            if (Encoding.UTF8.GetByteCount(body) > limits.MaxResponseBodyBytes)
            {
                error = $"{field}.body is larger than the limit of {limits.MaxResponseBodyBytes} bytes";
                return false;
            }
            if (!IsJson(body))
            {
                error = $"{field}.body is not valid JSON";
                return false;
            }
            if (response.Base64Body && (response.Template || !IsBase64String(body)))
            {
                error = $"{field}.body must be a string of base64 when bodyEncoding is base64 (and not a template)";
                return false;
            }
            if (response.Status is 204 or 304 or 205)
            {
                error = $"status {response.Status} responses cannot carry a body; remove {field}.body or choose another status";
                return false;
            }
        }

        var cleaned = new Dictionary<string, string>(headers.Count, StringComparer.Ordinal);
        foreach (var (name, value) in headers)
        {
            if (!string.Equals(name, "Content-Type", StringComparison.OrdinalIgnoreCase))
            {
                cleaned[name] = value;
            }
        }
        normalized = response with { Headers = cleaned, BodyJson = body, ContentType = contentType };
        error = "";
        return true;
    }

    private static bool IsJson(string text)
    {
        try
        {
            using var _ = JsonDocument.Parse(text);
            return true;
        }
        catch (JsonException)
        {
            return false;
        }
    }

    // RFC 9110 token characters, for methods and header names.
    private static bool IsTokenChar(char c) =>
        char.IsAsciiLetterOrDigit(c) || "!#$%&'*+-.^_`|~".Contains(c);

    private static bool IsBase64String(string bodyJson)
    {
        using var document = JsonDocument.Parse(bodyJson);
        return document.RootElement.ValueKind == JsonValueKind.String
            && Convert.TryFromBase64String(document.RootElement.GetString()!, new byte[document.RootElement.GetString()!.Length], out _);
    }
}
