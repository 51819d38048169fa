using System.Security.Cryptography;
using OrleansMock.Tests.Http;
using OrleansMock.Tests.Services;
using Xunit.Abstractions;

namespace OrleansMock.Tests.Cluster;

/// <summary>
/// A silo cut off from the cluster without dying: it runs in its own network namespace, joined to the host by a veth
/// link that the test takes down under traffic. The cut-off silo is voted out, its grains reactivate on the others, no
/// acknowledged write is lost, and when the link comes back the stale silo neither rejoins nor overwrites newer state.
/// </summary>
[Trait("Category", "Cluster")]
[Collection(ClusterProcesses.Name)]
public sealed class NetworkPartitionTests(ITestOutputHelper output) : IAsyncLifetime
{
    private readonly List<IAsyncDisposable> _resources = [];
    private readonly ClusterTraffic _traffic = new();

    public Task InitializeAsync() => Task.CompletedTask;

    [SkippableFact]
    public async Task A_silo_cut_off_by_the_network_leaves_the_cluster_and_no_acknowledged_write_is_lost()
    {
        var (redis, postgres) = await TestServices.RequireClusterServicesAsync();
        var (network, reason) = await NetworkNamespace.TryCreateAsync();
        if (network is null)
        {
            Console.WriteLine($"*** skipped: the network partition test needs a network namespace: {reason}");
        }
        Skip.If(network is null, $"the network partition test needs a network namespace: {reason}");
        _resources.Add(network);
        // The namespace reaches Redis and PostgreSQL (listening on loopback) through forwarders on the link's host side.
        var redisPort = int.Parse(redis[(redis.LastIndexOf(':') + 1)..]);
        var postgresPort = int.Parse(postgres.Split(';').First(p => p.StartsWith("Port=")).Split('=')[1]);
        var redisForwarder = Track(new TcpForwarder(network.HostAddress, redisPort));
        var postgresForwarder = Track(new TcpForwarder(network.HostAddress, postgresPort));

        var common = new Dictionary<string, string>
        {
            ["OrleansMock__Storage__Provider"] = "Postgres",
            ["OrleansMock__Cluster__ClusterId"] = "partition-" + Guid.NewGuid().ToString("N")[..12],
            ["OrleansMock__Auth__SigningKey"] = Convert.ToBase64String(RandomNumberGenerator.GetBytes(48)),
            ["OrleansMock__RateLimits__MockPerClient__Limit"] = "0",
            ["OrleansMock__RateLimits__Management__Limit"] = "0",
            ["OrleansMock__Limits__MaxEndpointsPerProject"] = "100000",
            ["DOTNET_TieredPGO"] = "0",
        };
        // Silos on the host advertise the link's host address, so the namespaced silo can reach them; it advertises its own.
        var onHost = new Dictionary<string, string>(common)
        {
            ["ConnectionStrings__Redis"] = redis,
            ["ConnectionStrings__Postgres"] = postgres,
            ["OrleansMock__Silo__AdvertisedAddress"] = network.HostAddress.ToString(),
        };
        var inside = new Dictionary<string, string>(common)
        {
            ["ConnectionStrings__Redis"] = $"{network.HostAddress}:{redisForwarder.Port}",
            ["ConnectionStrings__Postgres"] = postgres.Replace("Host=127.0.0.1", $"Host={network.HostAddress}").Replace($"Port={postgresPort}", $"Port={postgresForwarder.Port}"),
            ["OrleansMock__Silo__AdvertisedAddress"] = network.NamespaceAddress.ToString(),
        };
        var first = Track(await ApiProcess.StartSiloAsync(onHost));
        var second = Track(await ApiProcess.StartSiloAsync(onHost));
        var isolated = Track(await ApiProcess.StartSiloAsync(inside, network.Name, $"http://{network.NamespaceAddress}:{ApiFactory.FreePort()}"));
        var api = Track(await ApiProcess.StartAsync(Path.GetTempPath(), new Dictionary<string, string>(onHost) { ["OrleansMock__Mode"] = "Cluster" }));
        await ClusterTraffic.WaitReadyAsync(api.Address);
        using var client = new HttpClient { BaseAddress = api.Address, Timeout = TimeSpan.FromSeconds(30) };
        client.DefaultRequestHeaders.Authorization = new("Bearer", await client.RegisterAndLoginAsync());

        var projects = await _traffic.ProjectsAsync(client, 16);
        var onIsolated = await ClusterTraffic.ActivationsAsync(isolated);
        output.WriteLine($"activations on the silo to be cut off: {onIsolated}");
        Assert.True(onIsolated > 0, "the namespaced silo hosts no grains: the partition would test nothing");

        using var stop = new CancellationTokenSource();
        var traffic = _traffic.Start(client, projects, workers: 4, writeEvery: 3, stop.Token);
        await Task.Delay(TimeSpan.FromSeconds(3));

        var cutAt = _traffic.Elapsed;
        await network.DisconnectAsync();
        await Task.Delay(TimeSpan.FromSeconds(20));
        var settledAt = _traffic.Elapsed;
        await Task.Delay(TimeSpan.FromSeconds(5));
        var healedAt = _traffic.Elapsed;

        // The link comes back: the cut-off silo finds itself declared dead and stops; it does not rejoin.
        await network.ReconnectAsync();
        var deadline = DateTime.UtcNow.AddSeconds(30);
        while (!isolated.HasExited && DateTime.UtcNow < deadline)
        {
            await Task.Delay(500);
        }
        await Task.Delay(TimeSpan.FromSeconds(2));
        stop.Cancel();
        await Task.WhenAll(traffic);

        var during = _traffic.Failures.Where(f => f.At >= cutAt && f.At < settledAt).ToArray();
        var afterwards = _traffic.Failures.Where(f => f.At >= settledAt && f.At < healedAt).ToArray();
        output.WriteLine($"failures while the cluster noticed the cut: {during.Length} ({string.Join(", ", during.GroupBy(f => f.Status).Select(g => $"{g.Count()} x {g.Key}"))}); " +
            $"once it had: {afterwards.Length}; after the link came back: {_traffic.Failures.Count(f => f.At >= healedAt)}");
        output.WriteLine($"cut-off silo exited after the link came back: {isolated.HasExited}");
        Assert.All(_traffic.Failures, f => Assert.True(f.Status == 503, $"{f.What} failed with {f.Status} at {f.At}: only 503s are acceptable"));
        Assert.Empty(afterwards);
        Assert.True(isolated.HasExited, "the cut-off silo should have found itself declared dead and stopped");

        // Every acknowledged write is there: nothing the stale silo held in memory overwrote newer state.
        await _traffic.AssertAcknowledgedAsync(client);
        Assert.False(first.HasExited || second.HasExited, "a silo on the host side stopped");
    }

    private T Track<T>(T resource) where T : IAsyncDisposable
    {
        _resources.Add(resource);
        return resource;
    }

    public async Task DisposeAsync()
    {
        for (var i = _resources.Count - 1; i >= 0; i--)
        {
            await _resources[i].DisposeAsync();
        }
    }
}
