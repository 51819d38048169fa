using System.Globalization;
using System.Text.Json;
using Microsoft.Extensions.Logging;
using OrleansMock.GrainInterfaces;
using OrleansMock.Grains.Storage;

namespace OrleansMock.Grains.Projects;

/// <summary>
/// The history of a project's endpoint changes: each change made through <see cref="ChangeAsync{T}(string, Func{ProjectDefinition, Task{Change{T}}})"/>
/// is recorded after it is committed, stored as one record (group <see cref="HistoryGroup"/>) with the next batch, a
/// second later at most (as the request journal: a write per change would double the cost of creating stubs one by
/// one; a crash loses at most the last second of history, never a change): who, when, and the endpoints it touched
/// before and after, so it can be undone (<see cref="RestoreAsync"/>). Bounded by
/// <see cref="MockLimits.HistorySize"/> entries and <see cref="MockLimits.HistoryMaxBytes"/>, the oldest going first.
/// </summary>
public sealed partial class MockProjectGrain
{
    public const string HistoryGroup = "history";

    // The stored entries, oldest first: their ids and sizes (loaded on the first change or read of an activation).
    private LinkedList<(string Id, long Bytes)>? _history;
    private long _historyBytes;
    private List<StoredRecord> _historyPending = [];
    private IGrainTimer? _historyTimer;
    private Task? _historyFlush;

    private async Task<LinkedList<(string Id, long Bytes)>> HistoryIndexAsync()
    {
        if (_history is not null)
        {
            return _history;
        }
        var index = new LinkedList<(string Id, long Bytes)>();
        long? afterSort = null;
        string? afterId = null;
        while (true)
        {
            var page = await store.ListAsync(RecordCollection.Journal, ProjectId, HistoryGroup, new RecordQuery(200, false, afterSort, afterId));
            foreach (var record in page)
            {
                index.AddLast((record.Id, record.Json.Length));
                _historyBytes += record.Json.Length;
            }
            if (page.Count < 200)
            {
                break;
            }
            (afterSort, afterId) = (page[^1].Sort, page[^1].Id);
        }
        return _history ??= index;
    }

    /// <summary>Records what a committed change did to the endpoints (nothing when it touched none), stored with the next batch.</summary>
    private void RecordHistory(string caller, ProjectDefinition previous, ProjectDefinition next)
    {
        if (limits.Value.HistorySize <= 0 || ReferenceEquals(previous.Endpoints, next.Endpoints))
        {
            return;
        }
        var before = previous.Endpoints.ToDictionary(e => e.Id, StringComparer.Ordinal);
        var after = next.Endpoints.ToDictionary(e => e.Id, StringComparer.Ordinal);
        var touched = before.Keys.Union(after.Keys)
            .Where(id => !before.TryGetValue(id, out var b) || !after.TryGetValue(id, out var a) || !ReferenceEquals(a, b))
            .ToList();
        if (touched.Count == 0)
        {
            return;
        }
        var (action, target) = touched.Count > 1 ? ("endpoints.changed", $"{touched.Count} endpoints")
            : !before.ContainsKey(touched[0]) ? ("endpoint.created", touched[0])
            : !after.ContainsKey(touched[0]) ? ("endpoint.deleted", touched[0])
            : ("endpoint.changed", touched[0]);
        var now = time.GetUtcNow();
        var entry = new HistoryEntry(
            string.Create(CultureInfo.InvariantCulture, $"h_{now.UtcTicks:D20}{Random.Shared.Next(1000):D3}"), now, caller, action, target,
            [.. touched.Where(before.ContainsKey).Select(id => before[id])], [.. touched.Where(after.ContainsKey).Select(id => after[id])]);
        _historyPending.Add(new StoredRecord(entry.Id, now.UtcTicks, JsonSerializer.Serialize(entry, StoredJson.Options)));
        _historyTimer ??= this.RegisterGrainTimer(_ => FlushHistoryAsync(), new GrainTimerCreationOptions(TimeSpan.FromSeconds(1), Timeout.InfiniteTimeSpan) { Interleave = true });
    }

    /// <summary>Stores the recorded entries (one batch, with the deletions that keep the history within its bounds); one flush at a time.</summary>
    private Task FlushHistoryAsync()
    {
        _historyTimer?.Dispose();
        _historyTimer = null;
        return _historyFlush is { IsCompleted: false } running ? running.ContinueWith(_ => FlushHistoryAsync(), TaskScheduler.Current).Unwrap()
            : _historyFlush = FlushHistoryOnceAsync();
    }

    private async Task FlushHistoryOnceAsync()
    {
        if (_historyPending.Count == 0)
        {
            return;
        }
        var pending = _historyPending;
        _historyPending = [];
        try
        {
            var index = await HistoryIndexAsync();
            var writes = new List<RecordWrite>();
            foreach (var record in pending)
            {
                writes.Add(RecordWrite.Store(record));
                index.AddLast((record.Id, record.Json.Length));
                _historyBytes += record.Json.Length;
            }
            while (index.Count > 1 && (index.Count > limits.Value.HistorySize || _historyBytes > limits.Value.HistoryMaxBytes))
            {
                var oldest = index.First!.Value;
                index.RemoveFirst();
                _historyBytes -= oldest.Bytes;
                if (writes.RemoveAll(w => w.Upsert?.Id == oldest.Id) == 0)
                {
                    writes.Add(RecordWrite.Delete(oldest.Id));
                }
            }
            await store.ApplyAsync(RecordCollection.Journal, ProjectId, HistoryGroup, writes);
        }
        catch (Exception exception) when (exception is not OutOfMemoryException)
        {
            _history = null; // reloaded from storage next time
            _historyBytes = 0;
            LogHistoryWriteFailed(logger, exception, ProjectId);
        }
    }

    public async Task<Outcome<HistoryEntry[]>> GetHistoryAsync(string caller, string? before, int limit)
    {
        if (Definition.OwnedBy(caller) is null)
        {
            return NotFound<HistoryEntry[]>();
        }
        await FlushHistoryAsync(); // what was recorded, stored first: a read sees every acknowledged change
        var page = await store.ListAsync(RecordCollection.Journal, ProjectId, HistoryGroup,
            before is null ? new RecordQuery(limit, true) : new RecordQuery(limit, true, SortOf(before), before));
        return Outcome<HistoryEntry[]>.Ok([.. page.Select(r => JsonSerializer.Deserialize<HistoryEntry>(r.Json, StoredJson.Options)!)]);
    }

    public async Task<Outcome<EndpointInfo[]>> RestoreAsync(string caller, string changeId)
    {
        if (Refused<EndpointInfo[]>(caller, TeamRoles.Editor) is { } refused)
        {
            return refused;
        }
        await FlushHistoryAsync();
        if (await store.GetAsync(RecordCollection.Journal, ProjectId, HistoryGroup, changeId) is not { } record)
        {
            return Outcome<EndpointInfo[]>.Fail(OutcomeKind.NotFound, $"project {ProjectId} has no change '{changeId}' in its history");
        }
        var entry = JsonSerializer.Deserialize<HistoryEntry>(record.Json, StoredJson.Options)!;
        var restored = entry.Before.Select(e => e.Id).ToHashSet(StringComparer.Ordinal);
        return await ImportEndpointsAsync(caller, [.. entry.Before.Select(e => new EndpointImport(e.Id, e.Spec))], replaceAll: false,
            deleteIds: [.. entry.After.Select(e => e.Id).Where(id => !restored.Contains(id) && Definition.Endpoints.Any(e => e.Id == id))], newestWins: true);
    }

    private static long SortOf(string entryId) =>
        entryId.Length >= 22 && long.TryParse(entryId.AsSpan(2, 20), NumberStyles.None, CultureInfo.InvariantCulture, out var ticks) ? ticks : 0;

    [LoggerMessage(Level = LogLevel.Warning, Message = "Storing a history entry of project {ProjectId} failed; the change stands without it")]
    private static partial void LogHistoryWriteFailed(ILogger logger, Exception exception, string projectId);
}
