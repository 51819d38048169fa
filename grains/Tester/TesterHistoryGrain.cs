using System.Globalization;
using Microsoft.Extensions.Options;
using OrleansMock.GrainInterfaces;
using OrleansMock.Grains.Storage;

namespace OrleansMock.Grains.Tester;

/// <summary>
/// A user's tester history: entries in memory newest first, each stored as one record (scope = user, sort = time),
/// so history is shared by every front end and silo and a send costs one record write. Retention by count and age
/// is applied on every add.
/// </summary>
[GrainType("testerhistory")]
public sealed class TesterHistoryGrain(IRecordStore store, IOptions<TesterOptions> options, TimeProvider time) : Grain, ITesterHistoryGrain
{
    private const string Group = "history";
    private static readonly RecordCollection Collection = RecordCollection.TesterHistory;
    private readonly List<TesterHistoryEntry> _entries = []; // newest first
    private string User => this.GetPrimaryKeyString();

    public override async Task OnActivateAsync(CancellationToken cancellationToken)
    {
        var stored = await store.ListAsync(Collection, User, Group, new RecordQuery(options.Value.HistoryMaxEntries, Descending: true));
        foreach (var record in stored)
        {
            if (System.Text.Json.JsonSerializer.Deserialize<TesterHistoryEntry>(record.Json) is { } entry)
            {
                _entries.Add(entry);
            }
        }
    }

    public async Task<TesterHistoryEntry> AddAsync(string method, string url, int? status, double totalMs, string json)
    {
        var now = time.GetUtcNow();
        var entry = new TesterHistoryEntry($"h_{now.UtcTicks:x}{Random.Shared.Next(0x1000):x3}", now, method, url, status, totalMs, json);
        await store.InsertAsync(Collection, User, Group, new StoredRecord(entry.Id, now.UtcTicks, System.Text.Json.JsonSerializer.Serialize(entry)));
        _entries.Insert(0, entry);
        var cutoff = now.AddDays(-options.Value.HistoryMaxAgeDays);
        var expired = _entries.Where((e, i) => i >= options.Value.HistoryMaxEntries || e.At < cutoff).ToList();
        foreach (var old in expired)
        {
            await store.DeleteAsync(Collection, User, Group, old.Id);
            _entries.Remove(old);
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

    public Task<TesterHistoryEntry?> GetAsync(string id) => Task.FromResult(_entries.Find(e => e.Id == id));

    public async Task<bool> DeleteAsync(string id)
    {
        if (_entries.Find(e => e.Id == id) is not { } entry)
        {
            return false;
        }
        await store.DeleteAsync(Collection, User, Group, id);
        _entries.Remove(entry);
        return true;
    }

    public async Task ClearAsync()
    {
        await store.DeleteGroupAsync(Collection, User, Group);
        _entries.Clear();
    }
}
