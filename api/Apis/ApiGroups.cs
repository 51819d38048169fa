using OrleansMock.Api.Http;

namespace OrleansMock.Api.Apis;

/// <summary>
/// The management API's one convention: everything under <c>/api/v1</c> (but sign-up and sign-in) is for a signed-in
/// caller within the management rate limit; each area picks how its handlers are retried across a silo failover; a
/// project's routes resolve <c>{projectId}</c> once (<see cref="ProjectScope"/>) and answer its 404 in one place.
/// </summary>
public static class ApiGroups
{
    public const string Root = "/api/v1";

    /// <summary>The parent of every signed-in management route: authorization and the caller's rate limit.</summary>
    public static RouteGroupBuilder MapManagementApi(this IEndpointRouteBuilder app) =>
        app.MapGroup(Root).RequireAuthorization().AddEndpointFilter(NoSniff).AddEndpointFilter(RateLimiter.ManagementFilter).AddEndpointFilter(TeamKeysOnProjects)
            .ProducesProblem(StatusCodes.Status401Unauthorized).ProducesProblem(StatusCodes.Status429TooManyRequests);

    /// <summary>
    /// JSON is written with only the escapes JSON needs (<see cref="GrainInterfaces.JsonText"/>), so a tenant's
    /// <c>&lt;script&gt;</c> is text in a string: the answer is never to be read as anything but its declared type.
    /// </summary>
    /// <summary>A team API key works on the team's projects (their routes, and listing them), nothing else of the service.</summary>
    private static ValueTask<object?> TeamKeysOnProjects(EndpointFilterInvocationContext context, EndpointFilterDelegate next)
    {
        var http = context.HttpContext;
        if (!http.User.IsTeamKey())
        {
            return next(context);
        }
        var pattern = (http.GetEndpoint() as RouteEndpoint)?.RoutePattern.RawText?.TrimEnd('/') ?? "";
        var projects = $"{Root}/projects";
        return pattern.StartsWith($"{projects}/{{{ProjectScope.RouteValue}}}", StringComparison.Ordinal) || (pattern == projects && HttpMethods.IsGet(http.Request.Method))
            ? next(context)
            : ValueTask.FromResult<object?>(Problems.Status(StatusCodes.Status403Forbidden,
                "a team API key works on the team's projects only (/api/v1/projects and /api/v1/projects/{id}/...)"));
    }

    private static ValueTask<object?> NoSniff(EndpointFilterInvocationContext context, EndpointFilterDelegate next)
    {
        context.HttpContext.Response.Headers.XContentTypeOptions = "nosniff";
        return next(context);
    }

    /// <summary>
    /// An area whose handlers only read, or write through one grain call: reads are retried, and writes whose message
    /// never reached a silo (<see cref="Transient.RetryReadsAndUndeliveredWrites"/>).
    /// </summary>
    public static RouteGroupBuilder MapArea(this IEndpointRouteBuilder api, string prefix, string tag) =>
        api.MapGroup(prefix).WithTags(tag).AddEndpointFilter(Transient.RetryReadsAndUndeliveredWrites);

    /// <summary>The routes of one project, <c>/projects/{projectId}{suffix}</c>: a handler takes a <see cref="ProjectScope"/>.</summary>
    public static RouteGroupBuilder MapProjectArea(this IEndpointRouteBuilder api, string suffix, string tag) =>
        api.MapArea($"/projects/{{{ProjectScope.RouteValue}}}{suffix}", tag).AddEndpointFilter(ProjectScope.Require)
            .ProducesProblem(StatusCodes.Status404NotFound);
}
