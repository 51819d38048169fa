using System.Net;
using System.Security.Cryptography;
using System.Text.Json;
using OrleansMock.Tests.Http;
using OrleansMock.Tests.Services;
using Xunit.Abstractions;
using static OrleansMock.Tests.Http.HttpHelpers;

namespace OrleansMock.Tests.Cluster;

/// <summary>
/// Test sessions in cluster mode (Redis membership, PostgreSQL storage, two silos, two front ends): a session's steps are
/// exact whichever front end its requests come through, sessions spread over the silos, and a session's records survive
/// the loss of a silo.
/// </summary>
[Trait("Category", "Cluster")]
[Collection(ClusterProcesses.Name)]
public sealed class SessionClusterTests(ITestOutputHelper output) : IAsyncLifetime
{
    private readonly List<ApiProcess> _processes = [];

    public Task InitializeAsync() => Task.CompletedTask;

    [SkippableFact]
    public async Task A_session_is_exact_across_front_ends_and_its_records_survive_a_silo_crash()
    {
        var (redis, postgres) = await TestServices.RequireClusterServicesAsync();
        var settings = new Dictionary<string, string>
        {
            ["OrleansMock__Storage__Provider"] = "Postgres",
            ["OrleansMock__Silo__AdvertisedAddress"] = "127.0.0.1",
            ["OrleansMock__Cluster__ClusterId"] = "test-" + Guid.NewGuid().ToString("N")[..12],
            ["OrleansMock__Auth__SigningKey"] = Convert.ToBase64String(RandomNumberGenerator.GetBytes(48)),
            ["OrleansMock__RateLimits__MockPerClient__Limit"] = "0",
            ["OrleansMock__RateLimits__Management__Limit"] = "0",
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
        using var a = new HttpClient { BaseAddress = frontEnds[0].Address, Timeout = TimeSpan.FromSeconds(30) };
        using var b = new HttpClient { BaseAddress = frontEnds[1].Address, Timeout = TimeSpan.FromSeconds(30) };
        a.DefaultRequestHeaders.Authorization = new("Bearer", await a.RegisterAndLoginAsync());
        b.DefaultRequestHeaders.Authorization = a.DefaultRequestHeaders.Authorization;

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

    private ApiProcess Track(ApiProcess process)
    {
        _processes.Add(process);
        return process;
    }

    public async Task DisposeAsync()
    {
        foreach (var process in _processes)
        {
            await process.DisposeAsync();
        }
    }
}
