using System.Security.Claims;
using Microsoft.Extensions.Options;
using OrleansMock.Api.Http;
using OrleansMock.GrainInterfaces;

namespace OrleansMock.Api.Apis;

public sealed record CreateTeamRequest(string? Name);

public sealed record InviteRequest(string? Email, string? Role);

public sealed record RoleRequest(string? Role);

/// <summary>A team API key: a <c>name</c>; <c>projectId</c> limits it to one of the team's projects; <c>readOnly</c> makes it a viewer.</summary>
public sealed record TeamKeyRequest(string? Name, string? ProjectId, bool? ReadOnly);

public sealed record TeamResponse(string Id, string Name, string Role, DateTimeOffset CreatedAt)
{
    public static TeamResponse From(TeamInfo team) => new(team.Id, team.Name, team.Role, team.CreatedAt);
}

/// <summary>
/// Teams: a team owns projects that its members share with roles (<see cref="TeamRoles"/>): owners manage members and
/// delete projects or change their slug or privacy, editors change what projects define, viewers read. Members join
/// by invitation: an owner invites an email with a role, and the invitee, signed in with that email, accepts.
/// </summary>
public static class TeamsApi
{
    public static RouteGroupBuilder MapTeamsApi(this IEndpointRouteBuilder app)
    {
        var group = app.MapArea("/teams", "Teams");
        group.MapPost("/", CreateAsync).WithName("CreateTeam").WithSummary("Create a team; the caller is its first owner")
            .Accepts<CreateTeamRequest>("application/json").Produces<TeamResponse>(StatusCodes.Status201Created).ProducesProblem(StatusCodes.Status400BadRequest);
        group.MapGet("/", ListAsync).WithName("ListTeams").WithSummary("The caller's teams, with the caller's role in each");
        group.MapGet("/{teamId}", async (string teamId, ClaimsPrincipal user, IGrainFactory grains) =>
                Result(await Team(grains, teamId).GetAsync(user.UserId()), team => TypedResults.Ok(TeamResponse.From(team))))
            .WithName("GetTeam").Produces<TeamResponse>().ProducesProblem(StatusCodes.Status404NotFound);
        group.MapGet("/{teamId}/members", async (string teamId, ClaimsPrincipal user, IGrainFactory grains) =>
                Result(await Team(grains, teamId).MembersAsync(user.UserId()), members => TypedResults.Ok(new { items = members })))
            .WithName("ListTeamMembers").WithSummary("The team's members and their roles");
        group.MapPost("/{teamId}/invitations", InviteAsync).WithName("InviteToTeam")
            .WithSummary("Invite an email with a role (owners only); the answer's token is what the invitee accepts")
            .Accepts<InviteRequest>("application/json").Produces<TeamInvitation>(StatusCodes.Status201Created).ProducesProblem(StatusCodes.Status403Forbidden);
        group.MapPatch("/{teamId}/members/{userId}", SetRoleAsync).WithName("SetTeamRole").WithSummary("Change a member's role (owners only)")
            .Accepts<RoleRequest>("application/json").Produces<TeamMember>().ProducesProblem(StatusCodes.Status409Conflict);
        group.MapDelete("/{teamId}/members/{userId}", async (string teamId, string userId, ClaimsPrincipal user, IGrainFactory grains) =>
                Result(await Team(grains, teamId).RemoveAsync(user.UserId(), userId), _ => TypedResults.NoContent()))
            .WithName("RemoveTeamMember").WithSummary("Remove a member (owners; or a member leaving); the team keeps at least one owner")
            .Produces(StatusCodes.Status204NoContent).ProducesProblem(StatusCodes.Status409Conflict);
        group.MapPost("/{teamId}/keys", CreateKeyAsync).WithName("CreateTeamKey")
            .WithSummary("Create a team API key (owners only): it acts for the team, optionally read-only and/or on one project; the key is shown once")
            .Accepts<TeamKeyRequest>("application/json").Produces<NewTeamKey>(StatusCodes.Status201Created).ProducesProblem(StatusCodes.Status403Forbidden);
        group.MapGet("/{teamId}/keys", async (string teamId, ClaimsPrincipal user, IGrainFactory grains) =>
                Result(await Team(grains, teamId).ListKeysAsync(user.UserId()), keys => TypedResults.Ok(new { items = keys })))
            .WithName("ListTeamKeys").WithSummary("The team's API keys (never their secrets; owners only)");
        group.MapDelete("/{teamId}/keys/{keyId}", async (string teamId, string keyId, ClaimsPrincipal user, IGrainFactory grains) =>
                Result(await Team(grains, teamId).RevokeKeyAsync(user.UserId(), keyId), _ => TypedResults.NoContent()))
            .WithName("RevokeTeamKey").WithSummary("Revoke a team API key at once (owners only)").Produces(StatusCodes.Status204NoContent);
        app.MapArea("/invitations", "Teams").MapPost("/{token}/accept", AcceptAsync).WithName("AcceptInvitation")
            .WithSummary("Accept an invitation, signed in with the invited email").Produces<TeamResponse>().ProducesProblem(StatusCodes.Status403Forbidden);
        return group;
    }

    private static ITeamGrain Team(IGrainFactory grains, string teamId) => grains.GetGrain<ITeamGrain>(TeamIds.IsTeamId(teamId) ? teamId : "t_none");

    private static IResult Result<T>(Outcome<T> outcome, Func<T, IResult> ok) => outcome.IsOk ? ok(outcome.Value!) : Problems.From(outcome);

    private static async Task<IResult> CreateAsync(HttpRequest request, ClaimsPrincipal user, IGrainFactory grains, IOptions<MockLimits> limits)
    {
        var body = await JsonBody.ReadAsync<CreateTeamRequest>(request, limits.Value.MaxRequestBodyBytes);
        if (body.Problem is not null)
        {
            return body.Problem;
        }
        if (await grains.GetGrain<IUserGrain>(user.UserId()).GetAsync() is not { } caller)
        {
            return Problems.Status(StatusCodes.Status401Unauthorized, "the account behind these credentials no longer exists");
        }
        if ((await grains.GetGrain<IUserTeamsGrain>(caller.Id).ListAsync()).Length >= limits.Value.MaxTeamsPerUser)
        {
            return Problems.Status(StatusCodes.Status422UnprocessableEntity,
                $"you belong to {limits.Value.MaxTeamsPerUser} teams, as many as you may when creating one (OrleansMock:Limits:MaxTeamsPerUser)");
        }
        var id = TeamIds.NewTeamId();
        var created = await grains.GetGrain<ITeamGrain>(id).CreateAsync(body.Value!.Name ?? "", caller);
        return Result(created, team => TypedResults.Created($"{ApiGroups.Root}/teams/{id}", TeamResponse.From(team)));
    }

    private static async Task<IResult> ListAsync(ClaimsPrincipal user, IGrainFactory grains)
    {
        var caller = user.UserId();
        var teams = await Task.WhenAll((await grains.GetGrain<IUserTeamsGrain>(caller).ListAsync()).Select(t => grains.GetGrain<ITeamGrain>(t).GetAsync(caller)));
        return TypedResults.Ok(new { items = teams.Where(t => t.IsOk).Select(t => TeamResponse.From(t.Value!)).OrderBy(t => t.Name, StringComparer.Ordinal) });
    }

    private static async Task<IResult> InviteAsync(string teamId, HttpRequest request, ClaimsPrincipal user, IGrainFactory grains, IOptions<MockLimits> limits)
    {
        var body = await JsonBody.ReadAsync<InviteRequest>(request, limits.Value.MaxRequestBodyBytes);
        if (body.Problem is not null)
        {
            return body.Problem;
        }
        if (string.IsNullOrWhiteSpace(body.Value!.Email))
        {
            return Problems.BadRequest("email is required: the address of the person to invite");
        }
        var invited = await Team(grains, teamId).InviteAsync(user.UserId(), body.Value.Email, body.Value.Role ?? TeamRoles.Viewer);
        return Result(invited, invitation => TypedResults.Created($"{ApiGroups.Root}/invitations/{invitation.Token}", invitation));
    }

    private static async Task<IResult> SetRoleAsync(string teamId, string userId, HttpRequest request, ClaimsPrincipal user, IGrainFactory grains, IOptions<MockLimits> limits)
    {
        var body = await JsonBody.ReadAsync<RoleRequest>(request, limits.Value.MaxRequestBodyBytes);
        return body.Problem ?? Result(await Team(grains, teamId).SetRoleAsync(user.UserId(), userId, body.Value!.Role ?? ""), TypedResults.Ok);
    }

    private static async Task<IResult> CreateKeyAsync(string teamId, HttpRequest request, ClaimsPrincipal user, IGrainFactory grains, ProjectResolver resolver,
        IOptions<MockLimits> limits)
    {
        var body = await JsonBody.ReadAsync<TeamKeyRequest>(request, limits.Value.MaxRequestBodyBytes);
        if (body.Problem is not null)
        {
            return body.Problem;
        }
        var input = body.Value!;
        string? projectId = null;
        if (input.ProjectId is { Length: > 0 } project && (projectId = await resolver.ResolveAsync(project)) is null)
        {
            return Problems.BadRequest($"projectId '{project}' names no project");
        }
        var created = await Team(grains, teamId).CreateKeyAsync(user.UserId(), input.Name ?? "", projectId, input.ReadOnly ?? false);
        return Result(created, key => TypedResults.Created($"{ApiGroups.Root}/teams/{teamId}/keys/{key.Info.Id}", key));
    }

    private static async Task<IResult> AcceptAsync(string token, ClaimsPrincipal user, IGrainFactory grains)
    {
        if (TeamIds.TeamOfToken(token) is not { } teamId)
        {
            return Problems.NotFound("no such invitation, or it expired; ask a team owner for a new one");
        }
        if (await grains.GetGrain<IUserGrain>(user.UserId()).GetAsync() is not { } caller)
        {
            return Problems.Status(StatusCodes.Status401Unauthorized, "the account behind these credentials no longer exists");
        }
        return Result(await grains.GetGrain<ITeamGrain>(teamId).AcceptAsync(token, caller), team => TypedResults.Ok(TeamResponse.From(team)));
    }
}
