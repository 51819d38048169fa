using System.Collections.Concurrent;
using System.Diagnostics;
using System.Net;
using OrleansMock.Tests.Http;
using OrleansMock.Tests.Services;
using Xunit.Abstractions;
using static OrleansMock.Tests.Http.HttpHelpers;

namespace OrleansMock.Tests.Cluster;

/// <summary>
/// Cluster mode for real: Redis membership, PostgreSQL storage, three silo processes and one front end on loopback,
/// under traffic, through a silo crash (kill -9), a scale-out and a graceful stop.
/// </summary>
[Trait("Category", "Cluster")]
[Collection(ClusterProcesses.Name)]
public sealed class MultiProcessClusterTests(ITestOutputHelper output) : ClusterProcessTest
{
    private readonly Dictionary<string, string> _settings = new(ClusterSettings.Create())
    {
        // The traffic adds endpoints for the whole run: a fast run reaches the default 500 per project (a correct 422).
        ["OrleansMock__Limits__MaxEndpointsPerProject"] = "100000",
        ["DOTNET_TieredPGO"] = "0",
    };

    private readonly ClusterTraffic _traffic = new();

    [SkippableFact]
    public async Task Survives_a_silo_crash_scales_out_and_stops_a_silo_gracefully()
    {
        (_settings["ConnectionStrings__Redis"], _settings["ConnectionStrings__Postgres"]) = await TestServices.RequireClusterServicesAsync();
        var silos = new List<ApiProcess>();
        for (var i = 0; i < 3; i++)
        {
            silos.Add(Track(await ApiProcess.StartSiloAsync(_settings)));
        }
        // Two front ends; once both are ready, the first management request through each must succeed at once (issue 20,
        // item 5: a cold cluster once answered the first one with a 503 after Orleans' 5 s call timeout).
        var frontEnds = new[]
        {
            Track(await ApiProcess.StartAsync(Path.GetTempPath(), new Dictionary<string, string>(_settings) { ["OrleansMock__Mode"] = "Cluster" })),
            Track(await ApiProcess.StartAsync(Path.GetTempPath(), new Dictionary<string, string>(_settings) { ["OrleansMock__Mode"] = "Cluster" })),
        };
        await Task.WhenAll(frontEnds.Select(f => ClusterTraffic.WaitReadyAsync(f.Address)));
        var firstCalls = await Task.WhenAll(frontEnds.Select(async frontEnd =>
        {
            using var first = new HttpClient { BaseAddress = frontEnd.Address, Timeout = TimeSpan.FromSeconds(30) };
            var started = Stopwatch.StartNew();
            var response = await first.PostAsync("/api/v1/auth/register",
                Payload($"{{\"email\":\"{UniqueEmail()}\",\"password\":\"{Password}\"}}"));
            return (response.StatusCode, started.Elapsed);
        }));
        foreach (var (status, elapsed) in firstCalls)
        {
            output.WriteLine($"first management request after ready: {(int)status} in {elapsed.TotalMilliseconds:0} ms");
            Assert.Equal(HttpStatusCode.Created, status);
            Assert.True(elapsed < TimeSpan.FromSeconds(4), $"the first management request took {elapsed}");
        }
        var api = frontEnds[0];
        using var client = new HttpClient { BaseAddress = api.Address, Timeout = TimeSpan.FromSeconds(30) };
        var readiness = await (await client.GetAsync("/readyz")).ReadJsonAsync();
        var checks = readiness.GetProperty("checks").EnumerateArray().ToDictionary(c => c.GetProperty("name").GetString()!, c => c.GetProperty("status").GetString());
        Assert.Equal("Healthy", checks["redis"]);
        Assert.Equal("Healthy", checks["cluster"]);
        Assert.Equal("Healthy", checks["storage"]);
        client.DefaultRequestHeaders.Authorization = new("Bearer", await client.RegisterAndLoginAsync());

        var projects = await _traffic.ProjectsAsync(client, 12);

        // Mixed traffic (a write in five) through both front ends.
        using var second = new HttpClient { BaseAddress = frontEnds[1].Address, Timeout = TimeSpan.FromSeconds(30) };
        second.DefaultRequestHeaders.Authorization = client.DefaultRequestHeaders.Authorization;
        using var stop = new CancellationTokenSource();
        var traffic = _traffic.Start(client, projects, workers: 2, writeEvery: 5, stop.Token, "a").Concat(_traffic.Start(second, projects, workers: 2, writeEvery: 5, stop.Token, "b")).ToArray();
        await Task.Delay(TimeSpan.FromSeconds(4));

        // 1. A silo crashes.
        var killedAt = _traffic.Elapsed;
        await silos[1].KillAsync();
        await Task.Delay(TimeSpan.FromSeconds(12));
        var crashFailures = _traffic.Failures.Where(f => f.At >= killedAt).ToArray();

        // 2. A fourth silo joins; new activations land on it.
        var fourth = Track(await ApiProcess.StartSiloAsync(_settings));
        await Task.Delay(TimeSpan.FromSeconds(3));
        var before = await ClusterTraffic.ActivationsAsync(fourth);
        for (var i = 0; i < 12; i++)
        {
            var id = (await client.CreateProjectAsync()).GetProperty("id").GetString()!;
            await client.CreateEndpointAsync(id, "{\"method\":\"GET\",\"path\":\"/new\",\"response\":{}}");
        }
        var after = await ClusterTraffic.ActivationsAsync(fourth);

        // 3. A silo stops gracefully (SIGTERM) under traffic, five times: each time a new silo joins and the oldest
        //    running one is stopped, so the cluster keeps three silos.
        var running = new List<ApiProcess> { silos[0], silos[2], fourth };
        var stops = new List<(TimeSpan From, TimeSpan To)>();
        for (var round = 0; round < 5; round++)
        {
            if (round > 0)
            {
                running.Add(Track(await ApiProcess.StartSiloAsync(_settings)));
                await Task.Delay(TimeSpan.FromSeconds(2));
            }
            var stoppingAt = _traffic.Elapsed;
            await running[0].StopAsync();
            running.RemoveAt(0);
            await Task.Delay(TimeSpan.FromSeconds(4));
            stops.Add((stoppingAt, _traffic.Elapsed));
        }

        stop.Cancel();
        await Task.WhenAll(traffic);

        var recovery = crashFailures.Length == 0 ? TimeSpan.Zero : crashFailures.Max(f => f.At) - killedAt;
        output.WriteLine($"requests: {_traffic.Requests}; failures after kill -9: {crashFailures.Length} " +
            $"({string.Join(", ", crashFailures.GroupBy(f => f.Status).Select(g => $"{g.Count()} x {g.Key}"))}); " +
            $"every request succeeded again {recovery.TotalSeconds:F1} s after the kill");
        var slowAfterKill = _traffic.Slow.Where(s => s.At >= killedAt - TimeSpan.FromSeconds(1) && s.At < killedAt + TimeSpan.FromSeconds(12)).ToArray();
        output.WriteLine($"requests slower than 1 s around the kill: {slowAfterKill.Length}, the slowest {(slowAfterKill.Length == 0 ? 0 : slowAfterKill.Max(s => s.Took.TotalSeconds)):F1} s; " +
            $"slower than 1 s in the whole run: {_traffic.Slow.Count}");
        output.WriteLine($"kill at {killedAt.TotalSeconds:F1} s; graceful stops at {string.Join(", ", stops.Select(s => $"{s.From.TotalSeconds:F1}"))} s; " +
            $"slow requests (start, took): {string.Join(", ", _traffic.Slow.Select(s => $"{s.At.TotalSeconds:F1}+{s.Took.TotalSeconds:F1}"))}");
        output.WriteLine($"fourth silo activations: {before} before the new projects, {after} after");
        // Why a change waited for front ends' cached answers (a holder that did not answer, leases of a lost activation).
        foreach (var lines in running.Concat(silos).Distinct().Select(s => s.Output.Split('\n')))
        {
            foreach (var at in Enumerable.Range(0, lines.Length).Where(i => lines[i].Contains("cached answers", StringComparison.Ordinal)).Take(6))
            {
                output.WriteLine($"silo: {string.Join(" | ", lines.Skip(at).Take(3))}");
            }
        }
        var gracefulFailures = _traffic.Failures.Where(f => stops.Any(s => f.At >= s.From && f.At <= s.To)).ToArray();
        output.WriteLine($"failures during the {stops.Count} graceful stops: {gracefulFailures.Length}");
        if (!_traffic.Failures.IsEmpty)
        {
            // What the front end logged about them (the exception behind each 503), for whoever reads a failed run.
            foreach (var line in api.Output.Split('\n').Where(l => l.Contains("fail", StringComparison.OrdinalIgnoreCase) || l.Contains("Exception", StringComparison.Ordinal) || l.Contains("warn", StringComparison.Ordinal)).Take(400))
            {
                output.WriteLine($"api: {line}");
            }
        }

        // Issue 32.7: no request fails, through the crash (the front end retries reads, and writes that are idempotent or
        // never delivered, until the cluster has voted the dead silo out) or the graceful stops.
        Assert.Empty(_traffic.Failures.Select(f => $"{f.What} failed with {f.Status} at {f.At}"));
        Assert.True(after > before, $"no new activations on the fourth silo ({before} -> {after})");
        Assert.Empty(gracefulFailures);

        // 4. Every acknowledged write is still there.
        await _traffic.AssertAcknowledgedAsync(client);
    }
}
