using OrleansMock.GrainInterfaces;

namespace OrleansMock.Grains.Proxying;

/// <summary>
/// What a proxy target may be when it is defined: an absolute http(s) URL without credentials, query or fragment.
/// Whether its address may be reached is decided when a request is forwarded (by the front end's address guard, the
/// tester's), because a host name can resolve elsewhere later.
/// </summary>
public static class ProxyRules
{
    public const int MaxHeaders = 20;

    /// <summary>Headers the proxy itself sets from the target and the connection; a definition may not choose them.</summary>
    private static readonly HashSet<string> Reserved = new(
        ["Host", "Content-Length", "Transfer-Encoding", "Connection", "Upgrade", "Keep-Alive", "Proxy-Connection", "TE", "Trailer"],
        StringComparer.OrdinalIgnoreCase);

    public static string? Check(ProxySpec proxy, string field) =>
        CheckBaseUrl(proxy.BaseUrl, $"{field}.baseUrl")
        ?? (proxy.StripPrefix is { } prefix && (!prefix.StartsWith('/') || prefix.Length > 256)
            ? $"{field}.stripPrefix must start with '/' (e.g. \"/v1\") and hold at most 256 characters"
            : null)
        ?? CheckHeaders(proxy.Headers, field);

    public static string? CheckBaseUrl(string? baseUrl, string field)
    {
        if (!Uri.TryCreate(baseUrl, UriKind.Absolute, out var uri) || uri.Scheme is not ("http" or "https"))
        {
            return $"{field} '{baseUrl}' must be an absolute http or https URL, e.g. https://api.example.com";
        }
        if (uri.UserInfo.Length > 0 || uri.Query.Length > 0 || uri.Fragment.Length > 0 || baseUrl!.Length > 2048)
        {
            return $"{field} must not carry credentials, a query or a fragment (at most 2048 characters); give headers for credentials";
        }
        return null;
    }

    private static string? CheckHeaders(Dictionary<string, string>? headers, string field)
    {
        if (headers is null)
        {
            return null;
        }
        if (headers.Count > MaxHeaders)
        {
            return $"{field}.headers has {headers.Count} headers; at most {MaxHeaders}";
        }
        foreach (var (name, value) in headers)
        {
            if (name.Length is 0 or > 128 || !name.All(c => char.IsAsciiLetterOrDigit(c) || "!#$%&'*+-.^_`|~".Contains(c)))
            {
                return $"{field}.headers: '{name}' is not a valid HTTP header name";
            }
            if (Reserved.Contains(name))
            {
                return $"{field}.headers: '{name}' is set by the proxy from the target and the connection, not by a definition";
            }
            if (value is null || value.Length > 8192 || value.Any(c => char.IsControl(c) && c != '\t'))
            {
                return $"{field}.headers: '{name}' has no value, a control character or more than 8192 characters";
            }
        }
        return null;
    }
}
