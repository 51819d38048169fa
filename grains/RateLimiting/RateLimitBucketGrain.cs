using OrleansMock.GrainInterfaces;

namespace OrleansMock.Grains.RateLimiting;

/// <summary>
/// A bucket's persisted counter: the ring of <see cref="SlidingWindowCounter"/>. Members 0-2 held the weighted
/// two-window counter this replaced; a record with them only starts a fresh window (buckets live a minute).
/// </summary>
[GenerateSerializer, Alias("om.RateLimitBucketState")]
public sealed class RateLimitBucketState
{
    [Id(0)] public long WindowStartTicks { get; set; }
    [Id(1)] public int Current { get; set; }
    [Id(2)] public int Previous { get; set; }
    [Id(3)] public RateLimitRule? Rule { get; set; }
    [Id(4)] public long SlotTicks { get; set; }
    [Id(5)] public long NewestSlot { get; set; }
    [Id(6)] public int[]? Counts { get; set; }
}

/// <summary>
/// One rate-limit bucket. Being a single activation per key makes the count exact across any number of front ends
/// and silos. The counter lives in memory and is persisted cheaply: at most once per second while it changes (a
/// one-shot timer armed by the first change after a write), and on deactivation, so a silo restart or a move loses
/// at most a second of counts. Idle buckets deactivate after a minute, and a bucket found idle deletes its record.
/// </summary>
[GrainType("ratelimitbucket")]
[CollectionAgeLimit(Minutes = 1)]
public sealed class RateLimitBucketGrain(
    [PersistentState("ratelimit", StorageNames.RateLimits)] IPersistentState<RateLimitBucketState> state,
    TimeProvider time) : Grain, IRateLimitBucketGrain
{
    private static readonly TimeSpan FlushInterval = TimeSpan.FromSeconds(1);
    private SlidingWindowCounter _counter = new();
    private RateLimitRule? _rule;
    private bool _dirty;
    private IGrainTimer? _flush;

    public override Task OnActivateAsync(CancellationToken cancellationToken)
    {
        _counter = new SlidingWindowCounter(state.State.SlotTicks, state.State.NewestSlot, state.State.Counts);
        _rule = state.State.Rule;
        return Task.CompletedTask;
    }

    public Task<RateLimitDecision> TryAcquireAsync(RateLimitRule rule, int permits = 1)
    {
        _rule = rule;
        var decision = _counter.TryAcquire(time.GetUtcNow(), rule, permits);
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
        await FlushAsync(cancellationToken);
    }

    private async Task FlushAsync(CancellationToken cancellationToken)
    {
        if (_rule is { } rule && _counter.IsIdle(time.GetUtcNow(), rule))
        {
            if (state.RecordExists)
            {
                await state.ClearStateAsync(cancellationToken);
            }
            _dirty = false;
            return;
        }
        if (!_dirty)
        {
            return;
        }
        state.State = new RateLimitBucketState
        {
            Rule = _rule,
            SlotTicks = _counter.SlotTicks,
            NewestSlot = _counter.NewestSlot,
            Counts = _counter.Counts,
        };
        _dirty = false;
        await state.WriteStateAsync(cancellationToken);
    }
}
