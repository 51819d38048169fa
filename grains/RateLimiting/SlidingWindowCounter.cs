using OrleansMock.GrainInterfaces;

namespace OrleansMock.Grains.RateLimiting;

/// <summary>
/// The weighted two-window sliding counter (as in Cloudflare's and Upstash's limiters): the count of the current
/// fixed window plus the previous window's count weighted by how much of it still overlaps the sliding window.
/// O(1) time and memory per subject. It assumes the previous window's requests were spread evenly; under that
/// assumption it is exact, and an adversary who bunches a full limit at the very end of one window can get up to
/// twice the limit through in the rolling window that straddles the boundary (never more). A refused request
/// consumes nothing. Time comes from the caller, so tests drive it with a fake clock.
/// </summary>
public sealed class SlidingWindowCounter
{
    public long WindowStartTicks { get; private set; }
    public int Current { get; private set; }
    public int Previous { get; private set; }

    public SlidingWindowCounter()
    {
    }

    public SlidingWindowCounter(long windowStartTicks, int current, int previous)
    {
        WindowStartTicks = windowStartTicks;
        Current = current;
        Previous = previous;
    }

    /// <summary>
    /// Admits up to <paramref name="permits"/> requests at <paramref name="now"/>, as many as the estimate leaves room
    /// for (<see cref="RateLimitDecision.Granted"/>); refuses when there is room for none.
    /// </summary>
    public RateLimitDecision TryAcquire(DateTimeOffset now, RateLimitRule rule, int permits = 1)
    {
        var window = TimeSpan.FromSeconds(Math.Max(1, rule.WindowSeconds));
        Advance(now, window);
        var elapsed = (now.UtcTicks - WindowStartTicks) / (double)window.Ticks;
        var estimate = Previous * (1 - elapsed) + Current;
        var reset = (WindowStartTicks + window.Ticks - now.UtcTicks) / (double)TimeSpan.TicksPerSecond;
        var room = (int)Math.Min(int.MaxValue, Math.Floor(rule.Limit - estimate));
        if (room >= 1)
        {
            var granted = Math.Clamp(permits, 1, room);
            Current += granted;
            var remaining = (int)Math.Floor(rule.Limit - (estimate + granted));
            return new RateLimitDecision(true, rule.Limit, Math.Max(0, remaining), reset, 0, granted);
        }
        // Refused: the window has room again only after Retry-After, so RateLimit-Reset (when the quota is back) is never earlier.
        var retryAfter = RetryAfter(elapsed, window, rule.Limit);
        return new RateLimitDecision(false, rule.Limit, 0, Math.Max(reset, retryAfter), retryAfter);
    }

    /// <summary>True when nothing counted is still inside any window: the bucket can be forgotten.</summary>
    public bool IsIdle(DateTimeOffset now, RateLimitRule rule) =>
        now.UtcTicks >= WindowStartTicks + 2 * TimeSpan.FromSeconds(Math.Max(1, rule.WindowSeconds)).Ticks || (Current == 0 && Previous == 0);

    private void Advance(DateTimeOffset now, TimeSpan window)
    {
        if (WindowStartTicks == 0)
        {
            WindowStartTicks = now.UtcTicks - now.UtcTicks % window.Ticks;
            return;
        }
        var windows = (now.UtcTicks - WindowStartTicks) / window.Ticks;
        if (windows <= 0)
        {
            return;
        }
        Previous = windows == 1 ? Current : 0;
        Current = 0;
        WindowStartTicks += windows * window.Ticks;
    }

    /// <summary>Seconds until the estimate leaves room for one request (the weighted previous count decays linearly).</summary>
    private double RetryAfter(double elapsed, TimeSpan window, int limit)
    {
        var seconds = window.TotalSeconds;
        if (Current <= limit - 1 && Previous > 0)
        {
            // Previous * (1 - x) + Current <= limit - 1  =>  x >= 1 - (limit - 1 - Current) / Previous
            var x = 1 - (limit - 1 - Current) / (double)Previous;
            return Math.Max(0, (x - elapsed) * seconds);
        }
        // Not before the next window, where this window's count becomes the decaying previous one.
        var untilNext = (1 - elapsed) * seconds;
        var xNext = Current == 0 ? 0 : Math.Max(0, 1 - (limit - 1) / (double)Current);
        return untilNext + xNext * seconds;
    }
}
