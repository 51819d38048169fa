using System.Text;
using OrleansMock.Grains.Matching;

namespace OrleansMock.Grains.Responses;

/// <summary>
/// A template that only puts request fields into literal text — <c>{{request.method}}</c>, <c>{{request.url}}</c>,
/// <c>{{request.path}}</c>, <c>{{request.path.&lt;param&gt;}}</c>, <c>{{request.query.&lt;name&gt;}}</c>,
/// <c>{{request.headers.&lt;name&gt;}}</c> (or a webhook's <c>originalRequest.…</c>), or no expression at all — rendered
/// without Handlebars: the text Handlebars prints for it (unit tests compare the two on the same requests), without a
/// compiled delegate and its JIT-compiled code per template (~27 KB per project of 5 endpoints with one template,
/// measured by bench/projects.sh) and without building the whole model per request. Anything else — helpers, blocks,
/// triple or escaped mustaches, whitespace control, other names — is left to Handlebars.
/// </summary>
internal sealed class PlainTemplate
{
    private static readonly string[] Roots = [TemplateModel.RequestRoot, TemplateModel.WebhookRoot];

    // Member names Handlebars or the model may treat as more than a key; such a template goes to Handlebars.
    private static readonly HashSet<string> Reserved = new(StringComparer.OrdinalIgnoreCase) { "this", "length", "size", "first", "last", "true", "false", "null", "undefined" };

    private enum Field
    {
        Literal,
        Method,
        Url,
        Path,
        PathParameter,
        Query,
        Header,
    }

    private readonly record struct Part(Field Field, string Text, string? Root);

    private readonly Part[] _parts;

    private PlainTemplate(Part[] parts) => _parts = parts;

    /// <summary>The template as plain substitutions, or null when it needs Handlebars.</summary>
    public static PlainTemplate? TryParse(string text)
    {
        var parts = new List<Part>();
        var at = 0;
        while (at < text.Length)
        {
            var open = text.IndexOf("{{", at, StringComparison.Ordinal);
            if (open < 0)
            {
                parts.Add(new Part(Field.Literal, text[at..], null));
                break;
            }
            if (open > 0 && text[open - 1] == '\\')
            {
                return null; // an escaped mustache
            }
            var close = text.IndexOf("}}", open + 2, StringComparison.Ordinal);
            if (close < 0 || (close + 2 < text.Length && text[close + 2] == '}') || Expression(text[(open + 2)..close]) is not { } expression)
            {
                return null;
            }
            if (open > at)
            {
                parts.Add(new Part(Field.Literal, text[at..open], null));
            }
            parts.Add(expression);
            at = close + 2;
        }
        return new PlainTemplate([.. parts]);
    }

    /// <summary><c>root.field</c> or <c>root.field.name</c>, exactly (no spaces, no other characters), or null.</summary>
    private static Part? Expression(string expression)
    {
        var names = expression.Split('.');
        if (names.Length is < 2 or > 3 || Array.IndexOf(Roots, names[0]) < 0)
        {
            return null;
        }
        var root = names[0];
        if (names.Length == 2)
        {
            return names[1] switch
            {
                "method" => new Part(Field.Method, "", root),
                "url" => new Part(Field.Url, "", root),
                "path" => new Part(Field.Path, "", root),
                _ => null,
            };
        }
        var name = names[2];
        if (!IsName(name))
        {
            return null;
        }
        return names[1] switch
        {
            "path" => new Part(Field.PathParameter, name, root),
            "query" => new Part(Field.Query, name, root),
            "headers" => new Part(Field.Header, name, root),
            _ => null,
        };
    }

    private static bool IsName(string name) =>
        name.Length is > 0 and <= 128 && (char.IsAsciiLetter(name[0]) || name[0] == '_')
        && name.All(c => char.IsAsciiLetterOrDigit(c) || c is '_' or '-') && !Reserved.Contains(name);

    /// <summary>The text for one request; longer than <paramref name="maxChars"/> is a <see cref="TemplateException"/>, as a render by Handlebars.</summary>
    public string Render(TemplateModel model, int maxChars)
    {
        if (_parts.Length == 1 && _parts[0].Field == Field.Literal)
        {
            return Fit(_parts[0].Text, maxChars);
        }
        var text = new StringBuilder();
        foreach (var part in _parts)
        {
            text.Append(Value(part, model));
            if (text.Length > maxChars)
            {
                throw BudgetedWriter.TooLong(maxChars);
            }
        }
        return text.ToString();
    }

    private static string Fit(string text, int maxChars) => text.Length <= maxChars ? text
        : throw BudgetedWriter.TooLong(maxChars);

    /// <summary>What Handlebars prints for the part: a missing value (or another root than the model's) prints nothing.</summary>
    private static string Value(Part part, TemplateModel model)
    {
        if (part.Field == Field.Literal)
        {
            return part.Text;
        }
        if (part.Root != model.RootName)
        {
            return "";
        }
        var request = model.Request;
        return part.Field switch
        {
            Field.Method => request.Method,
            Field.Url => request.Url,
            Field.Path => request.Path,
            Field.PathParameter => model.PathParameters.TryGetValue(part.Text, out var value) ? value : "",
            Field.Query => First(request.QueryValues(part.Text)),
            Field.Header => First(request.HeaderValues(part.Text)),
            _ => "",
        };
    }

    private static string First(IReadOnlyList<string> values) => values.Count > 0 ? values[0] : "";
}
