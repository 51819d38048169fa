using Orleans.Storage;

namespace OrleansMock.Silo.Storage;

/// <summary>Grain state storage, timed by <see cref="StorageMetrics"/>.</summary>
public sealed class MeteredGrainStorage(string provider, IGrainStorage inner) : IGrainStorage, ILifecycleParticipant<ISiloLifecycle>
{
    public void Participate(ISiloLifecycle lifecycle) => (inner as ILifecycleParticipant<ISiloLifecycle>)?.Participate(lifecycle);

    public Task ReadStateAsync<T>(string stateName, GrainId grainId, IGrainState<T> grainState) =>
        StorageMetrics.Measure(provider, "read", () => inner.ReadStateAsync(stateName, grainId, grainState));

    public Task WriteStateAsync<T>(string stateName, GrainId grainId, IGrainState<T> grainState) =>
        StorageMetrics.Measure(provider, "write", () => inner.WriteStateAsync(stateName, grainId, grainState));

    public Task ClearStateAsync<T>(string stateName, GrainId grainId, IGrainState<T> grainState) =>
        StorageMetrics.Measure(provider, "clear", () => inner.ClearStateAsync(stateName, grainId, grainState));
}
