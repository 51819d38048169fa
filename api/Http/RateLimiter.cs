using System.Collections.Concurrent;
using System.Diagnostics.CodeAnalysis;
using System.Globalization;
using Microsoft.Extensions.Options;
using OrleansMock.GrainInterfaces;

namespace OrleansMock.Api.Http;

/// <summary>
/// Asks a policy's counter (in the subject's shard grain) whether one more request may pass. Once a subject is refused, this front end remembers
/// "blocked until T" (T being the bucket's own earliest admission), so a flood is refused locally without reaching the
/// grain, and the local answer never blocks longer than the grain would.
/// <para>
/// A busy subject is served from a lease: the front end asks the bucket for several permits at once and spends them
/// itself, so a client sending thousands of requests a second costs one grain call per lease instead of one per request.
/// A lease starts at one permit (exactly the grain's answer), grows with the subject's pace up to 1% of the limit (at
/// most <see cref="MaxLeasePermits"/>), and its permits are dropped if not spent within <see cref="LeaseLifetime"/>.
/// Permits count against the subject when leased, so never more than the limit passes; a limit under 200 is checked
/// request by request, and a larger one may count up to 1% of itself unspent per front end when a burst stops.
/// </para>
/// </summary>
public sealed partial class RateLimiter(IGrainFactory grains, TimeProvider time, IOptions<RateLimitOptions> options, ILogger<RateLimiter> logger)
{
    // IPv6 clients are counted per network (default /64, what one subscriber gets): a client cannot step around its
    // limit, or fill memory, by cycling through the addresses of its own prefix.
    private readonly int _ipv6PrefixLength = Math.Clamp(options.Value.Ipv6PrefixLength, 1, 128);

    // Policy names as configuration spells them (OrleansMock:RateLimits:<name>): also the bucket key prefix and the
    // "policy" label of the rate-limit metrics, so one name means one policy everywhere.
    public const string MockPerClient = nameof(RateLimitOptions.MockPerClient);
    public const string Management = nameof(RateLimitOptions.Management);
    public const string LoginPerClient = nameof(RateLimitOptions.LoginPerClient);
    public const string RegisterPerClient = nameof(RateLimitOptions.RegisterPerClient);
    public const string FailedAuthPerClient = nameof(RateLimitOptions.FailedAuthPerClient);
    public const int MaxLeasePermits = 256;
    public static readonly TimeSpan LeaseLifetime = TimeSpan.FromMilliseconds(250);
    private const int MaxSubjects = 20_000;

    // One entry per bucket this front end has asked about: its grain reference (GetGrain resolves the interface type by
    // reflection on every call), when it is blocked until, and its lease. Bounded: cleared when it grows too large.
    // Keyed by policy and subject as they are (no key string made per request).
    private readonly ConcurrentDictionary<(string Policy, string Subject), Subject> _subjects = new();

    // The shard grains' references (GetGrain resolves the interface type by reflection): at most policies x Shards.
    private readonly ConcurrentDictionary<string, IRateLimitShardGrain> _shards = new(StringComparer.Ordinal);

    /// <summary>The verdict; null decision means no limit applies (policy off, or failing open).</summary>
    public readonly record struct Check(RateLimitDecision? Decision, bool Unavailable)
    {
        public bool Refused => Unavailable || Decision is { Allowed: false };
    }

    public ValueTask<Check> CheckAsync(string policyName, RateLimitPolicyOptions policy, string subjectName)
    {
        if (!policy.Enabled)
        {
            return new(new Check(null, false));
        }
        var subject = SubjectOf(policyName, SubjectName(subjectName));
        // The common case answers from what this front end holds, without an async frame.
        return TryLocally(policyName, policy, subject, out var check, out var refill) ? new(check) : CheckAfterRefillAsync(policyName, policy, subject, refill);
    }

    /// <summary>
    /// The answer from the subject's block or lease, when it has one (true); otherwise the refill to wait for, started
    /// here unless one is under way.
    /// </summary>
    private bool TryLocally(string policyName, RateLimitPolicyOptions policy, Subject subject, out Check check, [NotNullWhen(false)] out Task<RateLimitDecision>? refill)
    {
        var now = time.GetTimestamp();
        lock (subject)
        {
            if (subject.BlockedUntil > now)
            {
                Telemetry.RateLimitRejections.Add(1, new KeyValuePair<string, object?>("policy", policyName));
                // RateLimit-Reset keeps the bucket's meaning (end of its window), counted down locally.
                var wait = time.GetElapsedTime(now, subject.BlockedUntil).TotalSeconds;
                var reset = Math.Max(wait, time.GetElapsedTime(now, subject.BlockedReset).TotalSeconds);
                (check, refill) = (new Check(new RateLimitDecision(false, subject.BlockedLimit, 0, reset, wait), false), null);
                return true;
            }
            if (subject.LeaseLeft > 0 && subject.LeaseExpires > now)
            {
                subject.LeaseLeft--;
                var basis = subject.Lease!.Value;
                var reset = Math.Max(0, basis.ResetSeconds - time.GetElapsedTime(subject.LeaseGranted, now).TotalSeconds);
                (check, refill) = (new Check(new RateLimitDecision(true, basis.Limit, basis.Remaining + subject.LeaseLeft, reset, 0, 1), false), null);
                return true;
            }
            // One refill at a time per subject: requests that find the lease empty meanwhile wait for it rather than
            // each leasing their own (whose leftovers would be counted and never spent).
            check = default;
            refill = subject.Refill is { IsCompleted: false } pending ? pending : subject.Refill = RefillAsync(subject, policy, now);
            return false;
        }
    }

    private async ValueTask<Check> CheckAfterRefillAsync(string policyName, RateLimitPolicyOptions policy, Subject subject, Task<RateLimitDecision> refill)
    {
        while (true)
        {
            RateLimitDecision decision;
            try
            {
                decision = await refill;
            }
            catch (Exception exception) when (exception is not OperationCanceledException)
            {
                Telemetry.RateLimitFailures.Add(1, new KeyValuePair<string, object?>("policy", policyName));
                LogBucketUnavailable(logger, exception, policyName, policy.FailOpen ? "admitting (fail open)" : "refusing (fail closed)");
                return new Check(null, !policy.FailOpen);
            }
            if (!decision.Allowed)
            {
                Telemetry.RateLimitRejections.Add(1, new KeyValuePair<string, object?>("policy", policyName));
                return new Check(decision, false);
            }
            // Granted: take a permit from the lease the refill installed (or wait for the next refill).
            if (TryLocally(policyName, policy, subject, out var check, out var next))
            {
                return check;
            }
            refill = next;
        }
    }

    /// <summary>Whether this front end already knows the subject is refused (an earlier check was), without asking its bucket.</summary>
    public bool IsBlocked(string policyName, RateLimitPolicyOptions policy, string subjectName)
    {
        if (!policy.Enabled || !_subjects.TryGetValue((policyName, SubjectName(subjectName)), out var subject))
        {
            return false;
        }
        lock (subject)
        {
            return subject.BlockedUntil > time.GetTimestamp();
        }
    }

    /// <summary>Asks the bucket for the next lease and installs it, or the block it answered with. Started under the subject's lock.</summary>
    private async Task<RateLimitDecision> RefillAsync(Subject subject, RateLimitPolicyOptions policy, long now)
    {
        var permits = subject.LeaseSize = NextLeaseSize(subject, now, MaxLease(policy.Limit));
        var decision = await subject.Shard.TryAcquireAsync(subject.Name, policy.Rule, permits);
        lock (subject)
        {
            if (decision.Allowed)
            {
                var received = time.GetTimestamp();
                subject.Lease = decision;
                subject.LeaseLeft = Math.Max(1, decision.Granted);
                subject.LeaseGranted = received;
                subject.LeaseExpires = received + (long)(LeaseLifetime.TotalSeconds * time.TimestampFrequency);
            }
            else
            {
                subject.BlockedUntil = now + (long)(decision.RetryAfterSeconds * time.TimestampFrequency);
                subject.BlockedReset = now + (long)(decision.ResetSeconds * time.TimestampFrequency);
                subject.BlockedLimit = decision.Limit;
                subject.LeaseLeft = 0;
            }
        }
        return decision;
    }

    private static int MaxLease(int limit) => Math.Clamp(limit / 100, 1, MaxLeasePermits);

    /// <summary>
    /// Sized to the subject's pace: a lease spent within half its lifetime doubles, one spent within twice its lifetime
    /// keeps its size, one that expired unspent halves, and a quiet subject goes back to one permit per request. At a
    /// steady rate R the size settles at about R x lifetime, so permits expire unspent only when the rate drops.
    /// </summary>
    private int NextLeaseSize(Subject subject, long now, int max)
    {
        if (subject.Lease is null)
        {
            return 1;
        }
        var age = time.GetElapsedTime(subject.LeaseGranted, now);
        var size = subject.LeaseLeft > 0 ? subject.LeaseSize / 2
            : age < LeaseLifetime / 2 ? subject.LeaseSize * 2
            : age < LeaseLifetime * 2 ? subject.LeaseSize
            : 1;
        return Math.Clamp(size, 1, max);
    }

    /// <summary>The subject as counted: an IPv6 address becomes its network (<c>2001:db8:1:2::/64</c>), anything else stays.</summary>
    public string SubjectName(string subject)
    {
        if (_ipv6PrefixLength == 128 || !subject.Contains(':') || !System.Net.IPAddress.TryParse(subject, out var address)
            || address.AddressFamily != System.Net.Sockets.AddressFamily.InterNetworkV6 || address.IsIPv4MappedToIPv6)
        {
            return subject;
        }
        var bytes = address.GetAddressBytes();
        for (var bit = _ipv6PrefixLength; bit < 128; bit++)
        {
            bytes[bit / 8] &= (byte)~(0x80 >> (bit % 8));
        }
        return $"{new System.Net.IPAddress(bytes)}/{_ipv6PrefixLength}";
    }

    private Subject SubjectOf(string policyName, string subjectName)
    {
        var key = (policyName, subjectName);
        if (_subjects.TryGetValue(key, out var subject))
        {
            return subject;
        }
        if (_subjects.Count >= MaxSubjects)
        {
            _subjects.Clear();
        }
        var shard = _shards.GetOrAdd(RateLimitKeys.Shard(policyName, subjectName), static (key, grains) => grains.GetGrain<IRateLimitShardGrain>(key), grains);
        return _subjects.GetOrAdd(key, static (_, state) => new Subject(state.shard, state.subjectName), (shard, subjectName));
    }

    /// <summary>What this front end knows of one subject's counter; guarded by locking the instance.</summary>
    private sealed class Subject(IRateLimitShardGrain shard, string name)
    {
        public IRateLimitShardGrain Shard { get; } = shard;
        public string Name { get; } = name;
        public long BlockedUntil;
        public long BlockedReset;
        public int BlockedLimit;
        public RateLimitDecision? Lease;
        public int LeaseLeft;
        public int LeaseSize = 1;
        public long LeaseGranted;
        public long LeaseExpires;
        public Task<RateLimitDecision>? Refill;
    }

    /// <summary>
    /// The standard headers and their X- twins: on every refusal, and on the management API's allowed responses. Mock
    /// answers that pass carry only what their endpoint defines (a mock answers as the API it imitates, whose own
    /// <c>X-RateLimit-*</c> would otherwise go out twice).
    /// </summary>
    public static void WriteHeaders(HttpResponse response, RateLimitDecision decision)
    {
        var limit = LimitText(decision.Limit);
        var remaining = NumberText(decision.Remaining);
        var reset = NumberText((int)Math.Ceiling(decision.ResetSeconds));
        var headers = response.Headers;
        headers["RateLimit-Limit"] = limit;
        headers["RateLimit-Remaining"] = remaining;
        headers["RateLimit-Reset"] = reset;
        headers["X-RateLimit-Limit"] = limit;
        headers["X-RateLimit-Remaining"] = remaining;
        headers["X-RateLimit-Reset"] = reset;
    }

    // Every answer carries these numbers: the small ones (seconds to reset, what remains of a modest limit) and the
    // latest limit are formatted once, not per request.
    private static readonly string[] SmallNumbers = [.. Enumerable.Range(0, 4096).Select(n => n.ToString(CultureInfo.InvariantCulture))];
    private static FormattedLimit _lastLimit = new(0, "0");

    private sealed record FormattedLimit(int Value, string Text);

    private static string NumberText(int value) =>
        (uint)value < (uint)SmallNumbers.Length ? SmallNumbers[value] : value.ToString(CultureInfo.InvariantCulture);

    private static string LimitText(int limit)
    {
        var last = Volatile.Read(ref _lastLimit);
        if (last.Value == limit)
        {
            return last.Text;
        }
        var text = NumberText(limit);
        Volatile.Write(ref _lastLimit, new FormattedLimit(limit, text));
        return text;
    }

    /// <summary>The response for a refused check: 429 with Retry-After, or 503 when the limiter failed closed.</summary>
    public static IResult Refusal(HttpResponse response, Check check, string what)
    {
        if (check.Unavailable)
        {
            response.Headers.RetryAfter = "1";
            return Problems.Status(StatusCodes.Status503ServiceUnavailable, $"the rate limiter for {what} is unavailable; retry shortly");
        }
        var decision = check.Decision!.Value;
        WriteHeaders(response, decision);
        var seconds = Math.Max(1, (int)Math.Ceiling(decision.RetryAfterSeconds));
        response.Headers.RetryAfter = seconds.ToString(CultureInfo.InvariantCulture);
        return Problems.Status(StatusCodes.Status429TooManyRequests,
            $"rate limit of {decision.Limit} requests for {what} exceeded; retry in {seconds} s");
    }

    /// <summary>Endpoint filter for management routes: one bucket per user (or API key's user).</summary>
    public static async ValueTask<object?> ManagementFilter(EndpointFilterInvocationContext context, EndpointFilterDelegate next)
    {
        var http = context.HttpContext;
        var options = http.RequestServices.GetRequiredService<IOptions<RateLimitOptions>>().Value.Management;
        var subject = http.User.FindFirst(Claims.Subject)?.Value ?? ClientAddress.Of(http);
        var check = await http.RequestServices.GetRequiredService<RateLimiter>().CheckAsync(Management, options, subject);
        if (check.Refused)
        {
            return Refusal(http.Response, check, "the management API");
        }
        if (check.Decision is { } decision)
        {
            WriteHeaders(http.Response, decision);
        }
        return await next(context);
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Rate-limit bucket for policy {Policy} unreachable; {Action}")]
    private static partial void LogBucketUnavailable(ILogger logger, Exception exception, string policy, string action);
}
