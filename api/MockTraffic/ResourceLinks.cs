using System.Globalization;

namespace OrleansMock.Api.MockTraffic;

/// <summary>RFC 8288 <c>Link</c> header of a paginated resource read, as json-server 0.17 sends it (first, prev, next, last).</summary>
public static class ResourceLinks
{
    public static string Build(string baseUrl, IReadOnlyList<KeyValuePair<string, string>> query, int page, int last)
    {
        // The client's query in its own order, _page's value replaced where it stands (as json-server does).
        string Url(int number) => baseUrl + "?" + string.Join("&", query
            .Select(p => p.Key == "_page" ? new KeyValuePair<string, string>(p.Key, number.ToString(CultureInfo.InvariantCulture)) : p)
            .Select(p => $"{Uri.EscapeDataString(p.Key)}={Uri.EscapeDataString(p.Value)}"));
        var links = new List<string> { $"<{Url(1)}>; rel=\"first\"" };
        if (page > 1)
        {
            links.Add($"<{Url(Math.Min(page - 1, last))}>; rel=\"prev\"");
        }
        if (page < last)
        {
            links.Add($"<{Url(page + 1)}>; rel=\"next\"");
        }
        links.Add($"<{Url(last)}>; rel=\"last\"");
        return string.Join(", ", links);
    }
}
