using System.Net;
using System.Text.Json;
using Microsoft.Extensions.DependencyInjection;
using OrleansMock.Api.MockTraffic;
using static OrleansMock.Tests.Http.HttpHelpers;

namespace OrleansMock.Tests.Http;

/// <summary>
/// The front end's cache of static answers (issue 32.2), through the real front end: what it serves without a grain
/// call, that a change is seen by the very next request, that the journal and the project's rate limit stay exact,
/// and what it never caches. Each test has a process of its own, so the cache's hit count is its own.
/// </summary>
public sealed class AnswerCacheTests
{
    private static async Task<(ApiFactory Factory, HttpClient Owner, string Id, string Slug)> ProjectAsync(Dictionary<string, string>? settings = null)
    {
        var factory = new ApiFactory();
        foreach (var (key, value) in settings ?? [])
        {
            factory.Settings[key] = value;
        }
        var owner = await factory.CreateClient().AsNewUserAsync();
        var project = await owner.CreateProjectAsync();
        return (factory, owner, project.GetProperty("id").GetString()!, project.GetProperty("slug").GetString()!);
    }

    private static long Hits(ApiFactory factory) => factory.Services.GetRequiredService<AnswerCache>().Hits;

    [Fact]
    public async Task A_static_answer_is_served_from_the_cache_and_a_change_is_what_the_very_next_request_gets()
    {
        var (factory, owner, id, slug) = await ProjectAsync();
        await using var _ = factory;
        using var mock = factory.CreateClient();
        var endpoint = (await owner.CreateEndpointAsync(id, """{"method":"GET","path":"/price","response":{"body":{"v":0}}}""")).GetProperty("id").GetString();
        for (var i = 0; i < 20; i++)
        {
            Assert.Equal("""{"v":0}""", await mock.GetStringAsync($"/m/{slug}/price"));
        }
        Assert.True(Hits(factory) >= 15, $"only {Hits(factory)} of 20 requests were answered from the cache");

        // A tight write-then-read loop: every acknowledged change is what the next request sees.
        for (var v = 1; v <= 30; v++)
        {
            var put = await owner.PutAsync($"/api/v1/projects/{id}/endpoints/{endpoint}", Payload(JsonSerializer.Serialize(new { method = "GET", path = "/price", response = new { body = new { v } } })));
            Assert.Equal(HttpStatusCode.OK, put.StatusCode);
            Assert.Equal($$"""{"v":{{v}}}""", await mock.GetStringAsync($"/m/{slug}/price"));
            Assert.Equal($$"""{"v":{{v}}}""", await mock.GetStringAsync($"/m/{slug}/price"));
        }
        Assert.Equal(HttpStatusCode.NoContent, (await owner.DeleteAsync($"/api/v1/projects/{id}/endpoints/{endpoint}")).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await mock.GetAsync($"/m/{slug}/price")).StatusCode);
        // Renaming the slug: the old one answers nothing from the cache.
        await owner.CreateEndpointAsync(id, """{"method":"GET","path":"/price","response":{"body":"again"}}""");
        for (var i = 0; i < 3; i++)
        {
            Assert.Equal("\"again\"", await mock.GetStringAsync($"/m/{slug}/price"));
        }
        Assert.Equal(HttpStatusCode.OK, (await owner.PatchAsync($"/api/v1/projects/{id}", Payload(JsonSerializer.Serialize(new { slug = slug + "-renamed" })))).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await mock.GetAsync($"/m/{slug}/price")).StatusCode);
        Assert.Equal("\"again\"", await mock.GetStringAsync($"/m/{slug}-renamed/price"));
    }

    [Fact]
    public async Task Each_url_that_names_an_answer_is_cached_apart_and_a_change_reaches_every_one()
    {
        // The cache is found by the request's whole path and method: by slug, by id, on the project's own origin, and
        // per method on one path; each keeps what its form of URL gets (the sandbox policy only on the shared origin).
        var (factory, owner, id, slug) = await ProjectAsync(new() { ["OrleansMock:Mock:Domain"] = "mock.test" });
        await using var _ = factory;
        using var mock = factory.CreateClient();
        var get = (await owner.CreateEndpointAsync(id, """{"method":"GET","path":"/page","response":{"body":"get 0"}}""")).GetProperty("id").GetString();
        await owner.CreateEndpointAsync(id, """{"method":"POST","path":"/page","response":{"status":201,"body":"post"}}""");
        var other = await owner.CreateProjectAsync();
        var otherSlug = other.GetProperty("slug").GetString()!;
        await owner.CreateEndpointAsync(other.GetProperty("id").GetString()!, """{"method":"GET","path":"/page","response":{"body":"other"}}""");
        async Task<HttpResponseMessage> OwnOrigin()
        {
            var request = new HttpRequestMessage(HttpMethod.Get, "/page");
            request.Headers.Host = $"{slug}.mock.test";
            return await mock.SendAsync(request);
        }
        async Task Expect(string body)
        {
            foreach (var url in new[] { $"/m/{slug}/page", $"/m/{id}/page" })
            {
                var shared = await mock.GetAsync(url);
                Assert.Equal(body, await shared.Content.ReadAsStringAsync());
                Assert.Equal("sandbox", Assert.Single(shared.Headers.GetValues("Content-Security-Policy")));
            }
            var own = await OwnOrigin();
            Assert.Equal(body, await own.Content.ReadAsStringAsync());
            Assert.False(own.Headers.Contains("Content-Security-Policy"));
            var posted = await mock.PostAsync($"/m/{slug}/page", null);
            Assert.Equal(HttpStatusCode.Created, posted.StatusCode);
            Assert.Equal("\"post\"", await posted.Content.ReadAsStringAsync());
            Assert.Equal(HttpStatusCode.NotFound, (await mock.GetAsync($"/m/{slug}/pages")).StatusCode); // another path
            Assert.Equal("\"other\"", await mock.GetStringAsync($"/m/{otherSlug}/page")); // another project
        }
        for (var i = 0; i < 5; i++)
        {
            await Expect("\"get 0\"");
        }
        Assert.True(Hits(factory) >= 12, $"only {Hits(factory)} requests were answered from the cache");
        for (var v = 1; v <= 3; v++)
        {
            var put = await owner.PutAsync($"/api/v1/projects/{id}/endpoints/{get}", Payload(JsonSerializer.Serialize(new { method = "GET", path = "/page", response = new { body = $"get {v}" } })));
            Assert.Equal(HttpStatusCode.OK, put.StatusCode);
            await Expect($"\"get {v}\"");
            await Expect($"\"get {v}\"");
        }
    }

    [Fact]
    public async Task Requests_answered_from_the_cache_are_in_the_journal_at_once_and_a_private_or_templated_answer_is_never_cached()
    {
        var (factory, owner, id, slug) = await ProjectAsync();
        await using var _ = factory;
        using var mock = factory.CreateClient();
        await owner.CreateEndpointAsync(id, """{"method":"GET","path":"/static","response":{"body":"s"}}""");
        for (var i = 0; i < 10; i++)
        {
            await mock.GetStringAsync($"/m/{slug}/static?n={i}");
        }
        Assert.True(Hits(factory) > 0);
        // Read right after: the journal has every one, with its query, and WireMock's count agrees.
        var log = (await (await owner.GetAsync($"/api/v1/projects/{id}/requests")).ReadJsonAsync()).GetProperty("items");
        Assert.Equal(10, log.GetArrayLength());
        Assert.Equal(Enumerable.Range(0, 10).Select(i => $"n={i}").ToHashSet(), log.EnumerateArray().Select(e => e.GetProperty("query").GetString()!.TrimStart('?')).ToHashSet());
        var count = await (await owner.PostAsync($"/m/{slug}/__admin/requests/count", Payload("""{"method":"GET","urlPath":"/static"}"""))).ReadJsonAsync();
        Assert.Equal(10, count.GetProperty("count").GetInt32());
        Assert.Equal(HttpStatusCode.NoContent, (await owner.DeleteAsync($"/api/v1/projects/{id}/requests")).StatusCode);
        Assert.Equal(0, (await (await owner.GetAsync($"/api/v1/projects/{id}/requests")).ReadJsonAsync()).GetProperty("items").GetArrayLength());

        // A template reads the request: never cached. A private project's answers depend on the caller: never cached.
        await owner.CreateEndpointAsync(id, """{"method":"GET","path":"/hello","response":{"template":true,"body":"hi {{request.query.name}}"}}""");
        var before = Hits(factory);
        Assert.Equal("hi a", await mock.GetStringAsync($"/m/{slug}/hello?name=a"));
        Assert.Equal("hi b", await mock.GetStringAsync($"/m/{slug}/hello?name=b"));
        Assert.Equal("hi c", await mock.GetStringAsync($"/m/{slug}/hello?name=c"));
        Assert.Equal(before, Hits(factory));
        for (var i = 0; i < 5; i++)
        {
            await mock.GetStringAsync($"/m/{slug}/static");
        }
        Assert.Equal(HttpStatusCode.OK, (await owner.PatchAsync($"/api/v1/projects/{id}", Payload("""{"private":true}"""))).StatusCode);
        before = Hits(factory);
        Assert.Equal(HttpStatusCode.Unauthorized, (await mock.GetAsync($"/m/{slug}/static")).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await owner.GetAsync($"/m/{slug}/static")).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await owner.GetAsync($"/m/{slug}/static")).StatusCode);
        Assert.Equal(HttpStatusCode.Unauthorized, (await mock.GetAsync($"/m/{slug}/static")).StatusCode);
        Assert.Equal(before, Hits(factory));
    }

    [Fact]
    public async Task A_request_answered_from_the_cache_is_journaled_as_the_grain_journals_it_redacted_alike()
    {
        var (factory, owner, id, slug) = await ProjectAsync();
        await using var _ = factory;
        using var mock = factory.CreateClient();
        await owner.CreateEndpointAsync(id, """{"method":"POST","path":"/orders","response":{"status":201,"body":"ok"}}""");
        HttpRequestMessage Order()
        {
            var request = new HttpRequestMessage(HttpMethod.Post, $"/m/{slug}/orders?token=abc&n=1")
            {
                Content = new StringContent("""{"password":"hunter2","item":"tea"}""", System.Text.Encoding.UTF8, "application/json"),
            };
            request.Headers.Add("X-Secret", "s3");
            request.Headers.Add("X-Plain", "visible");
            return request;
        }
        var before = Hits(factory);
        for (var i = 0; i < 6; i++)
        {
            Assert.Equal(HttpStatusCode.Created, (await mock.SendAsync(Order())).StatusCode);
        }
        Assert.True(Hits(factory) > before, "no request was answered from the cache");

        var log = (await (await owner.GetAsync($"/api/v1/projects/{id}/requests")).ReadJsonAsync()).GetProperty("items").EnumerateArray().ToList();
        Assert.Equal(6, log.Count);
        // The first was answered by the grain, the later ones from the cache: the journal cannot tell them apart.
        static string Shape(System.Text.Json.JsonElement entry) => string.Join("\n", entry.GetProperty("method").GetString(), entry.GetProperty("path").GetString(),
            entry.GetProperty("query").GetString(), entry.GetProperty("bodyPreview").GetString(), entry.GetProperty("status").GetInt32(),
            string.Join(";", entry.GetProperty("headers").EnumerateObject().Select(h => $"{h.Name}={h.Value}").Order()));
        Assert.Single(log.Select(Shape).Distinct());
        var newest = log[0];
        Assert.Equal("?token=%5Bredacted%5D&n=1", newest.GetProperty("query").GetString());
        Assert.DoesNotContain("hunter2", newest.GetProperty("bodyPreview").GetString());
        Assert.Contains("tea", newest.GetProperty("bodyPreview").GetString());
        var headers = newest.GetProperty("headers");
        Assert.Equal("[redacted]", headers.GetProperty("X-Secret").GetString());
        Assert.Equal("visible", headers.GetProperty("X-Plain").GetString());
    }

    [Fact]
    public async Task Thousands_of_cached_answers_from_parallel_clients_each_land_in_the_journal_once_and_whole()
    {
        // Journal batches are pooled arrays filled in place, sent when full (512) and given back to the pool by the grain
        // once read: an array reused too early would lose entries, repeat them or mix one request's query with another's header.
        const int Clients = 8, PerClient = 200;
        var (factory, owner, id, slug) = await ProjectAsync(new()
        {
            ["OrleansMock:Limits:RequestLogSize"] = "5000",
            ["OrleansMock:RateLimits:MockPerClient:Limit"] = "100000",
        });
        await using var _ = factory;
        await owner.CreateEndpointAsync(id, """{"method":"GET","path":"/n","response":{"body":1}}""");
        var before = Hits(factory);
        await Task.WhenAll(Enumerable.Range(0, Clients).Select(async client =>
        {
            using var mock = factory.CreateClient();
            for (var i = 0; i < PerClient; i++)
            {
                var n = client * PerClient + i;
                using var request = new HttpRequestMessage(HttpMethod.Get, $"/m/{slug}/n?n={n}");
                request.Headers.Add("X-N", n.ToString());
                Assert.Equal(HttpStatusCode.OK, (await mock.SendAsync(request)).StatusCode);
            }
        }));
        Assert.True(Hits(factory) - before > Clients * PerClient / 2, $"only {Hits(factory) - before} answers came from the cache");

        var log = (await (await owner.GetAsync($"/api/v1/projects/{id}/requests?limit=5000")).ReadJsonAsync()).GetProperty("items").EnumerateArray().ToList();
        Assert.Equal(Clients * PerClient, log.Count);
        var seen = log.Select(entry =>
        {
            var n = entry.GetProperty("query").GetString()!.TrimStart('?')["n=".Length..];
            Assert.Equal(n, entry.GetProperty("headers").GetProperty("X-N").GetString()); // one request's query and header together
            Assert.Equal("/n", entry.GetProperty("path").GetString());
            Assert.Equal(200, entry.GetProperty("status").GetInt32());
            return int.Parse(n);
        }).Order().ToList();
        Assert.Equal(Enumerable.Range(0, Clients * PerClient), seen);
    }

    [Fact]
    public async Task The_projects_rate_limit_stays_exact_when_answers_come_from_the_cache()
    {
        var (factory, owner, id, slug) = await ProjectAsync(new()
        {
            ["OrleansMock:RateLimits:MockPerProject:Limit"] = "40",
            ["OrleansMock:RateLimits:MockPerProject:WindowSeconds"] = "3600",
            ["OrleansMock:RateLimits:MockPerClient:Limit"] = "100000",
        });
        await using var _ = factory;
        await owner.CreateEndpointAsync(id, """{"method":"GET","path":"/n","response":{"body":1}}""");
        var statuses = new List<HttpStatusCode>();
        using var mock = factory.CreateClient();
        for (var i = 0; i < 100; i++)
        {
            statuses.Add((await mock.GetAsync($"/m/{slug}/n")).StatusCode);
        }
        Assert.True(Hits(factory) > 0, "nothing was answered from the cache");
        Assert.Equal(40, statuses.Count(s => s == HttpStatusCode.OK));
        Assert.Equal(60, statuses.Count(s => s == HttpStatusCode.TooManyRequests));
    }
}
