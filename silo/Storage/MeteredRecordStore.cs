using OrleansMock.Grains.Storage;

namespace OrleansMock.Silo.Storage;

/// <summary>Record storage (mock resources, tester history), timed by <see cref="StorageMetrics"/> as "record-*" operations.</summary>
public sealed class MeteredRecordStore(string provider, IRecordStore inner) : IRecordStore
{
    public Task<StoredRecord?> GetAsync(RecordCollection collection, string scope, string group, string id) =>
        StorageMetrics.Measure(provider, "record-get", () => inner.GetAsync(collection, scope, group, id));

    public Task<bool> InsertAsync(RecordCollection collection, string scope, string group, StoredRecord record) =>
        StorageMetrics.Measure(provider, "record-insert", () => inner.InsertAsync(collection, scope, group, record));

    public Task<bool> ReplaceAsync(RecordCollection collection, string scope, string group, StoredRecord record) =>
        StorageMetrics.Measure(provider, "record-replace", () => inner.ReplaceAsync(collection, scope, group, record));

    public Task<bool> DeleteAsync(RecordCollection collection, string scope, string group, string id) =>
        StorageMetrics.Measure(provider, "record-delete", () => inner.DeleteAsync(collection, scope, group, id));

    public Task<IReadOnlyList<StoredRecord>> ListAsync(RecordCollection collection, string scope, string group, RecordQuery query) =>
        StorageMetrics.Measure(provider, "record-list", () => inner.ListAsync(collection, scope, group, query));

    public Task ApplyAsync(RecordCollection collection, string scope, string group, IReadOnlyList<RecordWrite> writes) =>
        StorageMetrics.Measure(provider, "record-batch", () => inner.ApplyAsync(collection, scope, group, writes));

    public Task<long> DeleteGroupAsync(RecordCollection collection, string scope, string group) =>
        StorageMetrics.Measure(provider, "record-delete-group", () => inner.DeleteGroupAsync(collection, scope, group));
}
