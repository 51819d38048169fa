using System.Net;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using OrleansMock.Tests.Http;
using Xunit.Abstractions;
using static OrleansMock.Tests.Http.HttpHelpers;

namespace OrleansMock.Tests.JsonServer;

/// <summary>
/// json-server 0.17.4 itself and the built OrleansMock service side by side (issue 38.3): every case of the corpus
/// (JsonServer/Corpus/*.json, drawn from json-server's README and its repository's tests, each naming its source) starts
/// json-server on a fresh copy of the case's db and seeds a fresh project's resources with the same records, sends the
/// same requests to both and compares status, body (as JSON), <c>X-Total-Count</c> and <c>Link</c> (each side's own base
/// URL taken out). Expectations are what json-server answers, never what we think it answers. A case marked
/// <c>deliberate</c> must still differ and README.md must carry the line it quotes.
/// </summary>
public sealed class JsonServerDifferentialTests(JsonServerSides sides, ITestOutputHelper output) : IClassFixture<JsonServerSides>
{
    public static TheoryData<string> Cases() => DifferentialVerdict.Names(JsonServerCorpus.All.Keys);

    [SkippableTheory]
    [MemberData(nameof(Cases))]
    public Task Answers_as_json_server_does(string name)
    {
        var @case = JsonServerCorpus.All[name];
        return DifferentialVerdict.RunAsync(output, sides.Missing, $"json-server {JsonServerSides.Version}", name, @case.Source, () => sides.CompareAsync(@case), null, @case.Deliberate);
    }
}

/// <summary>One case: a db (json-server's db.json: resources by name, and <c>$options</c>: its command-line options), then requests.</summary>
public sealed record JsonServerCase(string Name, string Source, JsonObject Db, JsonArray Requests, string? Deliberate);

public static class JsonServerCorpus
{
    public static readonly IReadOnlyDictionary<string, JsonServerCase> All = Load();

    private static Dictionary<string, JsonServerCase> Load()
    {
        var cases = new SortedDictionary<string, JsonServerCase>(StringComparer.Ordinal);
        foreach (var file in Directory.GetFiles(Path.Combine(AppContext.BaseDirectory, "JsonServer", "Corpus"), "*.json"))
        {
            var corpus = JsonNode.Parse(File.ReadAllText(file))!.AsObject();
            var dbs = corpus["dbs"]!.AsObject();
            foreach (var node in corpus["cases"]!.AsArray())
            {
                var name = $"{Path.GetFileNameWithoutExtension(file)}: {node!["name"]!.GetValue<string>()}";
                var source = node["source"]?.GetValue<string>() ?? throw new InvalidOperationException($"{name} names no source");
                var db = dbs[node["db"]!.GetValue<string>()]?.AsObject() ?? throw new InvalidOperationException($"{name}: no db '{node["db"]}'");
                cases.Add(name, new JsonServerCase(name, source, db, node["requests"]!.AsArray(), node["deliberate"]?.GetValue<string>()));
            }
        }
        return new Dictionary<string, JsonServerCase>(cases);
    }
}

/// <summary>OrleansMock's built service (no settings), started once; json-server started per case on its db.</summary>
public sealed class JsonServerSides() : NodeReferenceSides("json-server", "json-server/lib/cli/bin.js", "json-server")
{
    public const string Version = "0.17.4";


    // One project per db, its resources seeded once (the management API allows 600 calls a minute); a case that writes
    // puts every resource back to its seed afterwards. json-server gets a fresh copy of the db for every case.
    private readonly Dictionary<JsonObject, string> _projects = new(ReferenceEqualityComparer.Instance);

    public async Task<List<string>> CompareAsync(JsonServerCase @case)
    {
        var slug = await ProjectAsync(@case.Db);
        var folder = Path.Combine(DataDir, "db-" + Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(folder);
        await File.WriteAllTextAsync(Path.Combine(folder, "db.json"), Data(@case.Db).ToJsonString());
        try
        {
            await using var jsonServer = await JsonServerProcess.StartAsync(PackageFolder, folder, Options(@case.Db));
            return await CompareAsync(@case, jsonServer.Address, new Uri(Service.Address, $"/m/{slug}/"));
        }
        finally
        {
            if (@case.Requests.Any(r => (r?["method"]?.GetValue<string>() ?? "GET") != "GET"))
            {
                foreach (var (name, _) in Data(@case.Db))
                {
                    var reset = await Owner.PostAsync($"/api/v1/projects/{slug}/resources/{name}/reset", null);
                    Assert.True(reset.IsSuccessStatusCode, $"reset {name}: {await reset.Content.ReadAsStringAsync()}");
                }
            }
        }
    }

    private async Task<string> ProjectAsync(JsonObject db)
    {
        if (_projects.TryGetValue(db, out var slug))
        {
            return slug;
        }
        slug = UniqueSlug("js");
        await Owner.CreateProjectAsync(slug);
        var options = Options(db);
        if (options.GetValueOrDefault("fks") is { } fks)
        {
            var patched = await Owner.PatchAsync($"/api/v1/projects/{slug}", Payload(new JsonObject { ["foreignKeySuffix"] = fks }.ToJsonString(), "application/merge-patch+json"));
            Assert.True(patched.IsSuccessStatusCode, await patched.Content.ReadAsStringAsync());
        }
        foreach (var (name, records) in Data(db))
        {
            // json-server's --id names every collection's id field; ours is per resource.
            var resource = new JsonObject { ["name"] = name, ["seed"] = records!.DeepClone() };
            if (options.GetValueOrDefault("id") is { } idField && records is JsonArray)
            {
                resource["idField"] = idField;
            }
            var created = await Owner.PostAsync($"/api/v1/projects/{slug}/resources", Payload(resource.ToJsonString()));
            Assert.True(created.StatusCode == HttpStatusCode.Created, $"resource {name}: {await created.Content.ReadAsStringAsync()}");
        }
        _projects[db] = slug;
        return slug;
    }

    /// <summary>A db's resources: every member but <c>$options</c>.</summary>
    private static JsonObject Data(JsonObject db) => new(db.Where(p => p.Key != "$options").Select(p => KeyValuePair.Create(p.Key, p.Value?.DeepClone())));

    /// <summary>json-server's command-line options a db is served with (<c>fks</c>: --fks, <c>id</c>: --id).</summary>
    private static Dictionary<string, string> Options(JsonObject db) =>
        db["$options"]?.AsObject().ToDictionary(p => p.Key, p => p.Value!.GetValue<string>()) ?? [];

    private static async Task<List<string>> CompareAsync(JsonServerCase @case, Uri theirBase, Uri ourBase)
    {
        using var client = new HttpClient(new SocketsHttpHandler { AllowAutoRedirect = false, UseCookies = false }) { Timeout = TimeSpan.FromSeconds(20) };
        var differences = new List<string>();
        foreach (var (request, index) in @case.Requests.Select((r, i) => (r!.AsObject(), i)))
        {
            var url = request["url"]!.GetValue<string>();
            var label = $"request {index} ({request["method"]?.GetValue<string>() ?? "GET"} {url})";
            var a = await SendAsync(client, request, theirBase);
            var b = await SendAsync(client, request, ourBase);
            if (a.Status != b.Status)
            {
                differences.Add($"{label}: status json-server {a.Status}, OrleansMock {b.Status} {Shorten(b.Body)}");
                continue;
            }
            if (a.Status == 404 && b.Header("Content-Type")?.StartsWith("application/problem+json", StringComparison.Ordinal) == true)
            {
                // json-server answers a missing record or resource 404 {}; ours explains it as an RFC 9457 problem (README,
                // "Where we differ from json-server 0.17.4 on purpose"): the status must agree.
                continue;
            }
            if (!SameJson(a.Body, b.Body, request["ignore"]?.AsArray().Select(n => n!.GetValue<string>()).ToHashSet() ?? []))
            {
                differences.Add($"{label}: body\n  json-server: {Shorten(a.Body)}\n  OrleansMock: {Shorten(b.Body)}");
            }
            foreach (var header in new[] { "X-Total-Count", "Link" })
            {
                var (x, y) = (a.Header(header)?.Replace(Trimmed(theirBase), "/"), b.Header(header)?.Replace(Trimmed(ourBase), "/"));
                if (x != y)
                {
                    differences.Add($"{label}: header {header}: json-server {x ?? "(none)"}, OrleansMock {y ?? "(none)"}");
                }
            }
        }
        return differences;
    }

    private static string Trimmed(Uri address) => address.ToString().TrimEnd('/') + "/";

    private static bool SameJson(string a, string b, HashSet<string> ignore)
    {
        try
        {
            return JsonNode.DeepEquals(Without(JsonNode.Parse(a), ignore), Without(JsonNode.Parse(b), ignore));
        }
        catch (JsonException)
        {
            return a == b;
        }
    }

    /// <summary>Drops members the case names as varying (a random id json-server and we each make).</summary>
    private static JsonNode? Without(JsonNode? node, HashSet<string> ignore)
    {
        if (node is JsonObject o)
        {
            foreach (var key in o.Select(p => p.Key).Where(ignore.Contains).ToList())
            {
                o.Remove(key);
            }
        }
        foreach (var child in node switch { JsonObject o2 => o2.Select(p => p.Value), JsonArray array => array, _ => [] })
        {
            Without(child, ignore);
        }
        return node;
    }

    private static string Shorten(string text) => text.Length > 600 ? text[..600] + "…" : text;

    private static async Task<(int Status, string Body, Func<string, string?> Header)> SendAsync(HttpClient client, JsonObject request, Uri baseUri)
    {
        using var message = new HttpRequestMessage(new HttpMethod(request["method"]?.GetValue<string>() ?? "GET"), new Uri(baseUri, request["url"]!.GetValue<string>().TrimStart('/')));
        if (request["body"] is { } body)
        {
            message.Content = new StringContent(body.ToJsonString(), Encoding.UTF8, "application/json");
        }
        var response = await client.SendAsync(message);
        var text = await response.Content.ReadAsStringAsync();
        return ((int)response.StatusCode, text, name => response.Headers.TryGetValues(name, out var values) || response.Content.Headers.TryGetValues(name, out values)
            ? string.Join(", ", values) : null);
    }

}

/// <summary>json-server itself (tests/json-server, npm, from its lock file), run by Node on a db file and a free port.</summary>
public static class JsonServerProcess
{
    private static readonly HttpClient Probe = new() { Timeout = TimeSpan.FromSeconds(2) };

    public static Task<ReferenceProcess> StartAsync(string packageFolder, string dbFolder, IReadOnlyDictionary<string, string> options) =>
        ReferenceProcess.StartAsync($"json-server {JsonServerSides.Version}", dbFolder,
            [Path.Combine(packageFolder, "node_modules", "json-server", "lib", "cli", "bin.js"), "db.json", "--port", "{port}", "--host", "127.0.0.1", "--quiet",
                .. options.SelectMany(o => new[] { "--" + o.Key, o.Value })],
            async server => (await Probe.GetAsync(new Uri(server.Address, "db"))).IsSuccessStatusCode);
}
