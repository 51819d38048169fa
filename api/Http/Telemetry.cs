using System.Diagnostics;
using System.Diagnostics.Metrics;

namespace OrleansMock.Api.Http;

/// <summary>The front end's own meters (exported with the rest when metrics are enabled).</summary>
public static class Telemetry
{
    public static readonly Meter Meter = new("OrleansMock.Api");

    public static readonly Counter<long> RateLimitRejections =
        Meter.CreateCounter<long>("orleansmock.ratelimit.rejections", description: "Requests refused with 429, by policy");

    public static readonly Counter<long> RateLimitFailures =
        Meter.CreateCounter<long>("orleansmock.ratelimit.failures", description: "Rate-limit checks that could not reach their bucket, by policy");

    /// <summary>Request latency by route group and status class: bounded labels, no per-project or per-path series.</summary>
    public static readonly Histogram<double> RequestDuration = Meter.CreateHistogram<double>(
        "orleansmock.request.duration", unit: "s", description: "Request latency by route group (mock, management, tester, ops) and status class",
        tags: null, advice: new InstrumentAdvice<double> { HistogramBucketBoundaries = [0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5] });

    private static readonly string[] StatusClasses = ["1xx", "2xx", "3xx", "4xx", "5xx"];

    public const string MockGroup = "mock";

    public static void RecordRequest(PathString path, int status, TimeSpan elapsed) => RecordRequest(GroupOf(path.Value), status, elapsed);

    public static void RecordRequest(string group, int status, TimeSpan elapsed)
    {
        var tags = new TagList
        {
            { "group", group },
            { "status", status is >= 100 and < 600 ? StatusClasses[status / 100 - 1] : "other" },
        };
        RequestDuration.Record(elapsed.TotalSeconds, tags);
    }

    private static string GroupOf(string? path) =>
        Paths.IsUnder(path, Paths.MockPrefix) ? MockGroup
        : Paths.IsUnder(path, "/api/v1/tester") || Paths.IsUnder(path, "/api/v1/collections") ? "tester"
        : Paths.IsUnder(path, "/api") ? "management"
        : "ops";
}
