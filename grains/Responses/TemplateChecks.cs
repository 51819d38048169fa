using System.Text;

namespace OrleansMock.Grains.Responses;

/// <summary>
/// Partials, checked when a template is saved: a template may define inline partials (<c>{{#*inline "name"}}</c>) and
/// call them (<c>{{> name}}</c>), but no partial may call itself (directly or through others), names must be literal,
/// and the calls one render makes when every partial is expanded stay within <see cref="MaxExpandedCalls"/> (a chain
/// of partials that each call the next twice doubles per level without a single loop).
/// </summary>
internal static partial class TemplatePartials
{
    public const int MaxExpandedCalls = 1000;

    [System.Text.RegularExpressions.GeneratedRegex(@"\{\{~?\s*#\*inline\s+(?:""([^""]*)""|'([^']*)')\s*~?\}\}", System.Text.RegularExpressions.RegexOptions.CultureInvariant, matchTimeoutMilliseconds: 1000)]
    private static partial System.Text.RegularExpressions.Regex InlineStart();

    [System.Text.RegularExpressions.GeneratedRegex(@"\{\{~?\s*/inline\s*~?\}\}", System.Text.RegularExpressions.RegexOptions.CultureInvariant, matchTimeoutMilliseconds: 1000)]
    private static partial System.Text.RegularExpressions.Regex InlineEnd();

    [System.Text.RegularExpressions.GeneratedRegex(@"\{\{~?\s*#?>\s*(""[^""]*""|'[^']*'|\[[^\]]*\]|[^\s}~]+)", System.Text.RegularExpressions.RegexOptions.CultureInvariant, matchTimeoutMilliseconds: 1000)]
    private static partial System.Text.RegularExpressions.Regex Call();

    /// <summary>Why the template's partials could run without bound, or null.</summary>
    public static string? Check(string text)
    {
        if (!text.Contains('>', StringComparison.Ordinal))
        {
            return null; // no partial call: the common case
        }
        var bodies = new Dictionary<string, string>(StringComparer.Ordinal);
        var outside = new StringBuilder();
        var position = 0;
        foreach (System.Text.RegularExpressions.Match start in InlineStart().Matches(text))
        {
            if (start.Index < position)
            {
                return "inline partials may not be defined inside one another";
            }
            var end = InlineEnd().Match(text, start.Index + start.Length);
            if (!end.Success)
            {
                return null; // Handlebars reports the unclosed block itself
            }
            outside.Append(text, position, start.Index - position);
            var name = start.Groups[1].Success ? start.Groups[1].Value : start.Groups[2].Value;
            bodies[name] = text[(start.Index + start.Length)..end.Index];
            position = end.Index + end.Length;
        }
        outside.Append(text, position, text.Length - position);

        var expanded = new Dictionary<string, long>(StringComparer.Ordinal);
        var visiting = new HashSet<string>(StringComparer.Ordinal);
        string? problem = null;
        long Calls(string body)
        {
            long total = 0;
            foreach (System.Text.RegularExpressions.Match call in Call().Matches(body))
            {
                var name = call.Groups[1].Value.Trim('"', '\'', '[', ']');
                if (call.Groups[1].Value.StartsWith('('))
                {
                    problem ??= $"partial names must be written out, not computed ('{call.Value}}}}}')";
                    return MaxExpandedCalls + 1;
                }
                total += 1 + Expand(name);
                if (total > MaxExpandedCalls || problem is not null)
                {
                    return MaxExpandedCalls + 1;
                }
            }
            return total;
        }
        long Expand(string name)
        {
            if (expanded.TryGetValue(name, out var known))
            {
                return known;
            }
            if (!bodies.TryGetValue(name, out var body))
            {
                return 0; // not defined here: Handlebars fails the render that calls it
            }
            if (!visiting.Add(name))
            {
                problem ??= $"partial '{name}' calls itself (directly or through other partials)";
                return MaxExpandedCalls + 1;
            }
            var calls = Calls(body);
            visiting.Remove(name);
            return expanded[name] = calls;
        }

        var total = Calls(outside.ToString());
        foreach (var name in bodies.Keys)
        {
            Expand(name); // a recursive partial is refused even when nothing calls it yet
        }
        return problem ?? (total > MaxExpandedCalls
            ? $"its partials expand to more than {MaxExpandedCalls} partial calls per render; call fewer partials from each other"
            : null);
    }
}

/// <summary>
/// What can be known to fail when a template is saved, before any request renders it: a helper that does not exist
/// (<c>{{nosuchhelper 1}}</c>, also in a subexpression), a block helper without its argument (<c>{{#if}}</c>, which
/// Handlebars renders as nothing), and a literal argument a helper refuses whatever the request
/// (<c>{{faker 'no.such'}}</c>). Errors that depend on the request stay runtime 422s.
/// </summary>
internal static partial class TemplateLint
{
    private static readonly HashSet<string> BuiltIn = new(["if", "unless", "each", "with", "lookup", "log", "else"], StringComparer.Ordinal);
    private static readonly HashSet<string> NeedAnArgument = new(["if", "unless", "each", "with"], StringComparer.Ordinal);

    // {{name args}}, {{#name args}}, {{^name args}}: not comments, partials, closings, raw blocks or inline definitions.
    [System.Text.RegularExpressions.GeneratedRegex(@"\{\{~?\s*([#^]?)\s*([^\s}~()#^!>/*&=][^\s}~()]*)((?:[^}]|\}(?!\}))*?)~?\}\}", System.Text.RegularExpressions.RegexOptions.CultureInvariant, matchTimeoutMilliseconds: 1000)]
    private static partial System.Text.RegularExpressions.Regex Mustache();

    [System.Text.RegularExpressions.GeneratedRegex(@"\(\s*([^\s()]+)", System.Text.RegularExpressions.RegexOptions.CultureInvariant, matchTimeoutMilliseconds: 1000)]
    private static partial System.Text.RegularExpressions.Regex Subexpression();

    [System.Text.RegularExpressions.GeneratedRegex(@"^\s*(?:'([^']*)'|""([^""]*)"")", System.Text.RegularExpressions.RegexOptions.CultureInvariant, matchTimeoutMilliseconds: 1000)]
    private static partial System.Text.RegularExpressions.Regex FirstLiteral();

    [System.Text.RegularExpressions.GeneratedRegex(@"'[^']*'|""[^""]*""", System.Text.RegularExpressions.RegexOptions.CultureInvariant, matchTimeoutMilliseconds: 1000)]
    private static partial System.Text.RegularExpressions.Regex StringLiteral();

    /// <summary>Why the template cannot work for any request, or null.</summary>
    public static string? Check(string text, IReadOnlySet<string> helpers)
    {
        if (!text.Contains("{{", StringComparison.Ordinal))
        {
            return null;
        }
        foreach (System.Text.RegularExpressions.Match mustache in Mustache().Matches(text))
        {
            if (mustache.Value.StartsWith("{{{", StringComparison.Ordinal))
            {
                continue; // a raw (unescaped) value: a path, as with {{...}}
            }
            var (block, name, rest) = (mustache.Groups[1].Value, mustache.Groups[2].Value, mustache.Groups[3].Value.Trim());
            if (block.Length > 0 && NeedAnArgument.Contains(name) && rest.Length == 0)
            {
                return $"{{{{{block}{name}}}}} needs an argument, e.g. {{{{{block}{name} request.query.q}}}}";
            }
            if ((rest.Length > 0 || block.Length > 0) && IsUnknownHelper(name, helpers))
            {
                return UnknownHelper(name, helpers);
            }
            // Parentheses inside a string literal ('$[?(@.a =~ /^(a+)+$/)]') are not subexpressions.
            foreach (System.Text.RegularExpressions.Match inner in Subexpression().Matches(StringLiteral().Replace(rest, "''")))
            {
                if (IsUnknownHelper(inner.Groups[1].Value, helpers))
                {
                    return UnknownHelper(inner.Groups[1].Value, helpers);
                }
            }
            if (name == "faker" && FirstLiteral().Match(rest) is { Success: true } literal)
            {
                var key = literal.Groups[1].Success ? literal.Groups[1].Value : literal.Groups[2].Value;
                if (!FakeData.Names.Contains(key))
                {
                    return $"faker '{key}' is not known; use one of {string.Join(", ", FakeData.Names)}";
                }
            }
        }
        return null;
    }

    [System.Text.RegularExpressions.GeneratedRegex(@"^(?:\s*(?:[A-Za-z_][\w-]*=)?(?:'[^']*'|""[^""]*""|-?\d+(?:\.\d+)?|true|false))*\s*$", System.Text.RegularExpressions.RegexOptions.CultureInvariant, matchTimeoutMilliseconds: 1000)]
    private static partial System.Text.RegularExpressions.Regex LiteralArguments();

    /// <summary>
    /// The helper calls whose arguments are all literals (<c>{{now offset='soon'}}</c>, <c>{{math 1 '^' 2}}</c>): the
    /// same for every request, so the save check runs each once and refuses the template when it fails.
    /// </summary>
    public static IEnumerable<string> LiteralCalls(string text, IReadOnlySet<string> helpers)
    {
        if (!text.Contains("{{", StringComparison.Ordinal))
        {
            yield break;
        }
        foreach (System.Text.RegularExpressions.Match mustache in Mustache().Matches(text))
        {
            var (block, name, rest) = (mustache.Groups[1].Value, mustache.Groups[2].Value, mustache.Groups[3].Value.Trim());
            if (block.Length == 0 && rest.Length > 0 && helpers.Contains(name) && !mustache.Value.StartsWith("{{{", StringComparison.Ordinal)
                && LiteralArguments().IsMatch(rest))
            {
                yield return $"{{{{{name} {rest}}}}}";
            }
        }
    }

    // A path (request.query.q, this, @index, ../x) or a literal is not a helper call.
    private static bool IsUnknownHelper(string name, IReadOnlySet<string> helpers) =>
        !BuiltIn.Contains(name) && !helpers.Contains(name) && !name.Contains('.') && !name.Contains('/') && !name.StartsWith('@')
        && !name.StartsWith('\'') && !name.StartsWith('"') && !name.StartsWith('[') && name != "this" && !char.IsAsciiDigit(name[0])
        && name is not ("true" or "false" or "null" or "undefined");

    private static string UnknownHelper(string name, IReadOnlySet<string> helpers) =>
        $"'{name}' is not a helper; the helpers are {string.Join(", ", BuiltIn.Where(b => b != "else").Concat(helpers).Order(StringComparer.Ordinal))}";
}

/// <summary>
/// The template's nesting, checked in one pass before Handlebars parses it: Handlebars.Net's parser recurses per
/// nested block and per nested subexpression, and 40,000 nested blocks overflowed the stack, which ends the process
/// (a stack overflow cannot be caught). Deeper than <see cref="MaxBlockDepth"/> blocks or <see cref="MaxParenDepth"/>
/// parentheses is refused.
/// </summary>
internal static class TemplateShape
{
    public const int MaxBlockDepth = 64;
    public const int MaxParenDepth = 32;

    public static string? Check(string text)
    {
        var depth = 0;
        var at = text.IndexOf("{{", StringComparison.Ordinal);
        while (at >= 0)
        {
            var i = at + 2;
            while (i < text.Length && (text[i] is '{' or '~' || char.IsWhiteSpace(text[i])))
            {
                i++;
            }
            var end = text.IndexOf("}}", i, StringComparison.Ordinal);
            if (i < text.Length && text[i] is '#' or '^')
            {
                if (++depth > MaxBlockDepth)
                {
                    return $"its blocks nest more than {MaxBlockDepth} deep";
                }
            }
            else if (i < text.Length && text[i] == '/')
            {
                depth = Math.Max(0, depth - 1);
            }
            var parens = 0;
            for (var j = i; j < (end < 0 ? text.Length : end); j++)
            {
                if (text[j] == '(' && ++parens > MaxParenDepth)
                {
                    return $"its subexpressions nest more than {MaxParenDepth} deep";
                }
                if (text[j] == ')')
                {
                    parens = Math.Max(0, parens - 1);
                }
            }
            if (end < 0)
            {
                return null; // unclosed: Handlebars reports it
            }
            at = text.IndexOf("{{", end + 2, StringComparison.Ordinal);
        }
        return null;
    }
}

/// <summary>
/// Block parameters named like Handlebars.Net's own variables (<c>as |index|</c>, <c>as |value key|</c> — WireMock's
/// documentation writes them so) are renamed before compiling, with every path that starts with them. Handlebars.Net
/// 2.4.3 resolved such a parameter to nothing in about one process in ten (every answer of that template then printed
/// it empty; the WireMock differential tests caught it, names such as <c>idx</c> never failed). The rename keeps the
/// template's meaning: only the first segment of a path is renamed, never a member (<c>x.index</c>), a data variable
/// (<c>@index</c>), a hash key or text in quotes.
/// </summary>
public static partial class TemplateBlockParams
{
    private static readonly HashSet<string> WellKnown = new(["index", "key", "first", "last", "root", "parent"], StringComparer.OrdinalIgnoreCase);

    [System.Text.RegularExpressions.GeneratedRegex(@"\bas\s*\|([^|}]*)\|", System.Text.RegularExpressions.RegexOptions.CultureInvariant, matchTimeoutMilliseconds: 1000)]
    private static partial System.Text.RegularExpressions.Regex Declaration();

    [System.Text.RegularExpressions.GeneratedRegex(@"\{\{.*?\}\}", System.Text.RegularExpressions.RegexOptions.CultureInvariant | System.Text.RegularExpressions.RegexOptions.Singleline, matchTimeoutMilliseconds: 1000)]
    private static partial System.Text.RegularExpressions.Regex Mustache();

    [System.Text.RegularExpressions.GeneratedRegex(@"'[^']*'|""[^""]*""", System.Text.RegularExpressions.RegexOptions.CultureInvariant, matchTimeoutMilliseconds: 1000)]
    private static partial System.Text.RegularExpressions.Regex Quoted();

    public const string Prefix = "om_";

    public static string Rename(string text)
    {
        if (!text.Contains('|', StringComparison.Ordinal))
        {
            return text;
        }
        var names = Declaration().Matches(text).SelectMany(d => d.Groups[1].Value.Split(' ', StringSplitOptions.RemoveEmptyEntries))
            .Where(WellKnown.Contains).ToHashSet(StringComparer.Ordinal);
        if (names.Count == 0)
        {
            return text;
        }
        var path = new System.Text.RegularExpressions.Regex(
            $@"(?<![@./\w\-\[])({string.Join("|", names.Select(System.Text.RegularExpressions.Regex.Escape))})(?![\w\-=\]])",
            System.Text.RegularExpressions.RegexOptions.CultureInvariant, TimeSpan.FromSeconds(1));
        return Mustache().Replace(text, mustache =>
        {
            // Outside the quoted literals of the mustache only.
            var result = new StringBuilder();
            var at = 0;
            foreach (System.Text.RegularExpressions.Match literal in Quoted().Matches(mustache.Value))
            {
                result.Append(path.Replace(mustache.Value[at..literal.Index], Prefix + "$1")).Append(literal.Value);
                at = literal.Index + literal.Length;
            }
            return result.Append(path.Replace(mustache.Value[at..], Prefix + "$1")).ToString();
        });
    }
}
