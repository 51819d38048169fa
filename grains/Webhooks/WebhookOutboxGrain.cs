using System.Text.Json;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Orleans.Concurrency;
using OrleansMock.GrainInterfaces;
using OrleansMock.Grains.Storage;

namespace OrleansMock.Grains.Webhooks;

/// <summary>
/// One project's webhook outbox. Each call is stored as its own record before its delay starts (a crash after that
/// loses nothing: an outbox that holds calls is listed in <see cref="WebhookIndexGrain"/>, which every silo wakes every
/// few seconds, so the outbox resumes on a live silo) and deleted after its one attempt. Delivery is at least once for
/// a stored call: an attempt cut short by a crash is made again; the target's answer, whatever it is, ends it (WireMock
/// does not retry either). Sends are spread by the project's limits: at most <see cref="MockLimits.WebhookConcurrency"/>
/// at a time and <see cref="MockLimits.WebhooksPerMinute"/>; the others wait, stored, up to
/// <see cref="MockLimits.MaxPendingWebhooks"/>. Every attempt goes to a log of the newest
/// <see cref="MockLimits.WebhookLogSize"/>, stored too. Reentrant: sends are awaited in parallel, and every change of
/// the fields below happens between awaits.
/// </summary>
[GrainType("webhookoutbox"), Reentrant]
public sealed partial class WebhookOutboxGrain(
    IOptions<MockLimits> limits,
    TimeProvider time,
    IRecordStore store,
    WebhookSender sender,
    ILogger<WebhookOutboxGrain> logger) : Grain, IWebhookOutboxGrain
{
    public const string PendingGroup = "webhooks";
    public const string LogGroup = "webhook-log";

    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web);
    private static readonly TimeSpan RateWindow = TimeSpan.FromMinutes(1);

    private readonly Dictionary<string, WebhookCall> _pending = new(StringComparer.Ordinal);
    private readonly SortedSet<(DateTimeOffset Due, string Id)> _queue = [];
    private readonly HashSet<string> _inFlight = new(StringComparer.Ordinal);
    private readonly Queue<DateTimeOffset> _recentSends = new();
    private readonly LinkedList<WebhookAttempt> _log = new(); // newest first
    private IGrainTimer? _timer;
    private DateTimeOffset? _timerDue;
    private bool _listed;
    private Task _listing = Task.CompletedTask;
    private int _storing;

    private string ProjectId => this.GetPrimaryKeyString();

    private MockLimits Limits => limits.Value;

    public override async Task OnActivateAsync(CancellationToken cancellationToken)
    {
        foreach (var record in await ListAllAsync(PendingGroup, descending: false, int.MaxValue))
        {
            if (JsonSerializer.Deserialize<WebhookCall>(record.Json, Json) is { } call)
            {
                Hold(call);
            }
        }
        foreach (var record in await ListAllAsync(LogGroup, descending: true, Limits.WebhookLogSize))
        {
            if (JsonSerializer.Deserialize<WebhookAttempt>(record.Json, Json) is { } attempt)
            {
                _log.AddLast(attempt);
            }
        }
        _listed = _pending.Count > 0;
        Schedule();
    }

    public async Task EnqueueAsync(WebhookCall[] calls, WebhookAttempt[] failures)
    {
        // Calls interleave (the grain is reentrant): room is counted with what other calls are still storing.
        var room = Math.Max(0, Limits.MaxPendingWebhooks - _pending.Count - _storing);
        var accepted = calls.Take(room).ToArray();
        _storing += accepted.Length;
        var dropped = calls.Skip(room).Select(c => new WebhookAttempt(c.Id, time.GetUtcNow(), c.EndpointId, c.RequestSeq, c.Method, c.Url, [], null, null,
            $"dropped: the project's outbox already holds {Limits.MaxPendingWebhooks} webhooks waiting to be sent (OrleansMock:Limits:MaxPendingWebhooks)", 0));
        if (accepted.Length > 0)
        {
            // Listed before stored: a call that is stored is always found by the silos' wake-up round.
            await ListAsync(true);
            try
            {
                await store.ApplyAsync(RecordCollection.Journal, ProjectId, PendingGroup,
                    [.. accepted.Select(c => RecordWrite.Store(new StoredRecord(c.Id, c.Due.UtcTicks, JsonSerializer.Serialize(c, Json))))]);
            }
            catch (Exception exception)
            {
                // Not stored: sent from memory all the same, without the guarantee.
                LogStoreFailed(logger, exception, ProjectId);
            }
            _storing -= accepted.Length;
            foreach (var call in accepted)
            {
                Hold(call);
            }
        }
        foreach (var attempt in failures.Concat(dropped))
        {
            await LogAsync(attempt);
        }
        Schedule();
    }

    /// <summary>Activation resumes what is stored; an outbox listed with nothing left (a store that failed after the listing) leaves the index.</summary>
    public async Task WakeAsync()
    {
        if (_pending.Count == 0 && _storing == 0)
        {
            _listed = true;
            await ListAsync(false);
        }
    }

    public Task<WebhookLog> GetLogAsync(int limit) =>
        Task.FromResult(new WebhookLog([.. _queue.Select(q => _pending[q.Id])], [.. _log.Take(Math.Clamp(limit, 0, Limits.WebhookLogSize))]));

    public async Task ClearAsync()
    {
        _pending.Clear();
        _queue.Clear();
        _log.Clear();
        _timer?.Dispose();
        (_timer, _timerDue) = (null, null);
        await store.DeleteGroupAsync(RecordCollection.Journal, ProjectId, PendingGroup);
        await store.DeleteGroupAsync(RecordCollection.Journal, ProjectId, LogGroup);
        await ListAsync(false);
    }

    private void Hold(WebhookCall call)
    {
        if (_pending.TryAdd(call.Id, call))
        {
            _queue.Add((call.Due, call.Id));
        }
    }

    /// <summary>Starts what is due and allowed now, and sets the timer for the next moment something may start.</summary>
    private void Schedule()
    {
        var now = time.GetUtcNow();
        while (_recentSends.Count > 0 && _recentSends.Peek() <= now - RateWindow)
        {
            _recentSends.Dequeue();
        }
        foreach (var (due, id) in _queue.ToArray())
        {
            if (due > now || _inFlight.Count >= Limits.WebhookConcurrency || _recentSends.Count >= Limits.WebhooksPerMinute)
            {
                break;
            }
            if (_inFlight.Add(id))
            {
                _recentSends.Enqueue(now);
                _ = SendAsync(_pending[id]);
            }
        }
        DateTimeOffset? next = _queue.FirstOrDefault(q => !_inFlight.Contains(q.Id)) is { Id: not null } waiting
            ? (_recentSends.Count >= Limits.WebhooksPerMinute ? Max(waiting.Due, _recentSends.Peek() + RateWindow) : waiting.Due)
            : null;
        if (_inFlight.Count >= Limits.WebhookConcurrency)
        {
            next = null; // a send that ends schedules again
        }
        if (next == _timerDue)
        {
            return;
        }
        _timer?.Dispose();
        (_timer, _timerDue) = (null, next);
        if (next is { } at)
        {
            var wait = at - now;
            _timer = this.RegisterGrainTimer(_ =>
            {
                (_timer, _timerDue) = (null, null);
                Schedule();
                return Task.CompletedTask;
            }, new GrainTimerCreationOptions(wait < TimeSpan.Zero ? TimeSpan.Zero : wait, Timeout.InfiniteTimeSpan) { KeepAlive = true });
        }
    }

    private static DateTimeOffset Max(DateTimeOffset a, DateTimeOffset b) => a > b ? a : b;

    private async Task SendAsync(WebhookCall call)
    {
        try
        {
            var attempt = await sender.SendAsync(call, CancellationToken.None);
            await LogAsync(attempt);
            await store.DeleteAsync(RecordCollection.Journal, ProjectId, PendingGroup, call.Id);
        }
        catch (Exception exception)
        {
            LogSendFailed(logger, exception, ProjectId);
        }
        finally
        {
            _inFlight.Remove(call.Id);
            _queue.Remove((call.Due, call.Id));
            _pending.Remove(call.Id);
            if (_pending.Count == 0 && _storing == 0)
            {
                await ListAsync(false);
            }
            Schedule();
        }
    }

    private async Task LogAsync(WebhookAttempt attempt)
    {
        if (Limits.WebhookLogSize <= 0)
        {
            return;
        }
        _log.AddFirst(attempt);
        var writes = new List<RecordWrite> { RecordWrite.Store(new StoredRecord(attempt.Id, attempt.At.UtcTicks, JsonSerializer.Serialize(attempt, Json))) };
        while (_log.Count > Limits.WebhookLogSize)
        {
            writes.Add(RecordWrite.Delete(_log.Last!.Value.Id));
            _log.RemoveLast();
        }
        try
        {
            await store.ApplyAsync(RecordCollection.Journal, ProjectId, LogGroup, writes);
        }
        catch (Exception exception)
        {
            LogStoreFailed(logger, exception, ProjectId);
        }
    }

    /// <summary>
    /// Keeps the index's entry for this project in step: listed while calls wait. A call that finds the change already
    /// under way waits for it too (interleaved enqueues must not store before the listing is).
    /// </summary>
    private async Task ListAsync(bool pending)
    {
        if (_listed != pending)
        {
            _listed = pending;
            _listing = SetListedAsync(pending);
        }
        await _listing;
    }

    private async Task SetListedAsync(bool pending)
    {
        try
        {
            await GrainFactory.GetGrain<IWebhookIndexGrain>(IWebhookIndexGrain.Key).SetAsync(ProjectId, pending);
        }
        catch (Exception exception)
        {
            _listed = !pending; // the next change tries again
            LogStoreFailed(logger, exception, ProjectId);
        }
    }

    private async Task<List<StoredRecord>> ListAllAsync(string group, bool descending, int limit)
    {
        var all = new List<StoredRecord>();
        long? afterSort = null;
        string? afterId = null;
        while (all.Count < limit)
        {
            var page = await store.ListAsync(RecordCollection.Journal, ProjectId, group, new RecordQuery(Math.Min(200, limit - all.Count), descending, afterSort, afterId));
            all.AddRange(page);
            if (page.Count < 200)
            {
                break;
            }
            (afterSort, afterId) = (page[^1].Sort, page[^1].Id);
        }
        return all;
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Storing the webhook outbox of project {ProjectId} failed")]
    private static partial void LogStoreFailed(ILogger logger, Exception exception, string projectId);

    [LoggerMessage(Level = LogLevel.Warning, Message = "A webhook of project {ProjectId} failed unexpectedly")]
    private static partial void LogSendFailed(ILogger logger, Exception exception, string projectId);
}

/// <summary>The projects whose outboxes hold calls; stored, so a restart or a dead silo forgets none.</summary>
[GrainType("webhookindex")]
public sealed class WebhookIndexGrain(
    [PersistentState("webhookindex", StorageNames.Main)] IPersistentState<WebhookIndexState> state) : Grain, IWebhookIndexGrain
{
    public async Task SetAsync(string projectId, bool pending)
    {
        if (pending ? state.State.Projects.Add(projectId) : state.State.Projects.Remove(projectId))
        {
            await state.WriteStateAsync();
        }
    }

    public async Task<int> WakeAllAsync()
    {
        var projects = state.State.Projects.ToArray();
        await Task.WhenAll(projects.Select(p => GrainFactory.GetGrain<IWebhookOutboxGrain>(p).WakeAsync()));
        return projects.Length;
    }
}

[GenerateSerializer, Alias("om.WebhookIndexState")]
public sealed class WebhookIndexState
{
    [Id(0)] public HashSet<string> Projects { get; set; } = new(StringComparer.Ordinal);
}
