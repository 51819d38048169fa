using System.Security.Cryptography;
using System.Text;
using OrleansMock.GrainInterfaces;

namespace OrleansMock.Grains.Teams;

[GenerateSerializer, Alias("om.TeamState")]
public sealed class TeamState
{
    [Id(0)] public string? Name { get; set; }
    [Id(1)] public DateTimeOffset CreatedAt { get; set; }
    [Id(2)] public List<TeamMember> Members { get; set; } = [];
    [Id(3)] public List<StoredInvitation> Invitations { get; set; } = [];
    [Id(4)] public List<string> Projects { get; set; } = [];
    [Id(5)] public List<StoredTeamKey> Keys { get; set; } = [];
}

/// <summary>A team API key as stored: its grants and the hash of the key.</summary>
[GenerateSerializer, Immutable, Alias("om.StoredTeamKey")]
public sealed record StoredTeamKey([property: Id(0)] TeamKeyInfo Info, [property: Id(1)] string Hash);

/// <summary>An open invitation as stored: the token only as its hash.</summary>
[GenerateSerializer, Immutable, Alias("om.StoredInvitation")]
public sealed record StoredInvitation([property: Id(0)] string TokenHash, [property: Id(1)] string Email, [property: Id(2)] string Role, [property: Id(3)] DateTimeOffset ExpiresAt);

/// <summary>
/// One team: members and roles, invitations, the projects it owns. Every change of membership is stored, then pushed to
/// each project of the team (the project grain is where a request's role is checked), then acknowledged.
/// </summary>
[GrainType("team")]
public sealed class TeamGrain(
    [PersistentState("team", StorageNames.Main)] IPersistentState<TeamState> state,
    TimeProvider time) : Grain, ITeamGrain
{
    public const int MaxMembers = 200;
    public const int MaxInvitations = 100;
    public static readonly TimeSpan InvitationLifetime = TimeSpan.FromDays(7);

    private string TeamId => this.GetPrimaryKeyString();

    private TeamState State => state.State;

    private TeamMember? Member(string userId) => State.Members.FirstOrDefault(m => m.UserId == userId);

    private Outcome<T> NotFound<T>() => Outcome<T>.Fail(OutcomeKind.NotFound, $"team {TeamId} does not exist; list your teams with GET /api/v1/teams");

    /// <summary>Null when the caller's role allows <paramref name="needed"/>; else 404 (not a member) or 403 naming their role.</summary>
    private Outcome<T>? Refused<T>(string caller, string needed) => Member(caller)?.Role switch
    {
        null => NotFound<T>(),
        var role when !TeamRoles.Allows(role, needed) => Outcome<T>.Fail(OutcomeKind.Forbidden, $"your role in team '{State.Name}' is {role}; this needs {needed}"),
        _ => null,
    };

    private TeamInfo Info(string role) => new(TeamId, State.Name!, State.CreatedAt, role);

    public async Task<Outcome<TeamInfo>> CreateAsync(string name, UserInfo owner)
    {
        if (State.Name is not null)
        {
            return Outcome<TeamInfo>.Fail(OutcomeKind.Conflict, $"team {TeamId} exists");
        }
        if (string.IsNullOrWhiteSpace(name) || name.Trim().Length > 100)
        {
            return Outcome<TeamInfo>.Fail(OutcomeKind.Invalid, "name is required: 1 to 100 characters");
        }
        state.State = new TeamState { Name = name.Trim(), CreatedAt = time.GetUtcNow(), Members = [new TeamMember(owner.Id, owner.Email, TeamRoles.Owner)] };
        await state.WriteStateAsync();
        await GrainFactory.GetGrain<IUserTeamsGrain>(owner.Id).AddAsync(TeamId);
        return Outcome<TeamInfo>.Ok(Info(TeamRoles.Owner));
    }

    public Task<Outcome<TeamInfo>> GetAsync(string caller) =>
        Task.FromResult(Member(caller) is { } member ? Outcome<TeamInfo>.Ok(Info(member.Role)) : NotFound<TeamInfo>());

    public Task<string?> RoleOfAsync(string caller) => Task.FromResult(Member(caller)?.Role);

    public Task<Outcome<TeamMember[]>> MembersAsync(string caller) =>
        Task.FromResult(Refused<TeamMember[]>(caller, TeamRoles.Viewer) ?? Outcome<TeamMember[]>.Ok([.. State.Members]));

    public async Task<Outcome<TeamInvitation>> InviteAsync(string caller, string email, string role)
    {
        if (Refused<TeamInvitation>(caller, TeamRoles.Owner) is { } refused)
        {
            return refused;
        }
        var normalized = email.Trim().ToLowerInvariant();
        if (!System.Net.Mail.MailAddress.TryCreate(normalized, out _) || normalized.Length > 254)
        {
            return Outcome<TeamInvitation>.Fail(OutcomeKind.Invalid, $"email '{email}' is not an email address");
        }
        if (!TeamRoles.IsValid(role))
        {
            return Outcome<TeamInvitation>.Fail(OutcomeKind.Invalid, $"role '{role}' is not one of {string.Join(", ", TeamRoles.All)}");
        }
        var now = time.GetUtcNow();
        State.Invitations.RemoveAll(i => i.ExpiresAt <= now);
        if (State.Invitations.Count >= MaxInvitations || State.Members.Count >= MaxMembers)
        {
            return Outcome<TeamInvitation>.Fail(OutcomeKind.LimitExceeded, $"a team has at most {MaxMembers} members and {MaxInvitations} open invitations");
        }
        var token = TeamIds.NewInvitationToken(TeamId);
        var invitation = new TeamInvitation(token, normalized, role, now + InvitationLifetime);
        State.Invitations.Add(new StoredInvitation(Hash(token), normalized, role, invitation.ExpiresAt));
        await state.WriteStateAsync();
        return Outcome<TeamInvitation>.Ok(invitation);
    }

    public async Task<Outcome<TeamInfo>> AcceptAsync(string token, UserInfo user)
    {
        var hash = Hash(token);
        var now = time.GetUtcNow();
        if (State.Name is null || State.Invitations.FirstOrDefault(i => i.TokenHash == hash && i.ExpiresAt > now) is not { } invitation)
        {
            return Outcome<TeamInfo>.Fail(OutcomeKind.NotFound, "no such invitation, or it expired; ask a team owner for a new one");
        }
        if (!string.Equals(invitation.Email, user.Email, StringComparison.OrdinalIgnoreCase))
        {
            return Outcome<TeamInfo>.Fail(OutcomeKind.Forbidden, "this invitation is for another email; sign in with the invited email to accept it");
        }
        State.Invitations.Remove(invitation);
        if (Member(user.Id) is { } existing)
        {
            await state.WriteStateAsync();
            return Outcome<TeamInfo>.Ok(Info(existing.Role)); // already a member: the invitation is used up, the role stays
        }
        State.Members.Add(new TeamMember(user.Id, user.Email, invitation.Role));
        await ChangedAsync();
        await GrainFactory.GetGrain<IUserTeamsGrain>(user.Id).AddAsync(TeamId);
        return Outcome<TeamInfo>.Ok(Info(invitation.Role));
    }

    public async Task<Outcome<TeamMember>> SetRoleAsync(string caller, string userId, string role)
    {
        if (Refused<TeamMember>(caller, TeamRoles.Owner) is { } refused)
        {
            return refused;
        }
        if (!TeamRoles.IsValid(role))
        {
            return Outcome<TeamMember>.Fail(OutcomeKind.Invalid, $"role '{role}' is not one of {string.Join(", ", TeamRoles.All)}");
        }
        if (Member(userId) is not { } member)
        {
            return Outcome<TeamMember>.Fail(OutcomeKind.NotFound, $"user {userId} is not a member of team '{State.Name}'");
        }
        if (member.Role == TeamRoles.Owner && role != TeamRoles.Owner && LastOwner())
        {
            return Outcome<TeamMember>.Fail(OutcomeKind.Conflict, "a team keeps at least one owner: make another member owner first");
        }
        var changed = member with { Role = role };
        State.Members[State.Members.IndexOf(member)] = changed;
        await ChangedAsync();
        return Outcome<TeamMember>.Ok(changed);
    }

    public async Task<Outcome<bool>> RemoveAsync(string caller, string userId)
    {
        if (caller != userId && Refused<bool>(caller, TeamRoles.Owner) is { } refused)
        {
            return refused;
        }
        if (Member(userId) is not { } member)
        {
            return Outcome<bool>.Fail(OutcomeKind.NotFound, $"user {userId} is not a member of team '{State.Name}'");
        }
        if (member.Role == TeamRoles.Owner && LastOwner())
        {
            return Outcome<bool>.Fail(OutcomeKind.Conflict, "a team keeps at least one owner: make another member owner first");
        }
        State.Members.Remove(member);
        await ChangedAsync();
        await GrainFactory.GetGrain<IUserTeamsGrain>(userId).RemoveAsync(TeamId);
        return Outcome<bool>.Ok(true);
    }

    public const int MaxKeys = 50;

    public async Task<Outcome<NewTeamKey>> CreateKeyAsync(string caller, string name, string? projectId, bool readOnly)
    {
        if (Refused<NewTeamKey>(caller, TeamRoles.Owner) is { } refused)
        {
            return refused;
        }
        if (string.IsNullOrWhiteSpace(name) || name.Trim().Length > 100)
        {
            return Outcome<NewTeamKey>.Fail(OutcomeKind.Invalid, "name is required: 1 to 100 characters");
        }
        if (projectId is not null && !State.Projects.Contains(projectId))
        {
            return Outcome<NewTeamKey>.Fail(OutcomeKind.Invalid, $"projectId '{projectId}' is not a project of team '{State.Name}' (give its id)");
        }
        if (State.Keys.Count >= MaxKeys)
        {
            return Outcome<NewTeamKey>.Fail(OutcomeKind.LimitExceeded, $"a team has at most {MaxKeys} API keys; revoke one first");
        }
        var info = new TeamKeyInfo(TeamIds.NewKeyId(), name.Trim(), projectId, readOnly, time.GetUtcNow());
        var key = TeamIds.NewApiKey(TeamId, info.Id);
        State.Keys.Add(new StoredTeamKey(info, Hash(key)));
        await state.WriteStateAsync();
        return Outcome<NewTeamKey>.Ok(new NewTeamKey(info, key));
    }

    public Task<Outcome<TeamKeyInfo[]>> ListKeysAsync(string caller) =>
        Task.FromResult(Refused<TeamKeyInfo[]>(caller, TeamRoles.Owner) ?? Outcome<TeamKeyInfo[]>.Ok([.. State.Keys.Select(k => k.Info)]));

    public async Task<Outcome<bool>> RevokeKeyAsync(string caller, string keyId)
    {
        if (Refused<bool>(caller, TeamRoles.Owner) is { } refused)
        {
            return refused;
        }
        if (State.Keys.RemoveAll(k => k.Info.Id == keyId) == 0)
        {
            return Outcome<bool>.Fail(OutcomeKind.NotFound, $"team '{State.Name}' has no API key {keyId}");
        }
        await state.WriteStateAsync();
        return Outcome<bool>.Ok(true);
    }

    public Task<TeamKeyInfo?> AuthenticateKeyAsync(string key)
    {
        var hash = Hash(key);
        var stored = State.Keys.FirstOrDefault(k => CryptographicOperations.FixedTimeEquals(Encoding.ASCII.GetBytes(k.Hash), Encoding.ASCII.GetBytes(hash)));
        return Task.FromResult(stored?.Info);
    }

    public async Task<Outcome<bool>> AttachProjectAsync(string caller, string projectId)
    {
        if (Refused<bool>(caller, TeamRoles.Editor) is { } refused)
        {
            return refused;
        }
        if (!State.Projects.Contains(projectId))
        {
            State.Projects.Add(projectId);
            await state.WriteStateAsync();
        }
        return await GrainFactory.GetGrain<IMockProjectGrain>(projectId).SetMembersAsync(TeamId, Roles());
    }

    public async Task DetachProjectAsync(string projectId)
    {
        if (State.Projects.Remove(projectId))
        {
            await state.WriteStateAsync();
        }
    }

    private bool LastOwner() => State.Members.Count(m => m.Role == TeamRoles.Owner) <= 1;

    private Dictionary<string, string> Roles() => State.Members.ToDictionary(m => m.UserId, m => m.Role, StringComparer.Ordinal);

    /// <summary>Stores the change, then has every project of the team take the new members before the change is acknowledged.</summary>
    private async Task ChangedAsync()
    {
        await state.WriteStateAsync();
        var roles = Roles();
        await Task.WhenAll(State.Projects.Select(p => GrainFactory.GetGrain<IMockProjectGrain>(p).SetMembersAsync(TeamId, roles)));
    }

    private static string Hash(string token) => Convert.ToHexString(SHA256.HashData(Encoding.UTF8.GetBytes(token)));
}

[GenerateSerializer, Alias("om.UserTeamsState")]
public sealed class UserTeamsState
{
    [Id(0)] public List<string> Teams { get; set; } = [];
}

/// <summary>The teams of one user (kept by the team grains as members join and leave).</summary>
[GrainType("userteams")]
public sealed class UserTeamsGrain([PersistentState("userteams", StorageNames.Main)] IPersistentState<UserTeamsState> state) : Grain, IUserTeamsGrain
{
    public async Task AddAsync(string teamId)
    {
        if (!state.State.Teams.Contains(teamId))
        {
            state.State.Teams.Add(teamId);
            await state.WriteStateAsync();
        }
    }

    public async Task RemoveAsync(string teamId)
    {
        if (state.State.Teams.Remove(teamId))
        {
            await state.WriteStateAsync();
        }
    }

    public Task<string[]> ListAsync() => Task.FromResult(state.State.Teams.ToArray());
}
