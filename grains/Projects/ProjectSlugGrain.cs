using OrleansMock.GrainInterfaces;

namespace OrleansMock.Grains.Projects;

/// <summary>
/// The slug index entry for one slug. Being a single grain per slug makes claims serial, so two projects can
/// never hold the same slug. A claim left behind by a project that crashed mid-create, or was deleted without
/// releasing, is healed: the holder is asked whether it still uses the slug.
/// </summary>
[GrainType("projectslug")]
public sealed class ProjectSlugGrain(
    [PersistentState("slug", StorageNames.Main)] IPersistentState<SlugState> state) : Grain, IProjectSlugGrain
{
    public async Task<bool> ClaimAsync(string projectId)
    {
        var holder = state.State.ProjectId;
        if (holder == projectId)
        {
            return true;
        }
        if (holder is not null && await GrainFactory.GetGrain<IMockProjectGrain>(holder).OwnsSlugAsync(this.GetPrimaryKeyString()))
        {
            return false;
        }
        state.State.ProjectId = projectId;
        try
        {
            await state.WriteStateAsync();
        }
        catch
        {
            state.State.ProjectId = holder;
            DeactivateOnIdle();
            throw;
        }
        return true;
    }

    public async Task ReleaseAsync(string projectId)
    {
        if (state.State.ProjectId != projectId)
        {
            return;
        }
        await state.ClearStateAsync();
        state.State = new SlugState();
    }

    public Task<string?> ResolveAsync() => Task.FromResult(state.State.ProjectId);
}
