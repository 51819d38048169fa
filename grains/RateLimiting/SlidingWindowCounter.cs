using OrleansMock.GrainInterfaces;

namespace OrleansMock.Grains.RateLimiting;

/// <summary>
/// A sliding window of <see cref="Slots"/> sub-window counts (1 s each for a 60 s window; window / 60 in general). A
/// request counts until its slot leaves the window, so the limit is exact for any burst, wherever it falls against the
/// clock: never more than the limit pass within one window, at the resolution of one slot (a request made late in a
/// second stops counting up to one slot early). A refused request consumes nothing. Time comes from the caller, so
/// tests drive it with a fake clock.
/// <para>
/// Only slots with requests are kept, oldest first; the oldest lives in the struct itself, the others (a subject busy
/// over several seconds) in a small array. So a subject that sent its requests within one second costs 40 bytes and
/// no object of its own: a shard (<see cref="RateLimitShardGrain"/>) keeps a million of them in a dictionary without
/// the garbage collector having a million objects to trace. A mutable struct: keep it in a field, an array element or
/// a dictionary slot taken by reference, never copy it to change it.
/// </para>
/// </summary>
public struct SlidingWindowCounter
{
    public const int Slots = 60;

    private long _slotTicks;
    private long _firstSlot;
    private int _firstCount;
    private int _total;
    private int _length;          // slots with requests: the first here, the rest in _more
    private Entry[]? _more;       // slots 2.._length, oldest first

    public SlidingWindowCounter()
    {
    }

    /// <summary>Restores a counter from what <see cref="Snapshot"/> gave (a malformed snapshot starts empty).</summary>
    public SlidingWindowCounter(long[]? snapshot)
    {
        if (snapshot is not { Length: > 0 } || snapshot[0] <= 0 || snapshot.Length % 2 == 0)
        {
            return;
        }
        _slotTicks = snapshot[0];
        for (var i = 1; i + 1 < snapshot.Length; i += 2)
        {
            if (snapshot[i + 1] > 0 && (_length == 0 || snapshot[i] > NewestSlot))
            {
                Append(snapshot[i], (int)Math.Min(int.MaxValue, snapshot[i + 1]));
            }
        }
    }

    /// <summary>Requests counted in the window as of the last call.</summary>
    public readonly int Total => _total;

    private readonly long NewestSlot => _length <= 1 ? _firstSlot : _more![_length - 2].Slot;

    /// <summary>The counter as numbers, for storage: slot length, then (slot, count) pairs, oldest first.</summary>
    public readonly long[] Snapshot()
    {
        var snapshot = new long[1 + _length * 2];
        snapshot[0] = _slotTicks;
        for (var i = 0; i < _length; i++)
        {
            (snapshot[1 + i * 2], snapshot[2 + i * 2]) = i == 0 ? (_firstSlot, _firstCount) : (_more![i - 1].Slot, _more[i - 1].Count);
        }
        return snapshot;
    }

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
            if (_length > 0 && NewestSlot == slot)
            {
                if (_length == 1)
                {
                    _firstCount += granted;
                }
                else
                {
                    _more![_length - 2].Count += granted;
                }
                _total += granted;
            }
            else
            {
                Append(slot, granted);
            }
            return new RateLimitDecision(true, rule.Limit, room - granted, SecondsUntilOldestExpires(now), 0, granted);
        }
        var wait = SecondsUntilOldestExpires(now);
        return new RateLimitDecision(false, rule.Limit, 0, wait, wait);
    }

    /// <summary>
    /// Gives back permits acquired and not used (what a front end leased for a second and did not spend), from the newest
    /// slot: they were counted there, or in the slot just before.
    /// </summary>
    public void Release(int permits)
    {
        if (permits <= 0 || _length == 0)
        {
            return;
        }
        ref var newest = ref _length == 1 ? ref _firstCount : ref _more![_length - 2].Count;
        var back = Math.Min(permits, newest);
        newest -= back;
        _total -= back;
    }

    /// <summary>True when nothing counted is still inside the window: the counter can be forgotten.</summary>
    public readonly bool IsIdle(DateTimeOffset now) => _total == 0 || now.UtcTicks / _slotTicks >= NewestSlot + Slots;

    private void Append(long slot, int count)
    {
        if (_length == 0)
        {
            (_firstSlot, _firstCount) = (slot, count);
        }
        else
        {
            if (_more is null || _length - 1 == _more.Length)
            {
                Array.Resize(ref _more, Math.Min(Slots, Math.Max(2, (_more?.Length ?? 0) * 2)));
            }
            _more[_length - 1] = new Entry(slot, count);
        }
        _length++;
        _total += count;
    }

    /// <summary>Drops the slots that left the window at <paramref name="now"/>; returns the current slot.</summary>
    private long Advance(DateTimeOffset now, RateLimitRule rule)
    {
        var slotTicks = SlotLength(rule);
        var slot = now.UtcTicks / slotTicks;
        if (slotTicks != _slotTicks)
        {
            // A new rule (another window length): start over.
            this = new SlidingWindowCounter { _slotTicks = slotTicks };
        }
        if (_length > 0 && slot < NewestSlot)
        {
            return NewestSlot; // the clock stepped back: count it with the newest requests
        }
        while (_length > 0 && _firstSlot <= slot - Slots)
        {
            _total -= _firstCount;
            _length--;
            if (_length > 0)
            {
                (_firstSlot, _firstCount) = (_more![0].Slot, _more[0].Count);
                Array.Copy(_more, 1, _more, 0, _length - 1);
            }
        }
        if (_length <= 1 && _more is { Length: > 4 })
        {
            _more = null; // a burst is over: give its slots back
        }
        return slot;
    }

    private readonly double SecondsUntilOldestExpires(DateTimeOffset now) =>
        _total == 0
            ? Slots * _slotTicks / (double)TimeSpan.TicksPerSecond
            : Math.Max(0, ((_firstSlot + Slots) * _slotTicks - now.UtcTicks) / (double)TimeSpan.TicksPerSecond);

    /// <summary>The window divided into <see cref="Slots"/> (rounded up to a whole tick).</summary>
    private static long SlotLength(RateLimitRule rule) =>
        (TimeSpan.FromSeconds(Math.Max(1, rule.WindowSeconds)).Ticks + Slots - 1) / Slots;

    private struct Entry(long slot, int count)
    {
        public readonly long Slot = slot;
        public int Count = count;
    }
}
