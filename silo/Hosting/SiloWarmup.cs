using System.Diagnostics;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using Microsoft.Extensions.Logging;
using Orleans.Runtime;
using Orleans.Storage;
using OrleansMock.Grains;
using OrleansMock.Grains.Projects;
using OrleansMock.Grains.RateLimiting;
using OrleansMock.Grains.Storage;
using OrleansMock.Grains.Tester;
using OrleansMock.Grains.Users;

namespace OrleansMock.Silo.Hosting;

/// <summary>
/// Warms what the first real requests need before the silo joins the cluster: the storage connection, a read of every
/// kind of grain state through its storage provider, the state serializer, the record store. A cold silo on a busy
/// 2-core host otherwise spends the first call's 5 s timeout opening connections and compiling code, so the first
/// management request after the cluster reported ready could fail. Runs just before the silo becomes active (no
/// activation can reach it earlier) and is a readiness check of its own.
/// </summary>
public sealed partial class SiloWarmup(IServiceProvider services, ILocalSiloDetails silo, ILogger<SiloWarmup> logger)
    : ILifecycleParticipant<ISiloLifecycle>, IHealthCheck
{
    private static readonly TimeSpan StepTimeout = TimeSpan.FromSeconds(20);
    private volatile string? _done;

    public void Participate(ISiloLifecycle lifecycle) =>
        lifecycle.Subscribe(nameof(SiloWarmup), ServiceLifecycleStage.BecomeActive - 1, WarmAsync);

    public Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default) =>
        Task.FromResult(_done is { } done ? HealthCheckResult.Healthy(done) : HealthCheckResult.Unhealthy("the silo is warming up"));

    private async Task WarmAsync(CancellationToken cancellation)
    {
        var started = Stopwatch.GetTimestamp();
        var failures = new List<string>();
        await StepAsync("storage", () => services.GetRequiredService<IStorageHealth>().CheckAsync(cancellation), failures);
        await StepAsync("user state", () => ReadAsync<UserState>(StorageNames.Main, "user"), failures);
        await StepAsync("unique key state", () => ReadAsync<UniqueKeyState>(StorageNames.Main, "uniquekey"), failures);
        await StepAsync("catalog state", () => ReadAsync<CatalogState>(StorageNames.Main, "catalog"), failures);
        await StepAsync("project state", () => ReadAsync<ProjectState>(StorageNames.Main, "project"), failures);
        await StepAsync("workspace state", () => ReadAsync<WorkspaceState>(StorageNames.Main, "workspace"), failures);
        await StepAsync("rate-limit state", () => ReadAsync<RateLimitShardState>(StorageNames.RateLimits, "ratelimitshard"), failures);
        await StepAsync("records", () => services.GetRequiredService<IRecordStore>()
            .ListAsync(RecordCollection.Resources, "warmup", silo.SiloAddress.ToParsableString(), new RecordQuery(1, false, null, null)), failures);
        var elapsed = Stopwatch.GetElapsedTime(started);
        // A failed step does not hold the silo back: the storage readiness check reports a storage that does not answer.
        _done = failures.Count == 0 ? $"warmed in {elapsed.TotalMilliseconds:0} ms" : $"warmed in {elapsed.TotalMilliseconds:0} ms; failed: {string.Join(", ", failures)}";
        LogWarmed(logger, elapsed.TotalMilliseconds, failures.Count);
    }

    private async Task ReadAsync<T>(string storageName, string stateName) where T : new()
    {
        var storage = services.GetRequiredKeyedService<IGrainStorage>(storageName);
        var state = new GrainState<T>(new T());
        await storage.ReadStateAsync(stateName, GrainId.Create("warmup", silo.SiloAddress.ToParsableString()), state);
        var serializer = services.GetRequiredService<IGrainStorageSerializer>();
        serializer.Deserialize<T>(serializer.Serialize(state.State));
    }

    private async Task StepAsync(string name, Func<Task> step, List<string> failures)
    {
        try
        {
            await step().WaitAsync(StepTimeout);
        }
        catch (Exception exception)
        {
            failures.Add(name);
            LogStepFailed(logger, exception, name);
        }
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Silo warmed up in {Milliseconds:0} ms ({Failures} step(s) failed)")]
    private static partial void LogWarmed(ILogger logger, double milliseconds, int failures);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Warm-up step {Step} failed")]
    private static partial void LogStepFailed(ILogger logger, Exception exception, string step);
}
