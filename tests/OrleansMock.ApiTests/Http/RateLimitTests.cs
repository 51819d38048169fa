using System.Net;
using System.Text;
using System.Text.Json;
using Microsoft.AspNetCore.Http;
using static OrleansMock.Tests.Http.HttpHelpers;

namespace OrleansMock.Tests.Http;

/// <summary>A front end with small limits and one trusted proxy (10.0.0.1), requests sent with chosen peer addresses.</summary>
public sealed class RateLimitFixture : IAsyncLifetime
{
    public ApiFactory Factory { get; } = new();

    public HttpClient Owner { get; private set; } = null!;

    public async Task InitializeAsync()
    {
        Factory.Settings["OrleansMock:RateLimits:MockPerClient:Limit"] = "5";
        Factory.Settings["OrleansMock:RateLimits:MockPerClient:WindowSeconds"] = "3600";
        Factory.Settings["OrleansMock:RateLimits:MockPerProject:MaxLimit"] = "100";
        Factory.Settings["OrleansMock:ForwardedHeaders:KnownProxies:0"] = "10.0.0.1";
        Owner = await Factory.CreateClient().AsNewUserAsync();
    }

    public async Task DisposeAsync() => await Factory.DisposeAsync();

    /// <summary>Sends a GET as if from <paramref name="peer"/>, with extra request headers.</summary>
    public async Task<HttpContext> GetAsync(string path, string peer, params (string Name, string Value)[] headers) =>
        await Factory.Server.SendAsync(context =>
        {
            context.Request.Method = "GET";
            context.Request.Path = path;
            context.Connection.RemoteIpAddress = IPAddress.Parse(peer);
            foreach (var (name, value) in headers)
            {
                context.Request.Headers[name] = value;
            }
        });
}

public sealed class RateLimitTests(RateLimitFixture fixture) : IClassFixture<RateLimitFixture>
{
    private static int _peer;

    private static string NewPeer() => $"10.9.{Interlocked.Increment(ref _peer) / 250}.{_peer % 250 + 2}";

    private async Task<string> MockAsync(int? projectLimit = null)
    {
        var project = await fixture.Owner.CreateProjectAsync();
        var id = project.GetProperty("id").GetString()!;
        await fixture.Owner.CreateEndpointAsync(id, "{\"method\":\"GET\",\"path\":\"/a\",\"response\":{\"body\":1}}");
        if (projectLimit is { } limit)
        {
            var patched = await fixture.Owner.PatchAsync($"/api/v1/projects/{id}", Payload($"{{\"rateLimit\":{limit}}}"));
            Assert.Equal(HttpStatusCode.OK, patched.StatusCode);
        }
        return $"/m/{project.GetProperty("slug").GetString()}/a";
    }

    [Fact]
    public async Task Allowed_mock_answers_are_the_endpoints_own_and_the_sixth_request_is_a_429_problem_with_the_headers()
    {
        var path = await MockAsync();
        var peer = NewPeer();
        for (var i = 0; i < 5; i++)
        {
            // A mock answers as the API it imitates: the limiter counts it and speaks only when it refuses.
            var allowed = await fixture.GetAsync(path, peer);
            Assert.Equal(200, allowed.Response.StatusCode);
            Assert.False(allowed.Response.Headers.ContainsKey("RateLimit-Limit"));
            Assert.False(allowed.Response.Headers.ContainsKey("X-RateLimit-Remaining"));
        }
        var resets = new List<int>();
        foreach (var _ in Enumerable.Range(0, 2)) // the second refusal comes from the front end's local "blocked until"
        {
            var refused = await fixture.GetAsync(path, peer);
            resets.Add(int.Parse(refused.Response.Headers["RateLimit-Reset"]!));
            Assert.Equal(429, refused.Response.StatusCode);
            Assert.Equal("application/problem+json", refused.Response.ContentType);
            Assert.True(int.Parse(refused.Response.Headers.RetryAfter!) > 0);
            Assert.Equal("0", refused.Response.Headers["RateLimit-Remaining"]);
            Assert.Equal("0", refused.Response.Headers["X-RateLimit-Remaining"]);
            Assert.Equal("5", refused.Response.Headers["RateLimit-Limit"]);
            var problem = JsonDocument.Parse(await new StreamReader(refused.Response.Body).ReadToEndAsync()).RootElement;
            Assert.Equal(429, problem.GetProperty("status").GetInt32());
            Assert.Contains("rate limit of 5 requests", problem.GetProperty("detail").GetString());
        }
        // One meaning of RateLimit-Reset (the end of the bucket's window) whoever refuses: the bucket or the front end.
        Assert.InRange(resets[1], resets[0] - 2, resets[0]);
        Assert.Equal(200, (await fixture.GetAsync(path, NewPeer())).Response.StatusCode); // another client is unaffected
    }

    [Fact]
    public async Task An_endpoint_that_sends_rate_limit_headers_of_its_own_answers_with_exactly_those()
    {
        // A GitHub-like mock: before, the limiter's X-RateLimit-* went out beside the endpoint's, two values per header
        // ("1000000000, 5000"), which a client honouring them reads as nonsense.
        var project = await fixture.Owner.CreateProjectAsync();
        var id = project.GetProperty("id").GetString()!;
        await fixture.Owner.CreateEndpointAsync(id,
            "{\"method\":\"GET\",\"path\":\"/rate_limit\",\"response\":{\"headers\":{\"X-RateLimit-Limit\":\"5000\",\"X-RateLimit-Remaining\":\"4999\",\"RateLimit-Reset\":\"42\"},\"body\":{}}}");
        var answer = await fixture.GetAsync($"/m/{project.GetProperty("slug").GetString()}/rate_limit", NewPeer());
        Assert.Equal(200, answer.Response.StatusCode);
        Assert.Equal("5000", Assert.Single(answer.Response.Headers["X-RateLimit-Limit"]));
        Assert.Equal("4999", Assert.Single(answer.Response.Headers["X-RateLimit-Remaining"]));
        Assert.Equal("42", Assert.Single(answer.Response.Headers["RateLimit-Reset"]));
        Assert.False(answer.Response.Headers.ContainsKey("RateLimit-Limit"));
    }

    [Fact]
    public async Task Management_responses_carry_the_headers_and_their_twins()
    {
        var response = await fixture.Owner.GetAsync("/api/v1/projects");
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var limit = Assert.Single(response.Headers.GetValues("RateLimit-Limit"));
        Assert.Equal(limit, Assert.Single(response.Headers.GetValues("X-RateLimit-Limit")));
        var remaining = int.Parse(Assert.Single(response.Headers.GetValues("RateLimit-Remaining")));
        Assert.InRange(remaining, 0, int.Parse(limit) - 1);
        Assert.Equal(remaining.ToString(), Assert.Single(response.Headers.GetValues("X-RateLimit-Remaining")));
        Assert.True(int.Parse(Assert.Single(response.Headers.GetValues("RateLimit-Reset"))) > 0);
    }

    [Fact]
    public async Task Forwarded_headers_from_an_untrusted_peer_change_nothing()
    {
        var path = await MockAsync();
        var peer = NewPeer();
        var statuses = new List<int>();
        for (var i = 0; i < 6; i++)
        {
            var context = await fixture.GetAsync(path, peer, ("X-Forwarded-For", $"203.0.113.{i}"), ("Forwarded", $"for=198.51.100.{i}"));
            statuses.Add(context.Response.StatusCode);
        }
        Assert.Equal([200, 200, 200, 200, 200, 429], statuses);
    }

    [Fact]
    public async Task A_trusted_proxy_names_the_client_with_x_forwarded_for_or_forwarded()
    {
        var path = await MockAsync();
        for (var i = 0; i < 6; i++)
        {
            var client = $"203.0.113.{100 + i}";
            var context = i % 2 == 0
                ? await fixture.GetAsync(path, "10.0.0.1", ("X-Forwarded-For", client))
                : await fixture.GetAsync(path, "10.0.0.1", ("Forwarded", $"for=\"{client}:4711\";proto=https"));
            Assert.Equal(200, context.Response.StatusCode); // six different clients behind one proxy, one request each
        }
        var again = "203.0.113.200";
        for (var i = 0; i < 5; i++)
        {
            await fixture.GetAsync(path, "10.0.0.1", ("X-Forwarded-For", again));
        }
        Assert.Equal(429, (await fixture.GetAsync(path, "10.0.0.1", ("Forwarded", $"for={again}"))).Response.StatusCode);
    }

    [Fact]
    public async Task A_project_owner_can_set_the_projects_own_limit_within_the_maximum()
    {
        var path = await MockAsync(projectLimit: 2);
        Assert.Equal(200, (await fixture.GetAsync(path, NewPeer())).Response.StatusCode);
        Assert.Equal(200, (await fixture.GetAsync(path, NewPeer())).Response.StatusCode);
        var refused = await fixture.GetAsync(path, NewPeer());
        Assert.Equal(429, refused.Response.StatusCode);
        Assert.Contains("project", await new StreamReader(refused.Response.Body, Encoding.UTF8).ReadToEndAsync());
        // The refusal is counted under its policy like the others' (it never got a series: issue 33.7).
        var metrics = await fixture.Factory.CreateClient().GetStringAsync("/metrics");
        Assert.Contains(metrics.Split('\n'), line => line.StartsWith("orleansmock_ratelimit_rejections", StringComparison.Ordinal) && line.Contains("policy=\"MockPerProject\"", StringComparison.Ordinal));

        var project = path.Split('/')[2];
        var tooHigh = await fixture.Owner.PatchAsync($"/api/v1/projects/{project}", Payload("{\"rateLimit\":101}"));
        Assert.Contains("from 1 to 100", await tooHigh.AssertProblemAsync(HttpStatusCode.BadRequest));
        var reset = await (await fixture.Owner.PatchAsync($"/api/v1/projects/{project}", Payload("{\"rateLimit\":0}"))).ReadJsonAsync();
        Assert.False(reset.TryGetProperty("rateLimit", out _));
    }
}
