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
}
