using System.Collections.Concurrent;
using Microsoft.Extensions.DependencyInjection;
using Orleans.Storage;
using OrleansMock.Grains.Storage;

namespace OrleansMock.Tests.Grains;

/// <summary>
/// A grain storage that fails the writes a test names, as a crash between two steps of a multi-grain change would:
/// the named write does not happen and the caller sees an exception. Wraps the production storage of the test cluster.
/// </summary>
public static class StorageFaults
{
    private static readonly ConcurrentDictionary<string, (int Skip, int Fail)> Planned = new(StringComparer.Ordinal);

    /// <summary>The next write (or clear) of <paramref name="stateName"/> for <paramref name="grainId"/> fails without happening.</summary>
    public static void FailNextWrite(string stateName, GrainId grainId) => FailWrite(stateName, grainId, skip: 0);

    /// <summary>After <paramref name="skip"/> writes that happen, the next one fails without happening.</summary>
    public static void FailWrite(string stateName, GrainId grainId, int skip) => Planned[Key(stateName, grainId)] = (skip, 1);

    /// <summary>The next change to records of <paramref name="collection"/> under <paramref name="scope"/> fails without happening.</summary>
    public static void FailNextRecordWrite(RecordCollection collection, string scope) => Planned[RecordKey(collection, scope)] = (0, 1);

    public static ISiloBuilder AddStorageFaults(this ISiloBuilder silo, string storageName)
    {
        var original = silo.Services.Last(d => d.ServiceType == typeof(IGrainStorage) && Equals(d.ServiceKey, storageName));
        silo.Services.Remove(original);
        silo.Services.AddKeyedSingleton<IGrainStorage>(storageName, (services, key) =>
            new FaultyGrainStorage((IGrainStorage)original.KeyedImplementationFactory!(services, key)));
        var records = silo.Services.Last(d => d.ServiceType == typeof(IRecordStore));
        silo.Services.Remove(records);
        silo.Services.AddSingleton<IRecordStore>(services => new FaultyRecordStore(records.ImplementationInstance as IRecordStore
            ?? (IRecordStore?)records.ImplementationFactory?.Invoke(services)
            ?? (IRecordStore)ActivatorUtilities.CreateInstance(services, records.ImplementationType!)));
        return silo;
    }

    private static string RecordKey(RecordCollection collection, string scope) => $"records|{collection.Name}|{scope}";

    private static string Key(string stateName, GrainId grainId) => $"{stateName}|{grainId}";

    private static void ThrowIfPlanned(string operation, string stateName, GrainId grainId) => ThrowIfPlanned(operation, Key(stateName, grainId));

    private static void ThrowIfPlanned(string operation, string key)
    {
        while (Planned.TryGetValue(key, out var plan) && plan.Fail > 0)
        {
            var next = plan.Skip > 0 ? (plan.Skip - 1, plan.Fail) : (0, plan.Fail - 1);
            if (Planned.TryUpdate(key, next, plan))
            {
                if (plan.Skip == 0)
                {
                    throw new IOException($"injected fault: the {operation} of {key} did not happen");
                }
                return;
            }
        }
    }

    private sealed class FaultyGrainStorage(IGrainStorage inner) : IGrainStorage, ILifecycleParticipant<ISiloLifecycle>
    {
        public Task ReadStateAsync<T>(string stateName, GrainId grainId, IGrainState<T> grainState) => inner.ReadStateAsync(stateName, grainId, grainState);

        public Task WriteStateAsync<T>(string stateName, GrainId grainId, IGrainState<T> grainState)
        {
            ThrowIfPlanned("write", stateName, grainId);
            return inner.WriteStateAsync(stateName, grainId, grainState);
        }

        public Task ClearStateAsync<T>(string stateName, GrainId grainId, IGrainState<T> grainState)
        {
            ThrowIfPlanned("clear", stateName, grainId);
            return inner.ClearStateAsync(stateName, grainId, grainState);
        }

        public void Participate(ISiloLifecycle lifecycle) => (inner as ILifecycleParticipant<ISiloLifecycle>)?.Participate(lifecycle);
    }

    private sealed class FaultyRecordStore(IRecordStore inner) : IRecordStore
    {
        private static void ThrowIfPlanned(RecordCollection collection, string scope) => StorageFaults.ThrowIfPlanned("change", RecordKey(collection, scope));

        public Task<StoredRecord?> GetAsync(RecordCollection collection, string scope, string group, string id) => inner.GetAsync(collection, scope, group, id);

        public Task<bool> InsertAsync(RecordCollection collection, string scope, string group, StoredRecord record)
        {
            ThrowIfPlanned(collection, scope);
            return inner.InsertAsync(collection, scope, group, record);
        }

        public Task<bool> ReplaceAsync(RecordCollection collection, string scope, string group, StoredRecord record)
        {
            ThrowIfPlanned(collection, scope);
            return inner.ReplaceAsync(collection, scope, group, record);
        }

        public Task<bool> DeleteAsync(RecordCollection collection, string scope, string group, string id)
        {
            ThrowIfPlanned(collection, scope);
            return inner.DeleteAsync(collection, scope, group, id);
        }

        public Task<IReadOnlyList<StoredRecord>> ListAsync(RecordCollection collection, string scope, string group, RecordQuery query) =>
            inner.ListAsync(collection, scope, group, query);

        public Task ApplyAsync(RecordCollection collection, string scope, string group, IReadOnlyList<RecordWrite> writes)
        {
            ThrowIfPlanned(collection, scope);
            return inner.ApplyAsync(collection, scope, group, writes);
        }

        public Task<long> DeleteGroupAsync(RecordCollection collection, string scope, string group)
        {
            ThrowIfPlanned(collection, scope);
            return inner.DeleteGroupAsync(collection, scope, group);
        }
    }
}
