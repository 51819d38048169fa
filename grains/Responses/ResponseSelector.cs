using OrleansMock.GrainInterfaces;
using OrleansMock.Grains.Matching;
using OrleansMock.Grains.Safety;

namespace OrleansMock.Grains.Responses;

/// <summary>
/// Picks an endpoint's response for a request among those that apply (their <c>when</c> holds and their scenario is in
/// the required state): <c>first</c> in order, <c>sequence</c> in turn per endpoint, <c>random</c> by weight. Moves the
/// scenario of the chosen response to its new state.
/// </summary>
public static class ResponseSelector
{
    public readonly record struct Choice(CompiledResponse? Response, string? Reason);

    public static Choice Select(EndpointInfo endpoint, CompiledResponse[] responses, ResponseMode mode, RequestView request,
        MockState state, WorkBudget budget, Random random)
    {
        // "first" stops at the first applicable response (the common case: no list); the others choose among all.
        var applicable = mode == ResponseMode.First ? null : new List<CompiledResponse>(responses.Length);
        string? firstReason = null;
        foreach (var response in responses)
        {
            var reason = Reason(response, request, state, budget);
            if (reason is not null)
            {
                firstReason ??= $"response {response.Index}: {reason}";
            }
            else if (applicable is null)
            {
                return Chosen(response, state);
            }
            else
            {
                applicable.Add(response);
            }
        }
        if (applicable is not { Count: > 0 })
        {
            return new Choice(null, $"no response of the endpoint applies ({firstReason})");
        }
        return Chosen(mode == ResponseMode.Sequence
            ? applicable[(int)(state.NextPosition($"{endpoint.Id}@{endpoint.Revision}") % applicable.Count)]
            : Weighted(applicable, random), state);
    }

    /// <summary>The chosen response, its scenario moved to the new state.</summary>
    private static Choice Chosen(CompiledResponse chosen, MockState state)
    {
        if (chosen.Scenario is { NewState: { } next } scenario)
        {
            state.MoveScenario(scenario.Name, next);
        }
        return new Choice(chosen, null);
    }

    private static string? Reason(CompiledResponse response, RequestView request, MockState state, WorkBudget budget)
    {
        if (response.Scenario is { RequiredState: { } required } scenario && state.ScenarioState(scenario.Name) is var current && current != required)
        {
            return $"scenario '{scenario.Name}' is in state '{current}', the response needs '{required}'";
        }
        return response.When.Check(request, budget);
    }

    private static CompiledResponse Weighted(List<CompiledResponse> applicable, Random random)
    {
        var total = applicable.Sum(r => (long)r.Weight);
        if (total <= 0)
        {
            return applicable[random.Next(applicable.Count)];
        }
        var pick = random.NextInt64(total);
        foreach (var response in applicable)
        {
            pick -= response.Weight;
            if (pick < 0)
            {
                return response;
            }
        }
        return applicable[^1];
    }
}
