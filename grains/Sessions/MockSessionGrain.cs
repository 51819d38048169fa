using Microsoft.Extensions.Options;
using OrleansMock.GrainInterfaces;
using OrleansMock.Grains.Responses;

namespace OrleansMock.Grains.Sessions;

/// <summary>
/// One test session's scenario states and sequence positions, keyed <c>{projectId}~{session}</c>. Not reentrant: the
/// session's requests run one after another, each taking the state to the project grain and keeping what it answers,
/// so every step is exact whichever front end the requests come through. Kept in memory, as the project's own
/// scenario states are: the activation stays for the session's idle time, and a new one (after a silo was lost)
/// starts every scenario in "Started". The session's resource records are durable, in its own resource grains.
/// </summary>
[GrainType("mocksession")]
public sealed class MockSessionGrain(IOptions<MockLimits> limits, TimeProvider time) : Grain, IMockSessionGrain
{
    private SessionState _state = SessionState.Empty;
    private DateTimeOffset _keptUntil;

    private string Scope => this.GetPrimaryKeyString();

    private string Session => MockSessions.SessionOf(Scope) ?? "";

    private IMockProjectGrain Project => GrainFactory.GetGrain<IMockProjectGrain>(MockSessions.ProjectOf(Scope));

    public async ValueTask<MockResult> HandleAsync(MockRequest request, ClientLink client = default, CancellationToken cancellation = default)
    {
        var answer = await Project.HandleInSessionAsync(Session, request, _state, client, cancellation);
        if (answer.State is { } changed)
        {
            _state = changed;
        }
        KeepForIdleTime();
        return answer.Result;
    }

    public async Task<Outcome<ScenarioInfo[]>> GetScenariosAsync(string caller) => await Project.GetScenariosAsync(caller, _state);

    public async Task<Outcome<bool>> ResetScenariosAsync(string caller)
    {
        var scenarios = await Project.GetScenariosAsync(caller, _state); // the owner's, or nobody's
        if (!scenarios.IsOk)
        {
            return Outcome<bool>.Fail(scenarios.Kind, scenarios.Error!);
        }
        _state = SessionState.Empty;
        return Outcome<bool>.Ok(true);
    }

    public async Task<Outcome<ScenarioInfo>> SetScenarioStateAsync(string caller, string name, string state)
    {
        var scenarios = await Project.GetScenariosAsync(caller, _state);
        if (!scenarios.IsOk)
        {
            return Outcome<ScenarioInfo>.Fail(scenarios.Kind, scenarios.Error!);
        }
        var moved = MockState.CheckMove(scenarios.Value!, name, state, MockSessions.ProjectOf(Scope));
        if (moved.IsOk)
        {
            var next = new MockState(_state);
            next.MoveScenario(name, state);
            _state = next.ToSession();
            KeepForIdleTime();
        }
        return moved;
    }

    public async Task EndAsync(string[] resources)
    {
        _state = SessionState.Empty;
        await Task.WhenAll(resources.Select(name =>
            GrainFactory.GetGrain<IMockResourceGrain>(ResourceKeys.Grain(Scope, name)).DropAsync()));
        DeactivateOnIdle();
    }

    /// <summary>Keeps the activation (and so the state) for the session's idle time after its latest use; renewed at most once a minute.</summary>
    private void KeepForIdleTime()
    {
        var now = time.GetUtcNow();
        if (now + TimeSpan.FromMinutes(1) < _keptUntil)
        {
            return;
        }
        var idle = TimeSpan.FromMinutes(limits.Value.SessionIdleMinutes + 1);
        DelayDeactivation(idle);
        _keptUntil = now + idle;
    }
}
