using OrleansMock.GrainInterfaces;

namespace OrleansMock.Grains.RateLimiting;

/// <summary>
/// A sliding window kept as a ring of <see cref="Slots"/> sub-window counts (1 s each for a 60 s window; window / 60
/// in general). A request counts until its slot leaves the window, so the limit is exact for any burst, wherever it
/// falls against the clock: never more than the limit pass within one window, at the resolution of one slot (a request
/// made late in a second stops counting up to one slot early). Memory is the same small ring per subject whatever the
/// traffic. A refused request consumes nothing. Time comes from the caller, so tests drive it with a fake clock.
/// </summary>
public sealed class SlidingWindowCounter
{
    public const int Slots = 60;

    private readonly int[] _counts;
    private long _slotTicks;
    private long _newestSlot;
    private long _oldestSlot; // the oldest slot with a count, when _total > 0 (kept as slots expire: O(1) per request)
    private int _total;

    public SlidingWindowCounter()
    {
        _counts = new int[Slots];
    }

    /// <summary>Restores a counter from what <see cref="SlotTicks"/>, <see cref="NewestSlot"/> and <see cref="Counts"/> gave.</summary>
    public SlidingWindowCounter(long slotTicks, long newestSlot, int[]? counts) : this()
    {
        if (slotTicks > 0 && counts is { Length: Slots })
        {
            counts.CopyTo(_counts, 0);
            _slotTicks = slotTicks;
            _newestSlot = newestSlot;
            _total = counts.Sum();
            _oldestSlot = newestSlot - Slots + 1;
            SkipEmptyOldSlots();
        }
    }

    /// <summary>Length of one slot in ticks (0 before the first request).</summary>
    public long SlotTicks => _slotTicks;

    /// <summary>Absolute index (ticks / <see cref="SlotTicks"/>) of the newest slot.</summary>
    public long NewestSlot => _newestSlot;

    /// <summary>The ring, indexed by absolute slot modulo <see cref="Slots"/>.</summary>
    public int[] Counts => (int[])_counts.Clone();

    /// <summary>Requests counted in the window as of the last call.</summary>
    public int Total => _total;

    /// <summary>
    /// Admits up to <paramref name="permits"/> requests at <paramref name="now"/>, as many as the window leaves room for
    /// (<see cref="RateLimitDecision.Granted"/>); refuses when there is room for none. <c>ResetSeconds</c> and, on a
    /// refusal, <c>RetryAfterSeconds</c> are the time until the oldest counted request stops counting, the earliest
    /// moment the window has room again.
    /// </summary>
    public RateLimitDecision TryAcquire(DateTimeOffset now, RateLimitRule rule, int permits = 1)
    {
        var slot = Advance(now, rule);
        var room = rule.Limit - _total;
        if (room >= 1)
        {
            var granted = Math.Clamp(permits, 1, room);
            if (_total == 0)
            {
                _oldestSlot = slot;
            }
            _counts[Index(slot)] += granted;
            _total += granted;
            return new RateLimitDecision(true, rule.Limit, room - granted, SecondsUntilOldestExpires(now), 0, granted);
        }
        var wait = SecondsUntilOldestExpires(now);
        return new RateLimitDecision(false, rule.Limit, 0, wait, wait);
    }

    /// <summary>True when nothing counted is still inside the window: the bucket can be forgotten.</summary>
    public bool IsIdle(DateTimeOffset now, RateLimitRule rule) =>
        _total == 0 || _slotTicks != SlotLength(rule) || now.UtcTicks / _slotTicks >= _newestSlot + Slots;

    /// <summary>Moves the ring to <paramref name="now"/>, dropping the slots that left the window; returns the current slot.</summary>
    private long Advance(DateTimeOffset now, RateLimitRule rule)
    {
        var slotTicks = SlotLength(rule);
        var slot = now.UtcTicks / slotTicks;
        if (slotTicks != _slotTicks || _total == 0 || slot - _newestSlot >= Slots)
        {
            // A new rule (another window length), or everything counted has left the window.
            Array.Clear(_counts);
            _total = 0;
            _slotTicks = slotTicks;
            _newestSlot = slot;
            return slot;
        }
        if (slot <= _newestSlot)
        {
            return _newestSlot; // the clock stepped back: count it with the newest requests
        }
        for (var expired = _newestSlot + 1; expired <= slot; expired++)
        {
            _total -= _counts[Index(expired)];
            _counts[Index(expired)] = 0;
        }
        _newestSlot = slot;
        if (_oldestSlot <= slot - Slots)
        {
            _oldestSlot = slot - Slots + 1;
        }
        SkipEmptyOldSlots();
        return slot;
    }

    /// <summary>Moves <see cref="_oldestSlot"/> past empty slots; each slot is passed once per window.</summary>
    private void SkipEmptyOldSlots()
    {
        while (_total > 0 && _oldestSlot < _newestSlot && _counts[Index(_oldestSlot)] == 0)
        {
            _oldestSlot++;
        }
    }

    private double SecondsUntilOldestExpires(DateTimeOffset now) =>
        _total == 0
            ? Slots * _slotTicks / (double)TimeSpan.TicksPerSecond
            : Math.Max(0, ((_oldestSlot + Slots) * _slotTicks - now.UtcTicks) / (double)TimeSpan.TicksPerSecond);

    private static int Index(long slot) => (int)(((slot % Slots) + Slots) % Slots);

    /// <summary>The window divided into <see cref="Slots"/> (rounded up to a whole tick).</summary>
    private static long SlotLength(RateLimitRule rule) =>
        (TimeSpan.FromSeconds(Math.Max(1, rule.WindowSeconds)).Ticks + Slots - 1) / Slots;
}
