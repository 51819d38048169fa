using Orleans.Concurrency;
using OrleansMock.GrainInterfaces;

namespace OrleansMock.Grains.Storage;

/// <summary>Whether the configured store answers; each backend implements it in the silo.</summary>
public interface IStorageHealth
{
    /// <summary>A short description of the store, e.g. "PostgreSQL at Host=db;...".</summary>
    string Description { get; }

    Task CheckAsync(CancellationToken cancellationToken);
}

/// <summary>A stateless worker on every silo: checks the silo's storage for readiness probes.</summary>
[StatelessWorker]
[GrainType("health")]
public sealed class HealthGrain(IStorageHealth storage) : Grain, IHealthGrain
{
    public async Task<HealthProbe> CheckStorageAsync()
    {
        var started = System.Diagnostics.Stopwatch.GetTimestamp();
        try
        {
            using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(3));
            await storage.CheckAsync(timeout.Token);
            return new HealthProbe("storage", true, storage.Description, Elapsed(started));
        }
        catch (Exception exception)
        {
            return new HealthProbe("storage", false, $"{storage.Description}: {exception.Message}", Elapsed(started));
        }
    }

    private static double Elapsed(long started) => System.Diagnostics.Stopwatch.GetElapsedTime(started).TotalMilliseconds;
}
