using System.Security.Claims;
using OrleansMock.Api.Auth;
using OrleansMock.Api.Http;
using OrleansMock.GrainInterfaces;

namespace OrleansMock.Api.Apis;

public sealed record RequestLogResponse(RequestLogEntryResponse[] Items);

public sealed record RequestLogEntryResponse(
    DateTimeOffset At, string Method, string Path, string? Query, Dictionary<string, string> Headers, string? BodyPreview,
    int Status, string? EndpointId, string? Miss, double ServedMs, int? ResponseIndex)
{
    public static RequestLogEntryResponse From(RequestLogEntry entry)
    {
        var headers = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase);
        foreach (var (name, value) in entry.Headers)
        {
            headers.TryAdd(name, value);
        }
        return new(entry.At, entry.Method, entry.Path, entry.Query, headers, entry.BodyPreview, entry.Status, entry.EndpointId, entry.Miss,
            Math.Round(entry.ServedMs, 3), entry.ResponseIndex);
    }
}

/// <summary>A project's request log: the latest mock requests and what answered them, kept in the project grain.</summary>
public static class RequestLogApi
{
    private const int DefaultLimit = 50;

    public static RouteGroupBuilder MapRequestLogApi(this IEndpointRouteBuilder app)
    {
        var group = app.MapGroup("/api/v1/projects/{projectId}/requests").WithTags("Request log").RequireAuthorization()
            .AddEndpointFilter(RateLimiter.ManagementFilter).AddEndpointFilter(Transient.RetryReadsAndUndeliveredWrites).ProducesProblem(StatusCodes.Status429TooManyRequests);
        group.MapGet("/", GetAsync)
            .WithName("GetRequestLog").WithSummary("The project's most recent mock requests, newest first")
            .Produces<RequestLogResponse>().ProducesProblem(StatusCodes.Status400BadRequest).ProducesProblem(StatusCodes.Status404NotFound);
        group.MapDelete("/", ClearAsync)
            .WithName("ClearRequestLog").WithSummary("Empty the project's request log")
            .Produces(StatusCodes.Status204NoContent).ProducesProblem(StatusCodes.Status404NotFound);
        return group;
    }

    private static async Task<IResult> GetAsync(string projectId, string? limit, ClaimsPrincipal user, ProjectResolver resolver, IGrainFactory grains)
    {
        var size = DefaultLimit;
        if (limit is not null && (!int.TryParse(limit, out size) || size < 1 || size > 10_000))
        {
            return Problems.BadRequest("limit must be an integer from 1 to 10000");
        }
        if (await resolver.ResolveAsync(projectId) is not { } id)
        {
            return ProjectsApi.ProjectNotFound(projectId);
        }
        var outcome = await grains.GetGrain<IMockProjectGrain>(id).GetRequestLogAsync(user.UserId(), size);
        return outcome.IsOk
            ? TypedResults.Ok(new RequestLogResponse([.. outcome.Value!.Select(RequestLogEntryResponse.From)]))
            : ProjectsApi.ProjectNotFound(projectId);
    }

    private static async Task<IResult> ClearAsync(string projectId, ClaimsPrincipal user, ProjectResolver resolver, IGrainFactory grains)
    {
        if (await resolver.ResolveAsync(projectId) is not { } id)
        {
            return ProjectsApi.ProjectNotFound(projectId);
        }
        var outcome = await grains.GetGrain<IMockProjectGrain>(id).ClearRequestLogAsync(user.UserId());
        return outcome.IsOk ? TypedResults.NoContent() : ProjectsApi.ProjectNotFound(projectId);
    }
}
