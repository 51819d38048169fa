using System.Net;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using OrleansMock.Tests.Http;
using Xunit.Abstractions;
using static OrleansMock.Tests.Http.HttpHelpers;

namespace OrleansMock.Tests.Prism;

/// <summary>
/// Stoplight Prism and the built OrleansMock service side by side on the same OpenAPI documents (issue 37): each
/// document of Prism/Documents (public documents, each naming its source in the corpus) is served by <c>prism mock</c>
/// (static mode) and imported into a fresh project with <c>?validate=true</c>; every case of Prism/Corpus/*.json sends
/// the same requests to both and compares status, media type, the headers it names, and the body: equal (<c>exact</c>,
/// the default: the document decides it), of the same JSON shape (<c>shape</c>: generated from a schema, where Prism and
/// we may pick other values), or not at all (<c>status</c>: an error Prism words its own way). <c>known</c> and
/// <c>deliberate</c> marks work as in the other differential suites (<see cref="DifferentialVerdict"/>).
/// </summary>
public sealed class PrismDifferentialTests(PrismSides sides, ITestOutputHelper output) : IClassFixture<PrismSides>
{
    public static TheoryData<string> Cases() => DifferentialVerdict.Names(PrismCorpus.All.Keys);

    [SkippableTheory]
    [MemberData(nameof(Cases))]
    public Task Answers_as_Prism_does(string name)
    {
        var @case = PrismCorpus.All[name];
        return DifferentialVerdict.RunAsync(output, sides.Missing, $"Prism {PrismSides.Version}", name, @case.Source, () => sides.CompareAsync(@case), @case.Known, @case.Deliberate);
    }
}

/// <summary>One case: a document (a file of Prism/Documents), then requests.</summary>
public sealed record PrismCase(string Name, string Source, string Document, JsonArray Requests, string? Known, string? Deliberate);

public static class PrismCorpus
{
    public static readonly IReadOnlyDictionary<string, PrismCase> All = Load();

    private static Dictionary<string, PrismCase> Load()
    {
        var cases = new SortedDictionary<string, PrismCase>(StringComparer.Ordinal);
        foreach (var file in Directory.GetFiles(Path.Combine(AppContext.BaseDirectory, "Prism", "Corpus"), "*.json"))
        {
            var corpus = JsonNode.Parse(File.ReadAllText(file))!.AsObject();
            var document = corpus["document"]!.GetValue<string>();
            var source = corpus["source"]!.GetValue<string>();
            foreach (var node in corpus["cases"]!.AsArray())
            {
                var name = $"{Path.GetFileNameWithoutExtension(file)}: {node!["name"]!.GetValue<string>()}";
                cases.Add(name, new PrismCase(name, $"{source}; {node["source"]?.GetValue<string>() ?? "the document's own operations"}", document,
                    node["requests"]!.AsArray(), node["known"]?.GetValue<string>(), node["deliberate"]?.GetValue<string>()));
            }
        }
        return new Dictionary<string, PrismCase>(cases);
    }
}

/// <summary>OrleansMock's built service (no settings), one project per document; Prism started once per document.</summary>
public sealed class PrismSides() : NodeReferenceSides("prism", "@stoplight/prism-cli/package.json", "Prism")
{
    public const string Version = "5.14.2";

    private readonly Dictionary<string, (ReferenceProcess Prism, Uri Ours)> _documents = new(StringComparer.Ordinal);

    public async Task<List<string>> CompareAsync(PrismCase @case)
    {
        var (prism, ours) = await SidesAsync(@case.Document);
        using var client = new HttpClient(new SocketsHttpHandler { AllowAutoRedirect = false, UseCookies = false }) { Timeout = TimeSpan.FromSeconds(20) };
        var differences = new List<string>();
        foreach (var (request, index) in @case.Requests.Select((r, i) => (r!.AsObject(), i)))
        {
            var url = request["url"]!.GetValue<string>();
            var label = $"request {index} ({request["method"]?.GetValue<string>() ?? "GET"} {url})";
            var a = await SendAsync(client, request, prism.Address);
            var b = await SendAsync(client, request, ours);
            if (a.Status != b.Status)
            {
                differences.Add($"{label}: status Prism {a.Status}, OrleansMock {b.Status}\n  Prism:       {Shorten(a.Body)}\n  OrleansMock: {Shorten(b.Body)}");
                continue;
            }
            if (a.MediaType != b.MediaType)
            {
                differences.Add($"{label}: media type Prism {a.MediaType ?? "(none)"}, OrleansMock {b.MediaType ?? "(none)"}");
            }
            var compare = request["compare"]?.GetValue<string>() ?? "exact";
            if (compare != "status" && !(compare == "shape" ? SameShape(a.Body, b.Body) : SameBody(a.Body, b.Body)))
            {
                differences.Add($"{label}: body ({compare})\n  Prism:       {Shorten(a.Body)}\n  OrleansMock: {Shorten(b.Body)}");
            }
            foreach (var header in request["headers"]?.AsArray().Select(n => n!.GetValue<string>()) ?? [])
            {
                if ((a.Header(header) is null) != (b.Header(header) is null))
                {
                    differences.Add($"{label}: header {header}: Prism {a.Header(header) ?? "(none)"}, OrleansMock {b.Header(header) ?? "(none)"}");
                }
            }
        }
        return differences;
    }

    /// <summary>One case of Prism's own harness: its document served by Prism and imported into a fresh project, one request to both.</summary>
    public async Task<List<string>> CompareHarnessAsync(string name, string spec, Curl request)
    {
        var file = Path.Combine(DataDir, "harness-" + Guid.NewGuid().ToString("N") + (spec.TrimStart().StartsWith('{') ? ".json" : ".yaml"));
        Directory.CreateDirectory(DataDir);
        await File.WriteAllTextAsync(file, spec);
        var slug = UniqueSlug("ph");
        await Owner.CreateProjectAsync(slug);
        try
        {
            var imported = await Owner.PostAsync($"/api/v1/projects/{slug}/imports/openapi?validate=true", new StringContent(spec, Encoding.UTF8, "application/yaml"));
            if (!imported.IsSuccessStatusCode)
            {
                return [$"{name}: the import was refused: {(int)imported.StatusCode} {await imported.Content.ReadAsStringAsync()}"];
            }
            await using var prism = await PrismProcess.StartAsync(PackageFolder, file);
            using var client = new HttpClient(new SocketsHttpHandler { AllowAutoRedirect = false, UseCookies = false }) { Timeout = TimeSpan.FromSeconds(20) };
            var a = await Answer(client, request.ToRequest(prism.Address));
            var b = await Answer(client, request.ToRequest(new Uri(Service.Address, $"/m/{slug}/")));
            var label = $"{request.Method} {request.PathAndQuery}";
            if (a.Status != b.Status)
            {
                return [$"{label}: status Prism {a.Status}, OrleansMock {b.Status}\n  Prism:       {Shorten(a.Body)}\n  OrleansMock: {Shorten(b.Body)}"];
            }
            var differences = new List<string>();
            if (a.MediaType != b.MediaType)
            {
                differences.Add($"{label}: media type Prism {a.MediaType ?? "(none)"}, OrleansMock {b.MediaType ?? "(none)"}");
            }
            // Prism's own error problems are worded its way (compared by status and media type); any other body is the
            // document's: equal, or, generated from a schema, of the same shape.
            var prismError = a.Body.Contains("\"https://stoplight.io/prism/errors#", StringComparison.Ordinal);
            if (!prismError && !SameBody(a.Body, b.Body) && !(a.Body.Length > 0 && SameShape(a.Body, b.Body)))
            {
                differences.Add($"{label}: body\n  Prism:       {Shorten(a.Body)}\n  OrleansMock: {Shorten(b.Body)}");
            }
            return differences;
        }
        finally
        {
            await Owner.DeleteAsync($"/api/v1/projects/{slug}");
        }
    }

    private static async Task<(int Status, string? MediaType, string Body)> Answer(HttpClient client, HttpRequestMessage request)
    {
        using (request)
        {
            var response = await client.SendAsync(request);
            return ((int)response.StatusCode, response.Content.Headers.ContentType?.MediaType, await response.Content.ReadAsStringAsync());
        }
    }

    private async Task<(ReferenceProcess Prism, Uri Ours)> SidesAsync(string document)
    {
        if (_documents.TryGetValue(document, out var sides))
        {
            return sides;
        }
        var file = Path.Combine(AppContext.BaseDirectory, "Prism", "Documents", document);
        var slug = UniqueSlug("oa");
        await Owner.CreateProjectAsync(slug);
        var imported = await Owner.PostAsync($"/api/v1/projects/{slug}/imports/openapi?validate=true",
            new StringContent(await File.ReadAllTextAsync(file), Encoding.UTF8, "application/yaml"));
        Assert.True(imported.IsSuccessStatusCode, $"import of {document}: {await imported.Content.ReadAsStringAsync()}");
        sides = (await PrismProcess.StartAsync(PackageFolder, file), new Uri(Service.Address, $"/m/{slug}/"));
        _documents[document] = sides;
        return sides;
    }

    private static bool SameBody(string a, string b)
    {
        if (a == b)
        {
            return true;
        }
        try
        {
            return JsonNode.DeepEquals(JsonNode.Parse(a), JsonNode.Parse(b));
        }
        catch (JsonException)
        {
            return false;
        }
    }

    /// <summary>Both JSON, with the same members and kinds of value throughout (values generated from one schema).</summary>
    private static bool SameShape(string a, string b)
    {
        try
        {
            return Shape(JsonNode.Parse(a)) == Shape(JsonNode.Parse(b));
        }
        catch (JsonException)
        {
            return a == b;
        }
    }

    private static string Shape(JsonNode? node) => node switch
    {
        JsonObject o => "{" + string.Join(",", o.OrderBy(p => p.Key, StringComparer.Ordinal).Select(p => p.Key + ":" + Shape(p.Value))) + "}",
        JsonArray array => "[" + (array.Count == 0 ? "" : Shape(array[0])) + "]",
        JsonValue v => v.GetValueKind() is JsonValueKind.True or JsonValueKind.False ? "boolean" : v.GetValueKind().ToString(),
        _ => "null",
    };

    private static string Shorten(string text) => text.Length > 500 ? text[..500] + "…" : text;

    private static async Task<(int Status, string? MediaType, string Body, Func<string, string?> Header)> SendAsync(HttpClient client, JsonObject request, Uri baseUri)
    {
        using var message = new HttpRequestMessage(new HttpMethod(request["method"]?.GetValue<string>() ?? "GET"), new Uri(baseUri, request["url"]!.GetValue<string>().TrimStart('/')));
        if (request["body"] is { } body)
        {
            var text = body is JsonValue v && v.GetValueKind() == JsonValueKind.String ? v.GetValue<string>() : body.ToJsonString();
            message.Content = new StringContent(text, Encoding.UTF8);
            message.Content.Headers.ContentType = MediaTypeHeaderValue.Parse(request["contentType"]?.GetValue<string>() ?? "application/json");
        }
        foreach (var (name, value) in request["send"]?.AsObject() ?? [])
        {
            message.Headers.TryAddWithoutValidation(name, value!.GetValue<string>());
        }
        var response = await client.SendAsync(message);
        var content = await response.Content.ReadAsStringAsync();
        return ((int)response.StatusCode, response.Content.Headers.ContentType?.MediaType, content,
            name => response.Headers.TryGetValues(name, out var values) || response.Content.Headers.TryGetValues(name, out values) ? string.Join(", ", values) : null);
    }

    protected override async ValueTask StopReferencesAsync()
    {
        foreach (var (prism, _) in _documents.Values)
        {
            await prism.DisposeAsync();
        }
    }
}

/// <summary>Prism itself (tests/prism, npm, from its lock file): <c>prism mock</c> in static mode on a document and a free port.</summary>
public static class PrismProcess
{
    public static Task<ReferenceProcess> StartAsync(string packageFolder, string document) =>
        ReferenceProcess.StartAsync($"Prism {PrismSides.Version}", packageFolder,
            [Path.Combine(packageFolder, "node_modules", "@stoplight", "prism-cli", "dist", "index.js"), "mock", document, "--port", "{port}", "--host", "127.0.0.1", "--errors", "false"],
            prism => Task.FromResult(prism.Output.Contains("Prism is listening", StringComparison.Ordinal)));
}
