using System.Security.Claims;

namespace OrleansMock.Api.Http;

/// <summary>The claims a signed-in caller carries, whichever way they authenticated (bearer token or API key).</summary>
public static class Claims
{
    public const string Subject = "sub";
    public const string Email = "email";

    /// <summary>On a team API key's principal (whose subject is the team): the key's id, its one project (if limited), read-only.</summary>
    public const string TeamKey = "om_team_key";
    public const string KeyProject = "om_key_project";
    public const string KeyReadOnly = "om_key_read_only";

    /// <summary>Whether the caller is a team API key (acting for the team, within the key's grants).</summary>
    public static bool IsTeamKey(this ClaimsPrincipal user) => user.HasClaim(c => c.Type == TeamKey);

    /// <summary>
    /// The role a caller has in a project, within a team key's grants: a key limited to another project has none (the
    /// project does not exist for it), a read-only key is a viewer.
    /// </summary>
    public static string? WithinGrants(this ClaimsPrincipal user, string projectId, string? role) =>
        role is null || !user.IsTeamKey() ? role
        : user.FindFirstValue(KeyProject) is { } only && only != projectId ? null
        : user.HasClaim(KeyReadOnly, "true") ? GrainInterfaces.TeamRoles.Viewer
        : role;

    /// <summary>The authenticated user's id; only called on routes that require authentication.</summary>
    public static string UserId(this ClaimsPrincipal user) =>
        user.FindFirstValue(Subject) ?? throw new InvalidOperationException("the request is not authenticated");

    public static string? UserIdOrNull(this ClaimsPrincipal user) =>
        user.Identity?.IsAuthenticated == true ? user.FindFirstValue(Subject) : null;
}
