using OrleansMock.Api.Http;

namespace OrleansMock.Api.MockTraffic;

/// <summary>
/// Keeps a tenant's mock responses from acting on the service's own origin, which mock traffic shares with the
/// management API and the reference pages: documents are sandboxed (<c>Content-Security-Policy: sandbox</c>, so their
/// scripts run in an opaque origin) and cookies are confined to the project's own path.
/// </summary>
public static class MockOrigin
{
    public const string SandboxPolicy = "sandbox";

    /// <summary>
    /// A domain of its own for mock traffic (<c>mock.example.com</c>): <c>{project}.mock.example.com/{path}</c> serves
    /// project <c>{project}</c> with nothing of the service on that origin (no sandbox needed, cookies as the tenant set
    /// them). <c>/m/{project}/...</c> on the service's host keeps working.
    /// </summary>
    public const string DomainKey = "OrleansMock:Mock:Domain";

    /// <summary>The project label of <paramref name="host"/> under <paramref name="dottedDomain"/> (".mock.example.com"), or null.</summary>
    public static string? ProjectOfHost(string host, string dottedDomain) =>
        host.Length > dottedDomain.Length && host.EndsWith(dottedDomain, StringComparison.OrdinalIgnoreCase)
        && host.AsSpan(0, host.Length - dottedDomain.Length) is var label && !label.Contains('.')
            ? label.ToString().ToLowerInvariant()
            : null;

    /// <summary>Where a project's cookies are confined on the shared origin: its mock path, <c>/m/{project}</c>.</summary>
    public static string CookieScope(string project) => $"{Paths.MockPrefix}/{project}";

    /// <summary>
    /// A mock's <c>Set-Cookie</c> with its <c>Path</c> moved under <paramref name="projectPrefix"/> (<c>/m/{project}</c>)
    /// and any <c>Domain</c> dropped: the cookie reaches this project's mock URLs and nothing else of the service.
    /// </summary>
    public static string ScopeCookie(string setCookie, string projectPrefix)
    {
        var parts = setCookie.Split(';', StringSplitOptions.TrimEntries);
        var path = "";
        var kept = new List<string> { parts[0] };
        foreach (var attribute in parts.Skip(1).Where(a => a.Length > 0))
        {
            var name = attribute.Split('=', 2)[0].Trim();
            if (name.Equals("Path", StringComparison.OrdinalIgnoreCase))
            {
                path = attribute.Split('=', 2) is [_, var value] ? value.Trim() : "";
            }
            else if (!name.Equals("Domain", StringComparison.OrdinalIgnoreCase))
            {
                kept.Add(attribute);
            }
        }
        var scoped = path.StartsWith('/') && path != "/" ? projectPrefix + path : projectPrefix;
        kept.Insert(1, "Path=" + scoped);
        return string.Join("; ", kept);
    }
}
