using System.Text.Json;
using System.Text.Json.Serialization;
using OrleansMock.GrainInterfaces;

namespace OrleansMock.Api.Apis;

// The wire contract of the management API. Domain rules are checked behind the grain interface; these types only
// fix the JSON shape, so a field of the wrong type or an unknown field is rejected before any grain is called.

/// <summary>Creates a project. The slug is derived from the name when omitted; a private project's mock traffic needs its owner's credentials.</summary>
/// <summary>A new project; with <c>teamId</c>, the team owns it (its owners and editors may create one).</summary>
public sealed record CreateProjectRequest(string? Name, string? Slug, string? Description, bool? Private, string? TeamId = null);

/// <summary>
/// Changes a project; omitted fields stay as they are, an empty description clears it. <c>rateLimit</c> sets the
/// project's own mock-traffic limit per window (up to the configured maximum); 0 restores the default.
/// <c>foreignKeySuffix</c> is json-server's <c>--fks</c> for the project's resources (<c>_id</c> links comments to posts
/// by <c>post_id</c>); empty restores <c>Id</c>. <c>proxy</c> (<c>{"baseUrl","headers","stripPrefix"}</c>) forwards what no
/// endpoint or resource answers to a real API; <c>{"baseUrl":""}</c> removes it.
/// </summary>
public sealed record UpdateProjectRequest(string? Name, string? Slug, string? Description, bool? Private, int? RateLimit, bool? Cors, string? ForeignKeySuffix,
    ProxySpec? Proxy);

/// <summary>Moves a personal project to a team (its owner, an owner or editor of the team).</summary>
public sealed record TransferProjectRequest(string? TeamId);

/// <summary>How much of a budget is used: <c>used</c> of <c>limit</c> (past the limit, a change that grows is refused).</summary>
public sealed record UsageValue(long Used, long Limit);

/// <summary>A resource's records and their bytes against the per-resource budgets.</summary>
public sealed record ResourceUsageResponse(string Name, UsageValue Records, UsageValue Bytes);

/// <summary>
/// What a project holds against its budgets (the settings under OrleansMock:Limits), and what all the owner's projects
/// have reserved against MaxAccountBytes (<see cref="AccountBytes"/>: their bytes plus some headroom each).
/// </summary>
public sealed record ProjectUsageResponse(UsageValue Endpoints, UsageValue EndpointBytes, UsageValue Resources, ResourceUsageResponse[] ResourceRecords,
    UsageValue AccountBytes);

public sealed record ProjectResponse(
    string Id, string Slug, string Name, string? Description, bool Private, int? RateLimit, bool Cors, string ForeignKeySuffix,
    DateTimeOffset CreatedAt, DateTimeOffset UpdatedAt, string MockUrl, ProxySpec? Proxy,
    [property: System.Text.Json.Serialization.JsonIgnore(Condition = System.Text.Json.Serialization.JsonIgnoreCondition.WhenWritingNull)] string? TeamId = null,
    string Role = TeamRoles.Owner)
{
    /// <summary>The project as <paramref name="caller"/> sees it: <c>teamId</c> when a team owns it, and the caller's <c>role</c>.</summary>
    public static ProjectResponse From(ProjectInfo project, HttpRequest request, string? caller = null) => new(
        project.Id, project.Slug, project.Name, project.Description, project.Private, project.RateLimit, project.Cors,
        project.ForeignKeySuffix ?? ResourceRoute.DefaultForeignKeySuffix, project.CreatedAt, project.UpdatedAt,
        $"{request.Scheme}://{request.Host}{request.PathBase}/m/{project.Slug}", project.Proxy,
        TeamIds.IsTeamId(project.Owner) ? project.Owner : null, (caller is null ? null : project.RoleOf(caller)) ?? TeamRoles.Owner);
}

public sealed record ProjectListResponse(ProjectResponse[] Items, string? NextCursor);

public sealed record EndpointListResponse(EndpointResponse[] Items);
