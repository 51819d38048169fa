using System.Diagnostics;
using System.Diagnostics.Metrics;

namespace OrleansMock.Silo.Storage;

/// <summary>Storage call latency and failures per backend and operation, for dashboards and alerts.</summary>
public static class StorageMetrics
{
    public static readonly Meter Meter = new("OrleansMock.Storage");

    private static readonly Histogram<double> Duration = Meter.CreateHistogram<double>(
        "orleansmock.storage.duration", unit: "s", description: "Storage call latency by provider and operation (grain state and records)",
        tags: null, advice: new InstrumentAdvice<double> { HistogramBucketBoundaries = [0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10] });

    private static readonly Counter<long> Failures = Meter.CreateCounter<long>(
        "orleansmock.storage.failures", description: "Storage calls that failed (conflicts included), by provider and operation");

    public static async Task Measure(string provider, string operation, Func<Task> call) =>
        await Measure(provider, operation, async () => { await call(); return true; });

    public static async Task<T> Measure<T>(string provider, string operation, Func<Task<T>> call)
    {
        var started = Stopwatch.GetTimestamp();
        var tags = new TagList { { "provider", provider }, { "operation", operation } };
        try
        {
            return await call();
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
