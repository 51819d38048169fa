using System.Net;
using System.Text.Json;
using OrleansMock.Tests.Http;
using OrleansMock.Tests.Services;
using Xunit.Abstractions;
using static OrleansMock.Tests.Http.HttpHelpers;

namespace OrleansMock.Tests.Cluster;

/// <summary>
/// State shared across front ends in cluster mode (Redis membership, PostgreSQL storage, two silos, two front ends): a
/// test session's steps are exact whichever front end its requests come through, sessions spread over the silos and
/// their records survive the loss of a silo; a team member removed through one front end is refused at once through
/// the other.
/// </summary>
[Trait("Category", "Cluster")]
[Collection(ClusterProcesses.Name)]
public sealed class SharedStateClusterTests(ITestOutputHelper output) : ClusterProcessTest
{

    /// <summary>Two silos and two front ends in cluster mode; the clients of the front ends, signed in as one new user.</summary>
    private async Task<(ApiProcess[] Silos, HttpClient A, HttpClient B)> ClusterAsync()
    {
        var (redis, postgres) = await TestServices.RequireClusterServicesAsync();
        var settings = new Dictionary<string, string>(ClusterSettings.Create())
        {
            ["ConnectionStrings__Redis"] = redis,
            ["ConnectionStrings__Postgres"] = postgres,
        };
        var silos = new[] { Track(await ApiProcess.StartSiloAsync(settings)), Track(await ApiProcess.StartSiloAsync(settings)) };
        var frontEnds = new[]
        {
            Track(await ApiProcess.StartAsync(Path.GetTempPath(), new Dictionary<string, string>(settings) { ["OrleansMock__Mode"] = "Cluster" })),
            Track(await ApiProcess.StartAsync(Path.GetTempPath(), new Dictionary<string, string>(settings) { ["OrleansMock__Mode"] = "Cluster" })),
        };
        await Task.WhenAll(frontEnds.Select(f => ClusterTraffic.WaitReadyAsync(f.Address)));
        var a = new HttpClient { BaseAddress = frontEnds[0].Address, Timeout = TimeSpan.FromSeconds(30) };
        var b = new HttpClient { BaseAddress = frontEnds[1].Address, Timeout = TimeSpan.FromSeconds(30) };
        a.DefaultRequestHeaders.Authorization = new("Bearer", await a.RegisterAndLoginAsync());
        b.DefaultRequestHeaders.Authorization = a.DefaultRequestHeaders.Authorization;
        return (silos, a, b);
    }

    [SkippableFact]
    public async Task A_session_is_exact_across_front_ends_and_its_records_survive_a_silo_crash()
    {
        var (silos, a, b) = await ClusterAsync();
        using var _ = a;
        using var __ = b;
        var project = await a.CreateProjectAsync();
        var (id, slug) = (project.GetProperty("id").GetString()!, project.GetProperty("slug").GetString()!);
        await a.CreateEndpointAsync(slug, JsonSerializer.Serialize(new
        {
            method = "GET", path = "/step",
            responses = new object[]
            {
                new { body = "one", scenario = new { name = "flow", requiredState = "Started", newState = "Two" } },
                new { body = "two", scenario = new { name = "flow", requiredState = "Two", newState = "Three" } },
                new { body = "three", scenario = new { name = "flow", requiredState = "Three" } },
            },
        }));
        Assert.Equal(HttpStatusCode.Created, (await a.PostAsync($"/api/v1/projects/{id}/resources", Payload("""{"name":"items","seed":[]}"""))).StatusCode);

        // Twenty sessions, each stepping through the front ends in turn: A, B, A.
        var sessions = Enumerable.Range(0, 20).Select(i => $"job-{i}").ToArray();
        await Task.WhenAll(sessions.Select(async session =>
        {
            var steps = new List<string>();
            for (var step = 0; step < 3; step++)
            {
                steps.Add(await (step % 2 == 0 ? a : b).GetStringAsync($"/m/{slug}~{session}/step"));
            }
            Assert.Equal(["\"one\"", "\"two\"", "\"three\""], steps);
            var created = await b.PostAsync($"/m/{slug}~{session}/items", Payload(JsonSerializer.Serialize(new { name = session })));
            Assert.Equal(HttpStatusCode.Created, created.StatusCode);
        }));
        var activations = await Task.WhenAll(silos.Select(ClusterTraffic.ActivationsAsync));
        output.WriteLine($"activations per silo after 20 sessions: {string.Join(", ", activations)}");

        // A silo dies: every session's records are still there, through either front end, and nobody else's are.
        await silos[1].KillAsync();
        var deadline = DateTime.UtcNow.AddSeconds(60);
        foreach (var session in sessions)
        {
            while (true)
            {
                var response = await a.GetAsync($"/m/{slug}~{session}/items");
                if (response.StatusCode == HttpStatusCode.OK)
                {
                    var names = (await response.ReadJsonAsync()).EnumerateArray().Select(e => e.GetProperty("name").GetString()!).ToArray();
                    Assert.Equal([session], names);
                    break;
                }
                Assert.True(DateTime.UtcNow < deadline, $"{session}: {(int)response.StatusCode} {await response.Content.ReadAsStringAsync()}");
                await Task.Delay(500);
            }
        }
        Assert.Equal("[]", await b.GetStringAsync($"/m/{slug}/items"));
        var listed = await (await b.GetAsync($"/api/v1/projects/{id}/sessions")).ReadJsonAsync();
        Assert.Equal(sessions.Length, listed.GetProperty("items").GetArrayLength());
    }

    [SkippableFact]
    public async Task A_removed_team_member_is_refused_at_once_through_the_other_front_end()
    {
        var (_, a, b) = await ClusterAsync();
        using var owner = a;
        using var __ = b;
        // The member signs in through front end B.
        var email = UniqueEmail();
        using var member = new HttpClient { BaseAddress = b.BaseAddress, Timeout = TimeSpan.FromSeconds(30) };
        member.DefaultRequestHeaders.Authorization = new("Bearer", await member.RegisterAndLoginAsync(email));
        var teamId = (await (await owner.PostAsync("/api/v1/teams", Payload("""{"name":"Cluster"}"""))).ReadJsonAsync()).GetProperty("id").GetString()!;
        var token = (await (await owner.PostAsync($"/api/v1/teams/{teamId}/invitations", Payload(JsonSerializer.Serialize(new { email, role = "editor" })))).ReadJsonAsync())
            .GetProperty("token").GetString()!;
        Assert.Equal(HttpStatusCode.OK, (await member.PostAsync($"/api/v1/invitations/{token}/accept", null)).StatusCode);
        var projectId = (await (await owner.PostAsync("/api/v1/projects", Payload(JsonSerializer.Serialize(new { name = "Shared", teamId })))).ReadJsonAsync()).GetProperty("id").GetString()!;
        Assert.Equal(HttpStatusCode.Created, (await member.PostAsync($"/api/v1/projects/{projectId}/endpoints", Payload("""{"method":"GET","path":"/a","response":{}}"""))).StatusCode);
        var memberId = (await (await owner.GetAsync($"/api/v1/teams/{teamId}/members")).ReadJsonAsync()).GetProperty("items").EnumerateArray()
            .Single(m => m.GetProperty("role").GetString() == "editor").GetProperty("userId").GetString();

        // Lowered through A: the very next change through B is refused; removed through A: the next read through B is a 404.
        Assert.Equal(HttpStatusCode.OK, (await owner.PatchAsync($"/api/v1/teams/{teamId}/members/{memberId}", Payload("""{"role":"viewer"}"""))).StatusCode);
        Assert.Equal(HttpStatusCode.Forbidden, (await member.PostAsync($"/api/v1/projects/{projectId}/endpoints", Payload("""{"method":"GET","path":"/b","response":{}}"""))).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await member.GetAsync($"/api/v1/projects/{projectId}/endpoints")).StatusCode);
        Assert.Equal(HttpStatusCode.NoContent, (await owner.DeleteAsync($"/api/v1/teams/{teamId}/members/{memberId}")).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await member.GetAsync($"/api/v1/projects/{projectId}/endpoints")).StatusCode);
    }

    [SkippableFact]
    public async Task A_change_through_one_front_end_is_what_the_next_request_through_the_other_gets_though_it_caches_answers()
    {
        var (_, a, b) = await ClusterAsync();
        using var owner = a;
        using var other = b;
        var project = await owner.CreateProjectAsync();
        var (id, slug) = (project.GetProperty("id").GetString()!, project.GetProperty("slug").GetString()!);
        var endpoint = (await owner.CreateEndpointAsync(id, """{"method":"GET","path":"/v","response":{"body":0}}""")).GetProperty("id").GetString();
        for (var i = 0; i < 20; i++)
        {
            Assert.Equal("0", await other.GetStringAsync($"/m/{slug}/v"));
        }
        var hits = await CacheHitsAsync(other);
        output.WriteLine($"front end B answered {hits} of 20 requests from its cache");
        Assert.True(hits >= 10, $"front end B answered only {hits} of 20 requests from its cache");

        // A tight write-then-read loop: changed through A, read through B (from its cache between changes) and A.
        for (var v = 1; v <= 40; v++)
        {
            Assert.Equal(HttpStatusCode.OK, (await owner.PutAsync($"/api/v1/projects/{id}/endpoints/{endpoint}",
                Payload(JsonSerializer.Serialize(new { method = "GET", path = "/v", response = new { body = v } })))).StatusCode);
            Assert.Equal($"{v}", await other.GetStringAsync($"/m/{slug}/v"));
            Assert.Equal($"{v}", await other.GetStringAsync($"/m/{slug}/v"));
            Assert.Equal($"{v}", await owner.GetStringAsync($"/m/{slug}/v"));
        }
        Assert.True(await CacheHitsAsync(other) > hits + 20, "front end B stopped answering from its cache");
        // The journal has every request either front end answered, read at once.
        var log = await (await owner.GetAsync($"/api/v1/projects/{id}/requests?limit=500")).ReadJsonAsync();
        Assert.Equal(20 + 40 * 3, log.GetProperty("items").GetArrayLength());
    }

    private static async Task<double> CacheHitsAsync(HttpClient frontEnd)
    {
        using var client = new HttpClient { BaseAddress = frontEnd.BaseAddress };
        var text = await client.GetStringAsync("/metrics");
        return text.Split('\n')
            .Where(line => line.StartsWith("orleansmock_answer_cache_hits", StringComparison.Ordinal))
            .Select(line => double.Parse(line[(line.LastIndexOf(' ') + 1)..], System.Globalization.CultureInfo.InvariantCulture))
            .Sum();
    }
}
