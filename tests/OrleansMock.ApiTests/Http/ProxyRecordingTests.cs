using System.Net;
using System.Text;
using System.Text.Json;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using static OrleansMock.Tests.Http.HttpHelpers;

namespace OrleansMock.Tests.Http;

/// <summary>A real API on loopback (started per test, so a test can shut it down) and a front end whose guard allows loopback.</summary>
public sealed class ProxyFixture : IAsyncLifetime
{
    public ApiFactory Factory { get; } = new();

    public HttpClient Client { get; private set; } = null!;

    public Task InitializeAsync()
    {
        Factory.Settings["OrleansMock:Tester:Allow:0"] = "127.0.0.1/32";
        Factory.Settings["OrleansMock:Tester:MaxTimeoutMs"] = "1500";
        return InitializeClientAsync();
    }

    private async Task InitializeClientAsync() => Client = await Factory.CreateClient().AsNewUserAsync();

    public async Task DisposeAsync() => await Factory.DisposeAsync();

    /// <summary>A small real API: items (JSON, paged by query), an echo, an image, a cookie, a counter, a slow route, redirects.</summary>
    public static async Task<(WebApplication App, string Url)> StartUpstreamAsync()
    {
        var url = $"http://127.0.0.1:{ApiFactory.FreePort()}";
        var builder = WebApplication.CreateSlimBuilder();
        builder.WebHost.UseUrls(url);
        var app = builder.Build();
        var counter = 0;
        app.MapGet("/items", (int? page) => Results.Json(new { page = page ?? 1, items = new[] { $"item-{page ?? 1}-a", $"item-{page ?? 1}-b" } }));
        app.MapGet("/items/{id}", (string id) => Results.Json(new { id, name = $"item {id}" }));
        app.MapPost("/items", async (HttpRequest request) =>
        {
            var body = await JsonDocument.ParseAsync(request.Body);
            return Results.Json(new { created = body.RootElement.GetProperty("name").GetString(), accept = request.Headers.Accept.ToString() }, statusCode: 201);
        });
        app.MapMethods("/echo", ["GET", "POST", "PUT"], async (HttpRequest request) =>
        {
            using var reader = new StreamReader(request.Body);
            return Results.Json(new
            {
                method = request.Method, path = request.Path.Value, query = request.QueryString.Value, body = await reader.ReadToEndAsync(),
                added = request.Headers["X-Added"].ToString(), test = request.Headers["X-Test"].ToString(), apiKey = request.Headers["X-Api-Key"].ToString(),
            });
        });
        app.MapGet("/teapot", () => Results.StatusCode(418));
        app.MapGet("/image", () => Results.Bytes([137, 80, 78, 71, 0, 1, 2, 255], "image/png"));
        app.MapGet("/cookie", (HttpResponse response) =>
        {
            response.Headers.SetCookie = "session=secret-value; Path=/; HttpOnly";
            response.Headers["X-Upstream"] = "yes";
            return Results.Text("with a cookie", "text/plain");
        });
        app.MapGet("/counter", () => Results.Text($"call {Interlocked.Increment(ref counter)}", "text/plain"));
        app.MapGet("/slow", async () => { await Task.Delay(5000); return Results.Ok(); });
        app.MapGet("/to-metadata", () => Results.Redirect("http://169.254.169.254/latest/meta-data/"));
        app.MapGet("/stream", async (HttpResponse response) =>
        {
            response.ContentType = "text/plain";
            for (var i = 0; i < 3; i++)
            {
                await response.WriteAsync($"chunk {i}\n");
                await response.Body.FlushAsync();
                await Task.Delay(50);
            }
        });
        await app.StartAsync();
        return (app, url);
    }
}

/// <summary>Proxy responses, a project's proxy fallback, recording and replay, endpoints from the tester's history: through a real front end.</summary>
public sealed class ProxyRecordingTests(ProxyFixture fixture) : IClassFixture<ProxyFixture>
{
    private HttpClient Client => fixture.Client;
    private HttpClient Mock => fixture.Factory.CreateClient();

    private async Task<(string Id, string Base)> ProjectAsync()
    {
        var project = await Client.CreateProjectAsync();
        return (project.GetProperty("id").GetString()!, $"/m/{project.GetProperty("slug").GetString()}");
    }

    private Task<JsonElement> ProxyEndpointAsync(string project, string method, string path, string proxyJson) =>
        Client.CreateEndpointAsync(project, $"{{\"method\":\"{method}\",\"path\":\"{path}\",\"response\":{{\"proxy\":{proxyJson}}}}}");

    private static StringContent MergePatch(string json) => Payload(json, "application/merge-patch+json");

    [Fact]
    public async Task A_proxy_response_forwards_method_path_query_headers_and_body_and_streams_the_answer_back()
    {
        var (upstream, url) = await ProxyFixture.StartUpstreamAsync();
        await using var _ = upstream;
        var (id, b) = await ProjectAsync();
        await ProxyEndpointAsync(id, "POST", "/v1/echo", "{\"baseUrl\":\"" + url + "\",\"stripPrefix\":\"/v1\",\"headers\":{\"X-Added\":\"by the proxy\"}}");
        await ProxyEndpointAsync(id, "GET", "/stream", $$"""{"baseUrl":"{{url}}"}""");

        var request = new HttpRequestMessage(HttpMethod.Post, $"{b}/v1/echo?x=1&y=two") { Content = Payload("""{"hello":"world"}""") };
        request.Headers.Add("X-Test", "from the client");
        var response = await Mock.SendAsync(request);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var echoed = await response.ReadJsonAsync();
        Assert.Equal(("POST", "/echo", "?x=1&y=two", """{"hello":"world"}"""),
            (echoed.GetProperty("method").GetString(), echoed.GetProperty("path").GetString(), echoed.GetProperty("query").GetString(), echoed.GetProperty("body").GetString()));
        Assert.Equal(("by the proxy", "from the client"), (echoed.GetProperty("added").GetString(), echoed.GetProperty("test").GetString()));

        // Our own credentials (they authenticated the caller to us) are not sent on to the target.
        var withKey = new HttpRequestMessage(HttpMethod.Post, $"{b}/v1/echo") { Content = Payload("{}") };
        withKey.Headers.Add("X-Api-Key", await ApiKeyAsync());
        Assert.Equal("", (await (await Mock.SendAsync(withKey)).ReadJsonAsync()).GetProperty("apiKey").GetString());

        var streamed = await Mock.GetAsync($"{b}/stream");
        Assert.Equal("chunk 0\nchunk 1\nchunk 2\n", await streamed.Content.ReadAsStringAsync());
        Assert.Equal("text/plain", streamed.Content.Headers.ContentType!.MediaType);
    }

    [Fact]
    public async Task A_projects_proxy_fallback_answers_what_no_endpoint_does_and_confines_the_targets_cookies()
    {
        var (upstream, url) = await ProxyFixture.StartUpstreamAsync();
        await using var _ = upstream;
        var (id, b) = await ProjectAsync();
        await Client.CreateEndpointAsync(id, """{"method":"GET","path":"/items/1","response":{"status":200,"body":{"mocked":true}}}""");
        var patched = await Client.PatchAsync($"/api/v1/projects/{id}", MergePatch($$$"""{"proxy":{"baseUrl":"{{{url}}}"}}"""));
        Assert.Equal(url, (await patched.ReadJsonAsync()).GetProperty("proxy").GetProperty("baseUrl").GetString());

        Assert.True((await (await Mock.GetAsync($"{b}/items/1")).ReadJsonAsync()).GetProperty("mocked").GetBoolean()); // a defined endpoint wins
        Assert.Equal("item 2", (await (await Mock.GetAsync($"{b}/items/2")).ReadJsonAsync()).GetProperty("name").GetString());
        var cookie = await Mock.GetAsync($"{b}/cookie");
        Assert.Equal("yes", cookie.Headers.GetValues("X-Upstream").Single());
        Assert.StartsWith($"session=secret-value; Path={b}", cookie.Headers.GetValues("Set-Cookie").Single());

        var log = await (await Client.GetAsync($"/api/v1/projects/{id}/requests")).ReadJsonAsync();
        Assert.Contains(log.GetProperty("items").EnumerateArray(), e => e.GetProperty("path").GetString() == "/items/2" && e.GetProperty("status").GetInt32() == 200);

        await Client.PatchAsync($"/api/v1/projects/{id}", MergePatch("""{"proxy":{"baseUrl":""}}"""));
        await (await Mock.GetAsync($"{b}/items/2")).AssertProblemAsync(HttpStatusCode.NotFound);
        var invalid = await Client.PatchAsync($"/api/v1/projects/{id}", MergePatch("""{"proxy":{"baseUrl":"ftp://example.com"}}"""));
        Assert.Contains("absolute http or https URL", await invalid.AssertProblemAsync(HttpStatusCode.BadRequest));
    }

    [Fact]
    public async Task Upstream_failures_are_502_or_504_naming_the_cause_and_a_redirect_is_passed_on_not_followed()
    {
        var (upstream, url) = await ProxyFixture.StartUpstreamAsync();
        await using var _ = upstream;
        var (id, b) = await ProjectAsync();
        var closedPort = ApiFactory.FreePort();
        await ProxyEndpointAsync(id, "GET", "/down", $$"""{"baseUrl":"http://127.0.0.1:{{closedPort}}"}""");
        await ProxyEndpointAsync(id, "GET", "/slow", $$"""{"baseUrl":"{{url}}"}""");
        await ProxyEndpointAsync(id, "GET", "/to-metadata", $$"""{"baseUrl":"{{url}}"}""");
        await Client.CreateEndpointAsync(id, """{"method":"GET","path":"/metadata","response":{"proxy":{"baseUrl":"http://169.254.169.254"}}}""");

        var down = await (await Mock.GetAsync($"{b}/down")).AssertProblemAsync(HttpStatusCode.BadGateway);
        Assert.Contains("refused", down);
        var slow = await (await Mock.GetAsync($"{b}/slow")).AssertProblemAsync(HttpStatusCode.GatewayTimeout);
        Assert.Contains("no answer within 1500 ms", slow);
        var forbidden = await (await Mock.GetAsync($"{b}/metadata")).AssertProblemAsync(HttpStatusCode.BadGateway);
        Assert.Contains("link-local", forbidden);

        var noRedirects = fixture.Factory.CreateClient(new Microsoft.AspNetCore.Mvc.Testing.WebApplicationFactoryClientOptions { AllowAutoRedirect = false });
        var redirect = await noRedirects.GetAsync($"{b}/to-metadata");
        Assert.Equal(HttpStatusCode.Redirect, redirect.StatusCode); // the client gets the redirect; the server never went there
        Assert.Equal("http://169.254.169.254/latest/meta-data/", redirect.Headers.Location!.ToString());

        var bad = await Client.PostAsync($"/api/v1/projects/{id}/endpoints",
            Payload("""{"method":"GET","path":"/x","response":{"proxy":{"baseUrl":"http://user:pw@example.com"}}}"""));
        Assert.Contains("credentials", await bad.AssertProblemAsync(HttpStatusCode.BadRequest));
        // Host (and the connection's own headers) are the proxy's to set: a definition choosing them is refused (issue 30.14).
        var host = await Client.PostAsync($"/api/v1/projects/{id}/endpoints",
            Payload("""{"method":"GET","path":"/x","response":{"proxy":{"baseUrl":"http://example.com","headers":{"host":"internal.example"}}}}"""));
        Assert.Contains("'host' is set by the proxy", await host.AssertProblemAsync(HttpStatusCode.BadRequest));
    }

    [Fact]
    public async Task Record_then_stop_then_the_target_goes_down_and_the_project_answers_as_recorded()
    {
        var (upstream, url) = await ProxyFixture.StartUpstreamAsync();
        var (id, b) = await ProjectAsync();
        var started = await Client.PostAsync($"/api/v1/projects/{id}/recordings",
            Payload($$$"""{"targetBaseUrl":"{{{url}}}","match":{"headers":["Accept"],"query":true,"body":"json"}}"""));
        Assert.Equal(HttpStatusCode.Created, started.StatusCode);
        await (await Client.PostAsync($"/api/v1/projects/{id}/recordings", Payload($$"""{"targetBaseUrl":"{{url}}"}"""))).AssertProblemAsync(HttpStatusCode.Conflict);

        async Task<(int Status, string? Type, byte[] Body)> CallAsync(HttpMethod method, string path, string? json = null, string? accept = null)
        {
            var request = new HttpRequestMessage(method, b + path);
            if (json is not null)
            {
                request.Content = Payload(json);
            }
            if (accept is not null)
            {
                request.Headers.Add("Accept", accept);
            }
            var response = await Mock.SendAsync(request);
            return ((int)response.StatusCode, response.Content.Headers.ContentType?.ToString(), await response.Content.ReadAsByteArrayAsync());
        }
        var calls = new (HttpMethod Method, string Path, string? Json, string? Accept)[]
        {
            (HttpMethod.Get, "/items?page=1", null, "application/json"),
            (HttpMethod.Get, "/items?page=2", null, "application/json"),
            (HttpMethod.Post, "/items", """{"name":"new"}""", "application/json"),
            (HttpMethod.Post, "/items", """{"name":"other"}""", "application/json"),
            (HttpMethod.Get, "/image", null, null),
            (HttpMethod.Get, "/cookie", null, null),
        };
        var live = new List<(int, string?, byte[])>();
        foreach (var call in calls)
        {
            live.Add(await CallAsync(call.Method, call.Path, call.Json, call.Accept));
        }
        Assert.Equal((200, "image/png"), (live[4].Item1, live[4].Item2));
        await CallAsync(HttpMethod.Get, "/items?page=1", null, "application/json"); // the same request again: still one endpoint

        var status = await (await Client.GetAsync($"/api/v1/projects/{id}/recordings/status")).ReadJsonAsync();
        Assert.True(status.GetProperty("recording").GetBoolean());
        var stopped = await (await Client.PostAsync($"/api/v1/projects/{id}/recordings/stop", null)).ReadJsonAsync();
        Assert.Equal(6, stopped.GetProperty("created").GetArrayLength());
        Assert.Equal(7, stopped.GetProperty("requests").GetInt32());
        await (await Client.PostAsync($"/api/v1/projects/{id}/recordings/stop", null)).AssertProblemAsync(HttpStatusCode.Conflict);

        await upstream.DisposeAsync(); // the real API is gone: the project answers as recorded
        for (var i = 0; i < calls.Length; i++)
        {
            var replay = await CallAsync(calls[i].Method, calls[i].Path, calls[i].Json, calls[i].Accept);
            Assert.Equal(live[i].Item1, replay.Status);
            Assert.Equal(live[i].Item2, replay.Type);
            Assert.Equal(live[i].Item3, replay.Body);
        }
        var cookie = await Mock.GetAsync($"{b}/cookie");
        Assert.False(cookie.Headers.Contains("Set-Cookie")); // a sensitive header is not stored unless kept
        Assert.Equal("yes", cookie.Headers.GetValues("X-Upstream").Single());
        await (await Mock.GetAsync($"{b}/items?page=3")).AssertProblemAsync(HttpStatusCode.NotFound); // never recorded
        var otherAccept = await CallAsync(HttpMethod.Get, "/items?page=1", null, "text/html");
        Assert.Equal(404, otherAccept.Status); // the Accept header was matched on

        var endpoints = await (await Client.GetAsync($"/api/v1/projects/{id}/endpoints")).ReadJsonAsync();
        var post = endpoints.GetProperty("items").EnumerateArray().First(e => e.GetProperty("method").GetString() == "POST");
        Assert.Equal("""{"name":"new"}""", post.GetProperty("request").GetProperty("body")[0].GetProperty("equalToJson").GetRawText());
    }

    [Fact]
    public async Task A_proxy_endpoint_logs_the_status_its_client_got()
    {
        var (upstream, url) = await ProxyFixture.StartUpstreamAsync();
        await using var _ = upstream;
        var (id, b) = await ProjectAsync();
        await ProxyEndpointAsync(id, "GET", "/teapot", $$"""{"baseUrl":"{{url}}"}""");
        await ProxyEndpointAsync(id, "GET", "/down", $$"""{"baseUrl":"http://127.0.0.1:{{ApiFactory.FreePort()}}"}""");
        Assert.Equal(418, (int)(await Mock.GetAsync($"{b}/teapot")).StatusCode);
        Assert.Equal(502, (int)(await Mock.GetAsync($"{b}/down")).StatusCode);
        // Logged 200 both times before (issue 30.14, 33.2): the log shows what the client got, and which endpoint answered.
        var deadline = DateTime.UtcNow.AddSeconds(10);
        string log;
        while (!(log = await Client.GetStringAsync($"/api/v1/projects/{id}/requests")).Contains("/down", StringComparison.Ordinal))
        {
            Assert.True(DateTime.UtcNow < deadline, log);
            await Task.Delay(100);
        }
        var entries = System.Text.Json.JsonDocument.Parse(log).RootElement.GetProperty("items").EnumerateArray()
            .ToDictionary(e => e.GetProperty("path").GetString()!, e => e);
        Assert.Equal(418, entries["/teapot"].GetProperty("status").GetInt32());
        Assert.Equal(502, entries["/down"].GetProperty("status").GetInt32());
        Assert.StartsWith("e_", entries["/teapot"].GetProperty("endpointId").GetString());
    }

    [Fact]
    public async Task A_recording_that_matches_on_credential_headers_never_captures_ours()
    {
        var (upstream, url) = await ProxyFixture.StartUpstreamAsync();
        var (id, b) = await ProjectAsync();
        Assert.Equal(HttpStatusCode.Created, (await Client.PostAsync($"/api/v1/projects/{id}/recordings",
            Payload($$$"""{"targetBaseUrl":"{{{url}}}","match":{"headers":["X-Api-Key","Authorization","X-Other"]}}"""))).StatusCode);
        // Another user of this service calls the mock with their credentials (their client sends them everywhere).
        var victim = await fixture.Factory.CreateClient().AsNewUserAsync();
        var (_, key) = await victim.CreateApiKeyAsync("mine");
        var token = victim.DefaultRequestHeaders.Authorization!.Parameter!;
        using (var call = new HttpRequestMessage(HttpMethod.Get, $"{b}/items/1"))
        {
            call.Headers.Add("X-Api-Key", key);
            call.Headers.Add("X-Other", "kept");
            call.Headers.TryAddWithoutValidation("Authorization", "Bearer " + token);
            Assert.Equal(HttpStatusCode.OK, (await Mock.SendAsync(call)).StatusCode);
        }
        await Client.PostAsync($"/api/v1/projects/{id}/recordings/stop", null);
        await upstream.DisposeAsync();

        var endpoints = (await (await Client.GetAsync($"/api/v1/projects/{id}/endpoints")).Content.ReadAsStringAsync());
        Assert.Contains("kept", endpoints); // the recording did match on headers
        Assert.DoesNotContain(key, endpoints);
        Assert.DoesNotContain(token, endpoints);
        var journal = await (await Client.GetAsync($"/api/v1/projects/{id}/requests")).Content.ReadAsStringAsync();
        Assert.DoesNotContain(key, journal);
        Assert.DoesNotContain(token, journal);
    }

    [Fact]
    public async Task With_sequence_a_repeated_request_with_another_answer_is_served_in_turn()
    {
        var (upstream, url) = await ProxyFixture.StartUpstreamAsync();
        var (id, b) = await ProjectAsync();
        await Client.PostAsync($"/api/v1/projects/{id}/recordings", Payload($$"""{"targetBaseUrl":"{{url}}","sequence":true}"""));
        Assert.Equal("call 1", await Mock.GetStringAsync($"{b}/counter"));
        Assert.Equal("call 2", await Mock.GetStringAsync($"{b}/counter"));
        var stopped = await (await Client.PostAsync($"/api/v1/projects/{id}/recordings/stop", null)).ReadJsonAsync();
        Assert.Equal((1, 1), (stopped.GetProperty("created").GetArrayLength(), stopped.GetProperty("updated").GetArrayLength()));
        await upstream.DisposeAsync();
        Assert.Equal(["call 1", "call 2"], [await Mock.GetStringAsync($"{b}/counter"), await Mock.GetStringAsync($"{b}/counter")]);
    }

    [Fact]
    public async Task A_tester_history_entry_becomes_an_endpoint_that_answers_like_the_real_api()
    {
        var (upstream, url) = await ProxyFixture.StartUpstreamAsync();
        var (id, b) = await ProjectAsync();
        var send = await Client.PostAsync("/api/v1/tester/send", Payload($$"""{"method":"GET","url":"{{url}}/items/7?full=yes"}"""));
        Assert.True(send.StatusCode == HttpStatusCode.OK, await send.Content.ReadAsStringAsync());
        var sent = await send.ReadJsonAsync();
        var historyId = sent.GetProperty("historyId").GetString();
        var created = await Client.PostAsync($"/api/v1/projects/{id}/endpoints/from-history/{historyId}", null);
        Assert.Equal(HttpStatusCode.Created, created.StatusCode);
        var endpoint = await created.ReadJsonAsync();
        Assert.Equal(("GET", "/items/7"), (endpoint.GetProperty("method").GetString(), endpoint.GetProperty("path").GetString()));
        await upstream.DisposeAsync();

        var replay = await Mock.GetAsync($"{b}/items/7?full=yes");
        Assert.Equal(sent.GetProperty("body").GetString(), await replay.Content.ReadAsStringAsync());
        Assert.Equal("application/json", replay.Content.Headers.ContentType!.MediaType);
        await (await Mock.GetAsync($"{b}/items/7")).AssertProblemAsync(HttpStatusCode.NotFound); // the query was matched on

        var failed = await (await Client.PostAsync("/api/v1/tester/send", Payload($$"""{"method":"GET","url":"{{url}}/items/1"}"""))).ReadJsonAsync();
        var unanswered = await Client.PostAsync($"/api/v1/projects/{id}/endpoints/from-history/{failed.GetProperty("historyId").GetString()}", null);
        Assert.Contains("no answer", await unanswered.AssertProblemAsync(HttpStatusCode.UnprocessableEntity)); // the target was down by then
        await (await Client.PostAsync($"/api/v1/projects/{id}/endpoints/from-history/nosuch", null)).AssertProblemAsync(HttpStatusCode.NotFound);
    }

    [Fact]
    public async Task WireMocks_recordings_routes_record_through_the_same_machinery()
    {
        var (upstream, url) = await ProxyFixture.StartUpstreamAsync();
        var (_, b) = await ProjectAsync();
        Assert.Equal("NeverStarted", (await (await Client.GetAsync($"{b}/__admin/recordings/status")).ReadJsonAsync()).GetProperty("status").GetString());
        var started = await Client.PostAsync($"{b}/__admin/recordings/start", Payload("{\"targetBaseUrl\":\"" + url + "\",\"captureHeaders\":{\"Accept\":{}}}"));
        Assert.Equal(HttpStatusCode.OK, started.StatusCode);
        Assert.Equal("Recording", (await (await Client.GetAsync($"{b}/__admin/recordings/status")).ReadJsonAsync()).GetProperty("status").GetString());
        var live = await Mock.GetStringAsync($"{b}/items/3");
        var stopped = await (await Client.PostAsync($"{b}/__admin/recordings/stop", null)).ReadJsonAsync();
        var mapping = Assert.Single(stopped.GetProperty("mappings").EnumerateArray());
        Assert.Equal("/items/3", mapping.GetProperty("request").GetProperty("urlPath").GetString());
        Assert.Equal("Stopped", (await (await Client.GetAsync($"{b}/__admin/recordings/status")).ReadJsonAsync()).GetProperty("status").GetString());
        await upstream.DisposeAsync();
        Assert.Equal(live, await Mock.GetStringAsync($"{b}/items/3"));
    }

    private async Task<string> ApiKeyAsync()
    {
        var key = await (await Client.PostAsync("/api/v1/auth/keys", Payload("""{"name":"proxy test"}"""))).ReadJsonAsync();
        return key.GetProperty("key").GetString()!;
    }
}

/// <summary>The proxy path refuses what the tester refuses (no allow-list here).</summary>
[Collection(ApiCollection.Name)]
public sealed class ProxySsrfTests(ApiFixture fixture)
{
    [Theory]
    [InlineData("http://127.0.0.1:22", "the machine this service runs on")]
    [InlineData("http://localhost", "names this machine")]
    [InlineData("http://169.254.169.254", "link-local")]
    [InlineData("http://10.1.2.3", "private")]
    [InlineData("http://[::1]", "the machine this service runs on")]
    public async Task A_proxy_to_a_forbidden_address_is_a_502_naming_why(string baseUrl, string why)
    {
        var project = await fixture.Client.CreateProjectAsync();
        var id = project.GetProperty("id").GetString()!;
        await fixture.Client.PatchAsync($"/api/v1/projects/{id}", Payload($$$"""{"proxy":{"baseUrl":"{{{baseUrl}}}"}}""", "application/merge-patch+json"));
        var response = await fixture.Factory.CreateClient().GetAsync($"/m/{project.GetProperty("slug").GetString()}/anything");
        var problem = await response.AssertProblemAsync(HttpStatusCode.BadGateway);
        Assert.True(problem.Contains(why), problem);
        var recording = await fixture.Client.PostAsync($"/api/v1/projects/{id}/recordings", Payload($$"""{"targetBaseUrl":"{{baseUrl}}"}"""));
        Assert.Equal(HttpStatusCode.Created, recording.StatusCode); // a name may resolve elsewhere later: the address is checked per request
        Assert.Contains(why, await (await fixture.Factory.CreateClient().GetAsync($"/m/{project.GetProperty("slug").GetString()}/x")).AssertProblemAsync(HttpStatusCode.BadGateway));
    }
}
