using System.Globalization;
using System.Text.Json;
using Microsoft.Extensions.Logging;
using OrleansMock.GrainInterfaces;
using OrleansMock.Grains.Storage;

namespace OrleansMock.Grains.Projects;

/// <summary>
/// The history of a project's endpoint changes: each change made through <see cref="ChangeAsync{T}(string, Func{ProjectDefinition, Task{Change{T}}})"/>
/// is stored after it is committed, as one record (group <see cref="HistoryGroup"/>): who, when, and the endpoints it
/// touched before and after, so it can be undone (<see cref="RestoreAsync"/>). Bounded by
/// <see cref="MockLimits.HistorySize"/> entries and <see cref="MockLimits.HistoryMaxBytes"/>, the oldest going first.
/// </summary>
public sealed partial class MockProjectGrain
{
    public const string HistoryGroup = "history";

    // The stored entries, oldest first: their ids and sizes (loaded on the first change or read of an activation).
    private LinkedList<(string Id, long Bytes)>? _history;
    private long _historyBytes;

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

    /// <summary>Stores what a committed change did to the endpoints (nothing when it touched none).</summary>
    private async Task RecordHistoryAsync(string caller, ProjectDefinition previous, ProjectDefinition next)
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
        try
        {
            var json = JsonSerializer.Serialize(entry, StoredJson.Options);
            var index = await HistoryIndexAsync();
            var writes = new List<RecordWrite> { RecordWrite.Store(new StoredRecord(entry.Id, now.UtcTicks, json)) };
            index.AddLast((entry.Id, json.Length));
            _historyBytes += json.Length;
            while (index.Count > 1 && (index.Count > limits.Value.HistorySize || _historyBytes > limits.Value.HistoryMaxBytes))
            {
                var oldest = index.First!.Value;
                index.RemoveFirst();
                _historyBytes -= oldest.Bytes;
                writes.Add(RecordWrite.Delete(oldest.Id));
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
