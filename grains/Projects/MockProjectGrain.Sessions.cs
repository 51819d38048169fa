using Microsoft.Extensions.Logging;
using OrleansMock.GrainInterfaces;
using OrleansMock.Grains.Responses;
using OrleansMock.Grains.Storage;

namespace OrleansMock.Grains.Projects;

/// <summary>
/// Test sessions (<see cref="MockSessions"/>): each session's state lives in its own grain (<see cref="IMockSessionGrain"/>)
/// and resource grains; this grain answers their requests from its definitions with the state they bring, keeps the
/// register of live sessions (<see cref="SessionRegistry"/>, stored) and ends them: deleted, idle past
/// <see cref="MockLimits.SessionIdleMinutes"/> (a sweep each minute while there are any), or with the project.
/// </summary>
public sealed partial class MockProjectGrain
{
    private static readonly TimeSpan SessionsFlushDelay = TimeSpan.FromSeconds(1);
    private static readonly TimeSpan SessionSweepEvery = TimeSpan.FromMinutes(1); // at most; half the idle time when that is shorter

    private SessionRegistry? _sessions;
    private Task? _sessionsLoad;
    private IGrainTimer? _sessionsTimer;
    private IGrainTimer? _sweepTimer;
    private bool _sessionsFlushing;

    private SessionRegistry Sessions => _sessions ??= new SessionRegistry(TimeSpan.FromMinutes(limits.Value.SessionIdleMinutes));

    private IMockSessionGrain SessionGrain(string session) => GrainFactory.GetGrain<IMockSessionGrain>(MockSessions.Scope(ProjectId, session));

    /// <remarks>
    /// As <see cref="HandleAsync"/>: after the register is loaded (once per activation) the rest runs in one turn, so
    /// the project's counters stay exact; the session's own requests come one at a time from its grain.
    /// </remarks>
    public async ValueTask<SessionAnswer> HandleInSessionAsync(string session, MockRequest request, SessionState state, ClientLink client = default,
        CancellationToken cancellation = default)
    {
        if (_sessionsLoad is not { IsCompletedSuccessfully: true } && Refused(request) is null)
        {
            await EnsureSessionsLoadedAsync();
        }
        if (Refused(request) is { } refused)
        {
            return new SessionAnswer(refused);
        }
        var max = limits.Value.MaxSessionsPerProject;
        if (!Sessions.Use(session, time.GetUtcNow(), max))
        {
            return new SessionAnswer(new MockResult.TooManySessions(max));
        }
        ScheduleSessionsFlush();
        var mockState = new MockState(state);
        var result = Answer(request.Session == session ? request : request with { Session = session }, mockState, client, cancellation);
        if (result is MockResult.ToResource toResource)
        {
            // The session's own copy of the resource: its grains are keyed by the session's scope.
            result = toResource with { Route = toResource.Route with { ProjectId = MockSessions.Scope(ProjectId, session) } };
        }
        return new SessionAnswer(result, mockState.Changed ? mockState.ToSession() : null);
    }

    public async Task<Outcome<SessionInfo[]>> ListSessionsAsync(string caller)
    {
        if (Definition.OwnedBy(caller) is null)
        {
            return NotFound<SessionInfo[]>();
        }
        await EnsureSessionsLoadedAsync();
        await SweepSessionsAsync(CancellationToken.None);
        return Outcome<SessionInfo[]>.Ok(Sessions.List());
    }

    public async Task<Outcome<bool>> DeleteSessionAsync(string caller, string session)
    {
        if (Refused<bool>(caller, TeamRoles.Editor) is { } refused)
        {
            return refused;
        }
        if (!MockSessions.IsValid(session))
        {
            return Outcome<bool>.Fail(OutcomeKind.Invalid, MockSessions.Rule("session"));
        }
        await EnsureSessionsLoadedAsync();
        await EndSessionsAsync([session]);
        return Outcome<bool>.Ok(true);
    }

    public Task<ResourceInfo?> GetResourceDefinitionAsync(string name) =>
        Task.FromResult(Definition.Resources.FirstOrDefault(r => r.Name == name));

    /// <summary>
    /// Ends sessions: forgotten here, their journal slices removed, their grains reset and their resource records
    /// dropped. A session's grain is asked even when this grain never knew it (its state may outlive a lost register).
    /// </summary>
    private async Task EndSessionsAsync(string[] sessions)
    {
        foreach (var session in sessions)
        {
            Sessions.Remove(session);
        }
        var ended = sessions.ToHashSet(StringComparer.Ordinal);
        await RemoveFromJournalAsync(e => e.Session is { } s && ended.Contains(s));
        string[] resources = [.. Definition.Resources.Select(r => r.Name)];
        await Task.WhenAll(sessions.Select(session => SessionGrain(session).EndAsync(resources)));
        await FlushSessionsAsync(CancellationToken.None);
    }

    private async Task EndEverySessionAsync()
    {
        await EnsureSessionsLoadedAsync();
        if (Sessions.Count > 0)
        {
            await EndSessionsAsync([.. Sessions.Ids]);
        }
        await store.DeleteGroupAsync(RecordCollection.Journal, ProjectId, SessionRegistry.Group);
    }

    /// <summary>A deleted resource goes from every live session too.</summary>
    private async Task DropSessionCopiesAsync(string resource)
    {
        await EnsureSessionsLoadedAsync();
        await Task.WhenAll(Sessions.Ids.ToArray().Select(session =>
            GrainFactory.GetGrain<IMockResourceGrain>(ResourceKeys.Grain(MockSessions.Scope(ProjectId, session), resource)).DropAsync()));
    }

    private async Task EnsureSessionsLoadedAsync()
    {
        var load = _sessionsLoad ??= LoadSessionsAsync();
        try
        {
            await load;
        }
        catch
        {
            _sessionsLoad = null; // storage was unavailable: the next session request tries again
            throw;
        }
    }

    private async Task LoadSessionsAsync()
    {
        long? afterSort = null;
        string? afterId = null;
        while (true)
        {
            var page = await store.ListAsync(RecordCollection.Journal, ProjectId, SessionRegistry.Group, new RecordQuery(200, false, afterSort, afterId));
            Sessions.Load(page);
            if (page.Count < 200)
            {
                break;
            }
            (afterSort, afterId) = (page[^1].Sort, page[^1].Id);
        }
        ScheduleSessionsFlush();
    }

    /// <summary>Stores the register's changes a second from now, and sweeps for idle sessions each minute while there are any.</summary>
    private void ScheduleSessionsFlush()
    {
        if (Sessions.Pending)
        {
            _sessionsTimer ??= this.RegisterGrainTimer(FlushSessionsAsync,
                new GrainTimerCreationOptions(SessionsFlushDelay, Timeout.InfiniteTimeSpan) { Interleave = true });
        }
        if (Sessions.Count > 0)
        {
            var every = TimeSpan.FromMinutes(Math.Clamp(limits.Value.SessionIdleMinutes / 2, 1.0 / 60, SessionSweepEvery.TotalMinutes));
            _sweepTimer ??= this.RegisterGrainTimer(SweepSessionsAsync, new GrainTimerCreationOptions(every, every));
        }
    }

    private async Task FlushSessionsAsync(CancellationToken cancellationToken)
    {
        _sessionsTimer?.Dispose();
        _sessionsTimer = null;
        if (_sessionsFlushing || !Sessions.Pending)
        {
            ScheduleSessionsFlush(); // the flush in flight leaves what arrived meanwhile to the next one
            return;
        }
        _sessionsFlushing = true;
        var writes = Sessions.TakeWrites();
        try
        {
            await store.ApplyAsync(RecordCollection.Journal, ProjectId, SessionRegistry.Group, writes);
        }
        catch (Exception exception) when (exception is not OutOfMemoryException)
        {
            LogSessionsWriteFailed(logger, exception, ProjectId);
            Sessions.Failed(writes);
        }
        finally
        {
            _sessionsFlushing = false;
            ScheduleSessionsFlush();
        }
    }

    private async Task SweepSessionsAsync(CancellationToken cancellationToken)
    {
        if (Sessions.Expired(time.GetUtcNow()) is { Length: > 0 } expired)
        {
            await EndSessionsAsync(expired);
        }
        if (Sessions.Count == 0)
        {
            _sweepTimer?.Dispose();
            _sweepTimer = null;
        }
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Storing the test sessions of project {ProjectId} failed; they are stored with the next change")]
    private static partial void LogSessionsWriteFailed(ILogger logger, Exception exception, string projectId);
}
