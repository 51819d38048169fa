using Orleans.Concurrency;

namespace OrleansMock.GrainInterfaces;

/// <summary>A limit: at most <see cref="Limit"/> requests in any <see cref="WindowSeconds"/>-second sliding window.</summary>
[GenerateSerializer, Immutable, Alias("om.RateLimitRule")]
public sealed record RateLimitRule(
    [property: Id(0)] int Limit,
    [property: Id(1)] int WindowSeconds);

/// <summary>
/// The answer of a bucket. <see cref="ResetSeconds"/> is when the current window ends; when refused,
/// <see cref="RetryAfterSeconds"/> is the earliest time one more request would be admitted. <see cref="Granted"/> is
/// how many requests were admitted (a front end may ask for several at once and spend them itself); Remaining counts
/// after all of them. A value (a front end makes one per request it admits from a lease).
/// </summary>
[GenerateSerializer, Immutable, Alias("om.RateLimitDecision")]
public readonly record struct RateLimitDecision(
    [property: Id(0)] bool Allowed,
    [property: Id(1)] int Limit,
    [property: Id(2)] int Remaining,
    [property: Id(3)] double ResetSeconds,
    [property: Id(4)] double RetryAfterSeconds,
    [property: Id(5)] int Granted = 0);

/// <summary>
/// The rate-limit counters of the subjects of one policy that hash to one shard (<see cref="RateLimitKeys.Shard"/>):
/// many compact counters in one activation, so memory grows by bytes, not by an activation, per distinct client.
/// </summary>
[Alias("om.IRateLimitShardGrain")]
public interface IRateLimitShardGrain : IGrainWithStringKey
{
    /// <summary>
    /// Admits up to <paramref name="permits"/> requests of <paramref name="subject"/>, as many as the rule leaves room
    /// for (at least one, or the request is refused); a refused request consumes nothing.
    /// </summary>
    [Alias("TryAcquire")]
    Task<RateLimitDecision> TryAcquireAsync(string subject, RateLimitRule rule, int permits = 1);

    /// <summary>How many subjects the shard holds a counter for.</summary>
    [ReadOnly, Alias("Count")]
    Task<int> CountAsync();
}

public static class RateLimitKeys
{
    /// <summary>Shards per policy: enough to spread a policy's work over a cluster's silos and cores.</summary>
    public const int Shards = 64;

    /// <summary>The shard grain holding <paramref name="subject"/>'s counter under <paramref name="policy"/>.</summary>
    public static string Shard(string policy, string subject) => $"{policy}|{SubjectHash(subject) % Shards}";

    /// <summary>A stable 64-bit hash (FNV-1a over UTF-16 code units): the same in every process and release.</summary>
    public static ulong SubjectHash(string subject)
    {
        var hash = 14695981039346656037UL;
        foreach (var c in subject)
        {
            hash = (hash ^ c) * 1099511628211UL;
        }
        return hash;
    }
}

/// <summary>One policy's settings (<c>OrleansMock:RateLimits:&lt;Policy&gt;</c>).</summary>
public sealed class RateLimitPolicyOptions
{
    /// <summary>Requests admitted per window; 0 or less turns the policy off.</summary>
    public int Limit { get; set; }

    public int WindowSeconds { get; set; } = 60;

    /// <summary>The highest limit a project owner may set (per-project policy only).</summary>
    public int MaxLimit { get; set; }

    /// <summary>When the bucket cannot be reached: admit (true) or refuse with 503 (false).</summary>
    public bool FailOpen { get; set; } = true;

    public bool Enabled => Limit > 0;

    public RateLimitRule Rule => new(Limit, WindowSeconds);
}

/// <summary>The rate-limit policies (<c>OrleansMock:RateLimits</c>), documented in README.</summary>
public sealed class RateLimitOptions
{
    public const string Section = "OrleansMock:RateLimits";

    /// <summary>IPv6 clients are counted per network of this prefix length (128: per address).</summary>
    public int Ipv6PrefixLength { get; set; } = 64;

    /// <summary>The per-client mock limit when the embedded default runs and none is configured (one developer's machine).</summary>
    public const int EmbeddedMockPerClientLimit = 6000;

    /// <summary>Mock traffic per client IP (the original guide's 100 per 60 s; <see cref="EmbeddedMockPerClientLimit"/> in embedded mode unless set).</summary>
    public RateLimitPolicyOptions MockPerClient { get; set; } = new() { Limit = 100, WindowSeconds = 60 };

    /// <summary>Mock traffic per project; owners may set their own limit up to <see cref="RateLimitPolicyOptions.MaxLimit"/>.</summary>
    public RateLimitPolicyOptions MockPerProject { get; set; } = new() { Limit = 6000, WindowSeconds = 60, MaxLimit = 60000 };

    /// <summary>Management API per user or API key.</summary>
    public RateLimitPolicyOptions Management { get; set; } = new() { Limit = 600, WindowSeconds = 60 };

    /// <summary>Login attempts per client IP (the lockout per account and client address is separate: LoginGuard).</summary>
    public RateLimitPolicyOptions LoginPerClient { get; set; } = new() { Limit = 20, WindowSeconds = 300, FailOpen = false };

    /// <summary>Registrations per client IP: each costs a password hash, and a 409 says an email has an account.</summary>
    public RateLimitPolicyOptions RegisterPerClient { get; set; } = new() { Limit = 5, WindowSeconds = 3600, FailOpen = false };

    /// <summary>Failed API-key authentications per client IP; beyond it keys are refused before any user grain is asked.</summary>
    public RateLimitPolicyOptions FailedAuthPerClient { get; set; } = new() { Limit = 20, WindowSeconds = 60 };
}
