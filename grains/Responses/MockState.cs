using OrleansMock.GrainInterfaces;

namespace OrleansMock.Grains.Responses;

/// <summary>
/// What mock traffic changes in a project: each scenario's state and each sequence endpoint's position. Owned by the
/// project grain (so it is exact across front ends), kept in memory: a new activation starts every scenario in
/// "Started" and every sequence at its first response, as a restarted WireMock does.
/// </summary>
public sealed class MockState
{
    public const string Started = "Started";

    private readonly Dictionary<string, string> _scenarios = new(StringComparer.Ordinal);
    private readonly Dictionary<string, long> _positions = new(StringComparer.Ordinal);

    public string ScenarioState(string name) => _scenarios.TryGetValue(name, out var state) ? state : Started;

    public void MoveScenario(string name, string state) => _scenarios[name] = state;

    /// <summary>The next position of an endpoint's sequence (0, 1, 2, ...).</summary>
    public long NextPosition(string endpointKey)
    {
        _positions.TryGetValue(endpointKey, out var position);
        _positions[endpointKey] = position + 1;
        return position;
    }

    public void Reset()
    {
        _scenarios.Clear();
        _positions.Clear();
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
