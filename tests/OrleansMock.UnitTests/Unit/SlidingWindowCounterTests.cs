using OrleansMock.GrainInterfaces;
using OrleansMock.Grains.RateLimiting;

namespace OrleansMock.Tests.Unit;

public sealed class SlidingWindowCounterTests
{
    private static readonly RateLimitRule TenPerTenSeconds = new(10, 10);
    private static readonly RateLimitRule HundredPerMinute = new(100, 60);
    private static readonly DateTimeOffset Start = new(2026, 1, 1, 0, 0, 0, TimeSpan.Zero); // a whole minute

    private static int Admit(ref SlidingWindowCounter counter, DateTimeOffset at, int attempts, RateLimitRule? rule = null)
    {
        var admitted = 0;
        for (var i = 0; i < attempts; i++)
        {
            admitted += counter.TryAcquire(at, rule ?? TenPerTenSeconds).Allowed ? 1 : 0;
        }
        return admitted;
    }

    [Fact]
    public void Admits_exactly_the_limit_in_a_window_and_refusals_consume_nothing()
    {
        var counter = new SlidingWindowCounter();
        Assert.Equal(10, Admit(ref counter, Start.AddSeconds(1), 25));
        Assert.Equal(10, counter.Total); // the 15 refused requests were not counted
    }

    [Fact]
    public void A_burst_straddling_a_minute_boundary_admits_exactly_the_limit()
    {
        // The case: 130 requests from one client across 12:00:59.5-12:01:00.5 against 100 / 60 s. The weighted
        // two-window estimate this counter replaced admitted 102.
        var counter = new SlidingWindowCounter();
        var admitted = Enumerable.Range(0, 130).Count(i => counter.TryAcquire(Start.AddSeconds(59.5 + i / 130.0), HundredPerMinute).Allowed);
        Assert.Equal(100, admitted);
    }

    [Fact]
    public void No_window_ever_holds_more_than_the_limit_under_random_traffic()
    {
        var random = new Random(7);
        var counter = new SlidingWindowCounter();
        var admitted = new List<DateTimeOffset>();
        var at = Start;
        for (var i = 0; i < 20_000; i++)
        {
            at = at.AddMilliseconds(random.Next(0, 40));
            if (counter.TryAcquire(at, HundredPerMinute).Allowed)
            {
                admitted.Add(at);
            }
        }
        // Exact at the resolution of one slot (1 s of a 60 s window): every 59 s interval holds at most the limit.
        for (int first = 0, last = 0; last < admitted.Count; last++)
        {
            while (admitted[last] - admitted[first] >= TimeSpan.FromSeconds(59))
            {
                first++;
            }
            Assert.True(last - first + 1 <= 100, $"{last - first + 1} requests within 59 s ending at {admitted[last]:O}");
        }
        // And it lets the limit through: about 100 per minute of traffic (the client always asks for more).
        var minutes = (int)((at - Start).TotalSeconds / 60);
        Assert.True(admitted.Count >= minutes * 100, $"only {admitted.Count} admitted in {minutes}+ minutes");
    }

    [Fact]
    public void Several_permits_are_granted_as_far_as_the_limit_leaves_room_and_all_of_them_count()
    {
        var counter = new SlidingWindowCounter();
        var at = Start.AddSeconds(1);
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
        Assert.Equal(10, counter.Total);
    }

    [Fact]
    public void Remaining_counts_down_and_reset_is_when_the_oldest_request_stops_counting()
    {
        var counter = new SlidingWindowCounter();
        // A slot of a 10 s window is 1/6 s: a request stops counting between 9 5/6 and 10 s after it was made.
        var first = counter.TryAcquire(Start.AddSeconds(4), TenPerTenSeconds);
        Assert.Equal(9, first.Remaining);
        Assert.InRange(first.ResetSeconds, 9.83, 10);
        var second = counter.TryAcquire(Start.AddSeconds(7), TenPerTenSeconds);
        Assert.Equal(8, second.Remaining);
        Assert.InRange(second.ResetSeconds, 6.83, 7); // the request at 4 s leaves at about 14 s
    }

    [Fact]
    public void Requests_leave_the_window_one_slot_at_a_time()
    {
        var counter = new SlidingWindowCounter();
        Assert.Equal(5, Admit(ref counter, Start.AddSeconds(1), 5));
        Assert.Equal(5, Admit(ref counter, Start.AddSeconds(6), 5));
        Assert.Equal(0, Admit(ref counter, Start.AddSeconds(10.7), 5)); // all ten still count (a slot is 1/6 s)
        Assert.Equal(5, Admit(ref counter, Start.AddSeconds(11.2), 20)); // the first five have left
        Assert.Equal(5, Admit(ref counter, Start.AddSeconds(30), 5)); // and later everything has
    }

    [Fact]
    public void Retry_after_is_the_earliest_moment_one_more_request_passes()
    {
        var counter = new SlidingWindowCounter();
        Admit(ref counter, Start.AddSeconds(2), 4);
        Admit(ref counter, Start.AddSeconds(5), 6);
        var refused = counter.TryAcquire(Start.AddSeconds(6), TenPerTenSeconds);
        Assert.False(refused.Allowed);
        Assert.Equal(0, refused.Remaining);
        Assert.Equal(refused.RetryAfterSeconds, refused.ResetSeconds);
        var at = Start.AddSeconds(6 + refused.RetryAfterSeconds);

        var early = new SlidingWindowCounter(counter.Snapshot());
        Assert.False(early.TryAcquire(at.AddMilliseconds(-50), TenPerTenSeconds).Allowed);
        var onTime = new SlidingWindowCounter(counter.Snapshot());
        Assert.Equal(4, Admit(ref onTime, at.AddMilliseconds(1), 10));
    }

    [Fact]
    public void Idle_once_everything_counted_has_left_the_window()
    {
        var counter = new SlidingWindowCounter();
        counter.TryAcquire(Start, TenPerTenSeconds);
        Assert.False(counter.IsIdle(Start.AddSeconds(9)));
        Assert.True(counter.IsIdle(Start.AddSeconds(10)));
    }

    [Fact]
    public void Memory_per_subject_is_at_most_one_entry_per_slot_whatever_the_traffic()
    {
        var counter = new SlidingWindowCounter();
        for (var i = 0; i < 100_000; i++)
        {
            counter.TryAcquire(Start.AddMilliseconds(i / 2.0), new RateLimitRule(1_000_000, 60));
        }
        Assert.Equal(1 + 2 * 50, counter.Snapshot().Length); // 50 seconds of traffic: 50 slots
        Assert.Equal(100_000, counter.Total);
    }

    [Fact]
    public void A_subject_that_sent_one_request_costs_a_few_dozen_bytes()
    {
        var rule = new RateLimitRule(100, 60);
        var counters = new SlidingWindowCounter[100_000]; // allocated before counting: the counters live in it
        var before = GC.GetAllocatedBytesForCurrentThread(); // this thread's own: other tests running meanwhile do not count
        for (var i = 0; i < counters.Length; i++)
        {
            counters[i] = new SlidingWindowCounter();
            counters[i].TryAcquire(Start.AddMilliseconds(i), rule);
        }
        // Nothing but the decision each call returns (48 bytes, garbage at once): the counter is 40 bytes in place.
        var perSubject = (GC.GetAllocatedBytesForCurrentThread() - before) / (double)counters.Length;
        Assert.True(perSubject <= 50, $"{perSubject:0} bytes per subject");
        Assert.Equal(40, System.Runtime.CompilerServices.Unsafe.SizeOf<SlidingWindowCounter>());
        Assert.Equal([rule.Limit - 1], counters.Take(1).Select(c => rule.Limit - c.Total));
    }

    [Fact]
    public void A_snapshot_restores_the_same_window()
    {
        var counter = new SlidingWindowCounter();
        Admit(ref counter, Start, 3);
        Admit(ref counter, Start.AddSeconds(4), 4);
        var restored = new SlidingWindowCounter(counter.Snapshot());
        Assert.Equal(counter.Total, restored.Total);
        Assert.Equal(counter.TryAcquire(Start.AddSeconds(5), TenPerTenSeconds), restored.TryAcquire(Start.AddSeconds(5), TenPerTenSeconds));
        Assert.Equal(0, new SlidingWindowCounter([]).Total);
        Assert.Equal(0, new SlidingWindowCounter([5, 1]).Total); // a malformed snapshot starts empty
    }
}
