using System.Text.Json;
using System.Net;
using System.Net.Http.Headers;
using System.Text;
using static OrleansMock.Tests.Http.HttpHelpers;

namespace OrleansMock.Tests.Http;

[Collection(ApiCollection.Name)]
public sealed class OperationsTests(ApiFixture fixture)
{
    [Fact]
    public async Task The_request_log_shows_recent_mock_requests_newest_first_without_secrets()
    {
        var owner = await fixture.NewUserClientAsync();
        var project = await owner.CreateProjectAsync();
        var id = project.GetProperty("id").GetString()!;
        var slug = project.GetProperty("slug").GetString()!;
        var endpoint = (await owner.CreateEndpointAsync(id, "{\"method\":\"POST\",\"path\":\"/orders\",\"response\":{\"status\":201}}")).GetProperty("id").GetString();

        var anonymous = fixture.Factory.CreateClient();
        var post = new HttpRequestMessage(HttpMethod.Post, $"/m/{slug}/orders?x=1&api_key=secret-query-key&access_token=secret-query-token")
        {
            Content = Payload("{\"item\":\"book\",\"user\":{\"password\":\"secret-body-password\"}}"),
        };
        post.Headers.Authorization = new AuthenticationHeaderValue("Bearer", "secret-token-value");
        post.Headers.Add("X-Api-Key", "om-u_x-k_y-secretkey");
        post.Headers.Add("Cookie", "session=secret-cookie");
        post.Headers.Add("X-Trace", "abc");
        post.Headers.Add("X-Auth-Token", "secret-auth-token");
        post.Headers.Add("X-Amz-Security-Token", "secret-amz-token");
        await anonymous.SendAsync(post);
        await anonymous.GetAsync($"/m/{slug}/orders");

        var log = await (await owner.GetAsync($"/api/v1/projects/{id}/requests")).ReadJsonAsync();
        var items = log.GetProperty("items").EnumerateArray().ToArray();
        Assert.Equal(2, items.Length);
        Assert.Equal("GET", items[0].GetProperty("method").GetString());
        Assert.Equal(404, items[0].GetProperty("status").GetInt32());
        Assert.Contains("POST /orders", items[0].GetProperty("miss").GetString());

        var first = items[1];
        Assert.Equal(201, first.GetProperty("status").GetInt32());
        Assert.Equal(endpoint, first.GetProperty("endpointId").GetString());
        Assert.Equal("?x=1&api_key=%5Bredacted%5D&access_token=%5Bredacted%5D", first.GetProperty("query").GetString());
        Assert.Equal("{\"item\":\"book\",\"user\":{\"password\":\"[redacted]\"}}", first.GetProperty("bodyPreview").GetString());
        Assert.Equal("abc", first.GetProperty("headers").GetProperty("X-Trace").GetString());
        var raw = log.GetRawText();
        Assert.DoesNotContain("secret-token-value", raw);
        Assert.DoesNotContain("secretkey", raw);
        Assert.DoesNotContain("secret-cookie", raw);
        Assert.DoesNotContain("secret-query", raw);
        Assert.DoesNotContain("secret-body", raw);
        Assert.DoesNotContain("secret-auth", raw);
        Assert.DoesNotContain("secret-amz", raw);
        Assert.Equal("[redacted]", first.GetProperty("headers").GetProperty("Authorization").GetString());

        var limited = await (await owner.GetAsync($"/api/v1/projects/{id}/requests?limit=1")).ReadJsonAsync();
        Assert.Equal(1, limited.GetProperty("items").GetArrayLength());
        await (await owner.GetAsync($"/api/v1/projects/{id}/requests?limit=0")).AssertProblemAsync(HttpStatusCode.BadRequest);

        var stranger = await fixture.NewUserClientAsync();
        await (await stranger.GetAsync($"/api/v1/projects/{id}/requests")).AssertProblemAsync(HttpStatusCode.NotFound);
        await (await stranger.DeleteAsync($"/api/v1/projects/{id}/requests")).AssertProblemAsync(HttpStatusCode.NotFound);

        Assert.Equal(HttpStatusCode.NoContent, (await owner.DeleteAsync($"/api/v1/projects/{id}/requests")).StatusCode);
        var cleared = await (await owner.GetAsync($"/api/v1/projects/{id}/requests")).ReadJsonAsync();
        Assert.Equal(0, cleared.GetProperty("items").GetArrayLength());
    }

    [Fact]
    public async Task Requests_answered_by_a_resource_are_logged_with_the_resources_status()
    {
        var owner = fixture.Client;
        var project = await owner.CreateProjectAsync();
        var id = project.GetProperty("id").GetString();
        Assert.Equal(HttpStatusCode.Created, (await owner.PostAsync($"/api/v1/projects/{id}/resources", Payload("""{"name":"notes"}"""))).StatusCode);
        var mock = fixture.Factory.CreateClient();
        Assert.Equal(HttpStatusCode.Created, (await mock.PostAsync($"/m/{project.GetProperty("slug").GetString()}/notes", Payload("""{"t":1}"""))).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await mock.GetAsync($"/m/{project.GetProperty("slug").GetString()}/notes/99")).StatusCode);

        // The resource's answer is logged one-way after it is sent: wait for it.
        JsonElement[] items = [];
        for (var i = 0; i < 50 && items.Length < 2; i++)
        {
            await Task.Delay(50);
            items = (await (await owner.GetAsync($"/api/v1/projects/{id}/requests")).ReadJsonAsync()).GetProperty("items").EnumerateArray().ToArray();
        }
        Assert.Equal([404, 201], items.Select(e => e.GetProperty("status").GetInt32()));
        Assert.All(items, e => Assert.False(e.TryGetProperty("miss", out var miss) && miss.ValueKind == JsonValueKind.String, "a resource answer is not a miss"));
    }

    [Fact]
    public async Task Readiness_reports_each_check()
    {
        var response = await fixture.Factory.CreateClient().GetAsync("/readyz");
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var report = await response.ReadJsonAsync();
        Assert.Equal("Healthy", report.GetProperty("status").GetString());
        var checks = report.GetProperty("checks").EnumerateArray().ToDictionary(c => c.GetProperty("name").GetString()!);
        Assert.Equal("Healthy", checks["cluster"].GetProperty("status").GetString());
        Assert.Contains("embedded SQLite", checks["storage"].GetProperty("detail").GetString());
        Assert.Equal(HttpStatusCode.OK, (await fixture.Factory.CreateClient().GetAsync("/healthz")).StatusCode);
    }

    [Fact]
    public async Task With_an_operations_key_metrics_and_readiness_detail_need_it()
    {
        await using var factory = new ApiFactory { Settings = { ["OrleansMock:Operations:Key"] = "ops-secret" } };
        var anonymous = factory.CreateClient();
        var metrics = await anonymous.GetAsync("/metrics");
        await metrics.AssertProblemAsync(HttpStatusCode.Unauthorized);
        var ready = await (await anonymous.GetAsync("/readyz")).ReadJsonAsync();
        Assert.Equal("Healthy", ready.GetProperty("status").GetString());
        Assert.DoesNotContain(factory.DataDir, ready.GetRawText()); // the database path was public
        Assert.All(ready.GetProperty("checks").EnumerateArray(), c => Assert.False(c.TryGetProperty("detail", out _)));

        var operator_ = factory.CreateClient();
        operator_.DefaultRequestHeaders.Authorization = new("Bearer", "ops-secret");
        Assert.Equal(HttpStatusCode.OK, (await operator_.GetAsync("/metrics")).StatusCode);
        Assert.Contains("embedded SQLite", (await operator_.GetStringAsync("/readyz")));
        var basic = factory.CreateClient();
        basic.DefaultRequestHeaders.Authorization = new("Basic", Convert.ToBase64String("prometheus:ops-secret"u8.ToArray()));
        Assert.Equal(HttpStatusCode.OK, (await basic.GetAsync("/metrics")).StatusCode);
    }

    [Fact]
    public async Task Metrics_are_prometheus_text_with_bounded_route_groups()
    {
        var client = fixture.Factory.CreateClient();
        await client.GetAsync("/m/no-such-project/x");
        await fixture.Client.GetAsync("/api/v1/projects");
        string text = "";
        // The exporter caches a scrape for a short while; ask until our series show up.
        for (var i = 0; i < 20 && !text.Contains("group=\"mock\""); i++)
        {
            await Task.Delay(300);
            var response = await client.GetAsync("/metrics");
            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
            Assert.StartsWith("text/plain", response.Content.Headers.ContentType!.MediaType);
            text = await response.Content.ReadAsStringAsync();
        }
        Assert.Contains("orleansmock_request_duration_seconds_bucket", text);
        Assert.Contains("group=\"mock\"", text);
        Assert.Contains("group=\"management\"", text);
        Assert.Contains("orleansmock_storage_duration_seconds", text);
        // Storage latency in seconds needs sub-second buckets (the default boundaries start at 5).
        Assert.Matches("orleansmock_storage_duration_seconds_bucket\\{[^}]*le=\"0.001\"\\}", text);
        Assert.Contains("orleans_", text);
        Assert.DoesNotContain("no-such-project", text); // no per-project or per-path labels
        Assert.Contains("service_name=\"orleansmock-api\"", text); // not unknown_service:OrleansMock.Api
    }

    [Fact]
    public async Task The_dashboard_is_off_by_default()
    {
        var response = await fixture.Factory.CreateClient().GetAsync("/dashboard");
        Assert.Equal(HttpStatusCode.NotFound, response.StatusCode);
    }
}

public sealed class DashboardTests : IAsyncLifetime
{
    private readonly ApiFactory _factory = new();

    public Task InitializeAsync()
    {
        _factory.Settings["OrleansMock:Dashboard:Enabled"] = "true";
        _factory.Settings["OrleansMock:Dashboard:AdminKey"] = "admin-key-for-tests";
        return Task.CompletedTask;
    }

    public async Task DisposeAsync() => await _factory.DisposeAsync();

    [Fact]
    public async Task When_enabled_it_needs_the_admin_key()
    {
        var client = _factory.CreateClient();
        var anonymous = await client.GetAsync("/dashboard");
        Assert.Equal(HttpStatusCode.Unauthorized, anonymous.StatusCode);
        Assert.Contains(anonymous.Headers.WwwAuthenticate, h => h.Scheme == "Basic");

        client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Basic", Convert.ToBase64String(Encoding.UTF8.GetBytes("admin:wrong")));
        Assert.Equal(HttpStatusCode.Unauthorized, (await client.GetAsync("/dashboard")).StatusCode);

        client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Basic", Convert.ToBase64String(Encoding.UTF8.GetBytes("admin:admin-key-for-tests")));
        var page = await client.GetAsync("/dashboard/");
        Assert.True(page.StatusCode == HttpStatusCode.OK, $"{(int)page.StatusCode} {page.Headers} {await page.Content.ReadAsStringAsync()}");
    }
}
