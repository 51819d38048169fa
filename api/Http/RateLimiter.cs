using System.Collections.Concurrent;
using System.Globalization;
using Microsoft.Extensions.Options;
using OrleansMock.GrainInterfaces;

namespace OrleansMock.Api.Http;

/// <summary>
/// Asks a policy's bucket grain whether one more request may pass: one grain call at most per request. Once a
/// subject is refused, this front end remembers "blocked until T" (T being the bucket's own earliest admission), so a
/// flood is refused locally without reaching the grain, and the local answer never blocks longer than the grain would.
/// </summary>
public sealed partial class RateLimiter(IGrainFactory grains, TimeProvider time, ILogger<RateLimiter> logger)
{
    public const string MockPerClient = "mock-client";
    public const string Management = "management";
    public const string LoginPerClient = "login-client";
    private const int MaxBlockedSubjects = 100_000;

    private readonly ConcurrentDictionary<string, (long UntilTicks, int Limit)> _blocked = new(StringComparer.Ordinal);

    // Grain references are kept: GetGrain resolves the interface type by reflection on every call.
    private readonly ConcurrentDictionary<string, IRateLimitBucketGrain> _buckets = new(StringComparer.Ordinal);

    /// <summary>The verdict; null decision means no limit applies (policy off, or failing open).</summary>
    public readonly record struct Check(RateLimitDecision? Decision, bool Unavailable)
    {
        public bool Refused => Unavailable || Decision is { Allowed: false };
    }

    public async ValueTask<Check> CheckAsync(string policyName, RateLimitPolicyOptions policy, string subject)
    {
        if (!policy.Enabled)
        {
            return new Check(null, false);
        }
        var key = RateLimitKeys.Bucket(policyName, subject);
        var now = time.GetUtcNow().UtcTicks;
        if (_blocked.TryGetValue(key, out var blocked))
        {
            if (blocked.UntilTicks > now)
            {
                Telemetry.RateLimitRejections.Add(1, new KeyValuePair<string, object?>("policy", policyName));
                var wait = (blocked.UntilTicks - now) / (double)TimeSpan.TicksPerSecond;
                return new Check(new RateLimitDecision(false, blocked.Limit, 0, wait, wait), false);
            }
            _blocked.TryRemove(new KeyValuePair<string, (long, int)>(key, blocked));
        }

        RateLimitDecision decision;
        try
        {
            decision = await Bucket(key).TryAcquireAsync(policy.Rule);
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
            if (_blocked.Count >= MaxBlockedSubjects)
            {
                _blocked.Clear();
            }
            _blocked[key] = (now + (long)(decision.RetryAfterSeconds * TimeSpan.TicksPerSecond), decision.Limit);
        }
        return new Check(decision, false);
    }

    private IRateLimitBucketGrain Bucket(string key)
    {
        if (_buckets.TryGetValue(key, out var bucket))
        {
            return bucket;
        }
        if (_buckets.Count >= MaxBlockedSubjects)
        {
            _buckets.Clear();
        }
        return _buckets[key] = grains.GetGrain<IRateLimitBucketGrain>(key);
    }

    /// <summary>The standard headers and their X- twins, on allowed and refused responses alike.</summary>
    public static void WriteHeaders(HttpResponse response, RateLimitDecision decision)
    {
        var limit = decision.Limit.ToString(CultureInfo.InvariantCulture);
        var remaining = decision.Remaining.ToString(CultureInfo.InvariantCulture);
        var reset = ((int)Math.Ceiling(decision.ResetSeconds)).ToString(CultureInfo.InvariantCulture);
        var headers = response.Headers;
        headers["RateLimit-Limit"] = limit;
        headers["RateLimit-Remaining"] = remaining;
        headers["RateLimit-Reset"] = reset;
        headers["X-RateLimit-Limit"] = limit;
        headers["X-RateLimit-Remaining"] = remaining;
        headers["X-RateLimit-Reset"] = reset;
    }

    /// <summary>The response for a refused check: 429 with Retry-After, or 503 when the limiter failed closed.</summary>
    public static IResult Refusal(HttpResponse response, Check check, string what)
    {
        if (check.Unavailable)
        {
            response.Headers.RetryAfter = "1";
            return Problems.Status(StatusCodes.Status503ServiceUnavailable, $"the rate limiter for {what} is unavailable; retry shortly");
        }
        var decision = check.Decision!;
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
        var subject = http.User.FindFirst(Auth.Claims.Subject)?.Value ?? ClientAddress.Of(http);
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
