using Orleans.Storage;

namespace OrleansMock.Silo.Storage.Postgres;

/// <summary>
/// Grain storage on PostgreSQL: Orleans' own ADO.NET provider running our queries (<c>schema.sql</c>), with two
/// additions: the schema is applied before the provider starts, and a conflict reports both ETags (the provider's
/// own exception carries neither).
/// </summary>
public sealed class PostgresGrainStorage(string name, IGrainStorage provider, PostgresDatabase database)
    : IGrainStorage, ILifecycleParticipant<ISiloLifecycle>
{
    public void Participate(ISiloLifecycle lifecycle)
    {
        // One stage before the provider loads its queries from the orleansquery table.
        lifecycle.Subscribe($"{nameof(PostgresGrainStorage)}.{name}", ServiceLifecycleStage.ApplicationServices - 1, database.EnsureSchemaAsync);
        (provider as ILifecycleParticipant<ISiloLifecycle>)?.Participate(lifecycle);
    }

    public Task ReadStateAsync<T>(string stateName, GrainId grainId, IGrainState<T> grainState) =>
        provider.ReadStateAsync(stateName, grainId, grainState);

    public async Task WriteStateAsync<T>(string stateName, GrainId grainId, IGrainState<T> grainState)
    {
        try
        {
            await provider.WriteStateAsync(stateName, grainId, grainState);
        }
        catch (InconsistentStateException conflict) when (conflict.StoredEtag is null && conflict.CurrentEtag is null)
        {
            throw await WithBothEtagsAsync(conflict, stateName, grainId, grainState);
        }
    }

    public async Task ClearStateAsync<T>(string stateName, GrainId grainId, IGrainState<T> grainState)
    {
        try
        {
            await provider.ClearStateAsync(stateName, grainId, grainState);
        }
        catch (InconsistentStateException conflict) when (conflict.StoredEtag is null && conflict.CurrentEtag is null)
        {
            throw await WithBothEtagsAsync(conflict, stateName, grainId, grainState);
        }
    }

    private async Task<InconsistentStateException> WithBothEtagsAsync<T>(
        InconsistentStateException conflict, string stateName, GrainId grainId, IGrainState<T> grainState)
    {
        var stored = new GrainState<T>();
        await provider.ReadStateAsync(stateName, grainId, stored);
        return new InconsistentStateException(conflict.Message, stored.ETag, grainState.ETag, conflict);
    }
}
