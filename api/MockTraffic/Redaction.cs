using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using Microsoft.Extensions.Primitives;
using OrleansMock.GrainInterfaces;

namespace OrleansMock.Api.MockTraffic;

/// <summary>
/// What the request log never keeps: the values of headers, query parameters, form fields and JSON body members
/// whose names look like credentials. A name is secret when, lower-cased and without '-' and '_', it contains one of
/// <see cref="MockLimits.RedactNames"/> (by default password, passwd, secret, token, apikey, authorization, cookie,
/// session, credential, privatekey, signature).
/// </summary>
public sealed partial class Redaction(IEnumerable<string> names)
{
    public const string Mask = "[redacted]";

    private const int MaxRemembered = 10_000;

    private readonly string[] _names = names.Select(Normalize).Where(n => n.Length > 0).Distinct().ToArray();

    // Header and parameter names repeat from request to request: decide each once (the mock hot path logs headers).
    private readonly System.Collections.Concurrent.ConcurrentDictionary<string, bool> _decided = new(StringComparer.Ordinal);

    public bool IsSecret(string name) => _decided.TryGetValue(name, out var secret) ? secret : Decide(name);

    // Apart from the lookup: the closure below would otherwise be allocated on every call, the remembered ones too.
    private bool Decide(string name)
    {
        var secret = MayNameASecret(name);
        if (_decided.Count < MaxRemembered)
        {
            _decided[name] = secret;
        }
        return secret;
    }

    public string Header(string name, StringValues values) => IsSecret(name) ? Mask : values.ToString();

    /// <summary>A query string (with its '?') with secret parameters' values masked; the client's order and encoding kept.</summary>
    public string? Query(string? query)
    {
        if (string.IsNullOrEmpty(query) || !MayNameASecret(query))
        {
            return query;
        }
        var pairs = query.TrimStart('?').Split('&');
        for (var i = 0; i < pairs.Length; i++)
        {
            var equals = pairs[i].IndexOf('=');
            var name = Uri.UnescapeDataString((equals < 0 ? pairs[i] : pairs[i][..equals]).Replace('+', ' '));
            if (equals >= 0 && IsSecret(name))
            {
                pairs[i] = pairs[i][..(equals + 1)] + Uri.EscapeDataString(Mask);
            }
        }
        return "?" + string.Join('&', pairs);
    }

    /// <summary>A body preview with secret members masked: JSON (also when the preview is cut short) and form bodies.</summary>
    public string? Body(string? preview, string? contentType)
    {
        if (string.IsNullOrEmpty(preview) || !MayNameASecret(preview))
        {
            return preview; // the common case on the mock hot path: nothing to parse
        }
        if (contentType?.StartsWith("application/x-www-form-urlencoded", StringComparison.OrdinalIgnoreCase) == true)
        {
            return Query("?" + preview)![1..];
        }
        try
        {
            if (JsonNode.Parse(preview) is { } node)
            {
                return MaskMembers(node) ? node.ToJsonString() : preview; // the client's formatting, unless something was masked
            }
        }
        catch (JsonException)
        {
        }
        // Not (complete) JSON: mask "name": "value" and "name": scalar pairs wherever they appear.
        return JsonMember().Replace(preview, match => IsSecret(match.Groups["name"].Value) ? $"{match.Groups["head"].Value}\"{Mask}\"" : match.Value);
    }

    private bool MaskMembers(JsonNode node)
    {
        var masked = false;
        switch (node)
        {
            case JsonObject obj:
                foreach (var name in obj.Select(p => p.Key).ToList())
                {
                    if (IsSecret(name) && obj[name] is not (JsonObject or JsonArray))
                    {
                        obj[name] = Mask;
                        masked = true;
                    }
                    else if (obj[name] is { } child)
                    {
                        masked |= MaskMembers(child);
                    }
                }
                break;
            case JsonArray array:
                foreach (var item in array.OfType<JsonNode>())
                {
                    masked |= MaskMembers(item);
                }
                break;
        }
        return masked;
    }

    /// <summary>Whether any secret fragment occurs in <paramref name="text"/> at all (compared as names are).</summary>
    private bool MayNameASecret(string text)
    {
        var normalized = Normalize(text);
        return _names.Any(fragment => normalized.Contains(fragment, StringComparison.Ordinal));
    }

    private static string Normalize(string name) => SecretNames.Normalize(name);

    [GeneratedRegex("""(?<head>"(?<name>[^"\\]{1,128})"\s*:\s*)("(?:[^"\\]|\\.)*"?|[^,}\]\s]+)""", RegexOptions.NonBacktracking)]
    private static partial Regex JsonMember();
}
