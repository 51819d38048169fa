using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using HandlebarsDotNet;
using Newtonsoft.Json.Linq;
using OrleansMock.Grains.Matching;
using OrleansMock.Grains.Safety;

namespace OrleansMock.Grains.Responses;

/// <summary>
/// A response body or header value rendered with Handlebars and WireMock's model: <c>request.method</c>,
/// <c>request.url</c>, <c>request.path</c> (and <c>request.path.&lt;param&gt;</c>), <c>request.pathSegments.[n]</c>,
/// <c>request.query.&lt;name&gt;</c>, <c>request.headers.&lt;name&gt;</c>, <c>request.cookies.&lt;name&gt;</c>,
/// <c>request.body</c>, and the helpers <c>jsonPath</c>, <c>now</c>, <c>randomValue</c> and <c>faker</c>. Compiled once
/// when the endpoint is saved. Values are inserted as they are, without HTML escaping, as WireMock 3 does (checked
/// against its jar: <c>{{request.query.q}}</c> renders <c>a=b&amp;&lt;c&gt;</c> as sent).
/// </summary>
public sealed class ResponseTemplate
{
    /// <summary>The helpers registered beside Handlebars' built-in ones (what a template may call).</summary>
    private static readonly HashSet<string> Helpers = new(StringComparer.Ordinal);

    private static readonly IHandlebars Engine = CreateEngine();

    private readonly HandlebarsTemplate<TextWriter, object, object> _render;

    private ResponseTemplate(string text, HandlebarsTemplate<TextWriter, object, object> render)
    {
        Text = text;
        _render = render;
    }

    public string Text { get; }

    /// <summary>Whether the template reads the request body (so the front end must send it).</summary>
    public bool ReadsBody => Text.Contains("body", StringComparison.Ordinal);

    public static bool TryCompile(string text, string field, out ResponseTemplate template, out string error)
    {
        template = null!;
        if (TemplateShape.Check(text) is { } shape)
        {
            error = $"{field} is not a valid template: {shape}"; // before Handlebars parses it: its parser recurses
            return false;
        }
        try
        {
            // Handlebars parses next (an unclosed mustache never reaches the checks below), then what it cannot see.
            using var reader = new StringReader(text);
            var compiled = Engine.Compile(reader);
            if ((TemplatePartials.Check(text) ?? TemplateLint.Check(text, Helpers)) is { } problem)
            {
                error = $"{field} is not a valid template: {problem}";
                return false;
            }
            template = new ResponseTemplate(text, compiled);
            error = "";
            return true;
        }
        catch (System.Text.RegularExpressions.RegexMatchTimeoutException)
        {
            error = $"{field} is too complex to check in the time a save may take; split it into smaller templates";
            return false;
        }
        catch (Exception exception) when (exception is HandlebarsException or InvalidOperationException or ArgumentException)
        {
            // The save check names some mistakes better than the parser does ({{#if}}: "Sequence contains no elements").
            error = $"{field} is not a valid template: {LintQuietly(text) ?? exception.Message}";
            return false;
        }
    }

    private static string? LintQuietly(string text)
    {
        try
        {
            return TemplateLint.Check(text, Helpers);
        }
        catch (System.Text.RegularExpressions.RegexMatchTimeoutException)
        {
            return null;
        }
    }

    /// <summary>
    /// Renders for one request within its budget (<see cref="RenderBudget"/>): at most <paramref name="maxChars"/> of
    /// output (the response size limit) and <paramref name="maxSteps"/> loop iterations and helper calls, in the time
    /// left of <paramref name="budget"/>.
    /// </summary>
    public string Render(TemplateModel model, int maxChars, int maxSteps, WorkBudget budget) =>
        RenderBudget.Run(budget, maxSteps, () =>
        {
            var output = new BudgetedWriter(maxChars);
            _render(output, model.Values, null!);
            return output.ToString();
        });

    private static IHandlebars CreateEngine()
    {
        var configuration = new HandlebarsConfiguration { ThrowOnUnresolvedBindingExpression = false, NoEscape = true, PartialRecursionDepthLimit = 16 };
        configuration.ObjectDescriptorProviders.Add(new TemplateModel.PathValue.DescriptorProvider());
        configuration.ObjectDescriptorProviders.Add(new TemplateValues.DescriptorProvider());
        var engine = Handlebars.Create(configuration);
        void Register(string name, HandlebarsReturnWithOptionsHelper helper)
        {
            engine.RegisterHelper(name, helper);
            Helpers.Add(name); // what TemplateLint lets a template call
        }
        Register("jsonPath", (in HelperOptions _, in Context _, in Arguments arguments) =>
        {
            if (arguments.Length < 2)
            {
                throw new TemplateException("jsonPath needs a JSON value and a path: {{jsonPath request.body '$.name'}}");
            }
            var text = arguments[0]?.ToString() ?? "";
            RenderBudget.Step(1 + text.Length / 1024); // parsing costs by the size of what is parsed
            var (json, _) = RequestView.ParseJson(text);
            var token = json is null ? null : JsonPathQuery.Select(json, arguments[1]?.ToString() ?? "$", RenderBudget.Work).FirstOrDefault();
            return token is null ? "" : JsonPathQuery.Text(token);
        });
        Register("now", (in HelperOptions _, in Context _, in Arguments arguments) => Now(Hash(Counted(arguments))));
        Register("randomValue", (in HelperOptions _, in Context _, in Arguments arguments) => RandomValue(Hash(Counted(arguments))));
        Register("faker", (in HelperOptions _, in Context _, in Arguments arguments) =>
            FakeData.Generate(Counted(arguments).Length > 0 ? arguments[0]?.ToString() ?? "" : ""));
        return engine;
    }

    /// <summary>A helper call is a step of the render's budget.</summary>
    private static Arguments Counted(in Arguments arguments)
    {
        RenderBudget.Step();
        return arguments;
    }

    private static IDictionary<string, object> Hash(Arguments arguments) =>
        arguments.Length > 0 && arguments[arguments.Length - 1] is IDictionary<string, object> hash ? hash : new Dictionary<string, object>();

    private static string Now(IDictionary<string, object> hash)
    {
        var now = DateTimeOffset.UtcNow;
        if (hash.TryGetValue("offset", out var offset) && offset?.ToString() is { Length: > 0 } text)
        {
            now = ApplyOffset(now, text);
        }
        var format = hash.TryGetValue("format", out var f) ? f?.ToString() : null;
        return format switch
        {
            null or "" => now.ToString("yyyy-MM-dd'T'HH:mm:ss'Z'", CultureInfo.InvariantCulture),
            "epoch" => now.ToUnixTimeMilliseconds().ToString(CultureInfo.InvariantCulture),
            "unix" => now.ToUnixTimeSeconds().ToString(CultureInfo.InvariantCulture),
            _ => now.ToString(JavaToDotNetFormat(format), CultureInfo.InvariantCulture),
        };
    }

    // WireMock's formats are Java's: the letters we share mean the same, except 'u' (day of week) which we leave.
    private static string JavaToDotNetFormat(string format) => format.Replace("a", "tt");

    private static DateTimeOffset ApplyOffset(DateTimeOffset now, string offset)
    {
        var parts = offset.Trim().Split(' ', StringSplitOptions.RemoveEmptyEntries);
        if (parts.Length != 2 || !int.TryParse(parts[0], NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var amount))
        {
            throw new TemplateException($"now offset '{offset}' should read like '3 days' or '-2 hours'");
        }
        return parts[1].TrimEnd('s').ToLowerInvariant() switch
        {
            "second" => now.AddSeconds(amount),
            "minute" => now.AddMinutes(amount),
            "hour" => now.AddHours(amount),
            "day" => now.AddDays(amount),
            "week" => now.AddDays(7 * amount),
            "month" => now.AddMonths(amount),
            "year" => now.AddYears(amount),
            _ => throw new TemplateException($"now offset unit '{parts[1]}' is not one of seconds, minutes, hours, days, weeks, months, years"),
        };
    }

    private static string RandomValue(IDictionary<string, object> hash)
    {
        var type = (hash.TryGetValue("type", out var t) ? t?.ToString() : null)?.ToUpperInvariant() ?? "ALPHANUMERIC";
        var length = hash.TryGetValue("length", out var l) && int.TryParse(l?.ToString(), out var parsed) ? Math.Clamp(parsed, 1, 1000) : 36;
        var upper = hash.TryGetValue("uppercase", out var u) && u is true || u?.ToString() == "true";
        var alphabet = type switch
        {
            "UUID" => null,
            "ALPHANUMERIC" => "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789",
            "ALPHABETIC" => "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ",
            "NUMERIC" => "0123456789",
            "HEXADECIMAL" => "0123456789abcdef",
            "ALPHANUMERIC_AND_SYMBOLS" => "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789!#$%&()*+,-./:;<=>?@[]^_{|}~",
            _ => throw new TemplateException($"randomValue type '{type}' is not one of ALPHANUMERIC, ALPHABETIC, NUMERIC, HEXADECIMAL, ALPHANUMERIC_AND_SYMBOLS, UUID"),
        };
        var value = alphabet is null ? Guid.NewGuid().ToString() : RandomNumberGenerator.GetString(alphabet, length);
        return upper ? value.ToUpperInvariant() : value;
    }
}

/// <summary>A template's input: the request in WireMock's shape, built once per request.</summary>
public sealed class TemplateModel
{
    public TemplateModel(RequestView request, IReadOnlyDictionary<string, string> pathParameters)
    {
        var segments = RouteTemplate.SplitPath(request.Path).Select(Uri.UnescapeDataString).ToArray();
        // Every list and map is a TemplateValues, so a loop over any of them counts against the render's budget.
        Values = TemplateValues.Map(new Dictionary<string, object?>
        {
            ["request"] = TemplateValues.Map(new Dictionary<string, object?>
            {
                ["method"] = request.Method,
                ["url"] = request.Url,
                ["path"] = new PathValue(request.Path, pathParameters),
                ["pathSegments"] = TemplateValues.List(segments),
                ["query"] = First(request.Query, StringComparer.Ordinal),
                ["headers"] = First(request.Headers, StringComparer.OrdinalIgnoreCase),
                ["cookies"] = First(request.Cookies, StringComparer.Ordinal),
                ["body"] = request.Body,
            }),
        });
    }

    public TemplateValues Values { get; }

    private static TemplateValues First(Dictionary<string, List<string>> values, StringComparer comparer) =>
        TemplateValues.Map(values.ToDictionary(p => p.Key, p => (object?)string.Join(",", p.Value), comparer));

    /// <summary><c>{{request.path}}</c> is the path; <c>{{request.path.id}}</c> a template parameter of it.</summary>
    public sealed class PathValue(string path, IReadOnlyDictionary<string, string> parameters)
    {
        internal IReadOnlyDictionary<string, string> Parameters { get; } = parameters;

        public override string ToString() => path;

        /// <summary>Member access for Handlebars without the dynamic binder (which costs more than the rest of a render).</summary>
        internal sealed class DescriptorProvider : HandlebarsDotNet.ObjectDescriptors.IObjectDescriptorProvider
        {
            private static readonly HandlebarsDotNet.ObjectDescriptors.ObjectDescriptor Descriptor = new(
                typeof(PathValue), new Accessor(), (_, value) => ((PathValue)value).Parameters.Keys, descriptor =>
                {
                    var parameters = new HandlebarsDotNet.Iterators.ObjectIterator(descriptor);
                    return new CountingIterator(value => (parameters, value));
                });

            public bool TryGetDescriptor(Type type, out HandlebarsDotNet.ObjectDescriptors.ObjectDescriptor value)
            {
                value = type == typeof(PathValue) ? Descriptor : HandlebarsDotNet.ObjectDescriptors.ObjectDescriptor.Empty;
                return type == typeof(PathValue);
            }
        }

        private sealed class Accessor : HandlebarsDotNet.MemberAccessors.IMemberAccessor
        {
            public bool TryGetValue(object instance, HandlebarsDotNet.PathStructure.ChainSegment memberName, out object? value)
            {
                var found = ((PathValue)instance).Parameters.TryGetValue(memberName.TrimmedValue, out var text);
                value = text;
                return found;
            }
        }
    }
}

public sealed class TemplateException(string message) : Exception(message);
