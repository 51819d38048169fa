using System.Runtime.InteropServices;
using OrleansMock.GrainInterfaces;

namespace OrleansMock.Grains.RateLimiting;

/// <summary>
/// The persisted counters of a shard: per subject (by <see cref="RateLimitKeys.SubjectHash"/>), the
/// <see cref="SlidingWindowCounter.Snapshot"/> of its window.
/// </summary>
[GenerateSerializer, Alias("om.RateLimitShardState")]
public sealed class RateLimitShardState
{
    [Id(0)] public Dictionary<ulong, long[]>? Subjects { get; set; }
}

/// <summary>
/// The rate-limit counters of many subjects of one policy (<see cref="RateLimitKeys.Shard"/>): a compact sliding window
/// per subject, a few dozen bytes for a client that sent a few requests, instead of an activation per client. One
/// activation per shard keeps each count exact across any number of front ends and silos. Counters live in memory and
/// are persisted at most every <see cref="FlushInterval"/> while they change, and on deactivation (the busiest
/// <see cref="MaxPersistedSubjects"/> of them), so a silo crash loses at most that much of a window; counters that left
/// their window are dropped every <see cref="SweepInterval"/>.
/// </summary>
[GrainType("ratelimitshard")]
[CollectionAgeLimit(Minutes = 2)]
public sealed class RateLimitShardGrain(
    [PersistentState("ratelimitshard", StorageNames.RateLimits)] IPersistentState<RateLimitShardState> state,
    TimeProvider time) : Grain, IRateLimitShardGrain
{
    private static readonly TimeSpan FlushInterval = TimeSpan.FromSeconds(5);
    private static readonly TimeSpan SweepInterval = TimeSpan.FromSeconds(15);

    /// <summary>At most this many subjects per shard are written (the busiest): bounds each write to a few dozen KB.</summary>
    public const int MaxPersistedSubjects = 2000;
    private readonly Dictionary<ulong, SlidingWindowCounter> _counters = [];
    private bool _dirty;
    private IGrainTimer? _flush;
    private DateTimeOffset _nextSweep;

    public override Task OnActivateAsync(CancellationToken cancellationToken)
    {
        foreach (var (subject, snapshot) in state.State.Subjects ?? [])
        {
            _counters[subject] = new SlidingWindowCounter(snapshot);
        }
        _nextSweep = time.GetUtcNow() + SweepInterval;
        return Task.CompletedTask;
    }

    /// <summary>The number of subjects with a counter (tests and memory checks).</summary>
    public Task<int> CountAsync() => Task.FromResult(_counters.Count);

    public Task<RateLimitDecision> TryAcquireAsync(string subject, RateLimitRule rule, int permits = 1)
    {
        var now = time.GetUtcNow();
        // The counter is a struct changed where it lives, in the dictionary's own slot.
        ref var counter = ref CollectionsMarshal.GetValueRefOrAddDefault(_counters, RateLimitKeys.SubjectHash(subject), out _);
        var decision = counter.TryAcquire(now, rule, permits);
        if (now >= _nextSweep)
        {
            Sweep(now);
        }
        if (decision.Allowed && !_dirty)
        {
            _dirty = true;
            _flush?.Dispose();
            _flush = this.RegisterGrainTimer(FlushAsync, new GrainTimerCreationOptions(FlushInterval, Timeout.InfiniteTimeSpan) { Interleave = false });
        }
        return Task.FromResult(decision);
    }

    public override async Task OnDeactivateAsync(DeactivationReason reason, CancellationToken cancellationToken)
    {
        _flush?.Dispose();
        _dirty = true;
        await FlushAsync(cancellationToken);
    }

    /// <summary>Forgets the subjects whose requests have all left their window.</summary>
    private void Sweep(DateTimeOffset now)
    {
        _nextSweep = now + SweepInterval;
        foreach (var (subject, counter) in _counters)
        {
            if (counter.IsIdle(now))
            {
                _counters.Remove(subject); // removing during enumeration is allowed for Dictionary since .NET Core 3
            }
        }
        if (_counters.Count == 0)
        {
            _counters.TrimExcess();
        }
    }

    private async Task FlushAsync(CancellationToken cancellationToken)
    {
        if (!_dirty)
        {
            return;
        }
        _dirty = false;
        Sweep(time.GetUtcNow());
        if (_counters.Count == 0)
        {
            if (state.RecordExists)
            {
                await state.ClearStateAsync(cancellationToken);
            }
            return;
        }
        // The busiest subjects, those closest to their limit, are the ones worth restoring after a crash; a flood of
        // distinct one-request clients is not written out in full every few seconds.
        var persisted = _counters.Count <= MaxPersistedSubjects
            ? _counters
            : _counters.OrderByDescending(c => c.Value.Total).Take(MaxPersistedSubjects);
        state.State = new RateLimitShardState { Subjects = persisted.ToDictionary(c => c.Key, c => c.Value.Snapshot()) };
        await state.WriteStateAsync(cancellationToken);
        state.State.Subjects = null; // written: the counters in memory are the truth, no second copy is kept
    }
}
