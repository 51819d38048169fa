using System.Net;
using System.Text;
using System.Text.Json;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using static OrleansMock.Tests.Http.HttpHelpers;

namespace OrleansMock.Tests.Http;

/// <summary>A real target server on loopback, and a front end whose tester may reach it (allowlist 127.0.0.1/32).</summary>
public sealed class TesterFixture : IAsyncLifetime
{
    private WebApplication? _target;

    public ApiFactory Factory { get; } = new();

    public string Target { get; private set; } = "";

    /// <summary>The same target on another port: another origin, as a redirect to another host would be.</summary>
    public string OtherOrigin { get; private set; } = "";

    public async Task InitializeAsync()
    {
        Target = $"http://127.0.0.1:{ApiFactory.FreePort()}";
        OtherOrigin = $"http://127.0.0.1:{ApiFactory.FreePort()}";
        var builder = WebApplication.CreateSlimBuilder();
        builder.WebHost.UseUrls(Target, OtherOrigin);
        _target = builder.Build();
        _target.MapMethods("/echo", ["GET", "POST", "PUT", "DELETE", "PATCH"], async (HttpRequest request) =>
        {
            using var reader = new StreamReader(request.Body);
            var body = await reader.ReadToEndAsync();
            return Results.Json(new
            {
                method = request.Method, body, header = request.Headers["X-Test"].ToString(), auth = request.Headers.Authorization.ToString(),
                cookie = request.Headers.Cookie.ToString(), apiKey = request.Headers["X-Api-Key"].ToString(),
            });
        });
        _target.MapPost("/graphql", async (HttpRequest request) =>
        {
            var payload = await JsonDocument.ParseAsync(request.Body);
            var root = payload.RootElement;
            return Results.Json(new
            {
                data = new
                {
                    query = root.GetProperty("query").GetString(),
                    variables = root.TryGetProperty("variables", out var v) ? v : default,
                    operationName = root.TryGetProperty("operationName", out var o) ? o.GetString() : null,
                    contentType = request.ContentType,
                },
            });
        });
        _target.MapGet("/binary", () => Results.Bytes([0, 1, 2, 255, 254], "application/octet-stream"));
        _target.MapGet("/big", (int kb) => Results.Text(new string('b', kb * 1024), "text/plain"));
        _target.MapGet("/redirect", () => Results.Redirect("/echo"));
        _target.MapGet("/loop", () => Results.Redirect("/loop"));
        _target.MapGet("/redirect-to", (string url) => Results.Redirect(url, permanent: false, preserveMethod: true));
        _target.MapGet("/slow", async () => { await Task.Delay(3000); return Results.Ok(); });
        await _target.StartAsync();
        Factory.Settings["OrleansMock:Tester:Allow:0"] = "127.0.0.1/32";
        Factory.Settings["OrleansMock:Tester:MaxRedirects"] = "3";
        Factory.Settings["OrleansMock:Tester:HistoryMaxEntries"] = "5";
        Factory.Settings["OrleansMock:Tester:HistoryMaxBytes"] = "200000";
        Factory.Settings["OrleansMock:Tester:WorkspaceMaxBytes"] = "400000";
    }

    public async Task DisposeAsync()
    {
        await _target!.DisposeAsync();
        await Factory.DisposeAsync();
    }
}

public sealed class TesterTests(TesterFixture fixture) : IClassFixture<TesterFixture>
{

    [Fact]
    public async Task Sends_methods_headers_and_bodies_and_reports_timings()
    {
        var client = await fixture.Factory.CreateClient().AsNewUserAsync();
        var result = await client.TesterSendAsync(new
        {
            method = "POST", url = $"{fixture.Target}/echo", headers = new Dictionary<string, string> { ["X-Test"] = "yes", ["Content-Type"] = "text/plain", ["Authorization"] = "Bearer target-token" },
            body = "hello",
        });
        Assert.Equal(200, result.GetProperty("status").GetInt32());
        Assert.Equal("utf8", result.GetProperty("bodyEncoding").GetString());
        var echoed = JsonDocument.Parse(result.GetProperty("body").GetString()!).RootElement;
        Assert.Equal("POST", echoed.GetProperty("method").GetString());
        Assert.Equal("hello", echoed.GetProperty("body").GetString());
        Assert.Equal("yes", echoed.GetProperty("header").GetString());
        Assert.Equal("Bearer target-token", echoed.GetProperty("auth").GetString()); // the user's header, not our token
        Assert.True(result.GetProperty("timings").GetProperty("totalMs").GetDouble() > 0);
        Assert.True(result.GetProperty("size").GetInt64() > 0);
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task Credentials_are_dropped_when_a_redirect_leaves_the_origin(bool crossOrigin)
    {
        var client = await fixture.Factory.CreateClient().AsNewUserAsync();
        var destination = (crossOrigin ? fixture.OtherOrigin : fixture.Target) + "/echo";
        var result = await client.TesterSendAsync(new
        {
            url = $"{fixture.Target}/redirect-to?url={Uri.EscapeDataString(destination)}",
            headers = new Dictionary<string, string> { ["Authorization"] = "Bearer secret", ["Cookie"] = "session=secret", ["X-Api-Key"] = "secret", ["X-Test"] = "kept" },
            secretHeaders = new[] { "X-Test" },
        });
        var echoed = JsonDocument.Parse(result.GetProperty("body").GetString()!).RootElement;
        // X-Test is marked secret by the user: treated as a credential too, and never stored in the history.
        Assert.Equal(crossOrigin ? "" : "kept", echoed.GetProperty("header").GetString());
        var history = await client.GetStringAsync($"/api/v1/tester/history/{result.GetProperty("historyId").GetString()}");
        Assert.Contains("\"X-Test\":\"[redacted]\"", history);
        var expected = crossOrigin ? ("", "", "") : ("Bearer secret", "session=secret", "secret");
        Assert.Equal(expected, (echoed.GetProperty("auth").GetString(), echoed.GetProperty("cookie").GetString(), echoed.GetProperty("apiKey").GetString()));
    }

    [Fact]
    public async Task Header_values_with_control_characters_are_refused()
    {
        var client = await fixture.Factory.CreateClient().AsNewUserAsync();
        var response = await client.PostAsync("/api/v1/tester/send", Payload(JsonSerializer.Serialize(new
        {
            url = $"{fixture.Target}/echo", headers = new Dictionary<string, string> { ["X-Test"] = "a\u0000b" },
        })));
        Assert.Contains("control character", await response.AssertProblemAsync(HttpStatusCode.BadRequest));
    }

    [Fact]
    public async Task Binary_responses_come_back_as_base64()
    {
        var client = await fixture.Factory.CreateClient().AsNewUserAsync();
        var result = await client.TesterSendAsync(new { url = $"{fixture.Target}/binary" });
        Assert.Equal("base64", result.GetProperty("bodyEncoding").GetString());
        Assert.Equal(new byte[] { 0, 1, 2, 255, 254 }, Convert.FromBase64String(result.GetProperty("body").GetString()!));
    }

    [Fact]
    public async Task Redirects_are_followed_and_listed_and_bounded()
    {
        var client = await fixture.Factory.CreateClient().AsNewUserAsync();
        var result = await client.TesterSendAsync(new { url = $"{fixture.Target}/redirect" });
        Assert.Equal(200, result.GetProperty("status").GetInt32());
        Assert.EndsWith("/echo", result.GetProperty("redirects")[0].GetString());
        var notFollowed = await client.TesterSendAsync(new { url = $"{fixture.Target}/redirect", followRedirects = false });
        Assert.Equal(302, notFollowed.GetProperty("status").GetInt32());
        var loop = await client.TesterSendAsync(new { url = $"{fixture.Target}/loop" });
        Assert.Equal("redirects", loop.GetProperty("error").GetProperty("kind").GetString());
    }

    [Fact]
    public async Task Timeouts_and_refused_connections_are_structured_results()
    {
        var client = await fixture.Factory.CreateClient().AsNewUserAsync();
        var slow = await client.TesterSendAsync(new { url = $"{fixture.Target}/slow", timeoutMs = 300 });
        Assert.Equal("timeout", slow.GetProperty("error").GetProperty("kind").GetString());
        var refused = await client.TesterSendAsync(new { url = $"http://127.0.0.1:{ApiFactory.FreePort()}/" });
        Assert.Equal("refused", refused.GetProperty("error").GetProperty("kind").GetString());
        // .invalid never resolves (RFC 6761): the kind README documents for it is dns.
        var unresolvable = await client.TesterSendAsync(new { url = "http://no-such-host.invalid/" });
        Assert.Equal("dns", unresolvable.GetProperty("error").GetProperty("kind").GetString());
    }

    [Fact]
    public async Task Every_send_answers_in_one_shape_with_nulls_present()
    {
        var client = await fixture.Factory.CreateClient().AsNewUserAsync();
        var ok = await client.TesterSendAsync(new { url = $"{fixture.Target}/echo" });
        var failed = await client.TesterSendAsync(new { url = $"http://127.0.0.1:{ApiFactory.FreePort()}/" });
        foreach (var result in new[] { ok, failed })
        {
            foreach (var key in new[] { "historyId", "status", "headers", "body", "bodyEncoding", "size", "truncated", "timings", "redirects", "error" })
            {
                Assert.True(result.TryGetProperty(key, out _), $"'{key}' missing in {result}");
            }
            Assert.True(result.GetProperty("timings").TryGetProperty("tlsMs", out _), $"'tlsMs' missing in {result}");
        }
        Assert.Equal(JsonValueKind.Null, ok.GetProperty("error").ValueKind);
        Assert.Equal(JsonValueKind.Null, failed.GetProperty("status").ValueKind);
    }

    [Theory]
    [InlineData("{\"url\":\"not a url\"}", "not an absolute URL")]
    [InlineData("{\"url\":\"http://example.com\",\"timeoutMs\":0}", "timeoutMs")]
    [InlineData("{\"url\":\"http://example.com\",\"method\":\"G T\"}", "not an HTTP method")]
    [InlineData("{\"url\":\"http://example.com\",\"body\":\"!!\",\"bodyEncoding\":\"base64\"}", "base64")]
    public async Task Bad_send_requests_are_400(string body, string expected)
    {
        var client = await fixture.Factory.CreateClient().AsNewUserAsync();
        var response = await client.PostAsync("/api/v1/tester/send", Payload(body));
        Assert.Contains(expected, await response.AssertProblemAsync(HttpStatusCode.BadRequest));
    }

    [Fact]
    public async Task History_keeps_only_the_newest_entries_up_to_the_retention_count()
    {
        var client = await fixture.Factory.CreateClient().AsNewUserAsync();
        for (var i = 0; i < 7; i++)
        {
            await client.TesterSendAsync(new { url = $"{fixture.Target}/echo?n={i}" });
        }
        var history = await (await client.GetAsync("/api/v1/tester/history?limit=100")).ReadJsonAsync();
        var urls = history.GetProperty("items").EnumerateArray().Select(e => e.GetProperty("url").GetString()!).ToArray();
        Assert.Equal(5, urls.Length);
        Assert.EndsWith("n=6", urls[0]);
        Assert.EndsWith("n=2", urls[^1]);
    }

    [Fact]
    public async Task An_import_by_URL_takes_one_of_the_users_outbound_slots()
    {
        // 8 imports by URL ran at once beside the tester's limit of 4 sends per user (issue 30.10).
        var client = await fixture.Factory.CreateClient().AsNewUserAsync();
        var project = (await client.CreateProjectAsync()).GetProperty("id").GetString();
        var sends = Enumerable.Range(0, 4).Select(_ => client.PostAsync("/api/v1/tester/send", Payload(JsonSerializer.Serialize(new { url = $"{fixture.Target}/slow" })))).ToArray();
        await Task.Delay(500);
        var import = await client.PostAsync($"/api/v1/projects/{project}/imports/openapi", Payload(JsonSerializer.Serialize(new { url = $"{fixture.Target}/echo" })));
        Assert.Contains("imports by URL", await import.AssertProblemAsync(HttpStatusCode.TooManyRequests));
        Assert.All(await Task.WhenAll(sends), r => Assert.Equal(HttpStatusCode.OK, r.StatusCode));
        // With the slots free again, the import fetches (and the echo is no OpenAPI document: a 422 saying so).
        var again = await client.PostAsync($"/api/v1/projects/{project}/imports/openapi", Payload(JsonSerializer.Serialize(new { url = $"{fixture.Target}/echo" })));
        Assert.NotEqual(HttpStatusCode.TooManyRequests, again.StatusCode);
    }

    [Fact]
    public async Task History_keeps_a_users_bytes_within_its_budget_and_each_entry_whole_from_storage()
    {
        // 60 KB answers into a 200,000-byte history (OrleansMock:Tester:HistoryMaxBytes): 200 sends of 2 MiB
        // once added 1.1 GB of RSS; now the oldest go first and memory holds only the summaries.
        var client = await fixture.Factory.CreateClient().AsNewUserAsync();
        string? newest = null;
        for (var i = 0; i < 5; i++)
        {
            newest = (await client.TesterSendAsync(new { url = $"{fixture.Target}/big?kb=60&n={i}" })).GetProperty("historyId").GetString();
        }
        var history = await (await client.GetAsync("/api/v1/tester/history?limit=100")).ReadJsonAsync();
        var urls = history.GetProperty("items").EnumerateArray().Select(e => e.GetProperty("url").GetString()!).ToArray();
        Assert.InRange(urls.Length, 2, 3);
        Assert.EndsWith("n=4", urls[0]);
        var full = await (await client.GetAsync($"/api/v1/tester/history/{newest}")).ReadJsonAsync();
        Assert.Equal(60 * 1024, full.GetProperty("response").GetProperty("body").GetString()!.Length);

        // A small send after them still keeps the newest big one.
        await client.TesterSendAsync(new { url = $"{fixture.Target}/echo?n=small" });
        Assert.Equal(HttpStatusCode.OK, (await client.GetAsync($"/api/v1/tester/history/{newest}")).StatusCode);
    }

    [Fact]
    public async Task History_is_newest_first_paged_and_per_user()
    {
        var client = await fixture.Factory.CreateClient().AsNewUserAsync();
        for (var i = 0; i < 3; i++)
        {
            await client.TesterSendAsync(new { url = $"{fixture.Target}/echo?n={i}" });
        }
        var first = await (await client.GetAsync("/api/v1/tester/history?limit=2")).ReadJsonAsync();
        var items = first.GetProperty("items").EnumerateArray().ToArray();
        Assert.Equal(2, items.Length);
        Assert.EndsWith("n=2", items[0].GetProperty("url").GetString());
        var cursor = first.GetProperty("nextCursor").GetString();
        var second = await (await client.GetAsync($"/api/v1/tester/history?limit=2&before={cursor}")).ReadJsonAsync();
        Assert.EndsWith("n=0", second.GetProperty("items")[0].GetProperty("url").GetString());

        var id = items[0].GetProperty("id").GetString();
        var full = await (await client.GetAsync($"/api/v1/tester/history/{id}")).ReadJsonAsync();
        Assert.Equal(200, full.GetProperty("response").GetProperty("status").GetInt32());

        var other = await fixture.Factory.CreateClient().AsNewUserAsync();
        Assert.Equal(0, (await (await other.GetAsync("/api/v1/tester/history")).ReadJsonAsync()).GetProperty("items").GetArrayLength());
        await (await other.GetAsync($"/api/v1/tester/history/{id}")).AssertProblemAsync(HttpStatusCode.NotFound);

        Assert.Equal(HttpStatusCode.NoContent, (await client.DeleteAsync($"/api/v1/tester/history/{id}")).StatusCode);
        Assert.Equal(HttpStatusCode.NoContent, (await client.DeleteAsync("/api/v1/tester/history")).StatusCode);
        Assert.Equal(0, (await (await client.GetAsync("/api/v1/tester/history")).ReadJsonAsync()).GetProperty("items").GetArrayLength());
    }
}

public sealed class CollectionTests(TesterFixture fixture) : IClassFixture<TesterFixture>
{
    [Fact]
    public async Task A_workspace_stops_at_its_bytes_and_an_environment_at_its_variables()
    {
        // 20 Postman imports of 3.8 MB once added 1.8 GB of RSS and a rename then took 2-3 s; an environment with
        // 50,000 variables was accepted. Here the fixture's workspace holds 400,000 bytes (OrleansMock:Tester:WorkspaceMaxBytes).
        var client = await fixture.Factory.CreateClient().AsNewUserAsync();
        var id = (await (await client.PostAsync("/api/v1/collections", Payload("{\"name\":\"Big\"}"))).ReadJsonAsync()).GetProperty("id").GetString();
        var body = new string('q', 50_000);
        HttpResponseMessage added;
        var count = 0;
        string? last = null;
        while ((added = await client.PostAsync($"/api/v1/collections/{id}/items",
            Payload(JsonSerializer.Serialize(new { kind = "rest", name = $"big {count}", method = "POST", url = "http://example.com/", body })))).StatusCode == HttpStatusCode.Created)
        {
            last = (await added.ReadJsonAsync()).GetProperty("id").GetString();
            Assert.True(++count < 10, "500 KB of items went into a 400,000-byte workspace");
        }
        Assert.Contains("WorkspaceMaxBytes", await added.AssertProblemAsync(HttpStatusCode.UnprocessableEntity));
        Assert.InRange(count, 6, 8);
        Assert.Equal(HttpStatusCode.OK, (await client.PatchAsync($"/api/v1/collections/{id}", Payload("{\"name\":\"Renamed\"}"))).StatusCode);
        Assert.Equal(HttpStatusCode.NoContent, (await client.DeleteAsync($"/api/v1/collections/{id}/items/{last}")).StatusCode);
        Assert.Equal(HttpStatusCode.Created, (await client.PostAsync($"/api/v1/collections/{id}/items",
            Payload(JsonSerializer.Serialize(new { kind = "rest", name = "again", method = "POST", url = "http://example.com/", body })))).StatusCode);

        var variables = Enumerable.Range(0, 501).ToDictionary(i => $"v{i}", i => "x");
        var environment = await client.PostAsync("/api/v1/environments", Payload(JsonSerializer.Serialize(new { name = "many", variables })));
        Assert.Contains("at most 500", await environment.AssertProblemAsync(HttpStatusCode.BadRequest));
    }

    [Fact]
    public async Task Secret_environment_variables_are_sent_but_never_kept_in_history()
    {
        var client = await fixture.Factory.CreateClient().AsNewUserAsync();
        var environment = await (await client.PostAsync("/api/v1/environments", Payload(JsonSerializer.Serialize(new
        {
            name = "prod", variables = new Dictionary<string, string> { ["baseUrl"] = fixture.Target, ["token"] = "s3cr3t-value" }, secrets = new[] { "token" },
        })))).ReadJsonAsync();
        Assert.Equal("token", environment.GetProperty("secrets")[0].GetString());
        var sent = await client.PostAsync("/api/v1/tester/send", Payload(JsonSerializer.Serialize(new
        {
            url = "{{baseUrl}}/echo?key={{token}}", headers = new Dictionary<string, string> { ["Authorization"] = "Bearer {{token}}" }, body = "t={{token}}",
            method = "POST", environment = environment.GetProperty("id").GetString(),
        })));
        var result = await sent.ReadJsonAsync();
        Assert.Equal("Bearer s3cr3t-value", JsonDocument.Parse(result.GetProperty("body").GetString()!).RootElement.GetProperty("auth").GetString());

        var history = await client.GetStringAsync("/api/v1/tester/history");
        var entry = await client.GetStringAsync($"/api/v1/tester/history/{result.GetProperty("historyId").GetString()}");
        var request = JsonDocument.Parse(entry).RootElement.GetProperty("request");
        Assert.Equal($"{fixture.Target}/echo?key={{{{token}}}}", request.GetProperty("url").GetString());
        Assert.Equal("Bearer {{token}}", request.GetProperty("headers").GetProperty("Authorization").GetString());
        Assert.DoesNotContain("s3cr3t-value", history);
        Assert.DoesNotContain("s3cr3t-value", JsonDocument.Parse(entry).RootElement.GetProperty("request").GetRawText());
    }

    [Fact]
    public async Task Collections_crud_reorder_and_run_rest_and_graphql_items_with_an_environment()
    {
        var client = await fixture.Factory.CreateClient().AsNewUserAsync();
        var collection = await (await client.PostAsync("/api/v1/collections", Payload("{\"name\":\"Smoke\"}"))).ReadJsonAsync();
        var id = collection.GetProperty("id").GetString();
        var environment = await (await client.PostAsync("/api/v1/environments",
            Payload(JsonSerializer.Serialize(new { name = "local", variables = new Dictionary<string, string> { ["baseUrl"] = fixture.Target, ["who"] = "ada" } })))).ReadJsonAsync();
        var env = environment.GetProperty("id").GetString();

        var rest = await (await client.PostAsync($"/api/v1/collections/{id}/items", Payload(JsonSerializer.Serialize(new
        {
            kind = "rest", name = "echo", method = "POST", url = "{{baseUrl}}/echo", headers = new Dictionary<string, string> { ["X-Test"] = "{{who}}" }, body = "hi {{who}}",
        })))).ReadJsonAsync();
        var graphql = await (await client.PostAsync($"/api/v1/collections/{id}/items", Payload(JsonSerializer.Serialize(new
        {
            kind = "graphql", name = "me", url = "{{baseUrl}}/graphql", query = "query Me($id: ID!) { user(id: $id) { name } }",
            variables = new { id = "7" }, operationName = "Me",
        })))).ReadJsonAsync();

        var ran = await (await client.PostAsync($"/api/v1/collections/{id}/items/{rest.GetProperty("id").GetString()}/run?environment={env}", null)).ReadJsonAsync();
        var echoed = JsonDocument.Parse(ran.GetProperty("body").GetString()!).RootElement;
        Assert.Equal("hi ada", echoed.GetProperty("body").GetString());
        Assert.Equal("ada", echoed.GetProperty("header").GetString());

        var answered = await (await client.PostAsync($"/api/v1/collections/{id}/items/{graphql.GetProperty("id").GetString()}/run?environment={env}", null)).ReadJsonAsync();
        var data = JsonDocument.Parse(answered.GetProperty("body").GetString()!).RootElement.GetProperty("data");
        Assert.StartsWith("query Me", data.GetProperty("query").GetString());
        Assert.Equal("7", data.GetProperty("variables").GetProperty("id").GetString());
        Assert.Equal("Me", data.GetProperty("operationName").GetString());
        Assert.StartsWith("application/json", data.GetProperty("contentType").GetString());

        var history = await (await client.GetAsync("/api/v1/tester/history")).ReadJsonAsync();
        Assert.Equal(2, history.GetProperty("items").GetArrayLength());

        var reordered = await (await client.PostAsync($"/api/v1/collections/{id}/reorder",
            Payload(JsonSerializer.Serialize(new { itemIds = new[] { graphql.GetProperty("id").GetString(), rest.GetProperty("id").GetString() } })))).ReadJsonAsync();
        Assert.Equal("me", reordered.GetProperty("items")[0].GetProperty("name").GetString());
        await (await client.PostAsync($"/api/v1/collections/{id}/reorder", Payload("{\"itemIds\":[\"x\"]}"))).AssertProblemAsync(HttpStatusCode.BadRequest);

        var renamed = await (await client.PatchAsync($"/api/v1/collections/{id}", Payload("{\"name\":\"Renamed\"}"))).ReadJsonAsync();
        Assert.Equal("Renamed", renamed.GetProperty("name").GetString());
        var edited = await client.PutAsync($"/api/v1/collections/{id}/items/{rest.GetProperty("id").GetString()}",
            Payload(JsonSerializer.Serialize(new { kind = "rest", name = "echo2", url = "{{baseUrl}}/echo" })));
        Assert.Equal(HttpStatusCode.OK, edited.StatusCode);
        Assert.Equal(HttpStatusCode.NoContent, (await client.DeleteAsync($"/api/v1/collections/{id}/items/{rest.GetProperty("id").GetString()}")).StatusCode);
        await (await client.PostAsync($"/api/v1/collections/{id}/items", Payload("{\"kind\":\"graphql\",\"name\":\"x\",\"url\":\"http://e.com\"}")))
            .AssertProblemAsync(HttpStatusCode.BadRequest);

        var stranger = await fixture.Factory.CreateClient().AsNewUserAsync();
        await (await stranger.GetAsync($"/api/v1/collections/{id}")).AssertProblemAsync(HttpStatusCode.NotFound);
        await (await stranger.PostAsync($"/api/v1/collections/{id}/items/{graphql.GetProperty("id").GetString()}/run", null)).AssertProblemAsync(HttpStatusCode.NotFound);
        await (await stranger.GetAsync($"/api/v1/environments/{env}")).AssertProblemAsync(HttpStatusCode.NotFound);
        Assert.Equal(0, (await (await stranger.GetAsync("/api/v1/collections")).ReadJsonAsync()).GetProperty("items").GetArrayLength());

        Assert.Equal(HttpStatusCode.NoContent, (await client.DeleteAsync($"/api/v1/collections/{id}")).StatusCode);
        Assert.Equal(HttpStatusCode.NoContent, (await client.DeleteAsync($"/api/v1/environments/{env}")).StatusCode);
        await (await client.GetAsync($"/api/v1/collections/{id}")).AssertProblemAsync(HttpStatusCode.NotFound);
    }
}

/// <summary>The tester refuses local, private and otherwise non-public targets however they are spelled.</summary>
[Collection(ApiCollection.Name)]
public sealed class TesterSsrfTests(ApiFixture fixture)
{
    [Theory]
    [InlineData("http://127.0.0.1/")]
    [InlineData("http://127.0.0.1:22/")]
    [InlineData("http://localhost/")]
    [InlineData("http://LOCALHOST./")]
    [InlineData("http://app.localhost/")]
    [InlineData("http://ip6-localhost/")]
    [InlineData("http://127.1/")]
    [InlineData("http://2130706433/")]
    [InlineData("http://0x7f000001/")]
    [InlineData("http://0177.0.0.1/")]
    [InlineData("http://0x7f.0.0.1/")]
    [InlineData("http://0/")]
    [InlineData("http://0.0.0.0/")]
    [InlineData("http://[::1]/")]
    [InlineData("http://[::]/")]
    [InlineData("http://[::ffff:127.0.0.1]/")]
    [InlineData("http://[0:0:0:0:0:ffff:7f00:1]/")]
    [InlineData("http://[::127.0.0.1]/")]
    [InlineData("http://[2002:7f00:1::]/")]
    [InlineData("http://[64:ff9b::a9fe:a9fe]/")]
    [InlineData("http://10.0.0.1/")]
    [InlineData("http://172.16.5.4/")]
    [InlineData("http://172.31.255.255/")]
    [InlineData("http://192.168.1.1/")]
    [InlineData("http://169.254.169.254/latest/meta-data/")]
    [InlineData("http://[fd00:ec2::254]/")]
    [InlineData("http://100.64.0.1/")]
    [InlineData("http://224.0.0.1/")]
    [InlineData("http://255.255.255.255/")]
    [InlineData("http://198.18.0.1/")]
    [InlineData("http://[fe80::1]/")]
    [InlineData("http://[fc00::1]/")]
    [InlineData("http://[ff02::1]/")]
    [InlineData("http://192.0.2.1/")]
    [InlineData("http://198.51.100.7/")]
    [InlineData("http://203.0.113.9/")]
    [InlineData("http://192.88.99.1/")]
    [InlineData("http://[2001:db8::1]/")]
    [InlineData("http://[2001:0:4136:e378:8000:63bf:3fff:fdd2]/")]
    [InlineData("http://[::ffff:0:7f00:1]/")]
    [InlineData("http://[64:ff9b:1::a00:1]/")]
    [InlineData("http://[3fff::1]/")]
    [InlineData("http://user:pass@example.com/")]
    public async Task Forbidden_targets_are_refused_with_a_clear_message(string url)
    {
        var response = await fixture.Client.PostAsync("/api/v1/tester/send", Payload(JsonSerializer.Serialize(new { url })));
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var result = await response.ReadJsonAsync();
        var error = result.GetProperty("error");
        Assert.Equal("forbidden", error.GetProperty("kind").GetString());
        var message = error.GetProperty("message").GetString()!;
        Assert.True(message.Contains("public") || message.Contains("user:password"), message);
    }

    // Other schemes (ftp, file, gopher) and relative URLs are not targets at all: a 400 naming the scheme
    // (TenantBudgetTests.Urls_that_are_not_http_are_a_400_naming_why_never_a_502).
}
