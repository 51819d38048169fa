using System.Text;
using System.Text.Json;
using System.Text.RegularExpressions;
using OrleansMock.GrainInterfaces;

namespace OrleansMock.Grains.Proxying;

/// <summary>
/// Turns a real exchange (a recorded request and its answer) into an endpoint: method and path, the chosen query,
/// headers and body as matchers, the answer's status, headers and bytes as its response. Sensitive headers
/// (credentials, cookies, API keys) are not stored unless kept by name; connection headers never are.
/// </summary>
public static class RecordedEndpoints
{
    /// <summary>Response headers that describe the connection or the old message, not the answer.</summary>
    private static readonly HashSet<string> NotStored = new(StringComparer.OrdinalIgnoreCase)
    {
        "Connection", "Keep-Alive", "Proxy-Connection", "Transfer-Encoding", "TE", "Trailer", "Upgrade", "Content-Length",
        "Content-Encoding", "Date", "Server", "Content-Type", "Content-Security-Policy", "Access-Control-Allow-Origin",
        "Access-Control-Allow-Credentials", "Access-Control-Expose-Headers", "Vary", "Alt-Svc",
    };

    private static readonly HashSet<string> Sensitive = new(StringComparer.OrdinalIgnoreCase)
    {
        "Authorization", "Proxy-Authorization", "Cookie", "Set-Cookie", "X-Api-Key", "Api-Key", "X-Auth-Token", "X-Amz-Security-Token",
        "WWW-Authenticate",
    };

    /// <summary>A header whose value is a credential: the named ones and any whose name says token, secret or key.</summary>
    public static bool IsSensitive(string name) =>
        Sensitive.Contains(name) || name.Contains("token", StringComparison.OrdinalIgnoreCase) || name.Contains("secret", StringComparison.OrdinalIgnoreCase)
        || name.Contains("apikey", StringComparison.OrdinalIgnoreCase) || name.Contains("api-key", StringComparison.OrdinalIgnoreCase);

    /// <summary>What makes two recorded requests the same endpoint: method, path and the parts <paramref name="match"/> names.</summary>
    public static string Key(RecordedExchange exchange, RecordMatch match)
    {
        var key = new StringBuilder().Append(exchange.Method.ToUpperInvariant()).Append(' ').Append(exchange.Path);
        foreach (var (name, value) in QueryConditions(exchange, match))
        {
            key.Append("\n?").Append(name).Append('=').Append(value);
        }
        foreach (var (name, value) in HeaderConditions(exchange, match))
        {
            key.Append("\nh:").Append(name.ToLowerInvariant()).Append('=').Append(value ?? "(absent)");
        }
        if (BodyCondition(exchange, match) is { } body)
        {
            key.Append("\nbody:").Append(body.EqualToJson is { } json ? Canonical(json) : body.EqualTo);
        }
        return key.ToString();
    }

    public static EndpointSpec ToSpec(RecordedExchange exchange, RecordMatch match, string[]? keepHeaders)
    {
        var query = QueryConditions(exchange, match).ToDictionary(q => q.Name, q => new ValueMatcher(EqualTo: q.Value), StringComparer.Ordinal);
        var headers = HeaderConditions(exchange, match)
            .ToDictionary(h => h.Name, h => h.Value is null ? new ValueMatcher(Absent: true) : new ValueMatcher(EqualTo: h.Value), StringComparer.OrdinalIgnoreCase);
        var body = BodyCondition(exchange, match);
        var request = query.Count + headers.Count == 0 && body is null
            ? null
            : new RequestMatch(query.Count > 0 ? query : null, headers.Count > 0 ? headers : null, null, body is null ? null : [body]);
        // A path with a brace would read as a template parameter: match it literally with an anchored pattern instead.
        var literal = exchange.Path.Contains('{') || exchange.Path.Contains('}') || exchange.Path.Contains('*');
        return new EndpointSpec(exchange.Method.ToUpperInvariant(), literal ? "" : exchange.Path, ToResponse(exchange, keepHeaders),
            PathPattern: literal ? "^" + Regex.Escape(exchange.Path) + "$" : null, Request: request);
    }

    /// <summary>The answer as a stored response: text bodies as text with their content type, anything else as base64 bytes.</summary>
    public static ResponseDefinition ToResponse(RecordedExchange exchange, string[]? keepHeaders)
    {
        var headers = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase);
        string? contentType = null;
        foreach (var (name, value) in exchange.ResponseHeaders)
        {
            if (name.Equals("Content-Type", StringComparison.OrdinalIgnoreCase))
            {
                contentType = value;
            }
            else if (!NotStored.Contains(name) && (!IsSensitive(name) || keepHeaders?.Contains(name, StringComparer.OrdinalIgnoreCase) == true))
            {
                headers[name] = headers.TryGetValue(name, out var earlier) ? earlier + ", " + value : value;
            }
        }
        var bytes = exchange.ResponseBody;
        if (bytes.Length == 0 || exchange.Status is 204 or 205 or 304)
        {
            return new ResponseDefinition(exchange.Status, headers, null, contentType, 0);
        }
        if (contentType is not null && TextBodies.IsTextType(contentType) && TextBodies.Utf8OrNull(bytes) is { } text)
        {
            return new ResponseDefinition(exchange.Status, headers, JsonSerializer.Serialize(text), contentType ?? "text/plain; charset=utf-8", 0);
        }
        return new ResponseDefinition(exchange.Status, headers, JsonSerializer.Serialize(Convert.ToBase64String(bytes)),
            contentType ?? "application/octet-stream", 0, Base64Body: true);
    }

    /// <summary>Two answers alike: the same status and bytes (a sequence adds a response only for a different answer).</summary>
    public static bool SameAnswer(ResponseDefinition a, ResponseDefinition b) =>
        a.Status == b.Status && a.BodyJson == b.BodyJson && a.ContentType == b.ContentType && a.Base64Body == b.Base64Body;

    private static IEnumerable<(string Name, string Value)> QueryConditions(RecordedExchange exchange, RecordMatch match) =>
        match.Query
            ? exchange.Query.GroupBy(q => q.Key, StringComparer.Ordinal).OrderBy(g => g.Key, StringComparer.Ordinal).Select(g => (g.Key, g.First().Value))
            : [];

    private static IEnumerable<(string Name, string? Value)> HeaderConditions(RecordedExchange exchange, RecordMatch match) =>
        (match.Headers ?? []).Distinct(StringComparer.OrdinalIgnoreCase).Order(StringComparer.OrdinalIgnoreCase)
            .Select(name => (name, exchange.RequestHeaders.Where(h => h.Key.Equals(name, StringComparison.OrdinalIgnoreCase)).Select(h => h.Value).FirstOrDefault()));

    private static BodyMatcher? BodyCondition(RecordedExchange exchange, RecordMatch match)
    {
        if (match.Body is null || exchange.RequestBody is not { Length: > 0 } bytes || TextBodies.Utf8OrNull(bytes) is not { } text)
        {
            return null;
        }
        if (match.Body == "json" && Canonical(text) is not null)
        {
            return new BodyMatcher(EqualToJson: text);
        }
        return new BodyMatcher(EqualTo: text);
    }

    private static string? Canonical(string json)
    {
        try
        {
            return System.Text.Json.Nodes.JsonNode.Parse(json)?.ToJsonString();
        }
        catch (JsonException)
        {
            return null;
        }
    }
}
