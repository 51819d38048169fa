using System.Net;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using static OrleansMock.Tests.Http.HttpHelpers;

namespace OrleansMock.Tests.Http;

/// <summary>
/// Webhooks as a tenant could abuse them (issue 31.5): what cannot be sent is refused at save, the address guard holds
/// for webhooks as for the tester, and one project's webhooks are bounded (waiting, per minute). Over real Kestrel, with
/// a receiver on 127.0.0.1 (the guard opened to it, as README says an operator does) and low limits.
/// </summary>
public sealed class WebhookTests : IAsyncLifetime
{
    private ApiFactory _factory = null!;
    private HttpClient _client = null!;
    private HttpClient _mock = null!;
    private readonly WebhookReceiver _receiver = new();

    public async Task InitializeAsync()
    {
        (_factory, var address) = ApiFactory.StartOnKestrel(new Dictionary<string, string>
        {
            ["OrleansMock:Tester:Allow:0"] = "127.0.0.1",
            ["OrleansMock:Limits:MaxPendingWebhooks"] = "3",
            ["OrleansMock:Limits:WebhooksPerMinute"] = "2",
        });
        _client = await new HttpClient { BaseAddress = address }.AsNewUserAsync();
        _mock = new HttpClient { BaseAddress = address };
    }

    public async Task DisposeAsync()
    {
        _client.Dispose();
        _mock.Dispose();
        await _receiver.DisposeAsync();
        await _factory.DisposeAsync();
    }

    private async Task<(string Id, string Slug, HttpClient Admin)> ProjectAsync()
    {
        var project = await _client.CreateProjectAsync();
        var (_, key) = await _client.CreateApiKeyAsync("webhooks");
        var admin = new HttpClient { BaseAddress = _mock.BaseAddress };
        admin.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Basic", Convert.ToBase64String(Encoding.UTF8.GetBytes("wiremock:" + key)));
        return (project.GetProperty("id").GetString()!, project.GetProperty("slug").GetString()!, admin);
    }

    private static string Mapping(string url, object? extra = null, string listener = "webhook")
    {
        var parameters = JsonSerializer.SerializeToNode(extra ?? new { })!.AsObject();
        parameters["method"] ??= "POST";
        parameters["url"] = url;
        return new JsonObject
        {
            ["request"] = new JsonObject { ["method"] = "POST", ["urlPath"] = "/order" },
            ["response"] = new JsonObject { ["status"] = 202 },
            ["serveEventListeners"] = new JsonArray(new JsonObject { ["name"] = listener, ["parameters"] = parameters }),
        }.ToJsonString();
    }

    [Theory]
    [InlineData("""{"name":"other","parameters":{}}""", "serveEventListeners[0].name")]
    [InlineData("""{"name":"webhook","parameters":{"method":"POST","url":"http://example.com/x","bodyFileName":"b.json"}}""", "serveEventListeners[0].parameters.bodyFileName")]
    [InlineData("""{"name":"webhook","parameters":{"method":"POST"}}""", "serveEventListeners[0].parameters.url")]
    public async Task What_cannot_be_sent_is_refused_when_saved_naming_the_field(string listener, string field)
    {
        var (_, slug, admin) = await ProjectAsync();
        var mapping = $$"""{"request":{"urlPath":"/order"},"response":{"status":200},"serveEventListeners":[{{listener}}]}""";
        var answer = await admin.PostAsync($"/m/{slug}/__admin/mappings", Payload(mapping));
        var problem = await answer.AssertProblemAsync(HttpStatusCode.UnprocessableEntity);
        Assert.Contains(field, problem);
    }

    [Theory]
    [InlineData("ftp://example.com/x", null, "is not an absolute http(s) URL")]
    [InlineData("http://example.com/x", "{{nosuchhelper 1}}", "nosuchhelper")]
    public async Task A_bad_url_or_template_is_refused_when_saved(string url, string? body, string reason)
    {
        var (_, slug, admin) = await ProjectAsync();
        var answer = await admin.PostAsync($"/m/{slug}/__admin/mappings", Payload(Mapping(url, body is null ? null : new { body })));
        var problem = await answer.AssertProblemAsync(HttpStatusCode.UnprocessableEntity);
        Assert.Contains(reason, problem);
    }

    [Fact]
    public async Task A_webhook_to_a_private_address_is_refused_by_the_guard_and_logged()
    {
        var (id, slug, admin) = await ProjectAsync();
        // Cloud metadata lives on link-local addresses: the guard refuses them before any connection.
        Assert.Equal(HttpStatusCode.Created, (await admin.PostAsync($"/m/{slug}/__admin/mappings",
            Payload(Mapping("http://169.254.169.254/latest/meta-data/", new { headers = new { Authorization = "Bearer secret-value" } })))).StatusCode);
        Assert.Equal(HttpStatusCode.Accepted, (await _mock.PostAsync($"/m/{slug}/order", null)).StatusCode);

        var attempt = await WaitForAsync(id, log => log["items"]!.AsArray().FirstOrDefault());
        Assert.Null(attempt["status"]);
        Assert.Contains("forbidden", attempt["error"]!.GetValue<string>());
        Assert.Contains("link-local", attempt["error"]!.GetValue<string>());
        Assert.Equal("***", attempt["headers"]!["Authorization"]!.GetValue<string>()); // secrets never reach the log

        // WireMock's request log says the same as an error sub-event.
        var requests = JsonNode.Parse(await (await admin.GetAsync($"/m/{slug}/__admin/requests")).Content.ReadAsStringAsync())!;
        var subEvent = requests["requests"]![0]!["subEvents"]![0]!;
        Assert.Equal("ERROR", subEvent["type"]!.GetValue<string>());
        Assert.Contains("forbidden", subEvent["data"]!["message"]!.GetValue<string>());
    }

    [Fact]
    public async Task A_projects_webhooks_wait_within_its_limits_and_what_overflows_is_dropped_and_logged()
    {
        var (id, slug, admin) = await ProjectAsync();
        var path = $"/limits-{Guid.NewGuid():N}";
        Assert.Equal(HttpStatusCode.Created, (await admin.PostAsync($"/m/{slug}/__admin/mappings",
            Payload(Mapping($"{_receiver.Address}{path[1..]}/{{{{originalRequest.query.n}}}}", new { delay = new { type = "fixed", milliseconds = 1500 } })))).StatusCode);
        for (var n = 1; n <= 4; n++)
        {
            Assert.Equal(HttpStatusCode.Accepted, (await _mock.PostAsync($"/m/{slug}/order?n={n}", null)).StatusCode);
        }

        // Three wait (MaxPendingWebhooks); the fourth is dropped at once, and logged so.
        var dropped = await WaitForAsync(id, log => log["items"]!.AsArray().FirstOrDefault(a => a!["error"]?.GetValue<string>().StartsWith("dropped") == true));
        Assert.Contains("MaxPendingWebhooks", dropped["error"]!.GetValue<string>());
        Assert.EndsWith("/4", dropped["url"]!.GetValue<string>());

        // After the delay two go (WebhooksPerMinute = 2); the third waits for the minute, still stored and listed.
        var received = await _receiver.WaitAsync(path, 2);
        Assert.Equal(2, received.Count);
        await Task.Delay(1000);
        Assert.Equal(2, (await _receiver.WaitAsync(path, 2)).Count); // and no third came in that time
        var log = await LogAsync(id);
        Assert.Single(log["pending"]!.AsArray());
        Assert.Equal(2, log["items"]!.AsArray().Count(a => a!["status"]?.GetValue<int>() == 200));
    }

    [Fact]
    public async Task An_endpoint_of_our_own_api_sends_its_webhooks_and_shows_them_back()
    {
        var (id, slug, _) = await ProjectAsync();
        var path = $"/own-{Guid.NewGuid():N}";
        var endpoint = new JsonObject
        {
            ["method"] = "POST", ["path"] = "/orders/{orderId}",
            ["response"] = new JsonObject
            {
                ["status"] = 201,
                ["webhooks"] = new JsonArray(new JsonObject
                {
                    ["url"] = $"{_receiver.Address}{path[1..]}/{{{{originalRequest.path.orderId}}}}",
                    ["headers"] = new JsonObject { ["Content-Type"] = "application/json", ["X-Tag"] = new JsonArray("a", "b") },
                    ["body"] = "{\"order\":\"{{originalRequest.path.orderId}}\",\"total\":{{jsonPath originalRequest.body '$.total'}} }",
                }),
            },
        }.ToJsonString();
        var created = await _client.CreateEndpointAsync(slug, endpoint);
        var webhook = created.GetProperty("response").GetProperty("webhooks")[0];
        Assert.Equal("POST", webhook.GetProperty("method").GetString());
        Assert.Equal(2, webhook.GetProperty("headers").GetProperty("X-Tag").GetArrayLength());

        Assert.Equal(HttpStatusCode.Created, (await _mock.PostAsync($"/m/{slug}/orders/77", Payload("""{"total":12.5}"""))).StatusCode);
        var received = Assert.Single(await _receiver.WaitAsync(path, 1));
        Assert.Equal("POST /77", received.Line); // the receiver names what came after the prefix
        Assert.Equal("""{"order":"77","total":12.5 }""", received.Body);
        Assert.Equal("a,b", received.Header("X-Tag"));
        var attempt = await WaitForAsync(id, log => log["items"]!.AsArray().FirstOrDefault());
        Assert.Equal(200, attempt["status"]!.GetValue<int>());
    }

    [Fact]
    public async Task A_webhook_template_that_would_run_without_bound_is_stopped_by_the_render_budget_and_logged()
    {
        var (id, slug, admin) = await ProjectAsync();
        // Three nested loops over 400 path segments: 64 million iterations, far past the steps and time one render may take.
        var body = "{{#each originalRequest.pathSegments}}{{#each ../originalRequest.pathSegments}}{{#each ../../originalRequest.pathSegments}}x{{/each}}{{/each}}{{/each}}";
        var mapping = new JsonObject
        {
            ["request"] = new JsonObject { ["method"] = "POST", ["urlPathPattern"] = "/loop/.*" },
            ["response"] = new JsonObject { ["status"] = 202 },
            ["serveEventListeners"] = new JsonArray(new JsonObject
            {
                ["name"] = "webhook",
                ["parameters"] = new JsonObject { ["method"] = "POST", ["url"] = $"{_receiver.Address}never", ["body"] = body },
            }),
        }.ToJsonString();
        Assert.Equal(HttpStatusCode.Created, (await admin.PostAsync($"/m/{slug}/__admin/mappings", Payload(mapping))).StatusCode);

        var clock = System.Diagnostics.Stopwatch.StartNew();
        Assert.Equal(HttpStatusCode.Accepted, (await _mock.PostAsync($"/m/{slug}/loop" + string.Concat(Enumerable.Repeat("/a", 400)), null)).StatusCode);
        Assert.True(clock.ElapsedMilliseconds < 5000, $"the answer took {clock.ElapsedMilliseconds} ms");
        var attempt = await WaitForAsync(id, log => log["items"]!.AsArray().FirstOrDefault());
        Assert.Null(attempt["status"]);
        Assert.StartsWith("the webhook could not be made", attempt["error"]!.GetValue<string>());
        Assert.Empty(await _receiver.WaitAsync("/never", 0));
    }

    private async Task<JsonNode> LogAsync(string projectId)
    {
        var answer = await _client.GetAsync($"/api/v1/projects/{projectId}/webhooks");
        Assert.Equal(HttpStatusCode.OK, answer.StatusCode);
        return JsonNode.Parse(await answer.Content.ReadAsStringAsync())!;
    }

    private async Task<JsonNode> WaitForAsync(string projectId, Func<JsonNode, JsonNode?> find)
    {
        for (var attempt = 0; attempt < 100; attempt++)
        {
            if (find(await LogAsync(projectId)) is { } found)
            {
                return found;
            }
            await Task.Delay(100);
        }
        throw new Xunit.Sdk.XunitException("the webhook log never showed what was expected: " + (await LogAsync(projectId)).ToJsonString());
    }
}
