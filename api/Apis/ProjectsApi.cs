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
        project.MapPost("/transfer", TransferAsync)
            .WithName("TransferProject").WithSummary("Move a personal project to a team: the team owns it, its members get their roles, its quotas apply")
            .Accepts<TransferProjectRequest>("application/json")
            .Produces<ProjectResponse>().ProducesProblem(StatusCodes.Status403Forbidden).ProducesProblem(StatusCodes.Status409Conflict)
            .ProducesProblem(StatusCodes.Status429TooManyRequests);
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
        var caller = user.UserId();
        var owner = caller;
        if (input.TeamId is { } teamId)
        {
            // A team's project: its owners and editors may create one; the team's quotas (projects, bytes) apply.
            var role = TeamIds.IsTeamId(teamId) ? await grains.GetGrain<ITeamGrain>(teamId).RoleOfAsync(caller) : null;
            if (role is null)
            {
                return Problems.NotFound($"team '{teamId}' does not exist; list your teams with GET /api/v1/teams");
            }
            if (!TeamRoles.Allows(role, TeamRoles.Editor))
            {
                return Problems.Status(StatusCodes.Status403Forbidden, $"your role in team {teamId} is {role}; creating a project needs editor or owner");
            }
            owner = teamId;
        }
        var id = ProjectIds.NewProjectId();
        var outcome = await grains.GetGrain<IMockProjectGrain>(id)
            .CreateAsync(new CreateProject(input.Name ?? "", input.Slug, input.Description, owner, input.Private ?? false));
        if (!outcome.IsOk)
        {
            return Problems.From(outcome);
        }
        resolver.Forget(outcome.Value!.Slug); // mock traffic may have remembered the slug as missing a moment ago
        var created = outcome.Value!;
        if (owner != caller)
        {
            var attached = await grains.GetGrain<ITeamGrain>(owner).AttachProjectAsync(caller, id);
            if (!attached.IsOk)
            {
                return Problems.From(attached);
            }
            created = await grains.GetGrain<IMockProjectGrain>(id).GetAsync(caller) ?? created;
        }
        return TypedResults.Created($"{ApiGroups.Root}/projects/{id}", ProjectResponse.From(created, request, caller));
    }

    private static async Task<IResult> ListAsync(HttpRequest request, ClaimsPrincipal user, IGrainFactory grains, string? cursor, string? limit)
    {
        var size = DefaultPageSize;
        if (limit is not null && (!int.TryParse(limit, out size) || size is < 1 or > MaxPageSize))
        {
            return Problems.BadRequest($"limit must be an integer from 1 to {MaxPageSize}");
        }
        var caller = user.UserId();
        var outcome = await grains.GetGrain<IProjectCatalogGrain>(caller).ListAsync(cursor, size);
        if (!outcome.IsOk)
        {
            return Problems.From(outcome);
        }
        var page = outcome.Value!;
        IEnumerable<ProjectInfo> items = page.Items;
        if (cursor is null)
        {
            // The first page also lists the projects of the caller's teams (each team's newest, up to a page each).
            var teams = await grains.GetGrain<IUserTeamsGrain>(caller).ListAsync();
            var teamPages = await Task.WhenAll(teams.Select(t => grains.GetGrain<IProjectCatalogGrain>(t).ListAsync(null, MaxPageSize)));
            items = items.Concat(teamPages.Where(p => p.IsOk).SelectMany(p => p.Value!.Items).Where(p => p.RoleOf(caller) is not null));
        }
        return TypedResults.Ok(new ProjectListResponse([.. items.Where(p => user.WithinGrants(p.Id, p.RoleOf(caller)) is not null)
            .Select(p => ProjectResponse.From(p, request, caller))], page.NextCursor));
    }

    private static async Task<IResult> GetAsync(ProjectScope project, HttpRequest request) =>
        await project.Grain.GetAsync(project.Caller) is { } found ? TypedResults.Ok(ProjectResponse.From(found, request, project.Caller)) : ProjectScope.NotFound(project.Name);

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
        // The account the project counts against: its owner's (a team's, for a team project).
        var owner = (await scope.Grain.GetAsync(scope.Caller))?.Owner ?? scope.Caller;
        var account = await grains.GetGrain<IProjectCatalogGrain>(owner).ReservedBytesAsync();
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
        return outcome.IsOk ? TypedResults.Ok(ProjectResponse.From(outcome.Value!, request, project.Caller)) : Problems.From(outcome);
    }

    private static async Task<IResult> TransferAsync(ProjectScope project, HttpRequest request, IGrainFactory grains, IOptions<MockLimits> limits)
    {
        var body = await JsonBody.ReadAsync<TransferProjectRequest>(request, limits.Value.MaxRequestBodyBytes);
        if (body.Problem is not null)
        {
            return body.Problem;
        }
        if (body.Value!.TeamId is not { Length: > 0 } teamId)
        {
            return Problems.BadRequest("teamId is required: the team to move the project to (GET /api/v1/teams lists yours)");
        }
        var team = grains.GetGrain<ITeamGrain>(teamId);
        var role = TeamIds.IsTeamId(teamId) && !request.HttpContext.User.IsTeamKey() ? await team.RoleOfAsync(project.Caller) : null;
        if (role is null)
        {
            return Problems.NotFound($"team '{teamId}' does not exist; list your teams with GET /api/v1/teams");
        }
        if (!TeamRoles.Allows(role, TeamRoles.Editor))
        {
            return Problems.Status(StatusCodes.Status403Forbidden, $"your role in team {teamId} is {role}; moving a project to it needs editor or owner");
        }
        var members = await team.MembersAsync(project.Caller);
        if (!members.IsOk)
        {
            return Problems.From(members);
        }
        var moved = await project.Grain.TransferToTeamAsync(project.Caller, teamId, members.Value!.ToDictionary(m => m.UserId, m => m.Role, StringComparer.Ordinal));
        if (!moved.IsOk)
        {
            return Problems.From(moved);
        }
        // The team learns the project, so later membership changes reach it.
        var attached = await team.AttachProjectAsync(project.Caller, project.Id);
        return attached.IsOk ? TypedResults.Ok(ProjectResponse.From(moved.Value!, request, project.Caller)) : Problems.From(attached);
    }

    private static async Task<IResult> DeleteAsync(ProjectScope project)
    {
        if (project.Role != TeamRoles.Owner)
        {
            return Problems.Status(StatusCodes.Status403Forbidden, $"your role in the team that owns project '{project.Name}' is {project.Role}; deleting it needs owner");
        }
        return await project.Grain.DeleteAsync(project.Caller) ? TypedResults.NoContent() : ProjectScope.NotFound(project.Name);
    }
}
