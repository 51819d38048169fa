using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;
using OrleansMock.GrainInterfaces;

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
        if (!RouteTemplate.TryParse(spec.Path, limits.MaxPathLength, out var template, out error))
        {
            return false;
        }
        if (spec.Response is null)
        {
            error = "response is required";
            return false;
        }
        if (!TryNormalizeResponse(spec.Response, limits, out var response, out error))
        {
            return false;
        }
        normalized = new EndpointSpec(method, template.Text, response);
        return true;
    }

    private static bool TryNormalizeResponse(ResponseDefinition response, MockLimits limits, out ResponseDefinition normalized, out string error)
    {
        normalized = response;
        if (response.Status is < 200 or > 599)
        {
            error = $"response.status {response.Status} is not a final HTTP status; use a code from 200 to 599";
            return false;
        }
        if (response.DelayMs < 0 || response.DelayMs > limits.MaxDelayMs)
        {
            error = $"response.delayMs must be between 0 and {limits.MaxDelayMs}";
            return false;
        }

        var headers = response.Headers ?? [];
        if (headers.Count > limits.MaxResponseHeaders)
        {
            error = $"response has {headers.Count} headers; the limit is {limits.MaxResponseHeaders}";
            return false;
        }
        var seen = new HashSet<string>(StringComparer.OrdinalIgnoreCase);
        string? headerContentType = null;
        foreach (var (name, value) in headers)
        {
            if (string.IsNullOrEmpty(name) || !name.All(IsTokenChar))
            {
                error = $"response header name '{name}' is not a valid HTTP header name";
                return false;
            }
            if (!seen.Add(name))
            {
                error = $"response header '{name}' is given twice (header names are case-insensitive)";
                return false;
            }
            if (ReservedHeaders.Contains(name))
            {
                error = $"response header '{name}' is set by the server and cannot be mocked";
                return false;
            }
            if (value is null || value.Any(c => c is '\r' or '\n' or '\0' || (char.IsControl(c) && c != '\t')))
            {
                error = $"response header '{name}' has an empty value or a control character (CR, LF, NUL)";
                return false;
            }
            if (string.Equals(name, "Content-Type", StringComparison.OrdinalIgnoreCase))
            {
                headerContentType = value;
            }
        }

        var contentType = string.IsNullOrWhiteSpace(response.ContentType) ? null : response.ContentType.Trim();
        if (contentType is not null && headerContentType is not null && !string.Equals(contentType, headerContentType, StringComparison.OrdinalIgnoreCase))
        {
            error = $"response.contentType '{contentType}' disagrees with the Content-Type header '{headerContentType}'; give one of them";
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
                error = $"response.body is larger than the limit of {limits.MaxResponseBodyBytes} bytes";
                return false;
            }
            if (!IsJson(body))
            {
                error = "response.body is not valid JSON";
                return false;
            }
            if (response.Status is 204 or 304 or 205)
            {
                error = $"status {response.Status} responses cannot carry a body; remove response.body or choose another status";
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
        normalized = new ResponseDefinition(response.Status, cleaned, body, contentType, response.DelayMs);
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
}
