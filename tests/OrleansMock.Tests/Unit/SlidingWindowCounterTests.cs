using OrleansMock.GrainInterfaces;
using OrleansMock.Grains.RateLimiting;

namespace OrleansMock.Tests.Unit;

public sealed class SlidingWindowCounterTests
{
    private static readonly RateLimitRule TenPerTenSeconds = new(10, 10);
    private static readonly DateTimeOffset WindowStart = new(2026, 1, 1, 0, 0, 0, TimeSpan.Zero); // aligned to 10 s

    private static int Admit(SlidingWindowCounter counter, DateTimeOffset at, int attempts) =>
        Enumerable.Range(0, attempts).Count(_ => counter.TryAcquire(at, TenPerTenSeconds).Allowed);

    [Fact]
    public void Admits_exactly_the_limit_in_a_window_and_refusals_consume_nothing()
    {
        var counter = new SlidingWindowCounter();
        Assert.Equal(10, Admit(counter, WindowStart.AddSeconds(1), 25));
        Assert.Equal(10, counter.Current); // the 15 refused requests were not counted
    }

    [Fact]
    public void Several_permits_are_granted_as_far_as_the_limit_leaves_room_and_all_of_them_count()
    {
        var counter = new SlidingWindowCounter();
        var at = WindowStart.AddSeconds(1);
        var first = counter.TryAcquire(at, TenPerTenSeconds, 4);
        Assert.True(first.Allowed);
        Assert.Equal(4, first.Granted);
        Assert.Equal(6, first.Remaining);
        var second = counter.TryAcquire(at, TenPerTenSeconds, 8);
        Assert.Equal(6, second.Granted); // only what was left
        Assert.Equal(0, second.Remaining);
        var refused = counter.TryAcquire(at, TenPerTenSeconds, 8);
        Assert.False(refused.Allowed);
        Assert.Equal(0, refused.Granted);
        Assert.Equal(10, counter.Current);
    }

    [Fact]
    public void Remaining_counts_down_and_reset_is_the_end_of_the_window()
    {
        var counter = new SlidingWindowCounter();
        var first = counter.TryAcquire(WindowStart.AddSeconds(4), TenPerTenSeconds);
        Assert.Equal(9, first.Remaining);
        Assert.Equal(6, first.ResetSeconds, 3);
        Assert.Equal(8, counter.TryAcquire(WindowStart.AddSeconds(4), TenPerTenSeconds).Remaining);
    }

    [Fact]
    public void The_previous_window_is_weighted_by_its_remaining_overlap()
    {
        var counter = new SlidingWindowCounter();
        Assert.Equal(10, Admit(counter, WindowStart.AddSeconds(9), 10));
        // At the boundary the whole previous window still counts: nothing more.
        Assert.Equal(0, Admit(counter, WindowStart.AddSeconds(10), 5));
        // Half-way through the next window half of it counts: 5 more.
        Assert.Equal(5, Admit(counter, WindowStart.AddSeconds(15), 20));
        // Two windows later nothing is left of either.
        Assert.Equal(10, Admit(counter, WindowStart.AddSeconds(30), 20));
    }

    [Fact]
    public void Retry_after_is_the_earliest_moment_one_more_request_passes()
    {
        var counter = new SlidingWindowCounter();
        Admit(counter, WindowStart.AddSeconds(9), 10);
        Admit(counter, WindowStart.AddSeconds(15), 5);
        var refused = counter.TryAcquire(WindowStart.AddSeconds(15), TenPerTenSeconds);
        Assert.False(refused.Allowed);
        Assert.Equal(0, refused.Remaining);
        var at = WindowStart.AddSeconds(15 + refused.RetryAfterSeconds);

        var early = new SlidingWindowCounter(counter.WindowStartTicks, counter.Current, counter.Previous);
        Assert.False(early.TryAcquire(at.AddMilliseconds(-50), TenPerTenSeconds).Allowed);
        var onTime = new SlidingWindowCounter(counter.WindowStartTicks, counter.Current, counter.Previous);
        Assert.True(onTime.TryAcquire(at.AddMilliseconds(1), TenPerTenSeconds).Allowed);
    }

    [Fact]
    public void Retry_after_when_the_current_window_is_full_reaches_into_the_next_window()
    {
        var counter = new SlidingWindowCounter();
        Admit(counter, WindowStart.AddSeconds(2), 10);
        var refused = counter.TryAcquire(WindowStart.AddSeconds(2), TenPerTenSeconds);
        // 8 s to the boundary, then 1 s of decay until 10 * (1 - 0.1) = 9 leaves room for one.
        Assert.Equal(9, refused.RetryAfterSeconds, 3);
        Assert.True(counter.TryAcquire(WindowStart.AddSeconds(11.01), TenPerTenSeconds).Allowed);
    }

    [Fact]
    public void Idle_after_two_windows()
    {
        var counter = new SlidingWindowCounter();
        counter.TryAcquire(WindowStart, TenPerTenSeconds);
        Assert.False(counter.IsIdle(WindowStart.AddSeconds(15), TenPerTenSeconds));
        Assert.True(counter.IsIdle(WindowStart.AddSeconds(20), TenPerTenSeconds));
    }
}
