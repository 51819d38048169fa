using Microsoft.Extensions.Logging;
using OrleansMock.GrainInterfaces;
using OrleansMock.Grains.Safety;
using OrleansMock.Grains.Storage;

namespace OrleansMock.Grains.Projects;

/// <summary>
/// The request journal's storage: entries are written in batches, one stored record per batch, a second after the
/// first unstored entry (a timer interleaved with mock traffic, so a write never holds a request up); the index of what
/// an earlier activation stored is built on the first read or write of the journal, not on activation; reads beyond the
/// newest entries scan the stored batches (<see cref="RequestJournal"/>). A crash loses at most the last second of
/// entries.
/// </summary>
public sealed partial class MockProjectGrain
{
    private static readonly TimeSpan JournalFlushDelay = TimeSpan.FromSeconds(1);

    private IGrainTimer? _journalTimer;
    private Task? _journalLoad;
    private bool _journalFlushing;
    private TaskCompletionSource? _journalFlushed; // the flush in flight, if any: a clear or removal waits for it

    /// <summary>
    /// Runs a change of the stored journal (a clear, a removal) with no batch being written: it waits for a write in
    /// flight, and the flush timer (interleaved) skips its turn meanwhile, so no stale batch lands after the change.
    /// </summary>
    private async Task WithoutJournalWritesAsync(Func<Task> change)
    {
        if (_journalFlushed is { } inFlight)
        {
            await inFlight.Task;
        }
        _journalFlushing = true;
        try
        {
            await change();
        }
        finally
        {
            _journalFlushing = false;
        }
        await FlushJournalAsync(CancellationToken.None); // what waits (what a removal keeps, what arrived meanwhile)
    }

    /// <summary>A flush a second from now, unless one is already due.</summary>
    private void ScheduleJournalFlush() =>
        _journalTimer ??= this.RegisterGrainTimer(FlushJournalAsync, new GrainTimerCreationOptions(JournalFlushDelay, Timeout.InfiniteTimeSpan) { Interleave = true });

    private async Task EnsureJournalLoadedAsync()
    {
        var load = _journalLoad ??= LoadJournalAsync();
        try
        {
            await load;
        }
        catch
        {
            _journalLoad = null; // storage was unavailable: the next read or write tries again
            throw;
        }
    }

    private async Task LoadJournalAsync()
    {
        var stored = new List<StoredRecord>();
        long? afterSort = null;
        string? afterId = null;
        while (true)
        {
            var page = await store.ListAsync(RecordCollection.Journal, ProjectId, RequestJournal.Group, new RecordQuery(200, false, afterSort, afterId));
            stored.AddRange(page);
            if (page.Count < 200)
            {
                break;
            }
            (afterSort, afterId) = (page[^1].Sort, page[^1].Id);
        }
        Journal.Load(stored);
    }

    private async Task FlushJournalAsync(CancellationToken cancellationToken)
    {
        _journalTimer?.Dispose();
        _journalTimer = null;
        if (_journalFlushing)
        {
            return;
        }
        _journalFlushing = true;
        _journalFlushed = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        try
        {
            await EnsureJournalLoadedAsync();
            while (Journal.TakeBatch(time.GetUtcNow()) is { } writes)
            {
                try
                {
                    await store.ApplyAsync(RecordCollection.Journal, ProjectId, RequestJournal.Group, writes);
                    Journal.Written();
                }
                catch (Exception exception) when (exception is not OutOfMemoryException)
                {
                    LogJournalWriteFailed(logger, exception, ProjectId);
                    Journal.Requeue(writes);
                    break;
                }
            }
        }
        finally
        {
            _journalFlushing = false;
            _journalFlushed.TrySetResult();
            if (Journal.Pending > 0)
            {
                ScheduleJournalFlush();
            }
        }
    }

    public override async Task OnDeactivateAsync(DeactivationReason reason, CancellationToken cancellationToken)
    {
        await ReleaseLeasesAsync();
        if (_journal is { Pending: > 0 })
        {
            await FlushJournalAsync(cancellationToken);
        }
        if (_sessions is { Pending: true })
        {
            await FlushSessionsAsync(cancellationToken);
        }
        await FlushHistoryAsync();
    }

    public Task<Outcome<RequestLogEntry[]>> GetRequestLogAsync(string caller, int limit) =>
        QueryRequestLogAsync(caller, new RequestLogQuery(limit));

    public async Task<Outcome<RequestLogEntry[]>> QueryRequestLogAsync(string caller, RequestLogQuery query)
    {
        if (Definition.OwnedBy(caller) is null)
        {
            return NotFound<RequestLogEntry[]>();
        }
        await EnsureJournalLoadedAsync();
        await CollectCachedAnswersAsync();
        return Outcome<RequestLogEntry[]>.Ok(await Journal.QueryAsync(query, time.GetUtcNow(), ReadJournal));
    }

    private Task<IReadOnlyList<StoredRecord>> ReadJournal(RecordQuery page) =>
        store.ListAsync(RecordCollection.Journal, ProjectId, RequestJournal.Group, page);

    public async Task<Outcome<RequestLogEntry[]>> FindRequestsAsync(string caller, EndpointSpec? pattern, bool unmatchedOnly, bool remove, string? session = null)
    {
        if (Definition.OwnedBy(caller) is null)
        {
            return NotFound<RequestLogEntry[]>();
        }
        if (remove && Refused<RequestLogEntry[]>(caller, TeamRoles.Editor) is { } refused)
        {
            return refused;
        }
        if (RequestPatterns.Compile(pattern, limits.Value, out var error) is not { } matches)
        {
            return Outcome<RequestLogEntry[]>.Fail(OutcomeKind.Invalid, error!);
        }
        await EnsureJournalLoadedAsync();
        await CollectCachedAnswersAsync();
        if (!remove)
        {
            var all = await Journal.AllAsync(time.GetUtcNow(), ReadJournal, session);
            return Outcome<RequestLogEntry[]>.Ok([.. all.Where(e => (!unmatchedOnly || e.Miss is not null) && matches(e))]);
        }
        return Outcome<RequestLogEntry[]>.Ok(await RemoveFromJournalAsync(e =>
            string.Equals(e.Session, session, StringComparison.Ordinal) && (!unmatchedOnly || e.Miss is not null) && matches(e)));
    }

    /// <summary>Removes the entries <paramref name="selected"/> picks (of every slice); what remains is stored again as one batch. Answers the removed, newest first.</summary>
    private async Task<RequestLogEntry[]> RemoveFromJournalAsync(Func<RequestLogEntry, bool> selected)
    {
        await EnsureJournalLoadedAsync();
        RequestLogEntry[] found = [];
        await WithoutJournalWritesAsync(async () =>
        {
            var all = await Journal.EverythingAsync(time.GetUtcNow(), ReadJournal);
            found = [.. all.Where(selected)];
            if (found.Length > 0)
            {
                var removed = found.ToHashSet(ReferenceEqualityComparer.Instance);
                Journal.Replace([.. all.Where(e => !removed.Contains(e))]); // stored again as one batch, below
                await store.DeleteGroupAsync(RecordCollection.Journal, ProjectId, RequestJournal.Group);
            }
        });
        return found;
    }

    public Task<Outcome<NearMiss?[]>> NearMissesAsync(string caller, MockRequest[] requests) => Read(caller, d =>
    {
        var budget = new WorkBudget(ProjectDefinition.RequestBudget); // for all of them: past it, the rest have none
        return Outcome<NearMiss?[]>.Ok([.. requests.Take(limits.Value.RequestLogSize).Select(r => d.NearMiss(r, limits.Value, budget))]);
    });

    public async Task<Outcome<bool>> ClearRequestLogAsync(string caller, string? session = null)
    {
        if (Refused<bool>(caller, TeamRoles.Editor) is { } refused)
        {
            return refused;
        }
        await EnsureJournalLoadedAsync();
        await CollectCachedAnswersAsync(); // cleared with the rest, not landing after the clear
        await EnsureSessionsLoadedAsync();
        if (session is not null || Sessions.Count > 0)
        {
            // One slice goes; the others (test sessions running beside it, or the project's own) stay.
            await RemoveFromJournalAsync(e => string.Equals(e.Session, session, StringComparison.Ordinal));
            return Outcome<bool>.Ok(true);
        }
        await WithoutJournalWritesAsync(() =>
        {
            Journal.Clear();
            return store.DeleteGroupAsync(RecordCollection.Journal, ProjectId, RequestJournal.Group);
        });
        return Outcome<bool>.Ok(true);
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Storing request journal entries of project {ProjectId} failed; they stay queued")]
    private static partial void LogJournalWriteFailed(ILogger logger, Exception exception, string projectId);
}
