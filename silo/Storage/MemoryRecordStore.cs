using OrleansMock.Grains.Storage;

namespace OrleansMock.Silo.Storage;

/// <summary>Record storage in this process's memory: for tests and the Memory provider; lost on exit.</summary>
public sealed class MemoryRecordStore : IRecordStore
{
    private readonly Dictionary<(string, string, string), Dictionary<string, StoredRecord>> _groups = [];
    private readonly Lock _lock = new();

    public Task<StoredRecord?> GetAsync(RecordCollection collection, string scope, string group, string id)
    {
        lock (_lock)
        {
            return Task.FromResult(Group(collection, scope, group).GetValueOrDefault(id));
        }
    }

    public Task<bool> InsertAsync(RecordCollection collection, string scope, string group, StoredRecord record)
    {
        lock (_lock)
        {
            return Task.FromResult(Group(collection, scope, group).TryAdd(record.Id, record));
        }
    }

    public Task<bool> ReplaceAsync(RecordCollection collection, string scope, string group, StoredRecord record)
    {
        lock (_lock)
        {
            var records = Group(collection, scope, group);
            if (!records.ContainsKey(record.Id))
            {
                return Task.FromResult(false);
            }
            records[record.Id] = record;
            return Task.FromResult(true);
        }
    }

    public Task<bool> DeleteAsync(RecordCollection collection, string scope, string group, string id)
    {
        lock (_lock)
        {
            return Task.FromResult(Group(collection, scope, group).Remove(id));
        }
    }

    public Task<IReadOnlyList<StoredRecord>> ListAsync(RecordCollection collection, string scope, string group, RecordQuery query)
    {
        lock (_lock)
        {
            IEnumerable<StoredRecord> records = Group(collection, scope, group).Values;
            records = query.Descending
                ? records.OrderByDescending(r => r.Sort).ThenByDescending(r => r.Id, StringComparer.Ordinal)
                : records.OrderBy(r => r.Sort).ThenBy(r => r.Id, StringComparer.Ordinal);
            if (query.AfterSort is { } afterSort)
            {
                var afterId = query.AfterId ?? "";
                records = records.Where(r => Position(r, afterSort, afterId) * (query.Descending ? -1 : 1) > 0);
            }
            return Task.FromResult<IReadOnlyList<StoredRecord>>(records.Take(query.Limit).ToArray());
        }
    }

    public Task ApplyAsync(RecordCollection collection, string scope, string group, IReadOnlyList<RecordWrite> writes)
    {
        lock (_lock)
        {
            var records = Group(collection, scope, group);
            foreach (var write in writes)
            {
                if (write.Upsert is { } record)
                {
                    records[record.Id] = record;
                }
                else
                {
                    records.Remove(write.DeleteId!);
                }
            }
        }
        return Task.CompletedTask;
    }

    public Task<long> DeleteGroupAsync(RecordCollection collection, string scope, string group)
    {
        lock (_lock)
        {
            var removed = _groups.Remove((collection.Name, scope, group), out var records) ? records.Count : 0;
            return Task.FromResult((long)removed);
        }
    }

    private static int Position(StoredRecord record, long sort, string id)
    {
        var bySort = record.Sort.CompareTo(sort);
        return bySort != 0 ? bySort : string.CompareOrdinal(record.Id, id);
    }

    private Dictionary<string, StoredRecord> Group(RecordCollection collection, string scope, string group)
    {
        var key = (collection.Name, scope, group);
        if (!_groups.TryGetValue(key, out var records))
        {
            _groups[key] = records = new Dictionary<string, StoredRecord>(StringComparer.Ordinal);
        }
        return records;
    }
}
