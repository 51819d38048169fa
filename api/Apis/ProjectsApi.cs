using System.Security.Claims;
using Microsoft.Extensions.Options;
using OrleansMock.Api.Auth;
using OrleansMock.Api.Http;
using OrleansMock.GrainInterfaces;

namespace OrleansMock.Api.Apis;

/// <summary>Projects: create, list newest first with cursor paging, get, patch, delete.</summary>
public static class ProjectsApi
{
    private const int DefaultPageSize = 20;
    private const int MaxPageSize = 100;

    public static RouteGroupBuilder MapProjectsApi(this IEndpointRouteBuilder app)
    {
        var group = app.MapGroup("/api/v1/projects").WithTags("Projects").RequireAuthorization()
            .AddEndpointFilter(RateLimiter.ManagementFilter).AddEndpointFilter(Transient.RetryReadsAndUndeliveredWrites).ProducesProblem(StatusCodes.Status429TooManyRequests);

        group.MapPost("/", CreateAsync)
            .WithName("CreateProject").WithSummary("Create a mock project")
            .Accepts<CreateProjectRequest>("application/json")
            .Produces<ProjectResponse>(StatusCodes.Status201Created)
            .ProducesProblem(StatusCodes.Status400BadRequest).ProducesProblem(StatusCodes.Status409Conflict)
            .ProducesProblem(StatusCodes.Status413PayloadTooLarge).ProducesProblem(StatusCodes.Status415UnsupportedMediaType);
        group.MapGet("/", ListAsync)
            .WithName("ListProjects").WithSummary("List projects, newest first; pass nextCursor as cursor for the next page")
            .Produces<ProjectListResponse>().ProducesProblem(StatusCodes.Status400BadRequest);
        group.MapGet("/{projectId}", GetAsync)
            .WithName("GetProject").WithSummary("Get a project by id or slug")
            .Produces<ProjectResponse>().ProducesProblem(StatusCodes.Status404NotFound);
        group.MapGet("/{projectId}/usage", UsageAsync)
            .WithName("GetProjectUsage").WithSummary("What the project holds against its budgets: endpoints, their bytes, resources and their records")
            .Produces<ProjectUsageResponse>().ProducesProblem(StatusCodes.Status404NotFound);
        group.MapPatch("/{projectId}", UpdateAsync)
            .WithName("UpdateProject").WithSummary("Change a project's name, slug or description")
            .Accepts<UpdateProjectRequest>("application/json", "application/merge-patch+json")
            .Produces<ProjectResponse>().ProducesProblem(StatusCodes.Status400BadRequest)
            .ProducesProblem(StatusCodes.Status404NotFound).ProducesProblem(StatusCodes.Status409Conflict);
        group.MapDelete("/{projectId}", DeleteAsync)
            .WithName("DeleteProject").WithSummary("Delete a project and all its endpoints")
            .Produces(StatusCodes.Status204NoContent).ProducesProblem(StatusCodes.Status404NotFound);
        return group;
    }

    private static async Task<IResult> CreateAsync(HttpRequest request, ClaimsPrincipal user, IGrainFactory grains, ProjectResolver resolver, IOptions<MockLimits> limits)
    {
        var body = await JsonBody.ReadAsync<CreateProjectRequest>(request, limits.Value.MaxRequestBodyBytes);
        if (body.Problem is not null)
        {
            return body.Problem;
        }
        var input = body.Value!;
        var id = ProjectIds.NewProjectId();
        var outcome = await grains.GetGrain<IMockProjectGrain>(id)
            .CreateAsync(new CreateProject(input.Name ?? "", input.Slug, input.Description, user.UserId(), input.Private ?? false));
        if (outcome.IsOk)
        {
            resolver.Forget(outcome.Value!.Slug); // mock traffic may have remembered the slug as missing a moment ago
        }
        return outcome.IsOk
            ? TypedResults.Created($"/api/v1/projects/{id}", ProjectResponse.From(outcome.Value!, request))
            : Problems.From(outcome);
    }

    private static async Task<IResult> ListAsync(HttpRequest request, ClaimsPrincipal user, IGrainFactory grains, string? cursor, string? limit)
    {
        var size = DefaultPageSize;
        if (limit is not null && (!int.TryParse(limit, out size) || size is < 1 or > MaxPageSize))
        {
            return Problems.BadRequest($"limit must be an integer from 1 to {MaxPageSize}");
        }
        var outcome = await grains.GetGrain<IProjectCatalogGrain>(user.UserId()).ListAsync(cursor, size);
        if (!outcome.IsOk)
        {
            return Problems.From(outcome);
        }
        var page = outcome.Value!;
        return TypedResults.Ok(new ProjectListResponse([.. page.Items.Select(p => ProjectResponse.From(p, request))], page.NextCursor));
    }

    private static async Task<IResult> GetAsync(string projectId, HttpRequest request, ClaimsPrincipal user, ProjectResolver resolver)
    {
        var id = await resolver.ResolveAsync(projectId);
        var project = id is null ? null : await resolver.Project(id).GetAsync(user.UserId());
        return project is null ? ProjectNotFound(projectId) : TypedResults.Ok(ProjectResponse.From(project, request));
    }

    private static async Task<IResult> UsageAsync(string projectId, ClaimsPrincipal user, ProjectResolver resolver, IGrainFactory grains, IOptions<MockLimits> limits)
    {
        var id = await resolver.ResolveAsync(projectId);
        var usage = id is null ? null : await resolver.Project(id).GetUsageAsync(user.UserId());
        if (usage is not { IsOk: true, Value: { } project })
        {
            return ProjectNotFound(projectId);
        }
        var l = limits.Value;
        var resources = await Task.WhenAll(project.Resources.Select(async name =>
        {
            var used = await grains.GetGrain<IMockResourceGrain>(ResourceKeys.Grain(id!, name)).GetUsageAsync();
            return new ResourceUsageResponse(name, new UsageValue(used.Records, l.MaxRecordsPerResource), new UsageValue(used.Bytes, l.MaxResourceBytes));
        }));
        return TypedResults.Ok(new ProjectUsageResponse(
            new UsageValue(project.Endpoints, l.MaxEndpointsPerProject), new UsageValue(project.EndpointBytes, l.MaxProjectBytes),
            new UsageValue(project.Resources.Length, l.MaxResourcesPerProject), resources));
    }

    private static async Task<IResult> UpdateAsync(
        string projectId, HttpRequest request, ClaimsPrincipal user, ProjectResolver resolver, IOptions<MockLimits> limits)
    {
        var body = await JsonBody.ReadAsync<UpdateProjectRequest>(request, limits.Value.MaxRequestBodyBytes);
        if (body.Problem is not null)
        {
            return body.Problem;
        }
        var id = await resolver.ResolveAsync(projectId);
        if (id is null)
        {
            return ProjectNotFound(projectId);
        }
        var input = body.Value!;
        var outcome = await resolver.Project(id).UpdateAsync(user.UserId(), new UpdateProject(input.Name, input.Slug, input.Description, input.Private, input.RateLimit, input.Cors, input.ForeignKeySuffix, input.Proxy));
        if (outcome.IsOk)
        {
            resolver.Forget(outcome.Value!.Slug); // a slug this project just took may be remembered as missing
        }
        return outcome.IsOk ? TypedResults.Ok(ProjectResponse.From(outcome.Value!, request)) : Problems.From(outcome);
    }

    private static async Task<IResult> DeleteAsync(string projectId, ClaimsPrincipal user, ProjectResolver resolver)
    {
        var id = await resolver.ResolveAsync(projectId);
        return id is not null && await resolver.Project(id).DeleteAsync(user.UserId())
            ? TypedResults.NoContent()
            : ProjectNotFound(projectId);
    }

    public static IResult ProjectNotFound(string projectId) =>
        Problems.NotFound($"project '{projectId}' does not exist; list your projects with GET /api/v1/projects");
}
