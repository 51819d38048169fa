namespace OrleansMock.GrainInterfaces;

/// <summary>A mock project as the management API shows it.</summary>
[GenerateSerializer, Immutable, Alias("om.ProjectInfo")]
public sealed record ProjectInfo(
    [property: Id(0)] string Id,
    [property: Id(1)] string Slug,
    [property: Id(2)] string Name,
    [property: Id(3)] string? Description,
    [property: Id(4)] DateTimeOffset CreatedAt,
    [property: Id(5)] DateTimeOffset UpdatedAt,
    [property: Id(6)] string Owner,
    [property: Id(7)] bool Private = false,
    [property: Id(8)] int? RateLimit = null,
    [property: Id(9)] bool Cors = true,
    [property: Id(10)] string? ForeignKeySuffix = null,
    [property: Id(11)] ProxySpec? Proxy = null,
    [property: Id(12)] Dictionary<string, string>? Members = null)
{
    /// <summary>What <paramref name="caller"/> may do here: the owner's role, a team member's, or null (the project does not exist for them).</summary>
    public string? RoleOf(string caller) => Owner == caller ? TeamRoles.Owner : Members is { } members && members.TryGetValue(caller, out var role) ? role : null;
}

/// <summary>Creates a project. <see cref="Owner"/> is the tenant that will own it; a null slug is derived from the name.</summary>
[GenerateSerializer, Immutable, Alias("om.CreateProject")]
public sealed record CreateProject(
    [property: Id(0)] string Name,
    [property: Id(1)] string? Slug,
    [property: Id(2)] string? Description,
    [property: Id(3)] string Owner,
    [property: Id(4)] bool Private = false);

/// <summary>
/// Changes a project. A null member is left as it is; an empty description clears it; a <see cref="RateLimit"/> of 0
/// goes back to the service's default per-project limit; an empty <see cref="ForeignKeySuffix"/> goes back to <c>Id</c>; a <see cref="Proxy"/> with an empty base URL removes the
/// project's proxy fallback (what no endpoint or resource answers is forwarded there).
/// </summary>
[GenerateSerializer, Immutable, Alias("om.UpdateProject")]
public sealed record UpdateProject(
    [property: Id(0)] string? Name,
    [property: Id(1)] string? Slug,
    [property: Id(2)] string? Description,
    [property: Id(3)] bool? Private = null,
    [property: Id(4)] int? RateLimit = null,
    [property: Id(5)] bool? Cors = null,
    [property: Id(6)] string? ForeignKeySuffix = null,
    [property: Id(7)] ProxySpec? Proxy = null);

/// <summary>One page of a tenant's projects, newest first.</summary>
[GenerateSerializer, Immutable, Alias("om.ProjectPage")]
public sealed record ProjectPage(
    [property: Id(0)] ProjectInfo[] Items,
    [property: Id(1)] string? NextCursor);

/// <summary>
/// One change of a project, as its history keeps it: who (<see cref="Actor"/>, a user id), when, what
/// (<see cref="Action"/>, with <see cref="Target"/> what it names), and what it touched before and after:
/// <list type="bullet">
/// <item><c>endpoint.created</c>, <c>endpoint.changed</c>, <c>endpoint.deleted</c> (target: the endpoint's id) and
/// <c>endpoints.changed</c> for an import or a reset (target: a count) in <see cref="Before"/> and <see cref="After"/>;</item>
/// <item><c>resource.created</c>, <c>resource.changed</c>, <c>resource.deleted</c> (target: its name) and
/// <c>resources.changed</c> in <see cref="ResourcesBefore"/> and <see cref="ResourcesAfter"/>;</item>
/// <item><c>definitions.changed</c>: an import that changed endpoints and resources at once (both pairs);</item>
/// <item><c>project.changed</c>: the project's settings (target: the settings that changed), in
/// <see cref="ProjectBefore"/> and <see cref="ProjectAfter"/>; <c>project.transferred</c>: moved to a team (target: the team).</item>
/// </list>
/// </summary>
[GenerateSerializer, Immutable, Alias("om.HistoryEntry")]
public sealed record HistoryEntry(
    [property: Id(0)] string Id,
    [property: Id(1)] DateTimeOffset At,
    [property: Id(2)] string Actor,
    [property: Id(3)] string Action,
    [property: Id(4)] string? Target,
    [property: Id(5)] EndpointInfo[] Before,
    [property: Id(6)] EndpointInfo[] After,
    [property: Id(7)] ResourceInfo[]? ResourcesBefore = null,
    [property: Id(8)] ResourceInfo[]? ResourcesAfter = null,
    [property: Id(9)] ProjectInfo? ProjectBefore = null,
    [property: Id(10)] ProjectInfo? ProjectAfter = null);

/// <summary>What a restore brought back: the endpoints and resources it changed, the project's settings when it changed them.</summary>
[GenerateSerializer, Immutable, Alias("om.HistoryRestore")]
public sealed record HistoryRestore(
    [property: Id(0)] EndpointInfo[] Endpoints,
    [property: Id(1)] ResourceInfo[] Resources,
    [property: Id(2)] ProjectInfo? Project);
