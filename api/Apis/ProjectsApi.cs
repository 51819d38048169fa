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
        var group = app.MapArea("/projects", "Projects");
        var project = app.MapProjectArea("", "Projects");

        group.MapPost("/", CreateAsync)
            .WithName("CreateProject").WithSummary("Create a mock project")
            .Accepts<CreateProjectRequest>("application/json")
            .Produces<ProjectResponse>(StatusCodes.Status201Created)
            .ProducesProblem(StatusCodes.Status400BadRequest).ProducesProblem(StatusCodes.Status409Conflict)
            .ProducesProblem(StatusCodes.Status413PayloadTooLarge).ProducesProblem(StatusCodes.Status415UnsupportedMediaType);
        group.MapGet("/", ListAsync)
            .WithName("ListProjects").WithSummary("List projects, newest first; pass nextCursor as cursor for the next page")
            .Produces<ProjectListResponse>().ProducesProblem(StatusCodes.Status400BadRequest);
        project.MapGet("/", GetAsync)
            .WithName("GetProject").WithSummary("Get a project by id or slug")
            .Produces<ProjectResponse>();
        project.MapGet("/usage", UsageAsync)
            .WithName("GetProjectUsage").WithSummary("What the project holds against its budgets: endpoints, their bytes, resources and their records")
            .Produces<ProjectUsageResponse>();
        project.MapPatch("/", UpdateAsync)
            .WithName("UpdateProject").WithSummary("Change a project's name, slug or description")
            .Accepts<UpdateProjectRequest>("application/json", "application/merge-patch+json")
            .Produces<ProjectResponse>().ProducesProblem(StatusCodes.Status400BadRequest)
            .ProducesProblem(StatusCodes.Status409Conflict);
        project.MapDelete("/", DeleteAsync)
            .WithName("DeleteProject").WithSummary("Delete a project and all its endpoints")
            .Produces(StatusCodes.Status204NoContent);
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
            ? TypedResults.Created($"{ApiGroups.Root}/projects/{id}", ProjectResponse.From(outcome.Value!, request))
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

    private static async Task<IResult> GetAsync(ProjectScope project, HttpRequest request) =>
        await project.Grain.GetAsync(project.Caller) is { } found ? TypedResults.Ok(ProjectResponse.From(found, request)) : ProjectScope.NotFound(project.Name);

    private static async Task<IResult> UsageAsync(ProjectScope scope, IGrainFactory grains, IOptions<MockLimits> limits)
    {
        if (await scope.Grain.GetUsageAsync(scope.Caller) is not { IsOk: true, Value: { } project })
        {
            return ProjectScope.NotFound(scope.Name);
        }
        var l = limits.Value;
        var resources = await Task.WhenAll(project.Resources.Select(async name =>
        {
            var used = await grains.GetGrain<IMockResourceGrain>(ResourceKeys.Grain(scope.Id, name)).GetUsageAsync();
            return new ResourceUsageResponse(name, new UsageValue(used.Records, l.MaxRecordsPerResource), new UsageValue(used.Bytes, l.MaxResourceBytes));
        }));
        var account = await grains.GetGrain<IProjectCatalogGrain>(scope.Caller).ReservedBytesAsync();
        return TypedResults.Ok(new ProjectUsageResponse(
            new UsageValue(project.Endpoints, l.MaxEndpointsPerProject), new UsageValue(project.EndpointBytes, l.MaxProjectBytes),
            new UsageValue(project.Resources.Length, l.MaxResourcesPerProject), resources, new UsageValue(account, l.MaxAccountBytes)));
    }

    private static async Task<IResult> UpdateAsync(
        ProjectScope project, HttpRequest request, ProjectResolver resolver, IOptions<MockLimits> limits)
    {
        var body = await JsonBody.ReadAsync<UpdateProjectRequest>(request, limits.Value.MaxRequestBodyBytes);
        if (body.Problem is not null)
        {
            return body.Problem;
        }
        var input = body.Value!;
        var outcome = await project.Grain.UpdateAsync(project.Caller, new UpdateProject(input.Name, input.Slug, input.Description, input.Private, input.RateLimit, input.Cors, input.ForeignKeySuffix, input.Proxy));
        if (outcome.IsOk)
        {
            resolver.Forget(outcome.Value!.Slug); // a slug this project just took may be remembered as missing
        }
        return outcome.IsOk ? TypedResults.Ok(ProjectResponse.From(outcome.Value!, request)) : Problems.From(outcome);
    }

    private static async Task<IResult> DeleteAsync(ProjectScope project) =>
        await project.Grain.DeleteAsync(project.Caller) ? TypedResults.NoContent() : ProjectScope.NotFound(project.Name);
}
