using OrleansMock.GrainInterfaces;

namespace OrleansMock.Grains.Projects;

/// <summary>
/// A unique index entry (a project slug, a user email). Being one grain per key makes claims serial, so two holders
/// can never have the same key. A claim left behind by a holder that crashed mid-create, or was deleted without
/// releasing, is healed: before refusing, the holder is asked whether it still holds (or is about to hold) the key.
/// A key is asked rarely — on a claim or a release, and when a request names its project by slug (a management call,
/// a front end's first mock request by that slug) — and its state is one stored row, so it lets its activation go after
/// <see cref="IdleFor"/> without a call: a silo holding many active projects does not also hold their keys (an
/// activation is ~2.5 KB; their keys were a tenth of what 1,000 freshly created projects held, bench/projects.sh).
/// Not at once after each call: calls racing for one key would each be forwarded to an activation already leaving.
/// </summary>
[GrainType("uniquekey")]
public sealed class UniqueKeyGrain(
    [PersistentState("uniquekey", StorageNames.Main)] IPersistentState<UniqueKeyState> state) : Grain, IUniqueKeyGrain
{
    public static readonly TimeSpan IdleFor = TimeSpan.FromSeconds(5);

    private long _lastCall = Environment.TickCount64;

    private string Key => this.GetPrimaryKeyString();

    public override Task OnActivateAsync(CancellationToken cancellationToken)
    {
        this.RegisterGrainTimer(_ =>
        {
            if (Environment.TickCount64 - _lastCall >= (long)IdleFor.TotalMilliseconds)
            {
                DeactivateOnIdle();
            }
            return Task.CompletedTask;
        }, new GrainTimerCreationOptions(IdleFor, IdleFor));
        return Task.CompletedTask;
    }

    public async Task<bool> ClaimAsync(string holderId)
    {
        _lastCall = Environment.TickCount64;
        var holder = state.State.HolderId;
        if (holder == holderId)
        {
            return true;
        }
        if (holder is not null && await Holder(holder).HoldsKeyAsync(Key))
        {
            return false;
        }
        state.State.HolderId = holderId;
        await state.WriteOrRollBackAsync(this, () => state.State.HolderId = holder);
        return true;
    }

    public async Task ReleaseAsync(string holderId)
    {
        _lastCall = Environment.TickCount64;
        if (state.State.HolderId != holderId)
        {
            return;
        }
        await state.ClearStateAsync();
        state.State = new UniqueKeyState();
    }

    public Task<string?> ResolveAsync()
    {
        _lastCall = Environment.TickCount64;
        if (state.State.HolderId is null)
        {
            DeactivateOnIdle(); // an unclaimed key (a guessed slug) keeps no activation around
        }
        return Task.FromResult(state.State.HolderId);
    }

    private IUniqueKeyHolder Holder(string holderId) => UniqueKeys.KindOf(Key) switch
    {
        UniqueKeys.EmailKind => GrainFactory.GetGrain<IUserGrain>(holderId),
        _ => GrainFactory.GetGrain<IMockProjectGrain>(holderId),
    };
}
