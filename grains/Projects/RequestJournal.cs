using System.Globalization;
using System.Text.Json;
using OrleansMock.GrainInterfaces;
using OrleansMock.Grains.Storage;

namespace OrleansMock.Grains.Projects;

/// <summary>
/// A project's request journal. Entries live in storage, written in batches (one stored record per batch) off the hot
/// path; memory holds only what is not stored yet, the newest <see cref="RecentSize"/> entries (the live log's next
/// lines are answered from them; 8, not 16: ~2 KB less per active project, bench/projects.sh), and a 16-byte index
/// entry per stored batch. A read that needs more scans the stored batches newest first and stops as soon as it has
/// its answer. Retention: the newest
/// <c>capacity</c> entries no older than <c>maxAge</c>; stored batches beyond them are deleted with the next batch.
/// Pure logic: the grain does the I/O and hands reads a function listing stored batches.
/// </summary>
public sealed class RequestJournal(int capacity, TimeSpan maxAge)
{
    public const string Group = "requests";

    /// <summary>How many of the newest entries stay in memory whatever is stored.</summary>
    public const int RecentSize = 8;

    private const int ScanPage = 16;

    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web);

    private readonly RequestLog _recent = new(Math.Min(capacity, RecentSize));
    // Stored batches, oldest first: the last entry's place, the entry count, whether the id is the older form (no count).
    private readonly Queue<(long Seq, int Count, bool OldId)> _batches = new();
    // Only the newest `capacity` entries are worth storing: older ones would fall out of retention at once.
    private Queue<RequestLogEntry> _pending = new();
    private RequestLogEntry[] _writing = []; // taken for a batch whose write has not finished
    private int _stored;
    private int _size; // entries in the journal, stored or not (at most capacity); never below the true count
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
        _recent.Add(entry);
        _size = Math.Min(capacity, _size + 1);
        _pending.Enqueue(entry);
        if (_pending.Count > capacity)
        {
            _pending.Dequeue();
        }
    }

    /// <summary>What an earlier activation stored (batches in order): indexed, not kept.</summary>
    public void Load(IEnumerable<StoredRecord> batches)
    {
        foreach (var batch in batches)
        {
            var (count, oldId) = CountOf(batch);
            if (count == 0)
            {
                continue;
            }
            _batches.Enqueue((batch.Sort, count, oldId));
            _stored += count;
            _size = Math.Min(capacity, _size + count);
            _lastSeq = Math.Max(_lastSeq, batch.Sort);
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
        _writing = entries;
        var last = entries[^1].Seq;
        var writes = new List<RecordWrite> { RecordWrite.Store(new StoredRecord(BatchId(last, entries.Length), last, JsonSerializer.SerializeToUtf8Bytes(entries, Json))) };
        _batches.Enqueue((last, entries.Length, false));
        _stored += entries.Length;
        while (_batches.Count > 1 && _batches.Peek() is var oldest && (_stored - oldest.Count >= capacity || AtOf(oldest.Seq) < now - maxAge))
        {
            _batches.Dequeue();
            _stored -= oldest.Count;
            writes.Add(RecordWrite.Delete(IdOf(oldest)));
        }
        return writes;
    }

    /// <summary>The batch <see cref="TakeBatch"/> gave is stored.</summary>
    public void Written() => _writing = [];

    /// <summary>A batch that could not be stored: its entries wait for the next one.</summary>
    public void Requeue(IReadOnlyList<RecordWrite> failed)
    {
        // The index already counts the batch; forget it, and put its entries back in front.
        var items = _batches.ToList();
        var id = failed[0].Upsert!.Id;
        _batches.Clear();
        foreach (var item in items.Where(b => IdOf(b) != id))
        {
            _batches.Enqueue(item);
        }
        var entries = Entries(failed[0].Upsert!);
        _stored -= entries.Length;
        _pending = new Queue<RequestLogEntry>(entries.Concat(_pending).TakeLast(capacity));
        _writing = [];
    }

    /// <summary>Entries newest first that <paramref name="query"/> selects: from memory when the newest entries answer it, else read from storage.</summary>
    public async Task<RequestLogEntry[]> QueryAsync(RequestLogQuery query, DateTimeOffset now, Func<RecordQuery, Task<IReadOnlyList<StoredRecord>>> read)
    {
        var found = new List<RequestLogEntry>();
        var scan = new Scan(query, now - maxAge, capacity, found);
        var recent = _recent.Newest(_recent.Count);
        foreach (var entry in recent)
        {
            if (!scan.Visit(entry))
            {
                return [.. found];
            }
        }
        if (recent.Length >= _size)
        {
            return [.. found]; // the newest entries are all there is
        }
        found.Clear();
        scan = new Scan(query, now - maxAge, capacity, found);
        await foreach (var entry in NewestFirstAsync(read))
        {
            if (!scan.Visit(entry))
            {
                break;
            }
        }
        return [.. found];
    }

    /// <summary>Every retained entry of one slice (the project's own, or a test session's), newest first.</summary>
    public Task<RequestLogEntry[]> AllAsync(DateTimeOffset now, Func<RecordQuery, Task<IReadOnlyList<StoredRecord>>> read, string? session = null) =>
        QueryAsync(new RequestLogQuery(Math.Max(capacity, 1), Session: session), now, read);

    /// <summary>Every retained entry of every slice, newest first.</summary>
    public async Task<RequestLogEntry[]> EverythingAsync(DateTimeOffset now, Func<RecordQuery, Task<IReadOnlyList<StoredRecord>>> read)
    {
        var found = new List<RequestLogEntry>();
        var position = 0;
        await foreach (var entry in NewestFirstAsync(read))
        {
            if (++position > capacity || entry.At < now - maxAge)
            {
                break;
            }
            found.Add(entry);
        }
        return [.. found];
    }

    /// <summary>Empties memory and the queue (the grain deletes what is stored).</summary>
    public void Clear()
    {
        _recent.Clear();
        _pending.Clear();
        _writing = [];
        _batches.Clear();
        _stored = 0;
        _size = 0;
    }

    /// <summary>
    /// What remains after a removal (<paramref name="kept"/>, newest first) becomes the whole journal, queued again as one
    /// batch (the grain deletes what was stored first).
    /// </summary>
    public void Replace(IReadOnlyList<RequestLogEntry> kept)
    {
        Clear();
        foreach (var entry in kept.Reverse())
        {
            Add(entry);
        }
    }

    /// <summary>The unstored entries and the stored batches merged newest first (a batch written meanwhile is read once).</summary>
    private async IAsyncEnumerable<RequestLogEntry> NewestFirstAsync(Func<RecordQuery, Task<IReadOnlyList<StoredRecord>>> read)
    {
        var unstored = _writing.Concat(_pending).OrderByDescending(e => e.Seq).ToArray();
        var seen = unstored.Select(e => e.Seq).ToHashSet();
        var next = 0;
        var fromStore = new Queue<RequestLogEntry>();
        RecordQuery? page = new(ScanPage, Descending: true);
        while (true)
        {
            if (fromStore.Count == 0 && page is not null)
            {
                var batches = await read(page);
                page = batches.Count < page.Limit ? null : new RecordQuery(ScanPage, true, batches[^1].Sort, batches[^1].Id);
                foreach (var batch in batches)
                {
                    var entries = Entries(batch);
                    for (var i = entries.Length - 1; i >= 0; i--)
                    {
                        if (!seen.Contains(entries[i].Seq))
                        {
                            fromStore.Enqueue(entries[i]);
                        }
                    }
                }
                continue;
            }
            var memory = next < unstored.Length ? unstored[next] : null;
            var stored = fromStore.Count > 0 ? fromStore.Peek() : null;
            if (memory is null && stored is null)
            {
                yield break;
            }
            if (stored is null || (memory is not null && memory.Seq > stored.Seq))
            {
                next++;
                yield return memory!;
            }
            else
            {
                yield return fromStore.Dequeue();
            }
        }
    }

    /// <summary>One pass over entries newest first: retention (count, age), the query's cursor, filters and limit.</summary>
    private sealed class Scan(RequestLogQuery query, DateTimeOffset oldest, int capacity, List<RequestLogEntry> found)
    {
        private int _position;

        /// <summary>Takes the entry if selected; false when no older entry can be selected.</summary>
        public bool Visit(RequestLogEntry e)
        {
            if (++_position > capacity || e.At < oldest || (query.After is { } after && e.Seq <= after) || found.Count >= query.Limit)
            {
                return false;
            }
            if (string.Equals(e.Session, query.Session, StringComparison.Ordinal)
                && (query.Before is not { } before || e.Seq < before)
                && (query.Method is not { } method || string.Equals(e.Method, method, StringComparison.OrdinalIgnoreCase))
                && (query.PathPrefix is not { } prefix || e.Path.StartsWith(prefix, StringComparison.Ordinal))
                && (query.Status is not { } status || e.Status == status)
                && (query.Matched is not { } matched || (e.Miss is null) == matched)
                && (query.From is not { } from || e.At >= from)
                && (query.To is not { } to || e.At <= to))
            {
                found.Add(e);
            }
            return found.Count < query.Limit;
        }
    }

    // A batch's id: its last entry's place and its entry count ("00000638712345678901-25"), so the index is rebuilt
    // without reading the entries; batches stored before the count was in the id are counted by reading them.
    private static string BatchId(long seq, int count) =>
        string.Create(CultureInfo.InvariantCulture, $"{seq:D20}-{count}");

    private static string IdOf((long Seq, int Count, bool OldId) batch) =>
        batch.OldId ? batch.Seq.ToString("D20", CultureInfo.InvariantCulture) : BatchId(batch.Seq, batch.Count);

    private static RequestLogEntry[] Entries(StoredRecord batch) =>
        (batch.Utf8Json is { } utf8 ? JsonSerializer.Deserialize<RequestLogEntry[]>(utf8, Json) : JsonSerializer.Deserialize<RequestLogEntry[]>(batch.Json, Json)) ?? [];

    private static (int Count, bool OldId) CountOf(StoredRecord batch)
    {
        var dash = batch.Id.IndexOf('-', StringComparison.Ordinal);
        return dash > 0 && int.TryParse(batch.Id.AsSpan(dash + 1), NumberStyles.None, CultureInfo.InvariantCulture, out var count)
            ? (count, false)
            : (Entries(batch).Length, true);
    }

    // A batch's time: its last place, which is the clock's ticks at that entry or just above.
    private static DateTimeOffset AtOf(long seq) =>
        seq is > 0 and < 3_155_378_975_999_999_999 ? new DateTimeOffset(seq, TimeSpan.Zero) : DateTimeOffset.MinValue;
}
