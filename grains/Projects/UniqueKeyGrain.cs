using OrleansMock.GrainInterfaces;

namespace OrleansMock.Grains.Projects;

/// <summary>
/// A unique index entry (a project slug, a user email). Being one grain per key makes claims serial, so two holders
/// can never have the same key. A claim left behind by a holder that crashed mid-create, or was deleted without
/// releasing, is healed: before refusing, the holder is asked whether it still holds (or is about to hold) the key.
/// A key is asked on a claim and when a request names its project by slug (management calls, mock traffic a front end
/// has not cached), so an idle one is let go after two minutes rather than the default fifteen: a silo holding many
/// active projects does not also hold their keys.
/// </summary>
[GrainType("uniquekey")]
[CollectionAgeLimit(Minutes = 2)]
public sealed class UniqueKeyGrain(
    [PersistentState("uniquekey", StorageNames.Main)] IPersistentState<UniqueKeyState> state) : Grain, IUniqueKeyGrain
{
    private string Key => this.GetPrimaryKeyString();

    public async Task<bool> ClaimAsync(string holderId)
    {
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
        if (state.State.HolderId != holderId)
        {
            return;
        }
        await state.ClearStateAsync();
        state.State = new UniqueKeyState();
    }

    public Task<string?> ResolveAsync()
    {
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
