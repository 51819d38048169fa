using System.Net;
using System.Text.Json;
using static OrleansMock.Tests.Http.HttpHelpers;

namespace OrleansMock.Tests.Http;

/// <summary>
/// A new user's first loop (issue 33.1): build a mock, then try it in the tester with the URL the console shows. The
/// service's own mock URLs are answered in process, through the same mock handler as network traffic; nothing else of
/// the service (its API, the WireMock admin API) and no other local address opens up.
/// </summary>
[Collection(ApiCollection.Name)]
public sealed class TesterOwnMockTests(ApiFixture fixture)
{

    private static async Task<string> ProjectWithEndpointsAsync(HttpClient client, params string[] endpoints)
    {
        var slug = "own-" + Guid.NewGuid().ToString("N")[..10];
        await client.CreateProjectAsync(slug);
        foreach (var endpoint in endpoints)
        {
            await client.CreateEndpointAsync(slug, endpoint);
        }
        return slug;
    }

    [Fact]
    public async Task The_tester_sends_multipart_fields_and_files_and_the_history_keeps_them()
    {
        var client = await fixture.NewUserClientAsync();
        var slug = await ProjectWithEndpointsAsync(client, """
            {"method":"POST","path":"/scan","request":{"multipart":[{"name":"file","filename":{"equalTo":"cat.png"},"contentType":{"equalTo":"image/png"},"body":{"contains":"PNG"}},{"name":"note","body":{"equalTo":"hello"}}]},
             "response":{"status":200,"template":true,"body":"scanned {{request.parts.file.filename}} ({{request.parts.note.body}})"}}
            """);
        var png = Convert.ToBase64String([0x89, (byte)'P', (byte)'N', (byte)'G', 13, 10, 26, 10]);
        var sent = await client.TesterSendAsync(new
        {
            method = "POST", url = $"http://localhost/m/{slug}/scan",
            multipart = new object[] { new { name = "note", value = "hello" }, new { name = "file", filename = "cat.png", contentType = "image/png", data = png } },
        });
        Assert.Equal(JsonValueKind.Null, sent.GetProperty("error").ValueKind);
        Assert.Equal(200, sent.GetProperty("status").GetInt32());
        Assert.Equal("scanned cat.png (hello)", sent.GetProperty("body").GetString());

        var entry = await (await client.GetAsync($"/api/v1/tester/history/{sent.GetProperty("historyId").GetString()}")).ReadJsonAsync();
        var parts = entry.GetProperty("request").GetProperty("multipart");
        Assert.Equal("hello", parts[0].GetProperty("value").GetString());
        Assert.Equal(png, parts[1].GetProperty("data").GetString());
        Assert.Equal(8, parts[1].GetProperty("size").GetInt32());

        var both = await client.PostAsync("/api/v1/tester/send", Payload(JsonSerializer.Serialize(new { url = $"http://localhost/m/{slug}/scan", body = "x", multipart = new[] { new { name = "a", value = "b" } } })));
        await both.AssertProblemAsync(HttpStatusCode.BadRequest);
        var unnamed = await client.PostAsync("/api/v1/tester/send", Payload(JsonSerializer.Serialize(new { url = $"http://localhost/m/{slug}/scan", multipart = new[] { new { value = "b" } } })));
        Assert.Contains("multipart[0].name", await unnamed.AssertProblemAsync(HttpStatusCode.BadRequest));
    }

    [Fact]
    public async Task The_tester_reaches_the_users_own_mock_and_the_mock_logs_the_request()
    {
        var client = await fixture.NewUserClientAsync();
        var slug = await ProjectWithEndpointsAsync(client,
            """{"method":"POST","path":"/orders/{id}","request":{"headers":{"X-Shop":{"equalTo":"yes"}}},"response":{"status":201,"headers":{"X-Order":"{{request.path.id}}"},"body":"{{jsonPath request.body '$.item'}}","contentType":"text/plain","template":true}}""");
        // The host name the caller reached the service with (TestServer: localhost) is this service's.
        var sent = await client.TesterSendAsync(new
        {
            method = "POST", url = $"http://localhost/m/{slug}/orders/7?src=tester",
            headers = new Dictionary<string, string> { ["X-Shop"] = "yes", ["Content-Type"] = "application/json" }, body = """{"item":"book"}""",
        });
        Assert.Equal(JsonValueKind.Null, sent.GetProperty("error").ValueKind);
        Assert.Equal(201, sent.GetProperty("status").GetInt32());
        Assert.Equal("7", sent.GetProperty("headers").GetProperty("X-Order").GetString());
        Assert.Equal("book", sent.GetProperty("body").GetString());

        var log = await (await client.GetAsync($"/api/v1/projects/{slug}/requests")).ReadJsonAsync();
        var entry = Assert.Single(log.GetProperty("items").EnumerateArray());
        Assert.Equal(("POST", "/orders/7", 201), (entry.GetProperty("method").GetString(), entry.GetProperty("path").GetString(), entry.GetProperty("status").GetInt32()));

        // A near miss is the mock's own answer (its 404 problem), not a refusal of the tester.
        var miss = await client.TesterSendAsync(new { method = "POST", url = $"http://localhost/m/{slug}/orders/7" });
        Assert.Equal(404, miss.GetProperty("status").GetInt32());
        Assert.Contains("X-Shop", miss.GetProperty("body").GetString());
    }

    [Fact]
    public async Task An_answer_from_an_own_mock_becomes_an_endpoint_for_the_path_the_mock_was_asked_for()
    {
        var client = await fixture.NewUserClientAsync();
        var source = await ProjectWithEndpointsAsync(client, """{"method":"GET","path":"/users/{id}","response":{"body":{"id":7,"name":"Ann"}}}""");
        var target = await ProjectWithEndpointsAsync(client);
        var sent = await client.TesterSendAsync(new { url = $"http://localhost/m/{source}/users/7?full=1" });
        var made = await client.PostAsync($"/api/v1/projects/{target}/endpoints/from-history/{sent.GetProperty("historyId").GetString()}", null);
        Assert.Equal(HttpStatusCode.Created, made.StatusCode);
        Assert.Equal("/users/7", (await made.ReadJsonAsync()).GetProperty("path").GetString()); // not /m/{source}/users/7
        var answer = await client.GetAsync($"/m/{target}/users/7?full=1");
        Assert.Equal("Ann", (await answer.ReadJsonAsync()).GetProperty("name").GetString());
    }

    [Fact]
    public async Task Redirects_between_own_mocks_are_followed_and_a_fault_is_the_network_error_a_client_sees()
    {
        var client = await fixture.NewUserClientAsync();
        var slug = await ProjectWithEndpointsAsync(client,
            """{"method":"GET","path":"/old","response":{"status":302,"headers":{"Location":"/m/SLUG/new"}}}""",
            """{"method":"GET","path":"/new","response":{"status":200,"body":{"moved":true}}}""",
            """{"method":"GET","path":"/broken","response":{"status":200,"fault":"CONNECTION_RESET_BY_PEER"}}""");
        // (the Location names the slug: patch it in now that it is known)
        var endpoints = await (await client.GetAsync($"/api/v1/projects/{slug}/endpoints")).ReadJsonAsync();
        var old = endpoints.GetProperty("items").EnumerateArray().First(e => e.GetProperty("path").GetString() == "/old").GetProperty("id").GetString();
        var patched = await client.PatchAsync($"/api/v1/projects/{slug}/endpoints/{old}",
            Payload("""{"response":{"status":302,"headers":{"Location":"/m/SLUG/new"}}}""".Replace("SLUG", slug)));
        Assert.Equal(HttpStatusCode.OK, patched.StatusCode);

        var followed = await client.TesterSendAsync(new { url = $"http://localhost/m/{slug}/old" });
        Assert.Equal(200, followed.GetProperty("status").GetInt32());
        Assert.Equal($"http://localhost/m/{slug}/new", Assert.Single(followed.GetProperty("redirects").EnumerateArray()).GetString());

        var broken = await client.TesterSendAsync(new { url = $"http://localhost/m/{slug}/broken" });
        Assert.Equal(JsonValueKind.Null, broken.GetProperty("status").ValueKind);
        Assert.NotEqual("forbidden", broken.GetProperty("error").GetProperty("kind").GetString());
    }

    [Fact]
    public async Task A_private_mock_answers_the_tester_as_it_answers_anyone_by_the_credentials_sent()
    {
        var owner = await fixture.NewUserClientAsync();
        var slug = await ProjectWithEndpointsAsync(owner, """{"method":"GET","path":"/secret","response":{"status":200,"body":{"ok":true}}}""");
        Assert.Equal(HttpStatusCode.OK, (await owner.PatchAsync($"/api/v1/projects/{slug}", Payload("""{"private":true}"""))).StatusCode);
        // The tester's own credentials are not the request's: without a key the private mock says 401.
        var anonymous = await owner.TesterSendAsync(new { url = $"http://localhost/m/{slug}/secret" });
        Assert.Equal(401, anonymous.GetProperty("status").GetInt32());
        var (_, key) = await owner.CreateApiKeyAsync();
        var keyed = await owner.TesterSendAsync(new { url = $"http://localhost/m/{slug}/secret", headers = new Dictionary<string, string> { ["X-Api-Key"] = key } });
        Assert.Equal(200, keyed.GetProperty("status").GetInt32());
        // Another user's tester reaches it only as anyone would.
        var stranger = await fixture.NewUserClientAsync();
        Assert.Equal(401, (await stranger.TesterSendAsync(new { url = $"http://localhost/m/{slug}/secret" })).GetProperty("status").GetInt32());
    }

    [Fact]
    public async Task A_large_own_mock_answer_is_kept_only_up_to_the_testers_budget_not_whole_in_memory()
    {
        // Attack: a tenant's 60 KB answer (a /db of every resource could be hundreds of MB) through the in-process path
        // was buffered whole before the tester truncated it. It stops at the tester's MaxResponseBodyBytes + 1.
        await using var factory = new ApiFactory { Settings = { ["OrleansMock:Tester:MaxResponseBodyBytes"] = "1000" } };
        var client = await factory.CreateClient().AsNewUserAsync();
        var slug = await ProjectWithEndpointsAsync(client,
            """{"method":"GET","path":"/big","response":{"status":200,"contentType":"text/plain","body":"BODY"}}""".Replace("BODY", new string('x', 60_000)));
        var sent = await client.TesterSendAsync(new { url = $"http://localhost/m/{slug}/big" });
        Assert.Equal(200, sent.GetProperty("status").GetInt32());
        Assert.True(sent.GetProperty("truncated").GetBoolean());
        Assert.Equal(1000, sent.GetProperty("body").GetString()!.Length);
        Assert.InRange(sent.GetProperty("size").GetInt64(), 1000, 1001); // what was read: not the 60,000 the mock wrote
    }

    [Theory]
    [InlineData("http://localhost/api/v1/projects")]
    [InlineData("http://localhost/m/")]
    [InlineData("http://localhost/m/shop/__admin/mappings")]
    [InlineData("http://localhost/healthz")]
    [InlineData("http://127.0.0.1:22/m/shop/x")]
    public async Task Nothing_but_mock_urls_on_this_service_opens_up(string url)
    {
        var result = await fixture.Client.TesterSendAsync(new { url });
        Assert.Equal("forbidden", result.GetProperty("error").GetProperty("kind").GetString());
    }
}
