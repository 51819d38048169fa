using System.Text.RegularExpressions;

namespace OrleansMock.Grains.Matching;

/// <summary>One part of a <c>multipart/form-data</c> body: its name, file name and type (from its headers), its headers and its body as text.</summary>
public sealed record MultipartPart(string? Name, string? Filename, string? ContentType, KeyValuePair<string, string>[] Headers, string Body)
{
    public IReadOnlyList<string> HeaderValues(string name) =>
        [.. Headers.Where(h => string.Equals(h.Key, name, StringComparison.OrdinalIgnoreCase)).Select(h => h.Value)];
}

/// <summary>
/// Reads a <c>multipart/form-data</c> (or any <c>multipart/*</c>) body into its parts, by the boundary its Content-Type
/// names (RFC 7578, RFC 2046). A body that is not multipart, or has no boundary, has no parts.
/// </summary>
public static partial class MultipartBody
{
    /// <summary>At most this many parts are read; the rest of a larger body is ignored.</summary>
    public const int MaxParts = 100;

    public static IReadOnlyList<MultipartPart> Parse(string? contentType, string body)
    {
        if (contentType is null || !contentType.TrimStart().StartsWith("multipart/", StringComparison.OrdinalIgnoreCase)
            || Boundary().Match(contentType) is not { Success: true } match)
        {
            return [];
        }
        var delimiter = "--" + match.Groups[1].Value.Trim('"');
        var parts = new List<MultipartPart>();
        var at = body.IndexOf(delimiter, StringComparison.Ordinal);
        while (at >= 0 && parts.Count < MaxParts)
        {
            var start = at + delimiter.Length;
            if (string.CompareOrdinal(body, start, "--", 0, 2) == 0)
            {
                break; // the closing delimiter
            }
            start = body.IndexOf('\n', start) is var newline and >= 0 ? newline + 1 : body.Length;
            var next = body.IndexOf("\r\n" + delimiter, start, StringComparison.Ordinal);
            var end = next >= 0 ? next : body.IndexOf("\n" + delimiter, start, StringComparison.Ordinal);
            if (end < 0)
            {
                break;
            }
            parts.Add(Part(body[start..end]));
            at = body.IndexOf(delimiter, end, StringComparison.Ordinal);
        }
        return parts;
    }

    private static MultipartPart Part(string text)
    {
        var split = text.IndexOf("\r\n\r\n", StringComparison.Ordinal) is var crlf and >= 0 ? (crlf, 4)
            : text.IndexOf("\n\n", StringComparison.Ordinal) is var lf and >= 0 ? (lf, 2) : (text.Length, 0);
        var headers = text[..split.Item1].Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)
            .Select(line => line.IndexOf(':') is var colon and > 0 ? KeyValuePair.Create(line[..colon].Trim(), line[(colon + 1)..].Trim()) : default)
            .Where(h => h.Key is not null)
            .ToArray();
        var disposition = headers.FirstOrDefault(h => string.Equals(h.Key, "Content-Disposition", StringComparison.OrdinalIgnoreCase)).Value ?? "";
        var contentType = headers.FirstOrDefault(h => string.Equals(h.Key, "Content-Type", StringComparison.OrdinalIgnoreCase)).Value;
        return new MultipartPart(Parameter(disposition, "name"), Parameter(disposition, "filename"), contentType, headers,
            split.Item2 == 0 ? "" : text[(split.Item1 + split.Item2)..]);
    }

    private static string? Parameter(string header, string name)
    {
        var match = Regex.Match(header, $@"(?:^|;)\s*{name}\s*=\s*(?:""((?:[^""\\]|\\.)*)""|([^;\s]*))", RegexOptions.IgnoreCase);
        return match.Success ? (match.Groups[1].Success ? match.Groups[1].Value.Replace("\\\"", "\"") : match.Groups[2].Value) : null;
    }

    [GeneratedRegex(@"boundary\s*=\s*(""[^""]+""|[^;\s]+)", RegexOptions.IgnoreCase)]
    private static partial Regex Boundary();
}
