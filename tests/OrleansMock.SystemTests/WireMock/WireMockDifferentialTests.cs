using System.Net;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using OrleansMock.Tests.Http;
using Xunit.Abstractions;
using static OrleansMock.Tests.Http.HttpHelpers;

namespace OrleansMock.Tests.WireMock;

/// <summary>
/// The real WireMock jar and the built OrleansMock service side by side (issue 31.6): every case of the corpus
/// (WireMock/Corpus/*.json, each drawn from WireMock's documentation or its repository's tests and naming its source)
/// posts the same mappings to both — WireMock's <c>/__admin/mappings</c> and a fresh project's — sends the same requests
/// and compares status, body and the headers the mappings name (and Content-Type). A case marked <c>known</c> is a
/// difference not fixed yet: it must still differ (when it agrees, remove the mark), so the corpus stays an honest score.
/// A case marked <c>deliberate</c> is a difference we keep on purpose: it must still differ, and README.md must carry the
/// line it quotes, saying why.
/// </summary>
public sealed class WireMockDifferentialTests(WireMockSides sides, ITestOutputHelper output) : IClassFixture<WireMockSides>
{
    public static TheoryData<string> Cases() => DifferentialVerdict.Names(DifferentialCorpus.All.Keys);

    [SkippableTheory]
    [MemberData(nameof(Cases))]
    public Task Answers_as_WireMock_does(string name)
    {
        var @case = DifferentialCorpus.All[name];
        return DifferentialVerdict.RunAsync(output, sides.Missing, $"WireMock {WireMockJar.Version}", name, @case.Source, () => sides.CompareAsync(@case), @case.Known, @case.Deliberate);
    }
}

/// <summary>
/// A Java-style verification flow through a second real WireMock client (npm wiremock-rest-client 1.11.0, run by Node):
/// stub, call, then count, find, unmatched, near misses (the calls a failed verify() makes) and scenarios, against
/// WireMock's jar and a project; what the client read must be the same (issue 31.6).
/// </summary>
public sealed class WireMockVerificationTests(WireMockSides sides) : IClassFixture<WireMockSides>
{
    [SkippableFact]
    public async Task A_second_client_verifies_a_project_as_it_verifies_WireMock()
    {
        Skip.If(sides.Missing is not null, sides.Missing);
        var folder = await NodeClients.FolderAsync("wiremock-rest-client", "wiremock-rest-client/package.json");
        var (theirs, ours) = await sides.RunClientAsync(folder, "verify.mjs");
        var (expected, actual) = (JsonNode.Parse(theirs)!.AsObject(), JsonNode.Parse(ours)!.AsObject());
        foreach (var (name, value) in expected)
        {
            Assert.True(JsonNode.DeepEquals(value, actual[name]), $"{name}: WireMock {value?.ToJsonString()}, OrleansMock {actual[name]?.ToJsonString()}");
        }
    }
}

/// <summary>One case: mappings, then requests (mock traffic, or WireMock admin calls when <c>admin</c> is set).</summary>
public sealed record DifferentialCase(string Name, string Area, string Source, JsonArray Mappings, JsonArray Requests, string? Known, string? Deliberate);

public static class DifferentialCorpus
{
    public static readonly IReadOnlyDictionary<string, DifferentialCase> All = Load();

    private static Dictionary<string, DifferentialCase> Load()
    {
        var cases = new SortedDictionary<string, DifferentialCase>(StringComparer.Ordinal);
        foreach (var file in Directory.GetFiles(Path.Combine(AppContext.BaseDirectory, "WireMock", "Corpus"), "*.json"))
        {
            var area = Path.GetFileNameWithoutExtension(file);
            foreach (var node in JsonNode.Parse(File.ReadAllText(file))!.AsArray())
            {
                var name = $"{area}: {node!["name"]!.GetValue<string>()}";
                var source = node["source"]?.GetValue<string>() ?? throw new InvalidOperationException($"{name} names no source");
                cases.Add(name, new DifferentialCase(name, area, source, node["mappings"]?.AsArray() ?? [], node["requests"]!.AsArray(),
                    node["known"]?.GetValue<string>(), node["deliberate"]?.GetValue<string>()));
            }
        }
        return new Dictionary<string, DifferentialCase>(cases);
    }
}

/// <summary>WireMock's jar and OrleansMock's built service (no settings but <see cref="Settings"/>), started once for the corpus.</summary>
public class WireMockSides : IAsyncLifetime
{
    private readonly string _dataDir = Path.Combine(Path.GetTempPath(), "orleansmock-tests", "differential-" + Guid.NewGuid().ToString("N"));
    private WireMockJar? _jar;
    private ApiProcess? _service;
    private HttpClient _owner = null!;
    private string _key = "";

    public string? Missing { get; private set; }

    /// <summary>What the service is started with (nothing: as a user gets it).</summary>
    protected virtual Dictionary<string, string> Settings => [];

    public Uri WireMockAddress => _jar!.Address;

    public Uri ServiceAddress => _service!.Address;

    /// <summary>A client signed in as the owner of the projects the cases run in.</summary>
    public HttpClient Owner => _owner;

    /// <summary>WireMock's Basic auth for a project's admin API (an API key as password).</summary>
    public AuthenticationHeaderValue AdminKey => new("Basic", Convert.ToBase64String(Encoding.UTF8.GetBytes("wiremock:" + _key)));

    public async Task InitializeAsync()
    {
        Missing = WireMockJar.Missing();
        if (Missing is not null)
        {
            return;
        }
        var jar = WireMockJar.StartAsync();
        _service = await ApiProcess.StartAsync(_dataDir, Settings);
        _jar = await jar;
        // The product as a user gets it limits the management API (600 calls a minute), and the corpus makes more than
        // that in a minute: the clients wait out the limiter's Retry-After as a well-behaved client does.
        _owner = new HttpClient(new RateLimitRetryHandler(new SocketsHttpHandler())) { BaseAddress = _service.Address, Timeout = RetryingTimeout };
        _owner.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", await _owner.RegisterAndLoginAsync());
        (_, _key) = await _owner.CreateApiKeyAsync("differential");
    }

    public async Task<List<string>> CompareAsync(DifferentialCase @case)
    {
        var slug = UniqueSlug("wm");
        await _owner.CreateProjectAsync(slug);
        try
        {
            return await CompareAsync(@case, slug);
        }
        finally
        {
            await _owner.DeleteAsync($"/api/v1/projects/{slug}"); // an account's projects are counted
        }
    }

    /// <summary>Runs a client script (tests/<paramref name="folder"/>) against WireMock, then against a fresh project; answers both outputs.</summary>
    public async Task<(string Theirs, string Ours)> RunClientAsync(string folder, string script)
    {
        var theirs = await NodeClients.RunAsync("node", $"{script} {_jar!.Address}", folder);
        Assert.True(theirs.Code == 0, $"{script} against WireMock failed: {theirs.Output}");
        var slug = UniqueSlug("wm");
        await _owner.CreateProjectAsync(slug);
        try
        {
            var ours = await NodeClients.RunAsync("node", $"{script} {_service!.Address}m/{slug}/ {_key}", folder);
            Assert.True(ours.Code == 0, $"{script} against OrleansMock failed: {ours.Output}");
            return (theirs.Output, ours.Output);
        }
        finally
        {
            await _owner.DeleteAsync($"/api/v1/projects/{slug}");
        }
    }

    private async Task<List<string>> CompareAsync(DifferentialCase @case, string slug)
    {
        using var wireMock = Client(_jar!.Address);
        using var ours = Client(_service!.Address);
        // The project's admin API takes WireMock's Basic auth (an API key as password); mock traffic goes without it.
        var key = new AuthenticationHeaderValue("Basic", Convert.ToBase64String(Encoding.UTF8.GetBytes("wiremock:" + _key)));
        Assert.True((await wireMock.PostAsync("/__admin/reset", null)).IsSuccessStatusCode);

        var differences = new List<string>();
        var headerNames = new SortedSet<string>(["Content-Type"], StringComparer.OrdinalIgnoreCase);
        var statusMessage = @case.Mappings.Any(m => m?["response"]?["statusMessage"] is not null);
        foreach (var (mapping, index) in @case.Mappings.Select((m, i) => (m!, i)))
        {
            foreach (var header in mapping["response"]?["headers"]?.AsObject() ?? [])
            {
                headerNames.Add(header.Key);
            }
            var theirs = await wireMock.PostAsync("/__admin/mappings", Payload(mapping.ToJsonString()));
            var ourAnswer = await ours.SendAsync(new HttpRequestMessage(HttpMethod.Post, $"/m/{slug}/__admin/mappings")
            {
                Content = Payload(mapping.ToJsonString()), Headers = { Authorization = key },
            });
            if (theirs.StatusCode != ourAnswer.StatusCode)
            {
                differences.Add($"mapping {index}: WireMock {(int)theirs.StatusCode}, OrleansMock {(int)ourAnswer.StatusCode} {await ourAnswer.Content.ReadAsStringAsync()}");
            }
        }
        foreach (var (request, index) in @case.Requests.Select((r, i) => (r!.AsObject(), i)))
        {
            var admin = request["admin"]?.GetValue<bool>() == true;
            var url = request["url"]!.GetValue<string>();
            var a = await Answer.SendAsync(wireMock, request, url, null);
            var b = await Answer.SendAsync(ours, request, $"/m/{slug}{url}", admin ? key : null);
            var label = $"request {index} ({request["method"]?.GetValue<string>() ?? "GET"} {url})";
            if (a.Status != b.Status)
            {
                differences.Add($"{label}: status WireMock {a.Status}, OrleansMock {b.Status}");
            }
            if (statusMessage && a.Message.ReasonPhrase != b.Message.ReasonPhrase)
            {
                differences.Add($"{label}: status message WireMock '{a.Message.ReasonPhrase}', OrleansMock '{b.Message.ReasonPhrase}'");
            }
            if (a.Status >= 400 && b.Status == a.Status && b.Header("Content-Type") == "application/problem+json" && (admin || a.Status == 404))
            {
                // No stub matched, or the admin API refused: ours explains it as an RFC 9457 problem, WireMock as text or
                // nothing (README: a deliberate difference); the status must agree.
                continue;
            }
            if (!SameBody(a.Body, b.Body, admin, request["ignore"]?.AsArray().Select(n => n!.GetValue<string>()).ToHashSet() ?? []))
            {
                differences.Add($"{label}: body\n  WireMock:    {Shorten(a.Body)}\n  OrleansMock: {Shorten(b.Body)}");
            }
            if (!admin)
            {
                foreach (var header in headerNames)
                {
                    var (x, y) = (a.Header(header), b.Header(header));
                    if (x != y)
                    {
                        differences.Add($"{label}: header {header}: WireMock {x ?? "(none)"}, OrleansMock {y ?? "(none)"}");
                    }
                }
            }
        }
        return differences;
    }

    /// <summary>Admin answers are JSON: compared as JSON, without the members the case says vary (ids, dates).</summary>
    private static bool SameBody(string a, string b, bool admin, HashSet<string> ignore)
    {
        if (a == b)
        {
            return true;
        }
        if (!admin)
        {
            return false;
        }
        try
        {
            return JsonNode.DeepEquals(Without(JsonNode.Parse(a), ignore), Without(JsonNode.Parse(b), ignore));
        }
        catch (JsonException)
        {
            return false;
        }
    }

    private static JsonNode? Without(JsonNode? node, HashSet<string> ignore)
    {
        switch (node)
        {
            case JsonObject o:
                foreach (var key in o.Select(p => p.Key).ToList())
                {
                    if (ignore.Contains(key))
                    {
                        o.Remove(key);
                    }
                    else
                    {
                        Without(o[key], ignore);
                    }
                }
                break;
            case JsonArray array:
                foreach (var item in array)
                {
                    Without(item, ignore);
                }
                break;
        }
        return node;
    }

    private static string Shorten(string text) => text.Length > 600 ? text[..600] + "…" : text;

    private static readonly TimeSpan RetryingTimeout = TimeSpan.FromSeconds(150); // up to two waits of the limiter's Retry-After

    private static HttpClient Client(Uri address) =>
        new(new RateLimitRetryHandler(new SocketsHttpHandler { AllowAutoRedirect = false, UseCookies = false, AutomaticDecompression = DecompressionMethods.None }))
        {
            BaseAddress = address, Timeout = RetryingTimeout,
        };

    /// <summary>A request of a case (method, url, headers, body) sent, and what came back.</summary>
    internal sealed record Answer(int Status, string Body, HttpResponseMessage Message)
    {
        public static async Task<Answer> SendAsync(HttpClient client, JsonObject request, string url, AuthenticationHeaderValue? admin)
        {
            using var message = new HttpRequestMessage(new HttpMethod(request["method"]?.GetValue<string>() ?? "GET"), url);
            var headers = request["headers"]?.AsObject() ?? [];
            if (request["body"] is { } body)
            {
                message.Content = new ByteArrayContent(Encoding.UTF8.GetBytes(body is JsonValue v && v.GetValueKind() == JsonValueKind.String ? v.GetValue<string>() : body.ToJsonString()));
            }
            foreach (var (name, value) in headers)
            {
                var values = value is JsonArray many ? many.Select(n => n!.GetValue<string>()).ToArray() : [value!.GetValue<string>()];
                if (!message.Headers.TryAddWithoutValidation(name, values))
                {
                    message.Content ??= new ByteArrayContent([]);
                    message.Content.Headers.TryAddWithoutValidation(name, values);
                }
            }
            if (admin is not null)
            {
                message.Headers.Authorization = admin;
            }
            var response = await client.SendAsync(message);
            return new Answer((int)response.StatusCode, await response.Content.ReadAsStringAsync(), response);
        }

        public string? Header(string name) =>
            Message.Headers.TryGetValues(name, out var values) || Message.Content.Headers.TryGetValues(name, out values) ? string.Join(" | ", values) : null;
    }

    public virtual async Task DisposeAsync()
    {
        if (_jar is not null)
        {
            await _jar.DisposeAsync();
        }
        if (_service is not null)
        {
            await _service.DisposeAsync();
        }
        _owner?.Dispose();
        try
        {
            Directory.Delete(_dataDir, recursive: true);
        }
        catch (DirectoryNotFoundException)
        {
        }
    }
}
