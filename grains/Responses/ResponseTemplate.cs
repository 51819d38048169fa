using System.Globalization;
using System.Text;
using HandlebarsDotNet;
using OrleansMock.GrainInterfaces;
using OrleansMock.Grains.Matching;
using OrleansMock.Grains.Safety;

namespace OrleansMock.Grains.Responses;

/// <summary>
/// A response body or header value rendered with Handlebars and WireMock's model: <c>request.method</c>,
/// <c>request.url</c>, <c>request.path</c> (and <c>request.path.&lt;param&gt;</c>), <c>request.pathSegments.[n]</c>,
/// <c>request.query.&lt;name&gt;</c>, <c>request.headers.&lt;name&gt;</c>, <c>request.cookies.&lt;name&gt;</c>,
/// <c>request.body</c>, and the helpers <c>jsonPath</c>, <c>now</c>, <c>randomValue</c> and <c>faker</c>. Checked and
/// compiled once when the endpoint is saved; one that only puts request fields into text is rendered without Handlebars
/// (<see cref="PlainTemplate"/>). Values are inserted as they are, without HTML escaping, as WireMock 3 does (checked
/// against its jar: <c>{{request.query.q}}</c> renders <c>a=b&amp;&lt;c&gt;</c> as sent).
/// </summary>
public sealed class ResponseTemplate
{
    /// <summary>The helpers registered beside Handlebars' built-in ones (what a template may call).</summary>
    private static readonly HashSet<string> Helpers = new(StringComparer.Ordinal);

    private static readonly IHandlebars Engine = CreateEngine();

    // One of the two: plain substitutions (most templates), or what Handlebars compiled.
    private readonly PlainTemplate? _plain;
    private readonly HandlebarsTemplate<TextWriter, object, object>? _render;

    private ResponseTemplate(string text, PlainTemplate? plain, HandlebarsTemplate<TextWriter, object, object>? render)
    {
        Text = text;
        (_plain, _render) = (plain, render);
    }

    public string Text { get; }

    /// <summary>Rendered without Handlebars (<see cref="PlainTemplate"/>).</summary>
    internal bool IsPlain => _plain is not null;

    /// <summary>Whether the template reads the request body (so the front end must send it).</summary>
    public bool ReadsBody => Text.Contains("body", StringComparison.Ordinal) || Text.Contains("parts", StringComparison.Ordinal);

    public static bool TryCompile(string text, string field, out ResponseTemplate template, out string error)
    {
        template = null!;
        if (TemplateShape.Check(text) is { } shape)
        {
            error = $"{field} is not a valid template: {shape}"; // before Handlebars parses it: its parser recurses
            return false;
        }
        if (PlainTemplate.TryParse(text) is { } plain)
        {
            template = new ResponseTemplate(text, plain, null);
            error = "";
            return true;
        }
        return TryCompileWithHandlebars(text, field, out template, out error);
    }

    /// <summary>The template compiled by Handlebars, even when it is plain (tests compare the two renders).</summary>
    internal static bool TryCompileWithHandlebars(string text, string field, out ResponseTemplate template, out string error)
    {
        template = null!;
        try
        {
            // Handlebars parses next (an unclosed mustache never reaches the checks below), then what it cannot see.
            using var reader = new StringReader(TemplateBlockParams.Rename(text));
            var compiled = Engine.Compile(reader);
            if ((TemplatePartials.Check(text) ?? TemplateLint.Check(text, Helpers) ?? LiteralCallProblem(text)) is { } problem)
            {
                error = $"{field} is not a valid template: {problem}";
                return false;
            }
            template = new ResponseTemplate(text, null, compiled);
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

    /// <summary>The first helper call with only literal arguments that fails (run once, on an empty request), or null.</summary>
    private static string? LiteralCallProblem(string text)
    {
        var model = new TemplateModel(new RequestView(new MockRequest("GET", "/", null)), new Dictionary<string, string>());
        var work = new WorkBudget(TimeSpan.FromMilliseconds(200)); // for all of them: a save costs at most this much more
        foreach (var call in TemplateLint.LiteralCalls(text, Helpers).Distinct().Take(32))
        {
            try
            {
                using var reader = new StringReader(call);
                var compiled = Engine.Compile(reader);
                RenderBudget.Run(work, 10_000,
                    () => TemplateVariables.With(model.Root, () => { compiled(new BudgetedWriter(64 * 1024), model.Values, null!); return 0; }), 64 * 1024);
            }
            catch (TemplateException exception)
            {
                return $"{call} fails for every request: {exception.Message}";
            }
            catch (Exception exception) when (exception is HandlebarsException or WorkBudgetExceededException)
            {
                return null; // not for the save check to judge (a helper reading the request, a slow call): the request will say
            }
        }
        return null;
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
    public string Render(TemplateModel model, int maxChars, int maxSteps, WorkBudget budget)
    {
        if (_plain is not null)
        {
            budget.ThrowIfSpent();
            return _plain.Render(model, maxChars);
        }
        return RenderBudget.Run(budget, maxSteps, () => TemplateVariables.With(model.Root, () =>
        {
            var output = new BudgetedWriter(maxChars);
            _render!(output, model.Values, null!);
            return output.ToString();
        }), maxChars);
    }

    private static IHandlebars CreateEngine()
    {
        var configuration = new HandlebarsConfiguration { ThrowOnUnresolvedBindingExpression = false, NoEscape = true, PartialRecursionDepthLimit = 16 };
        configuration.ObjectDescriptorProviders.Add(new TemplateModel.PathValue.DescriptorProvider());
        configuration.ObjectDescriptorProviders.Add(new TemplateValues.DescriptorProvider());
        configuration.FormatterProviders.Add(new TemplateText());
        // A shared environment compiles every template against one compiled view of the configuration (helpers registered
        // below still reach it); Handlebars.Create builds that view (helper tables, observers, locks) again for each
        // compile: 21 KB per template against 5 KB.
        var engine = Handlebars.CreateSharedEnvironment(configuration);
        void Register(string name, HandlebarsReturnWithOptionsHelper helper)
        {
            engine.RegisterHelper(name, helper);
            Helpers.Add(name); // what TemplateLint lets a template call
        }
        TemplateHelpers.Register(engine, name => Helpers.Add(name));
        Register("faker", (in HelperOptions _, in Context _, in Arguments arguments) =>
        {
            RenderBudget.Step();
            return FakeData.Generate(arguments.Length > 0 ? arguments[0]?.ToString() ?? "" : "");
        });
        return engine;
    }
}

/// <summary>
/// A template's input: the request in WireMock's shape, built once per request when a template compiled by Handlebars
/// first reads it (plain templates read the request itself).
/// </summary>
/// <param name="root">The request's name in the model: <c>request</c>, or a webhook's <c>originalRequest</c>.</param>
/// <param name="parameters">A webhook's <c>parameters</c> (its listener's other fields), when it has any.</param>
public sealed class TemplateModel(RequestView request, IReadOnlyDictionary<string, string> pathParameters, string root = TemplateModel.RequestRoot, object? parameters = null)
{
    public const string RequestRoot = "request";
    public const string WebhookRoot = "originalRequest";

    private Dictionary<string, object?>? _root;
    private TemplateValues? _values;

    internal RequestView Request => request;

    internal IReadOnlyDictionary<string, string> PathParameters => pathParameters;

    internal string RootName => root;

    public TemplateValues Values => _values ??= TemplateValues.Map(Root);

    /// <summary>The model's top level, where a template's variables (<c>assign</c>, <c>parseJson … 'name'</c>) go too.</summary>
    internal Dictionary<string, object?> Root => _root ??= Build();

    private Dictionary<string, object?> Build()
    {
        var segments = RouteTemplate.SplitPath(request.Path).Select(Uri.UnescapeDataString).ToArray();
        var body = request.Body;
        var multipart = request.HeaderValues("Content-Type") is [var type, ..] && type.StartsWith("multipart/", StringComparison.OrdinalIgnoreCase);
        // Every list and map is a TemplateValues, so a loop over any of them counts against the render's budget.
        var model = new Dictionary<string, object?>(StringComparer.Ordinal)
        {
            [root] = TemplateValues.Map(new Dictionary<string, object?>
            {
                ["id"] = Guid.NewGuid().ToString(),
                ["method"] = request.Method,
                ["url"] = request.Url,
                ["path"] = new PathValue(request.Path, segments, pathParameters),
                ["pathSegments"] = TemplateValues.List(segments),
                ["query"] = OneOrMany(request.Query, StringComparer.Ordinal),
                ["headers"] = OneOrMany(request.Headers, StringComparer.OrdinalIgnoreCase),
                ["cookies"] = OneOrMany(request.Cookies, StringComparer.Ordinal),
                ["body"] = body,
                ["bodyAsBase64"] = new LazyText(() => Convert.ToBase64String(Encoding.UTF8.GetBytes(body))),
                ["multipart"] = multipart,
                ["parts"] = multipart ? Parts(request.Parts) : TemplateValues.Map(new Dictionary<string, object?>()),
            }),
        };
        if (parameters is not null)
        {
            model["parameters"] = parameters;
        }
        return model;
    }

    /// <summary>A query parameter, header or cookie prints its first value; <c>.1</c>, <c>.last</c> reach the others (WireMock's "one or many").</summary>
    private static TemplateValues OneOrMany(Dictionary<string, List<string>> values, StringComparer comparer) =>
        TemplateValues.Map(values.ToDictionary(p => p.Key, p => (object?)TemplateValues.OneOrMany(p.Value), comparer));

    /// <summary>
    /// A multipart request's parts by name (WireMock 3.8's model): <c>body</c>, <c>bodyAsBase64</c>, <c>binary</c>,
    /// <c>headers.&lt;name&gt;</c>, and ours, <c>filename</c> and <c>contentType</c>. The first part of a name wins.
    /// </summary>
    private static TemplateValues Parts(IReadOnlyList<MultipartPart> parts)
    {
        var byName = new Dictionary<string, object?>(StringComparer.Ordinal);
        foreach (var part in parts.Where(p => p.Name is not null))
        {
            if (byName.ContainsKey(part.Name!))
            {
                continue;
            }
            var headers = part.Headers.GroupBy(h => h.Key, StringComparer.OrdinalIgnoreCase)
                .ToDictionary(g => g.Key, g => g.Select(h => h.Value).ToList(), StringComparer.OrdinalIgnoreCase);
            var textual = part.ContentType is null || part.ContentType.StartsWith("text/", StringComparison.OrdinalIgnoreCase)
                || part.ContentType.Contains("json", StringComparison.OrdinalIgnoreCase) || part.ContentType.Contains("xml", StringComparison.OrdinalIgnoreCase);
            byName[part.Name!] = TemplateValues.Map(new Dictionary<string, object?>
            {
                ["body"] = part.Body,
                ["bodyAsBase64"] = new LazyText(() => Convert.ToBase64String(Encoding.UTF8.GetBytes(part.Body))),
                ["binary"] = !textual,
                ["filename"] = part.Filename,
                ["contentType"] = part.ContentType,
                ["headers"] = OneOrMany(headers, StringComparer.OrdinalIgnoreCase),
            });
        }
        return TemplateValues.Map(byName);
    }

    /// <summary>Text made only when a template prints it (the body in base64).</summary>
    private sealed class LazyText(Func<string> make)
    {
        private string? _text;

        public override string ToString() => _text ??= make();
    }

    /// <summary>
    /// <c>{{request.path}}</c> is the path; <c>{{request.path.id}}</c> a template parameter of it, <c>{{request.path.[0]}}</c>
    /// its first segment (as in WireMock).
    /// </summary>
    public sealed class PathValue(string path, string[] segments, IReadOnlyDictionary<string, string> parameters)
    {
        internal string[] Segments { get; } = segments;

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
                var path = (PathValue)instance;
                var name = memberName.TrimmedValue;
                if (path.Parameters.TryGetValue(name, out var text))
                {
                    value = text;
                    return true;
                }
                var isIndex = int.TryParse(name, System.Globalization.NumberStyles.None, CultureInfo.InvariantCulture, out var index) && index < path.Segments.Length;
                value = isIndex ? path.Segments[index] : null;
                return isIndex;
            }
        }
    }
}

public sealed class TemplateException(string message) : Exception(message);
