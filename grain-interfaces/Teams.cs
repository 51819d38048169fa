using System.Security.Cryptography;
using Orleans.Concurrency;

namespace OrleansMock.GrainInterfaces;

/// <summary>
/// The roles of a team's members: owners manage members and delete projects, change their slug or privacy; editors
/// change what projects define (endpoints, resources, scenarios, imports, recordings); viewers read everything.
/// </summary>
public static class TeamRoles
{
    public const string Owner = "owner";
    public const string Editor = "editor";
    public const string Viewer = "viewer";

    public static readonly string[] All = [Owner, Editor, Viewer];

    public static bool IsValid(string? role) => role is Owner or Editor or Viewer;

    /// <summary>Whether <paramref name="role"/> may do what <paramref name="needed"/> may.</summary>
    public static bool Allows(string? role, string needed) => Rank(role) >= Rank(needed);

    private static int Rank(string? role) => role switch { Owner => 3, Editor => 2, Viewer => 1, _ => 0 };
}

public static class TeamIds
{
    private const string Alphabet = "0123456789abcdefghjkmnpqrstvwxyz";

    public static string NewTeamId() => "t_" + RandomNumberGenerator.GetString(Alphabet, 16);

    public static bool IsTeamId(string? value) => value is { Length: > 2 and <= 34 } && value.StartsWith("t_", StringComparison.Ordinal) && value[2..].All(Alphabet.Contains);

    /// <summary>An invitation token: the team's id, a dot, a secret (the team grain is found from the token).</summary>
    public static string NewInvitationToken(string teamId) => teamId + "." + RandomNumberGenerator.GetString(Alphabet, 32);

    public static string? TeamOfToken(string token) => token.IndexOf('.') is var dot and > 0 && IsTeamId(token[..dot]) ? token[..dot] : null;

    /// <summary>A team API key: <c>omt.{teamId}.{keyId}.{secret}</c> (the team grain is found from the key).</summary>
    public static string NewApiKey(string teamId, string keyId) => $"omt.{teamId}.{keyId}.{RandomNumberGenerator.GetString(Alphabet, 40)}";

    public static string NewKeyId() => "k_" + RandomNumberGenerator.GetString(Alphabet, 12);

    /// <summary>The team a team API key belongs to, or null when the text is not shaped like one.</summary>
    public static string? TeamOfApiKey(string key) =>
        key.Split('.') is ["omt", var team, var id, { Length: 40 }] && IsTeamId(team) && id.StartsWith("k_", StringComparison.Ordinal) ? team : null;
}

/// <summary>
/// A team API key as listed (never its secret): it acts for the team, as an owner of the team's projects, unless it is
/// <see cref="ReadOnly"/> (then as a viewer) and, with <see cref="ProjectId"/>, on that one project only.
/// </summary>
[GenerateSerializer, Immutable, Alias("om.TeamKeyInfo")]
public sealed record TeamKeyInfo(
    [property: Id(0)] string Id,
    [property: Id(1)] string Name,
    [property: Id(2)] string? ProjectId,
    [property: Id(3)] bool ReadOnly,
    [property: Id(4)] DateTimeOffset CreatedAt);

/// <summary>A team key just created: <see cref="Key"/> is shown this once and stored only as a hash.</summary>
[GenerateSerializer, Immutable, Alias("om.NewTeamKey")]
public sealed record NewTeamKey([property: Id(0)] TeamKeyInfo Info, [property: Id(1)] string Key);

/// <summary>A team as one of its members sees it (<see cref="Role"/>: theirs).</summary>
[GenerateSerializer, Immutable, Alias("om.TeamInfo")]
public sealed record TeamInfo(
    [property: Id(0)] string Id,
    [property: Id(1)] string Name,
    [property: Id(2)] DateTimeOffset CreatedAt,
    [property: Id(3)] string Role);

[GenerateSerializer, Immutable, Alias("om.TeamMember")]
public sealed record TeamMember(
    [property: Id(0)] string UserId,
    [property: Id(1)] string Email,
    [property: Id(2)] string Role);

[GenerateSerializer, Immutable, Alias("om.TeamInvitation")]
public sealed record TeamInvitation(
    [property: Id(0)] string Token,
    [property: Id(1)] string Email,
    [property: Id(2)] string Role,
    [property: Id(3)] DateTimeOffset ExpiresAt);

/// <summary>
/// One team, keyed by its id: its members and their roles, open invitations, and the projects it owns. A change of
/// membership is pushed to every project of the team before it is acknowledged, so it holds at once on every front end.
/// </summary>
[Alias("om.ITeamGrain")]
public interface ITeamGrain : IGrainWithStringKey
{
    [Alias("Create")]
    Task<Outcome<TeamInfo>> CreateAsync(string name, UserInfo owner);

    [ReadOnly, Alias("Get")]
    Task<Outcome<TeamInfo>> GetAsync(string caller);

    /// <summary>The caller's role in the team, or null when not a member (or no such team).</summary>
    [ReadOnly, Alias("RoleOf")]
    Task<string?> RoleOfAsync(string caller);

    [ReadOnly, Alias("Members")]
    Task<Outcome<TeamMember[]>> MembersAsync(string caller);

    /// <summary>Invites an email with a role (owners only); the answer carries the token to accept it with.</summary>
    [Alias("Invite")]
    Task<Outcome<TeamInvitation>> InviteAsync(string caller, string email, string role);

    /// <summary>Accepts an invitation: the signed-in user's email must be the invited one.</summary>
    [Alias("Accept")]
    Task<Outcome<TeamInfo>> AcceptAsync(string token, UserInfo user);

    /// <summary>Changes a member's role (owners only); the team keeps at least one owner.</summary>
    [Alias("SetRole")]
    Task<Outcome<TeamMember>> SetRoleAsync(string caller, string userId, string role);

    /// <summary>Removes a member (owners; or members themselves, leaving); the team keeps at least one owner.</summary>
    [Alias("Remove")]
    Task<Outcome<bool>> RemoveAsync(string caller, string userId);

    /// <summary>Creates a team API key (owners only); <paramref name="projectId"/> limits it to one of the team's projects.</summary>
    [Alias("CreateKey")]
    Task<Outcome<NewTeamKey>> CreateKeyAsync(string caller, string name, string? projectId, bool readOnly);

    [ReadOnly, Alias("ListKeys")]
    Task<Outcome<TeamKeyInfo[]>> ListKeysAsync(string caller);

    /// <summary>Revokes a team key at once (owners only).</summary>
    [Alias("RevokeKey")]
    Task<Outcome<bool>> RevokeKeyAsync(string caller, string keyId);

    /// <summary>The key's grants when <paramref name="key"/> is one of the team's live keys, else null.</summary>
    [ReadOnly, Alias("AuthenticateKey")]
    Task<TeamKeyInfo?> AuthenticateKeyAsync(string key);

    /// <summary>A project the team now owns: it learns the members (editors and owners may attach one).</summary>
    [Alias("AttachProject")]
    Task<Outcome<bool>> AttachProjectAsync(string caller, string projectId);

    /// <summary>A project of the team was deleted. Interleaves: the project may be waiting for it while this team pushes members to it.</summary>
    [AlwaysInterleave, Alias("DetachProject")]
    Task DetachProjectAsync(string projectId);
}

/// <summary>The teams one user belongs to, keyed by user id (kept by the team grains).</summary>
[Alias("om.IUserTeamsGrain")]
public interface IUserTeamsGrain : IGrainWithStringKey
{
    [Alias("Add")]
    Task AddAsync(string teamId);

    [Alias("Remove")]
    Task RemoveAsync(string teamId);

    [ReadOnly, Alias("List")]
    Task<string[]> ListAsync();
}
