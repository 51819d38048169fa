using System.Text.Json;
using Newtonsoft.Json;
using Newtonsoft.Json.Linq;
using OrleansMock.GrainInterfaces;

namespace OrleansMock.Grains.Matching;

/// <summary>
/// A mock request as matchers and templates read it: query parameters (repeatable, case-sensitive names), headers
/// (case-insensitive names), cookies and the body, each parsed once, on first use.
/// </summary>
public sealed class RequestView(MockRequest request)
{
    private static readonly string[] None = [];

    private Dictionary<string, List<string>>? _query;
    private Dictionary<string, List<string>>? _headers;
    private Dictionary<string, List<string>>? _cookies;
    private (JToken? Token, string? Error)? _json;

    public string Method => request.Method;

    public string Path => request.Path;

    public string Body => request.Detail?.Body ?? "";

    /// <summary>The path and query as the client sent them (after the project prefix).</summary>
    public string Url => request.Detail?.Url ?? request.Path + (request.Detail?.Query is { Length: > 0 } q ? q : "");

    public Dictionary<string, List<string>> Query => _query ??= ParseQuery(request.Detail?.Query);

    public Dictionary<string, List<string>> Headers => _headers ??= Group(request.Detail?.Headers ?? [], StringComparer.OrdinalIgnoreCase);

    public Dictionary<string, List<string>> Cookies => _cookies ??= ParseCookies(Headers.TryGetValue("Cookie", out var cookie) ? cookie : []);

    private IReadOnlyList<MultipartPart>? _parts;

    /// <summary>The parts of a multipart body (none for any other body).</summary>
    public IReadOnlyList<MultipartPart> Parts => _parts ??= MultipartBody.Parse(HeaderValues("Content-Type") is [var type, ..] ? type : null, Body);

    public IReadOnlyList<string> QueryValues(string name) => Query.TryGetValue(name, out var values) ? values : None;

    public IReadOnlyList<string> HeaderValues(string name) => Headers.TryGetValue(name, out var values) ? values : None;

    public IReadOnlyList<string> CookieValues(string name) => Cookies.TryGetValue(name, out var values) ? values : None;

    /// <summary>The body as JSON (dates kept as strings, numbers exact), or why it is not JSON.</summary>
    public (JToken? Token, string? Error) Json => _json ??= ParseJson(Body);

    private static readonly JsonLoadSettings LoadSettings = new() { LineInfoHandling = LineInfoHandling.Ignore };

    public static (JToken? Token, string? Error) ParseJson(string text)
    {
        if (text.Length == 0)
        {
            return (null, "the body is empty");
        }
        try
        {
            using var reader = new JsonTextReader(new StringReader(text))
            {
                DateParseHandling = DateParseHandling.None,
                FloatParseHandling = FloatParseHandling.Decimal,
                MaxDepth = 64,
            };
            var token = JToken.Load(reader, LoadSettings);
            return reader.Read() ? (null, "the body has text after its JSON value") : (token, null);
        }
        catch (Newtonsoft.Json.JsonException exception)
        {
            return (null, $"the body is not JSON ({exception.Message})");
        }
    }

    /// <summary>The body for System.Text.Json consumers (JSON Schema).</summary>
    public JsonDocument? JsonDocument()
    {
        try
        {
            return Body.Length == 0 ? null : System.Text.Json.JsonDocument.Parse(Body);
        }
        catch (System.Text.Json.JsonException)
        {
            return null;
        }
    }

    internal static Dictionary<string, List<string>> ParseQuery(string? query)
    {
        var result = new Dictionary<string, List<string>>(StringComparer.Ordinal);
        if (string.IsNullOrEmpty(query))
        {
            return result;
        }
        foreach (var pair in query.TrimStart('?').Split('&', StringSplitOptions.RemoveEmptyEntries))
        {
            var equals = pair.IndexOf('=');
            var name = Decode(equals < 0 ? pair : pair[..equals]);
            var value = equals < 0 ? "" : Decode(pair[(equals + 1)..]);
            Add(result, name, value);
        }
        return result;
    }

    private static Dictionary<string, List<string>> ParseCookies(IReadOnlyList<string> headers)
    {
        var result = new Dictionary<string, List<string>>(StringComparer.Ordinal);
        foreach (var header in headers)
        {
            foreach (var part in header.Split(';', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
            {
                var equals = part.IndexOf('=');
                if (equals > 0)
                {
                    Add(result, part[..equals].Trim(), part[(equals + 1)..].Trim().Trim('"'));
                }
            }
        }
        return result;
    }

    private static Dictionary<string, List<string>> Group(IEnumerable<KeyValuePair<string, string>> pairs, StringComparer comparer)
    {
        var result = new Dictionary<string, List<string>>(comparer);
        foreach (var (name, value) in pairs)
        {
            Add(result, name, value);
        }
        return result;
    }

    private static void Add(Dictionary<string, List<string>> map, string name, string value)
    {
        if (!map.TryGetValue(name, out var values))
        {
            map[name] = values = [];
        }
        values.Add(value);
    }

    private static string Decode(string text) => Uri.UnescapeDataString(text.Replace('+', ' '));
}
