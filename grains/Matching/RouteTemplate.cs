namespace OrleansMock.Grains.Matching;

/// <summary>
/// A parsed path template such as <c>/users/{id}/orders</c> or <c>/users/:id/orders</c>. A segment is a literal
/// (compared case-sensitively, as URL paths are), a whole-segment parameter, or a parameter between fixed text
/// (<c>/report.{format}</c>, <c>/pets:{action}</c>, as OpenAPI paths have them). A trailing slash is ignored.
/// </summary>
public sealed class RouteTemplate
{
    private RouteTemplate(string text, string shape, string?[] literals, string?[] parameters, (string Prefix, string Suffix)?[] around)
    {
        Text = text;
        Shape = shape;
        Literals = literals;
        Parameters = parameters;
        _around = around;
    }

    // Per segment: the fixed text before and after a parameter that is not a whole segment (null otherwise).
    private readonly (string Prefix, string Suffix)?[] _around;

    /// <summary>The template as the user wrote it, without a trailing slash.</summary>
    public string Text { get; }

    /// <summary>The template with parameter names erased (<c>/users/{}</c>): two templates with one shape match the same paths.</summary>
    public string Shape { get; }

    /// <summary>One entry per segment: the literal text, or null for a parameter.</summary>
    public string?[] Literals { get; }

    /// <summary>One entry per segment: the parameter's name, or null for a literal.</summary>
    public string?[] Parameters { get; }

    public int SegmentCount => Literals.Length;

    /// <summary>The parameters' values in a path this template matched.</summary>
    public Dictionary<string, string> Values(string[] segments)
    {
        var values = new Dictionary<string, string>(StringComparer.Ordinal);
        for (var i = 0; i < Parameters.Length && i < segments.Length; i++)
        {
            if (Parameters[i] is { } name)
            {
                var segment = segments[i];
                if (_around[i] is var (prefix, suffix) && segment.Length >= prefix.Length + suffix.Length)
                {
                    segment = segment[prefix.Length..^suffix.Length];
                }
                values[name] = Uri.UnescapeDataString(segment);
            }
        }
        return values;
    }

    public static bool TryParse(string? path, int maxLength, out RouteTemplate template, out string error)
    {
        template = null!;
        if (string.IsNullOrWhiteSpace(path))
        {
            error = "path is required, for example \"/users/{id}\"";
            return false;
        }
        if (path.Length > maxLength)
        {
            error = $"path is {path.Length} characters long; the limit is {maxLength}";
            return false;
        }
        if (path[0] != '/')
        {
            error = $"path must start with '/', for example \"/{path}\"";
            return false;
        }
        foreach (var c in path)
        {
            if (c is '?' or '#')
            {
                error = $"path must not contain '{c}': query strings and fragments are not part of a path template";
                return false;
            }
            // A space is a character a path may hold (sent as %20, as OpenAPI documents write such paths); other
            // whitespace and control characters never reach a route.
            if ((char.IsWhiteSpace(c) && c != ' ') || char.IsControl(c))
            {
                error = "path must not contain tabs, line breaks or control characters";
                return false;
            }
        }

        var trimmed = path.Length > 1 && path[^1] == '/' ? path[..^1] : path;
        var parts = trimmed == "/" ? [] : trimmed[1..].Split('/');
        var literals = new string?[parts.Length];
        var parameters = new string?[parts.Length];
        var around = new (string Prefix, string Suffix)?[parts.Length];
        var shape = new System.Text.StringBuilder();
        var names = new HashSet<string>(StringComparer.Ordinal);
        for (var i = 0; i < parts.Length; i++)
        {
            var part = parts[i];
            if (part.Length == 0)
            {
                error = $"path has an empty segment at position {i + 1} (\"//\")";
                return false;
            }
            var name = ParameterName(part);
            var (open, close) = (part.IndexOf('{'), part.IndexOf('}'));
            if (name is null && open >= 0 && close > open + 1 && part.IndexOf('{', open + 1) < 0 && part.IndexOf('}', close + 1) < 0)
            {
                // One parameter between fixed text: report.{format}, pets:{action}.
                name = part[(open + 1)..close];
                around[i] = (part[..open], part[(close + 1)..]);
            }
            if (name is null)
            {
                if (part.Contains('{') || part.Contains('}'))
                {
                    error = $"segment '{part}' is not a parameter: a segment holds one '{{name}}' at most, with or without text around it, like '{{id}}' or 'report.{{format}}'";
                    return false;
                }
                literals[i] = part;
                shape.Append('/').Append(part);
                continue;
            }
            if (part[0] == ':' ? !IsIdentifier(name) : !IsBracedName(name))
            {
                error = part[0] == ':'
                    ? $"parameter name '{name}' in segment '{part}' must start with a letter or '_' and contain only letters, digits and '_'"
                    : $"parameter name '{name}' in segment '{part}' may contain only letters, digits, '_', '-' and '.'";
                return false;
            }
            if (!names.Add(name))
            {
                error = $"parameter '{name}' appears twice in the path";
                return false;
            }
            parameters[i] = name;
            shape.Append('/').Append(around[i]?.Prefix).Append("{}").Append(around[i]?.Suffix);
        }

        template = new RouteTemplate(trimmed, parts.Length == 0 ? "/" : shape.ToString(), literals, parameters, around);
        error = "";
        return true;
    }

    /// <summary>Whether the request path segments match, segment for segment.</summary>
    public bool IsMatch(string[] segments)
    {
        if (segments.Length != Literals.Length)
        {
            return false;
        }
        for (var i = 0; i < segments.Length; i++)
        {
            var literal = Literals[i];
            if (literal is null ? !ParameterMatches(i, segments[i]) : !string.Equals(literal, segments[i], StringComparison.Ordinal))
            {
                return false;
            }
        }
        return true;
    }

    /// <summary>
    /// The parameter a request path leaves empty (<c>/path//foo</c> against <c>/path/{param}/foo</c>) where the rest of
    /// it matches; null when it does not match that way. An OpenAPI operation refuses such a request as Prism does (422).
    /// </summary>
    public string? EmptyParameter(string[] segments)
    {
        if (segments.Length != Literals.Length)
        {
            return null;
        }
        string? empty = null;
        for (var i = 0; i < segments.Length; i++)
        {
            if (Literals[i] is { } literal ? !string.Equals(literal, segments[i], StringComparison.Ordinal) : segments[i].Length == 0 ? _around[i] is not null : !ParameterMatches(i, segments[i]))
            {
                return null;
            }
            if (Literals[i] is null && segments[i].Length == 0)
            {
                empty ??= Parameters[i];
            }
        }
        return empty;
    }

    /// <summary>A parameter segment holds a non-empty value (between its fixed text, when it has some).</summary>
    private bool ParameterMatches(int index, string segment) => _around[index] is not var (prefix, suffix)
        ? segment.Length > 0
        : segment.Length > prefix.Length + suffix.Length && segment.StartsWith(prefix, StringComparison.Ordinal) && segment.EndsWith(suffix, StringComparison.Ordinal);

    /// <summary>
    /// Orders templates of equal length by specificity: the first segment where they differ decides, and a literal
    /// beats a parameter between fixed text, which beats a whole-segment parameter. So literals win over parameters and
    /// a longer literal prefix wins over a shorter one.
    /// </summary>
    public int CompareSpecificity(RouteTemplate other)
    {
        var n = Math.Min(Literals.Length, other.Literals.Length);
        for (var i = 0; i < n; i++)
        {
            var (mine, theirs) = (Rank(i), other.Rank(i));
            if (mine != theirs)
            {
                return mine > theirs ? 1 : -1;
            }
        }
        return 0;
    }

    private int Rank(int index) => Literals[index] is not null ? 2 : _around[index] is not null ? 1 : 0;

    /// <summary>Splits a request path into segments the way templates are split (trailing slash ignored).</summary>
    public static string[] SplitPath(string path)
    {
        if (path.Length == 0 || path == "/")
        {
            return [];
        }
        var start = path[0] == '/' ? 1 : 0;
        var end = path[^1] == '/' ? path.Length - 1 : path.Length;
        return end <= start ? [] : path[start..end].Split('/');
    }

    private static string? ParameterName(string segment)
    {
        if (segment.Length >= 2 && segment[0] == '{' && segment[^1] == '}' && segment.IndexOfAny(['{', '}'], 1, segment.Length - 2) < 0)
        {
            return segment[1..^1];
        }
        if (segment.Length >= 1 && segment[0] == ':')
        {
            return segment[1..];
        }
        return null;
    }

    private static bool IsBracedName(string name) => name.Length > 0 && name.All(c => char.IsAsciiLetterOrDigit(c) || c is '_' or '-' or '.');

    private static bool IsIdentifier(string name) =>
        name.Length > 0
        && (char.IsAsciiLetter(name[0]) || name[0] == '_')
        && name.All(c => char.IsAsciiLetterOrDigit(c) || c == '_');
}
