using OrleansMock.GrainInterfaces;
using OrleansMock.Grains.RateLimiting;
using OrleansMock.Grains.Responses;

namespace OrleansMock.Grains.Projects;

/// <summary>Mock traffic: answered from memory by the definition; the request log, the per-project limit and scenario state live here.</summary>
public sealed partial class MockProjectGrain
{
    // The per-project rate limit is counted here, in the grain every request of the project reaches anyway: no
    // extra call. Kept in memory only; a restart of the activation starts a fresh window.
    private SlidingWindowCounter _traffic = new(); // a mutable struct: changed in place, never readonly

    // Scenario states and sequence positions: owned here, so exact across front ends; in memory (see MockState).
    private readonly MockState _mockState = new();

    // The request journal lives here, shared by every front end: in memory, and stored in batches off the hot path
    // (MockProjectGrain.Journal.cs).
    private RequestJournal? _journal;

    private RequestJournal Journal => _journal ??= new RequestJournal(limits.Value.RequestLogSize, TimeSpan.FromHours(limits.Value.RequestLogMaxAgeHours));

    /// <remarks>
    /// Marked read-only so mock traffic never queues behind itself, yet it updates the request log and the per-project
    /// counter: safe because this method never awaits, so its whole body runs in one turn and no other turn of this
    /// grain can interleave with it (MockProjectGrainTests pins that counts stay exact under concurrent calls).
    /// </remarks>
    public ValueTask<MockResult> HandleAsync(MockRequest request, ClientLink client = default, CancellationToken cancellation = default) =>
        ValueTask.FromResult(Refused(request) ?? Answer(request, _mockState, client, cancellation));

    /// <summary>What is answered before any endpoint is looked at: no such project, a stale slug; null when neither.</summary>
    private MockResult? Refused(MockRequest request)
    {
        if (Definition.Project is not { } project)
        {
            DeactivateOnIdle(); // no such project (a guessed id): the activation does not outlive the call
            return MockResult.ProjectNotFound;
        }
        return request.ExpectedSlug is not null && request.ExpectedSlug != project.Slug ? MockResult.SlugMismatch : null;
    }

    /// <summary>Answers a request of the project with <paramref name="mockState"/> (the project's own, or a test session's), logs it and sends its webhooks.</summary>
    private MockResult Answer(MockRequest request, MockState mockState, ClientLink client, CancellationToken cancellation)
    {
        var started = time.GetTimestamp();
        MockResult result;
        if (ClientAborts.Find(client) is { CanBeCanceled: true } local)
        {
            cancellation = local; // the client's own token: read directly, it stops this turn when the client leaves
        }
        try
        {
            result = Definition.Answer(request, rateLimits.Value.MockPerProject.Limit, _admit ??= AdmitToProjectLimit, mockState, limits.Value, Random.Shared, cancellation);
        }
        catch (OperationCanceledException) when (cancellation.IsCancellationRequested)
        {
            result = MockResult.ClientGone.Instance;
        }
        var seq = Record(request, result, started);
        if (result is MockResult.Answered && Definition.SendsWebhooks)
        {
            SendWebhooks(request, result, seq, cancellation);
        }
        return result;
    }

    // One delegate for the activation's life: the hot path allocates no closure per request.
    private Func<int, RateLimitDecision?>? _admit;

    /// <summary>Counts a request against the project's limit (<paramref name="limit"/> per the policy's window); null when the policy is off.</summary>
    private RateLimitDecision? AdmitToProjectLimit(int limit)
    {
        var policy = rateLimits.Value.MockPerProject;
        return policy.Enabled ? _traffic.TryAcquire(time.GetUtcNow(), new RateLimitRule(limit, policy.WindowSeconds)) : null;
    }

    public Task RecordResourceAnswerAsync(MockRequest request, int status, double servedMs, string? endpointId = null)
    {
        if (limits.Value.RequestLogSize > 0 && Definition.Project is not null)
        {
            var now = time.GetUtcNow();
            Journal.Add(new RequestLogEntry(now, request.Method, request.Path, request.Query, request.Headers ?? [],
                request.BodyPreview, status, endpointId, null, servedMs, Seq: Journal.NextSeq(now), Session: request.Session));
            ScheduleJournalFlush();
        }
        return Task.CompletedTask;
    }

    /// <summary>
    /// Renders the webhooks the answer's response sends (none for nearly every answer: one dictionary lookup) and hands
    /// them to the project's outbox, which stores them before their delay starts; the answer does not wait for it.
    /// </summary>
    private void SendWebhooks(MockRequest request, MockResult result, long seq, CancellationToken cancellation)
    {
        var (calls, failures) = Definition.Webhooks(request, result, limits.Value, Random.Shared, time.GetUtcNow(), seq, cancellation);
        if (calls.Length + failures.Length > 0)
        {
            _ = GrainFactory.GetGrain<IWebhookOutboxGrain>(ProjectId).EnqueueAsync(calls, failures);
        }
    }

    /// <summary>Logs an answered request; answers its journal place (<c>Seq</c>; 0 when nothing is logged).</summary>
    private long Record(MockRequest request, MockResult result, long started)
    {
        // A resource's or proxy target's answer (also a proxy endpoint's) has no status yet: it is logged when it is
        // known (RecordResourceAnswerAsync), not here.
        if (limits.Value.RequestLogSize <= 0 || result.Status is not { } status)
        {
            return 0;
        }
        var answered = result as MockResult.Answered;
        var served = time.GetElapsedTime(started).TotalMilliseconds + (answered?.Response.DelayMs ?? 0);
        var now = time.GetUtcNow();
        var seq = Journal.NextSeq(now);
        Journal.Add(new RequestLogEntry(now, request.Method, request.Path, request.Query, request.Headers ?? [],
            request.BodyPreview, status, answered?.Response.EndpointId ?? (result as MockResult.NoMatch)?.Closest?.EndpointId, result.Miss, served,
            answered?.Response.ResponseIndex, seq, answered?.ContractViolation, request.Session));
        ScheduleJournalFlush();
        return seq;
    }

    // ---- scenarios -----------------------------------------------------------------------------------------------------

    public Task<Outcome<ScenarioInfo[]>> GetScenariosAsync(string caller, SessionState? session = null) =>
        Read(caller, d => Outcome<ScenarioInfo[]>.Ok((session is null ? _mockState : new MockState(session)).Describe(d.Endpoints)));

    public Task<Outcome<bool>> ResetScenariosAsync(string caller) => Refused<bool>(caller, TeamRoles.Editor) is { } refused ? Task.FromResult(refused) : Read(caller, _ =>
    {
        _mockState.Reset();
        return Outcome<bool>.Ok(true);
    });

    public Task<Outcome<ScenarioInfo>> SetScenarioStateAsync(string caller, string name, string state) =>
        Refused<ScenarioInfo>(caller, TeamRoles.Editor) is { } refused ? Task.FromResult(refused) : Read(caller, d =>
    {
        var moved = MockState.CheckMove(_mockState.Describe(d.Endpoints), name, state, ProjectId);
        if (moved.IsOk)
        {
            _mockState.MoveScenario(name, state);
        }
        return moved;
    });
}
