using System.Collections.Concurrent;
using System.Diagnostics;
using System.Net;
using OrleansMock.Tests.Http;
using static OrleansMock.Tests.Http.HttpHelpers;

namespace OrleansMock.Tests.Cluster;

/// <summary>A test that starts cluster processes: each is stopped when the test ends, however it ends.</summary>
public abstract class ClusterProcessTest : IAsyncLifetime
{
    private readonly List<ApiProcess> _processes = [];

    public Task InitializeAsync() => Task.CompletedTask;

    /// <summary>Keeps <paramref name="process"/> to stop at the end; answers it.</summary>
    protected ApiProcess Track(ApiProcess process)
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

/// <summary>The settings every process of a test cluster shares: PostgreSQL storage, loopback addresses, a fresh cluster id and signing key, no rate limits.</summary>
public static class ClusterSettings
{
    public static Dictionary<string, string> Create() => new()
    {
        ["OrleansMock__Storage__Provider"] = "Postgres",
        ["OrleansMock__Silo__AdvertisedAddress"] = "127.0.0.1",
        // A fresh cluster id per run: a crashed earlier run's membership rows can never stall this one.
        ["OrleansMock__Cluster__ClusterId"] = "test-" + Guid.NewGuid().ToString("N")[..12],
        ["OrleansMock__Auth__SigningKey"] = Convert.ToBase64String(System.Security.Cryptography.RandomNumberGenerator.GetBytes(48)),
        ["OrleansMock__RateLimits__MockPerClient__Limit"] = "0",
        ["OrleansMock__RateLimits__Management__Limit"] = "0",
    };
}

/// <summary>
/// Traffic against a cluster's front end for the multi-process tests: mock reads and endpoint writes across projects,
/// recording every failure (when, what, status; 0 for no answer) and every acknowledged write.
/// </summary>
public sealed class ClusterTraffic
{
    private readonly Stopwatch _clock = Stopwatch.StartNew();
    private long _requests;

    public ConcurrentQueue<(TimeSpan At, string What, int Status)> Failures { get; } = new();

    /// <summary>Requests that took longer than a second (a failover's retries wait for the cluster), when they started.</summary>
    public ConcurrentQueue<(TimeSpan At, TimeSpan Took)> Slow { get; } = new();

    /// <summary>Per project id, the endpoint paths whose creation was acknowledged (201).</summary>
    public ConcurrentDictionary<string, ConcurrentBag<string>> Acknowledged { get; } = new();

    public TimeSpan Elapsed => _clock.Elapsed;

    public long Requests => Interlocked.Read(ref _requests);

    /// <summary>Creates <paramref name="count"/> projects with a /ping endpoint each.</summary>
    public async Task<List<(string Id, string Slug)>> ProjectsAsync(HttpClient client, int count)
    {
        var projects = new List<(string Id, string Slug)>();
        for (var i = 0; i < count; i++)
        {
            var project = await client.CreateProjectAsync();
            var id = project.GetProperty("id").GetString()!;
            await client.CreateEndpointAsync(id, "{\"method\":\"GET\",\"path\":\"/ping\",\"response\":{\"body\":\"pong\"}}");
            projects.Add((id, project.GetProperty("slug").GetString()!));
            Acknowledged[id] = new ConcurrentBag<string>(["/ping"]);
        }
        return projects;
    }

    /// <summary>
    /// <paramref name="workers"/> loops until <paramref name="stop"/>; every <paramref name="writeEvery"/>th request is a
    /// write (an endpoint whose path starts with <paramref name="name"/>: traffic through several clients needs a name each).
    /// </summary>
    public Task[] Start(HttpClient client, List<(string Id, string Slug)> projects, int workers, int writeEvery, CancellationToken stop, string name = "w") =>
        Enumerable.Range(0, workers).Select(worker => Task.Run(() => RunAsync(client, projects, $"{name}{worker}", worker, writeEvery, stop))).ToArray();

    /// <summary>Every acknowledged write is stored.</summary>
    public async Task AssertAcknowledgedAsync(HttpClient client)
    {
        foreach (var (id, paths) in Acknowledged)
        {
            var endpoints = await (await client.GetAsync($"/api/v1/projects/{id}/endpoints")).ReadJsonAsync();
            var stored = endpoints.GetProperty("items").EnumerateArray().Select(e => e.GetProperty("path").GetString()).ToHashSet();
            Assert.All(paths, path => Assert.Contains(path, stored));
        }
    }

    private async Task RunAsync(HttpClient client, List<(string Id, string Slug)> projects, string name, int worker, int writeEvery, CancellationToken stop)
    {
        var n = 0;
        while (!stop.IsCancellationRequested)
        {
            var (id, slug) = projects[(worker + n) % projects.Count];
            var write = n++ % writeEvery == 0;
            var path = $"/{name}-{n}";
            var started = _clock.Elapsed;
            try
            {
                using var response = write
                    ? await client.PostAsync($"/api/v1/projects/{id}/endpoints", Payload($"{{\"method\":\"GET\",\"path\":\"{path}\",\"response\":{{}}}}"))
                    : await client.GetAsync($"/m/{slug}/ping");
                Interlocked.Increment(ref _requests);
                if (_clock.Elapsed - started is { TotalSeconds: > 1 } took)
                {
                    Slow.Enqueue((started, took));
                }
                if (write && response.StatusCode == HttpStatusCode.Created)
                {
                    Acknowledged[id].Add(path);
                }
                else if (!response.IsSuccessStatusCode)
                {
                    Failures.Enqueue((_clock.Elapsed, write ? "write" : "mock read", (int)response.StatusCode));
                }
            }
            catch (Exception exception) when (exception is HttpRequestException or TaskCanceledException && !stop.IsCancellationRequested)
            {
                Failures.Enqueue((_clock.Elapsed, write ? "write" : "mock read", 0));
            }
        }
    }

    /// <summary>Waits until a front end answers /readyz 200 (it has reached a gateway and storage answers).</summary>
    public static async Task WaitReadyAsync(Uri address)
    {
        using var client = new HttpClient { BaseAddress = address };
        for (var i = 0; i < 120; i++)
        {
            if ((await client.GetAsync("/readyz")).IsSuccessStatusCode)
            {
                return;
            }
            await Task.Delay(500);
        }
        throw new TimeoutException("the front end never became ready");
    }

    /// <summary>The grain activations a silo reports in its metrics.</summary>
    public static async Task<double> ActivationsAsync(ApiProcess silo)
    {
        using var client = new HttpClient { BaseAddress = silo.Address };
        var text = await client.GetStringAsync("/metrics");
        return text.Split('\n')
            .Where(line => line.StartsWith("orleans_catalog_activations", StringComparison.Ordinal) && !line.StartsWith("orleans_catalog_activations_", StringComparison.Ordinal))
            .Select(line => double.Parse(line[(line.LastIndexOf(' ') + 1)..], System.Globalization.CultureInfo.InvariantCulture))
            .Sum();
    }
}

/// <summary>
/// The multi-process cluster tests run one after the other and alone, after every other collection: each starts
/// several silos with one-second failure detection, and two such clusters (or one beside the rest of the suite's
/// processes: Node clients, other front ends) on two cores at once can starve a silo into being voted out.
/// </summary>
[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class ClusterProcesses
{
    public const string Name = "cluster processes";
}
