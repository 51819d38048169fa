using OrleansMock.Api.Http;
using OrleansMock.GrainInterfaces;

namespace OrleansMock.Api.Apis;

public sealed record HistoryActor(string UserId, string? Email);

/// <summary>
/// One change: <c>before</c> and <c>after</c> are the endpoint as it was and became (null when created or deleted); for a
/// change of several endpoints at once (an import, a reset), lists of them.
/// </summary>
public sealed record HistoryItem(string Id, DateTimeOffset At, HistoryActor Actor, string Action, string? Target,
    [property: System.Text.Json.Serialization.JsonIgnore(Condition = System.Text.Json.Serialization.JsonIgnoreCondition.Never)] object? Before,
    [property: System.Text.Json.Serialization.JsonIgnore(Condition = System.Text.Json.Serialization.JsonIgnoreCondition.Never)] object? After);

public sealed record HistoryResponse(HistoryItem[] Items, string? NextCursor);

/// <summary>A project's history of endpoint changes (who, when, what, before and after), and restore of any of them.</summary>
public static class HistoryApi
{
    public static RouteGroupBuilder MapHistoryApi(this IEndpointRouteBuilder app)
    {
        var group = app.MapProjectArea("/history", "History");
        group.MapGet("/", GetAsync).WithName("GetHistory")
            .WithSummary("The project's endpoint changes, newest first: who, when, what, before and after; paging: limit, before")
            .Produces<HistoryResponse>().ProducesProblem(StatusCodes.Status400BadRequest);
        group.MapPost("/{changeId}/restore", RestoreAsync).WithName("RestoreChange")
            .WithSummary("Undo a change: the endpoints it deleted or changed come back, those it created go (a change of its own, in the history)")
            .Produces<EndpointListResponse>().ProducesProblem(StatusCodes.Status403Forbidden);
        return group;
    }

    private static async Task<IResult> GetAsync(ProjectScope project, IGrainFactory grains, string? limit, string? before)
    {
        var size = 50;
        if (limit is not null && (!int.TryParse(limit, out size) || size is < 1 or > 200))
        {
            return Problems.BadRequest("limit must be an integer from 1 to 200");
        }
        var outcome = await project.Grain.GetHistoryAsync(project.Caller, before, size);
        if (!outcome.IsOk)
        {
            return Problems.From(outcome);
        }
        var entries = outcome.Value!;
        var emails = new Dictionary<string, string?>(StringComparer.Ordinal);
        foreach (var actor in entries.Select(e => e.Actor).Distinct())
        {
            emails[actor] = (await grains.GetGrain<IUserGrain>(actor).GetAsync())?.Email;
        }
        var items = entries.Select(e => new HistoryItem(e.Id, e.At, new HistoryActor(e.Actor, emails[e.Actor]), e.Action, e.Target,
            Side(e.Before, e.Action), Side(e.After, e.Action))).ToArray();
        return TypedResults.Ok(new HistoryResponse(items, items.Length == size ? items[^1].Id : null));
    }

    /// <summary>One side of a change as the API shows endpoints: one (or null) for a change of one endpoint, a list for several.</summary>
    private static object? Side(EndpointInfo[] endpoints, string action) =>
        action.StartsWith("endpoints.", StringComparison.Ordinal)
            ? endpoints.Select(EndpointResponse.From).ToArray()
            : endpoints.Length == 0 ? null : EndpointResponse.From(endpoints[0]);

    private static async Task<IResult> RestoreAsync(ProjectScope project, string changeId)
    {
        var restored = await project.Grain.RestoreAsync(project.Caller, changeId);
        return restored.IsOk ? TypedResults.Ok(new EndpointListResponse([.. restored.Value!.Select(EndpointResponse.From)])) : Problems.From(restored);
    }
}
