using System.Text.Json;
using OrleansMock.GrainInterfaces;
using OrleansMock.Grains.Storage;

namespace OrleansMock.Grains.Projects;

/// <summary>
/// A project's request journal: the newest entries in memory (<see cref="RequestLog"/>, as many as the retention
/// count), and every entry also queued for storage, written in batches (one stored record per batch) off the hot
/// path. Retention: the stored batches whose entries are all beyond the newest <c>capacity</c>, or older than
/// <c>maxAge</c>, are deleted with the next batch. <see cref="Load"/> merges what an earlier activation stored. Pure
/// logic: the grain does the I/O.
/// </summary>
public sealed class RequestJournal(int capacity, TimeSpan maxAge)
{
    public const string Group = "requests";

    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web);

    private readonly RequestLog _log = new(capacity);
    private readonly Queue<(string Id, int Count, DateTimeOffset Last)> _batches = new();
    // Only the newest `capacity` entries are worth storing: older ones would fall out of retention at once.
    private Queue<RequestLogEntry> _pending = new();
    private int _stored;
    private long _lastSeq;

    public int Capacity => capacity;

    public int Pending => _pending.Count;

    public bool Loaded { get; private set; }

    /// <summary>The next entry's place: increasing, and above anything stored before (ticks of the clock when later).</summary>
    public long NextSeq(DateTimeOffset now) => _lastSeq = Math.Max(_lastSeq + 1, now.UtcTicks);

    public void Add(RequestLogEntry entry)
    {
        if (capacity <= 0)
        {
            return;
        }
        _log.Add(entry);
        _pending.Enqueue(entry);
        if (_pending.Count > capacity)
        {
            _pending.Dequeue();
        }
    }

    /// <summary>What an earlier activation stored (batches in order), put before what this one has seen.</summary>
    public void Load(IEnumerable<StoredRecord> batches, DateTimeOffset now)
    {
        var current = _log.Newest(_log.Count).Reverse().ToArray();
        _log.Clear();
        foreach (var batch in batches)
        {
            var entries = JsonSerializer.Deserialize<RequestLogEntry[]>(batch.Json, Json) ?? [];
            if (entries.Length == 0)
            {
                continue;
            }
            _batches.Enqueue((batch.Id, entries.Length, entries[^1].At));
            _stored += entries.Length;
            foreach (var entry in entries.Where(e => e.At >= now - maxAge))
            {
                _log.Add(entry);
                _lastSeq = Math.Max(_lastSeq, entry.Seq);
            }
        }
        foreach (var entry in current)
        {
            _log.Add(entry);
        }
        Loaded = true;
    }

    /// <summary>The queued entries as one batch to store, and the expired batches to delete; null when nothing waits.</summary>
    public IReadOnlyList<RecordWrite>? TakeBatch(DateTimeOffset now)
    {
        if (_pending.Count == 0)
        {
            return null;
        }
        var entries = _pending.ToArray();
        _pending.Clear();
        var id = entries[^1].Seq.ToString("D20", System.Globalization.CultureInfo.InvariantCulture);
        var writes = new List<RecordWrite> { RecordWrite.Store(new StoredRecord(id, entries[^1].Seq, JsonSerializer.Serialize(entries, Json))) };
        _batches.Enqueue((id, entries.Length, entries[^1].At));
        _stored += entries.Length;
        while (_batches.Count > 1 && _batches.Peek() is var oldest && (_stored - oldest.Count >= capacity || oldest.Last < now - maxAge))
        {
            _batches.Dequeue();
            _stored -= oldest.Count;
            writes.Add(RecordWrite.Delete(oldest.Id));
        }
        return writes;
    }

    /// <summary>A batch that could not be stored: its entries wait for the next one.</summary>
    public void Requeue(IReadOnlyList<RecordWrite> failed)
    {
        // The index already counts the batch; forget it, and put its entries back in front.
        var items = _batches.ToList();
        var id = failed[0].Upsert!.Id;
        _batches.Clear();
        foreach (var item in items.Where(b => b.Id != id))
        {
            _batches.Enqueue(item);
        }
        var entries = JsonSerializer.Deserialize<RequestLogEntry[]>(failed[0].Upsert!.Json, Json) ?? [];
        _stored -= entries.Length;
        _pending = new Queue<RequestLogEntry>(entries.Concat(_pending).TakeLast(capacity));
    }

    public RequestLogEntry[] Newest(int limit) => _log.Newest(limit);

    public IEnumerable<RequestLogEntry> All => _log.Newest(_log.Count);

    /// <summary>Entries newest first that <paramref name="query"/> selects.</summary>
    public RequestLogEntry[] Query(RequestLogQuery query) =>
        [.. (query.After is { } after ? All.TakeWhile(e => e.Seq > after) : All).Where(e => (query.Before is not { } before || e.Seq < before)
                && (query.Method is not { } method || string.Equals(e.Method, method, StringComparison.OrdinalIgnoreCase))
                && (query.PathPrefix is not { } prefix || e.Path.StartsWith(prefix, StringComparison.Ordinal))
                && (query.Status is not { } status || e.Status == status)
                && (query.Matched is not { } matched || (e.Miss is null) == matched)
                && (query.From is not { } from || e.At >= from)
                && (query.To is not { } to || e.At <= to))
            .Take(query.Limit)];

    /// <summary>Empties memory and the queue (the grain deletes what is stored).</summary>
    public void Clear()
    {
        _log.Clear();
        _pending.Clear();
        _batches.Clear();
        _stored = 0;
    }

    /// <summary>Drops entries; what remains is queued again as one batch (the grain deletes what was stored first).</summary>
    public void RemoveWhere(Func<RequestLogEntry, bool> remove)
    {
        _log.RemoveWhere(remove);
        _pending = new Queue<RequestLogEntry>(_log.Newest(_log.Count).Reverse());
        _batches.Clear();
        _stored = 0;
    }
}
