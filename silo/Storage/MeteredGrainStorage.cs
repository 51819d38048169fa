using System.Diagnostics;
using System.Diagnostics.Metrics;
using Orleans.Storage;

namespace OrleansMock.Silo.Storage;

/// <summary>Storage call latency and failures per backend and operation, for dashboards and alerts.</summary>
public sealed class MeteredGrainStorage(string provider, IGrainStorage inner) : IGrainStorage, ILifecycleParticipant<ISiloLifecycle>
{
    public static readonly Meter Meter = new("OrleansMock.Storage");

    private static readonly Histogram<double> Duration = Meter.CreateHistogram<double>(
        "orleansmock.storage.duration", unit: "s", description: "Grain storage call latency by provider and operation");

    private static readonly Counter<long> Failures = Meter.CreateCounter<long>(
        "orleansmock.storage.failures", description: "Grain storage calls that failed (conflicts included), by provider and operation");

    public void Participate(ISiloLifecycle lifecycle) => (inner as ILifecycleParticipant<ISiloLifecycle>)?.Participate(lifecycle);

    public Task ReadStateAsync<T>(string stateName, GrainId grainId, IGrainState<T> grainState) =>
        Measure("read", inner.ReadStateAsync(stateName, grainId, grainState));

    public Task WriteStateAsync<T>(string stateName, GrainId grainId, IGrainState<T> grainState) =>
        Measure("write", inner.WriteStateAsync(stateName, grainId, grainState));

    public Task ClearStateAsync<T>(string stateName, GrainId grainId, IGrainState<T> grainState) =>
        Measure("clear", inner.ClearStateAsync(stateName, grainId, grainState));

    private async Task Measure(string operation, Task call)
    {
        var started = Stopwatch.GetTimestamp();
        var tags = new TagList { { "provider", provider }, { "operation", operation } };
        try
        {
            await call;
        }
        catch
        {
            Failures.Add(1, tags);
            throw;
        }
        finally
        {
            Duration.Record(Stopwatch.GetElapsedTime(started).TotalSeconds, tags);
        }
    }
}
