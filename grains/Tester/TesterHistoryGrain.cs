using System.Globalization;
using Microsoft.Extensions.Options;
using OrleansMock.GrainInterfaces;
using OrleansMock.Grains.Storage;

namespace OrleansMock.Grains.Tester;

/// <summary>
/// A user's tester history: each entry stored as one record (scope = user, sort = time), so history is shared by every
/// front end and silo and a send costs one record write. Memory holds only the summaries, newest first (what the list
/// shows); an entry's request and response are read from storage when asked for. Retention by count, age and bytes
/// (<see cref="TesterOptions.HistoryMaxBytes"/>, the oldest go first) is applied on every add.
/// </summary>
[GrainType("testerhistory")]
public sealed class TesterHistoryGrain(IRecordStore store, IOptions<TesterOptions> options, TimeProvider time) : Grain, ITesterHistoryGrain
{
    private const string Group = "history";
    private static readonly RecordCollection Collection = RecordCollection.TesterHistory;
    private readonly List<TesterHistoryEntry> _entries = []; // newest first, without their Json
    private readonly Dictionary<string, long> _bytes = new(StringComparer.Ordinal); // each entry's stored size
    private long _totalBytes;
    private string User => this.GetPrimaryKeyString();

    public override async Task OnActivateAsync(CancellationToken cancellationToken)
    {
        var stored = await store.ListAsync(Collection, User, Group, new RecordQuery(options.Value.HistoryMaxEntries, Descending: true));
        foreach (var record in stored)
        {
            if (System.Text.Json.JsonSerializer.Deserialize<TesterHistoryEntry>(record.Json) is { } entry)
            {
                Remember(entry, record.Json.Length);
            }
        }
    }

    private void Remember(TesterHistoryEntry entry, long bytes, bool newest = false)
    {
        var summary = entry with { Json = "" };
        if (newest)
        {
            _entries.Insert(0, summary);
        }
        else
        {
            _entries.Add(summary);
        }
        _bytes[entry.Id] = bytes;
        _totalBytes += bytes;
    }

    private void Forget(TesterHistoryEntry entry)
    {
        _entries.Remove(entry);
        _totalBytes -= _bytes.Remove(entry.Id, out var bytes) ? bytes : 0;
    }

    public async Task<TesterHistoryEntry> AddAsync(string method, string url, int? status, double totalMs, string json)
    {
        var now = time.GetUtcNow();
        var entry = new TesterHistoryEntry($"h_{now.UtcTicks:x}{Random.Shared.Next(0x1000):x3}", now, method, url, status, totalMs, json);
        var text = System.Text.Json.JsonSerializer.Serialize(entry);
        await store.InsertAsync(Collection, User, Group, new StoredRecord(entry.Id, now.UtcTicks, text));
        Remember(entry, text.Length, newest: true);
        var cutoff = now.AddDays(-options.Value.HistoryMaxAgeDays);
        var expired = _entries.Where((e, i) => i >= options.Value.HistoryMaxEntries || e.At < cutoff).ToList();
        // Then the oldest until the user's history fits its bytes (the newest entry is always kept).
        var kept = _totalBytes - expired.Sum(e => _bytes[e.Id]);
        for (var i = _entries.Count - 1; i > 0 && kept > options.Value.HistoryMaxBytes; i--)
        {
            if (!expired.Contains(_entries[i]))
            {
                expired.Add(_entries[i]);
                kept -= _bytes[_entries[i].Id];
            }
        }
        foreach (var old in expired)
        {
            await store.DeleteAsync(Collection, User, Group, old.Id);
            Forget(old);
        }
        return entry;
    }

    public Task<Outcome<TesterHistoryPage>> ListAsync(string? before, int limit)
    {
        var start = 0;
        if (!string.IsNullOrEmpty(before))
        {
            if (!long.TryParse(before, NumberStyles.None, CultureInfo.InvariantCulture, out var ticks))
            {
                return Task.FromResult(Outcome<TesterHistoryPage>.Fail(OutcomeKind.Invalid, "before is not a cursor this service issued; pass nextCursor of the previous page"));
            }
            start = _entries.FindIndex(e => e.At.UtcTicks < ticks);
            start = start < 0 ? _entries.Count : start;
        }
        var items = _entries.Skip(start).Take(limit).ToArray();
        var next = start + items.Length < _entries.Count && items.Length > 0 ? items[^1].At.UtcTicks.ToString(CultureInfo.InvariantCulture) : null;
        return Task.FromResult(Outcome<TesterHistoryPage>.Ok(new TesterHistoryPage(items, next)));
    }

    /// <summary>One entry whole (its request and response read from storage), or null.</summary>
    public async Task<TesterHistoryEntry?> GetAsync(string id)
    {
        if (_entries.Find(e => e.Id == id) is null || await store.GetAsync(Collection, User, Group, id) is not { } record)
        {
            return null;
        }
        return System.Text.Json.JsonSerializer.Deserialize<TesterHistoryEntry>(record.Json);
    }

    public async Task<bool> DeleteAsync(string id)
    {
        if (_entries.Find(e => e.Id == id) is not { } entry)
        {
            return false;
        }
        await store.DeleteAsync(Collection, User, Group, id);
        Forget(entry);
        return true;
    }

    public async Task ClearAsync()
    {
        await store.DeleteGroupAsync(Collection, User, Group);
        _entries.Clear();
        _bytes.Clear();
        _totalBytes = 0;
    }
}
