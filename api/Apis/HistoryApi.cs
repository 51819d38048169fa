using System.Text.Json.Serialization;
using OrleansMock.Api.Http;
using OrleansMock.GrainInterfaces;

namespace OrleansMock.Api.Apis;

public sealed record HistoryActor(string UserId, string? Email);

/// <summary>
/// One change: <c>before</c> and <c>after</c> are what it touched as it was and became: the endpoint or resource (null when
/// created or deleted), lists of them for a change of several at once (an import, a reset), <c>{"endpoints","resources"}</c>
/// for an import that changed both, the project's settings for <c>project.*</c>.
/// </summary>
public sealed record HistoryItem(string Id, DateTimeOffset At, HistoryActor Actor, string Action, string? Target,
    [property: JsonIgnore(Condition = JsonIgnoreCondition.Never)] object? Before,
    [property: JsonIgnore(Condition = JsonIgnoreCondition.Never)] object? After);

public sealed record HistoryResponse(HistoryItem[] Items, string? NextCursor);

/// <summary>What a restore changed back: endpoints, resources, and the project's settings when it changed them.</summary>
public sealed record RestoreResponse(EndpointResponse[] Items, ResourceResponse[] Resources, ProjectResponse? Project);

/// <summary>A setting-by-setting view of a project, as its history shows a change of its settings (nulls written: a diff shows them).</summary>
public sealed record ProjectSettings(string Name, string Slug,
    [property: JsonIgnore(Condition = JsonIgnoreCondition.Never)] string? Description, bool Private,
    [property: JsonIgnore(Condition = JsonIgnoreCondition.Never)] int? RateLimit, bool Cors,
    [property: JsonIgnore(Condition = JsonIgnoreCondition.Never)] string? ForeignKeySuffix,
    [property: JsonIgnore(Condition = JsonIgnoreCondition.Never)] ProxySpec? Proxy, string Owner)
{
    public static ProjectSettings From(ProjectInfo p) => new(p.Name, p.Slug, p.Description, p.Private, p.RateLimit, p.Cors, p.ForeignKeySuffix, p.Proxy, p.Owner);
}

/// <summary>A project's history of changes (who, when, what, before and after), and restore of any of them.</summary>
public static class HistoryApi
{
    public static RouteGroupBuilder MapHistoryApi(this IEndpointRouteBuilder app)
    {
        var group = app.MapProjectArea("/history", "History");
        group.MapGet("/", GetAsync).WithName("GetHistory")
            .WithSummary("The project's changes (endpoints, resources, settings), newest first: who, when, what, before and after; paging: limit, before")
            .Produces<HistoryResponse>().ProducesProblem(StatusCodes.Status400BadRequest);
        group.MapPost("/{changeId}/restore", RestoreAsync).WithName("RestoreChange")
            .WithSummary("Undo a change: the endpoints and resources it deleted or changed come back, those it created go, settings go back (a change of its own, in the history)")
            .Produces<RestoreResponse>().ProducesProblem(StatusCodes.Status403Forbidden).ProducesProblem(StatusCodes.Status409Conflict);
        return group;
    }

    private static async Task<IResult> GetAsync(ProjectScope project, HttpRequest request, IGrainFactory grains, string? limit, string? before)
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
        var mockBase = await ResourcesApi.MockBaseAsync(request, project);
        var items = entries.Select(e => new HistoryItem(e.Id, e.At, new HistoryActor(e.Actor, emails[e.Actor]), e.Action, e.Target,
            Side(e.Action, e.Before, e.ResourcesBefore, e.ProjectBefore, mockBase), Side(e.Action, e.After, e.ResourcesAfter, e.ProjectAfter, mockBase))).ToArray();
        return TypedResults.Ok(new HistoryResponse(items, items.Length == size ? items[^1].Id : null));
    }

    /// <summary>One side of a change as the API shows it: one item (or null) for a change of one, lists for several.</summary>
    private static object? Side(string action, EndpointInfo[] endpoints, ResourceInfo[]? resources, ProjectInfo? project, string mockBase)
    {
        var kind = action[..action.IndexOf('.')];
        return kind switch
        {
            "endpoint" => endpoints.Length == 0 ? null : EndpointResponse.From(endpoints[0]),
            "endpoints" => endpoints.Select(EndpointResponse.From).ToArray(),
            "resource" => resources is not { Length: > 0 } ? null : ResourceResponse.From(resources[0], mockBase),
            "resources" => (resources ?? []).Select(r => ResourceResponse.From(r, mockBase)).ToArray(),
            "project" => project is null ? null : ProjectSettings.From(project),
            _ => new { endpoints = endpoints.Select(EndpointResponse.From).ToArray(), resources = (resources ?? []).Select(r => ResourceResponse.From(r, mockBase)).ToArray() },
        };
    }

    private static async Task<IResult> RestoreAsync(ProjectScope project, HttpRequest request, ProjectResolver resolver, string changeId)
    {
        var restored = await project.Grain.RestoreAsync(project.Caller, changeId);
        if (!restored.IsOk)
        {
            return Problems.From(restored);
        }
        var (endpoints, resources, settings) = restored.Value!;
        if (settings is not null)
        {
            resolver.Forget(settings.Slug); // a slug the project took back may be remembered as missing
        }
        var mockBase = await ResourcesApi.MockBaseAsync(request, project);
        return TypedResults.Ok(new RestoreResponse([.. endpoints.Select(EndpointResponse.From)], [.. resources.Select(r => ResourceResponse.From(r, mockBase))],
            settings is null ? null : ProjectResponse.From(settings, request, project.Caller)));
    }
}
