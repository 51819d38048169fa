using System.Globalization;
using System.Text.Json;
using Microsoft.Extensions.Logging;
using OrleansMock.GrainInterfaces;
using OrleansMock.Grains.Storage;

namespace OrleansMock.Grains.Projects;

/// <summary>
/// The history of a project's changes: each change of its endpoints or resources made through <see cref="ChangeAsync{T}(string, Func{ProjectDefinition, Task{Change{T}}})"/>
/// is recorded after it is committed, stored as one record (group <see cref="HistoryGroup"/>) with the next batch, a
/// second later at most (as the request journal: a write per change would double the cost of creating stubs one by
/// one; a crash loses at most the last second of history, never a change): who, when, and what it touched before and
/// after; changes of the project's settings and its move to a team too, so it can be undone (<see cref="RestoreAsync"/>). Bounded by
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

    /// <summary>Records what a committed change did to the endpoints and resources (nothing when it touched none), stored with the next batch.</summary>
    private void RecordHistory(string caller, ProjectDefinition previous, ProjectDefinition next)
    {
        if (limits.Value.HistorySize <= 0)
        {
            return;
        }
        var (endpointsBefore, endpointsAfter) = Touched(previous.Endpoints, next.Endpoints, e => e.Id);
        var (resourcesBefore, resourcesAfter) = Touched(previous.Resources, next.Resources, r => r.Name);
        var endpoints = endpointsBefore.Select(e => e.Id).Union(endpointsAfter.Select(e => e.Id)).ToList();
        var resources = resourcesBefore.Select(r => r.Name).Union(resourcesAfter.Select(r => r.Name)).ToList();
        if (endpoints.Count + resources.Count == 0)
        {
            return;
        }
        var (action, target) = (endpoints.Count, resources.Count) switch
        {
            (> 0, > 0) => ("definitions.changed", $"{endpoints.Count} endpoints, {resources.Count} resources"),
            ( > 1, 0) => ("endpoints.changed", $"{endpoints.Count} endpoints"),
            (0, > 1) => ("resources.changed", $"{resources.Count} resources"),
            (1, 0) => ($"endpoint.{Verb(endpointsBefore.Length, endpointsAfter.Length)}", endpoints[0]),
            _ => ($"resource.{Verb(resourcesBefore.Length, resourcesAfter.Length)}", resources[0]),
        };
        RecordChange(caller, action, target, endpointsBefore, endpointsAfter, resourcesBefore, resourcesAfter);
    }

    private static string Verb(int before, int after) => before == 0 ? "created" : after == 0 ? "deleted" : "changed";

    /// <summary>The items of two lists that differ (by key; an unchanged item is the same object), as they were and became.</summary>
    private static (T[] Before, T[] After) Touched<T>(IReadOnlyList<T> previous, IReadOnlyList<T> next, Func<T, string> key) where T : class
    {
        if (ReferenceEquals(previous, next))
        {
            return ([], []);
        }
        var before = previous.ToDictionary(key, StringComparer.Ordinal);
        var after = next.ToDictionary(key, StringComparer.Ordinal);
        return ([.. previous.Where(b => !after.TryGetValue(key(b), out var a) || !ReferenceEquals(a, b))],
            [.. next.Where(a => !before.TryGetValue(key(a), out var b) || !ReferenceEquals(a, b))]);
    }

    /// <summary>Records a change of the project's settings (those a user changes: not its members or times).</summary>
    private void RecordSettings(string caller, ProjectInfo before, ProjectInfo after)
    {
        var changed = new List<string>();
        void Compare(string name, object? a, object? b)
        {
            if (!Equals(a, b))
            {
                changed.Add(name);
            }
        }
        Compare("name", before.Name, after.Name);
        Compare("slug", before.Slug, after.Slug);
        Compare("description", before.Description, after.Description);
        Compare("private", before.Private, after.Private);
        Compare("rateLimit", before.RateLimit, after.RateLimit);
        Compare("cors", before.Cors, after.Cors);
        Compare("foreignKeySuffix", before.ForeignKeySuffix, after.ForeignKeySuffix);
        Compare("proxy", before.Proxy is null ? null : JsonSerializer.Serialize(before.Proxy), after.Proxy is null ? null : JsonSerializer.Serialize(after.Proxy));
        if (changed.Count > 0 && limits.Value.HistorySize > 0)
        {
            RecordChange(caller, "project.changed", string.Join(", ", changed), projectBefore: before, projectAfter: after);
        }
    }

    /// <summary>Adds one entry to the history, stored with the next batch (a second later at most).</summary>
    private void RecordChange(string caller, string action, string? target, EndpointInfo[]? before = null, EndpointInfo[]? after = null,
        ResourceInfo[]? resourcesBefore = null, ResourceInfo[]? resourcesAfter = null, ProjectInfo? projectBefore = null, ProjectInfo? projectAfter = null)
    {
        var now = time.GetUtcNow();
        var entry = new HistoryEntry(
            string.Create(CultureInfo.InvariantCulture, $"h_{now.UtcTicks:D20}{Random.Shared.Next(1000):D3}"), now, caller, action, target,
            before ?? [], after ?? [], resourcesBefore is { Length: > 0 } || resourcesAfter is { Length: > 0 } ? resourcesBefore ?? [] : null,
            resourcesBefore is { Length: > 0 } || resourcesAfter is { Length: > 0 } ? resourcesAfter ?? [] : null,
            projectBefore is null ? null : projectBefore with { Members = null }, projectAfter is null ? null : projectAfter with { Members = null });
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

    public async Task<Outcome<HistoryRestore>> RestoreAsync(string caller, string changeId)
    {
        if (Refused<HistoryRestore>(caller, TeamRoles.Editor) is { } refused)
        {
            return refused;
        }
        await FlushHistoryAsync();
        if (await store.GetAsync(RecordCollection.Journal, ProjectId, HistoryGroup, changeId) is not { } record)
        {
            return Outcome<HistoryRestore>.Fail(OutcomeKind.NotFound, $"project {ProjectId} has no change '{changeId}' in its history");
        }
        var entry = JsonSerializer.Deserialize<HistoryEntry>(record.Json, StoredJson.Options)!;
        if (entry.Action == "project.transferred")
        {
            return Outcome<HistoryRestore>.Fail(OutcomeKind.Conflict, "a move to a team is not undone from the history; the team's owners may move the project's endpoints and resources by export and import");
        }
        var endpoints = Array.Empty<EndpointInfo>();
        if (entry.Before.Length + entry.After.Length > 0)
        {
            var restored = entry.Before.Select(e => e.Id).ToHashSet(StringComparer.Ordinal);
            var undone = await ImportEndpointsAsync(caller, [.. entry.Before.Select(e => new EndpointImport(e.Id, e.Spec))], replaceAll: false,
                deleteIds: [.. entry.After.Select(e => e.Id).Where(id => !restored.Contains(id) && Definition.Endpoints.Any(e => e.Id == id))], newestWins: true);
            if (!undone.IsOk)
            {
                return Outcome<HistoryRestore>.Fail(undone.Kind, undone.Error!);
            }
            endpoints = undone.Value!;
        }
        var resources = new List<ResourceInfo>();
        foreach (var before in entry.ResourcesBefore ?? [])
        {
            // A resource that was changed gets its definition back (its records stay); one that was deleted comes back seeded.
            var spec = new ResourceSpec(before.Name, before.SchemaJson, before.SeedJson, before.IdField);
            var undone = Definition.FindResource(before.Name) is null ? await AddResourceAsync(caller, spec) : await UpdateResourceAsync(caller, spec);
            if (!undone.IsOk)
            {
                return Outcome<HistoryRestore>.Fail(undone.Kind, $"resource '{before.Name}': {undone.Error}");
            }
            resources.Add(undone.Value!);
        }
        foreach (var created in (entry.ResourcesAfter ?? []).Where(a => entry.ResourcesBefore?.Any(b => b.Name == a.Name) != true && Definition.FindResource(a.Name) is not null))
        {
            await DeleteResourceAsync(caller, created.Name);
        }
        ProjectInfo? project = null;
        if (entry.ProjectBefore is { } settings)
        {
            var undone = await UpdateAsync(caller, new UpdateProject(settings.Name, settings.Slug, settings.Description ?? "", settings.Private,
                settings.RateLimit ?? 0, settings.Cors, settings.ForeignKeySuffix ?? "", settings.Proxy ?? new ProxySpec("")));
            if (!undone.IsOk)
            {
                return Outcome<HistoryRestore>.Fail(undone.Kind, undone.Error!);
            }
            project = undone.Value;
        }
        return Outcome<HistoryRestore>.Ok(new HistoryRestore(endpoints, [.. resources], project));
    }

    private static long SortOf(string entryId) =>
        entryId.Length >= 22 && long.TryParse(entryId.AsSpan(2, 20), NumberStyles.None, CultureInfo.InvariantCulture, out var ticks) ? ticks : 0;

    [LoggerMessage(Level = LogLevel.Warning, Message = "Storing a history entry of project {ProjectId} failed; the change stands without it")]
    private static partial void LogHistoryWriteFailed(ILogger logger, Exception exception, string projectId);
}
