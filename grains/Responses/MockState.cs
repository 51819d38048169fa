using OrleansMock.GrainInterfaces;

namespace OrleansMock.Grains.Responses;

/// <summary>
/// What mock traffic changes in a project: each scenario's state and each sequence endpoint's position. Owned by the
/// project grain (so it is exact across front ends), kept in memory: a new activation starts every scenario in
/// "Started" and every sequence at its first response, as a restarted WireMock does. A test session's state travels as a
/// <see cref="SessionState"/>: made into one of these for a request, and back when the request moved it.
/// </summary>
public sealed class MockState
{
    public const string Started = "Started";

    private readonly Dictionary<string, string> _scenarios = new(StringComparer.Ordinal);
    private readonly Dictionary<string, long> _positions = new(StringComparer.Ordinal);

    public MockState()
    {
    }

    public MockState(SessionState session)
    {
        foreach (var (name, state) in session.Scenarios)
        {
            _scenarios[name] = state;
        }
        foreach (var (key, position) in session.Positions)
        {
            _positions[key] = position;
        }
    }

    /// <summary>Whether a scenario moved or a sequence advanced since this was made.</summary>
    public bool Changed { get; private set; }

    public SessionState ToSession() => new([.. _scenarios], [.. _positions]);

    public string ScenarioState(string name) => _scenarios.TryGetValue(name, out var state) ? state : Started;

    public void MoveScenario(string name, string state)
    {
        _scenarios[name] = state;
        Changed = true;
    }

    /// <summary>The next position of an endpoint's sequence (0, 1, 2, ...).</summary>
    public long NextPosition(string endpointKey)
    {
        _positions.TryGetValue(endpointKey, out var position);
        _positions[endpointKey] = position + 1;
        Changed = true;
        return position;
    }

    public void Reset()
    {
        _scenarios.Clear();
        _positions.Clear();
        Changed = true;
    }

    /// <summary>The scenario a move to <paramref name="state"/> names, as it would be after it; or why it cannot move there.</summary>
    public static Outcome<ScenarioInfo> CheckMove(ScenarioInfo[] scenarios, string name, string state, string project)
    {
        if (scenarios.FirstOrDefault(s => s.Name == name) is not { } scenario)
        {
            return Outcome<ScenarioInfo>.Fail(OutcomeKind.NotFound, $"no response of project {project} names scenario '{name}'");
        }
        if (!scenario.PossibleStates.Contains(state))
        {
            return Outcome<ScenarioInfo>.Fail(OutcomeKind.Invalid,
                $"scenario '{name}' has no state '{state}'; its states are {string.Join(", ", scenario.PossibleStates.Select(s => $"'{s}'"))}");
        }
        return Outcome<ScenarioInfo>.Ok(scenario with { State = state });
    }

    /// <summary>The scenarios the endpoints name, with their states (every state a response requires or sets).</summary>
    public ScenarioInfo[] Describe(IEnumerable<EndpointInfo> endpoints) =>
        endpoints.SelectMany(e => e.Spec.AllResponses).Where(r => r.Scenario is not null).Select(r => r.Scenario!)
            .GroupBy(s => s.Name, StringComparer.Ordinal)
            .OrderBy(g => g.Key, StringComparer.Ordinal)
            .Select(g => new ScenarioInfo(g.Key, ScenarioState(g.Key),
                [.. g.SelectMany(s => new[] { s.RequiredState, s.NewState }).Append(Started).OfType<string>().Distinct().Order(StringComparer.Ordinal)]))
            .ToArray();
}
