namespace OrleansMock.Grains;

/// <summary>Names of the grain storage providers the grains ask for; the silo registers a backend under each.</summary>
public static class StorageNames
{
    /// <summary>The store for projects, endpoints and the indexes over them.</summary>
    public const string Main = "orleansmock";

    /// <summary>
    /// Rate-limit buckets: many, small, rewritten often, and a lost second of counts is harmless, so backends may
    /// trade per-commit flushes for speed here (the embedded store does).
    /// </summary>
    public const string RateLimits = "ratelimits";
}
