using System.Security.Cryptography;
using System.Text;
using Microsoft.AspNetCore.Identity;
using OrleansMock.GrainInterfaces;

namespace OrleansMock.Grains.Users;

/// <summary>The persisted state of a user: credentials and API keys (secrets only as SHA-256 hashes).</summary>
[GenerateSerializer, Alias("om.UserState")]
public sealed class UserState
{
    [Id(0)] public UserInfo? User { get; set; }
    [Id(1)] public string? PasswordHash { get; set; }
    [Id(2)] public List<StoredApiKey> ApiKeys { get; set; } = [];
}

[GenerateSerializer, Immutable, Alias("om.StoredApiKey")]
public sealed record StoredApiKey(
    [property: Id(0)] ApiKeyInfo Info,
    [property: Id(1)] string SecretSha256);

/// <summary>
/// One account. Passwords are hashed with ASP.NET Core Identity's <see cref="PasswordHasher{TUser}"/> (PBKDF2);
/// API keys are random 160-bit secrets stored as SHA-256 hashes, so revoking one takes effect at once: this grain
/// is the only place keys are checked. Failed logins are counted by the front end per (email, client address), for
/// accounts and unknown emails alike, so a lockout can neither be aimed at an owner nor reveal an account.
/// </summary>
[GrainType("user")]
public sealed class UserGrain(
    [PersistentState("user", StorageNames.Main)] IPersistentState<UserState> state,
    TimeProvider time) : Grain, IUserGrain
{
    public const int MaxApiKeys = 20;

    private static readonly PasswordHasher<UserInfo> Hasher = new();
    private string? _pendingEmail;

    private string UserId => this.GetPrimaryKeyString();

    public async Task<Outcome<UserInfo>> RegisterAsync(string email, string password)
    {
        if (state.State.User is not null)
        {
            return Outcome<UserInfo>.Fail(OutcomeKind.Conflict, $"user {UserId} already exists");
        }
        var normalized = UserKeys.NormalizeEmail(email ?? "");
        if (UserKeys.CheckCredentials(normalized, password) is { } error)
        {
            return Outcome<UserInfo>.Fail(OutcomeKind.Invalid, error);
        }

        var key = GrainFactory.GetGrain<IUniqueKeyGrain>(UniqueKeys.Email(normalized));
        _pendingEmail = normalized;
        try
        {
            if (!await key.ClaimAsync(UserId))
            {
                return Outcome<UserInfo>.Fail(OutcomeKind.Conflict, $"an account with email {normalized} already exists; log in instead");
            }
            var user = new UserInfo(UserId, normalized, time.GetUtcNow());
            state.State = new UserState { User = user, PasswordHash = Hasher.HashPassword(user, password) };
            try
            {
                await state.WriteStateAsync();
            }
            catch
            {
                state.State = new UserState();
                await key.ReleaseAsync(UserId);
                DeactivateOnIdle();
                throw;
            }
            return Outcome<UserInfo>.Ok(user);
        }
        finally
        {
            _pendingEmail = null;
        }
    }

    public Task<UserInfo?> GetAsync() => Task.FromResult(state.State.User);

    public Task<bool> HoldsKeyAsync(string key) =>
        Task.FromResult((state.State.User is { } user && UniqueKeys.Email(user.Email) == key)
            || (_pendingEmail is { } pending && UniqueKeys.Email(pending) == key));

    public async Task<LoginResult> LoginAsync(string password)
    {
        if (state.State.User is not { } user || state.State.PasswordHash is not { } hash)
        {
            return new LoginResult(LoginOutcome.InvalidCredentials, null, null);
        }
        var verdict = Hasher.VerifyHashedPassword(user, hash, password ?? "");
        if (verdict == PasswordVerificationResult.Failed)
        {
            return new LoginResult(LoginOutcome.InvalidCredentials, null, null);
        }
        if (verdict == PasswordVerificationResult.SuccessRehashNeeded)
        {
            state.State.PasswordHash = Hasher.HashPassword(user, password!);
            await state.WriteStateAsync();
        }
        return new LoginResult(LoginOutcome.Ok, user, null);
    }

    public async Task<Outcome<NewApiKey>> CreateApiKeyAsync(string name)
    {
        if (state.State.User is null)
        {
            return Outcome<NewApiKey>.Fail(OutcomeKind.NotFound, $"user {UserId} does not exist");
        }
        name = name?.Trim() ?? "";
        if (name.Length is 0 or > 100)
        {
            return Outcome<NewApiKey>.Fail(OutcomeKind.Invalid, "name is required: 1-100 characters that say what the key is for");
        }
        if (state.State.ApiKeys.Count >= MaxApiKeys)
        {
            return Outcome<NewApiKey>.Fail(OutcomeKind.LimitExceeded, $"an account may hold {MaxApiKeys} API keys; revoke one first");
        }
        var keyId = "k_" + RandomNumberGenerator.GetHexString(8, lowercase: true);
        var secret = RandomNumberGenerator.GetHexString(40, lowercase: true);
        var key = $"{UserKeys.ApiKeyPrefix}-{UserId}-{keyId}-{secret}";
        var info = new ApiKeyInfo(keyId, name, key[..(key.Length - secret.Length + 4)] + "…", time.GetUtcNow());
        var previous = state.State.ApiKeys;
        state.State.ApiKeys = [.. previous, new StoredApiKey(info, Sha256(secret))];
        await state.WriteOrRollBackAsync(this, () => state.State.ApiKeys = previous);
        return Outcome<NewApiKey>.Ok(new NewApiKey(info, key));
    }

    public Task<ApiKeyInfo[]> ListApiKeysAsync() => Task.FromResult(state.State.ApiKeys.Select(k => k.Info).ToArray());

    public async Task<bool> RevokeApiKeyAsync(string keyId)
    {
        var previous = state.State.ApiKeys;
        var remaining = previous.Where(k => k.Info.Id != keyId).ToList();
        if (remaining.Count == previous.Count)
        {
            return false;
        }
        state.State.ApiKeys = remaining;
        await state.WriteOrRollBackAsync(this, () => state.State.ApiKeys = previous);
        return true;
    }

    public Task<UserInfo?> AuthenticateApiKeyAsync(string key)
    {
        var parts = key.Split('-');
        if (state.State.User is not { } user || parts.Length != 4 || parts[1] != UserId)
        {
            return Task.FromResult<UserInfo?>(null);
        }
        var presented = Encoding.ASCII.GetBytes(Sha256(parts[3]));
        var match = state.State.ApiKeys.Any(k =>
            k.Info.Id == parts[2] && CryptographicOperations.FixedTimeEquals(Encoding.ASCII.GetBytes(k.SecretSha256), presented));
        return Task.FromResult(match ? user : null);
    }

    private static string Sha256(string secret) => Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(secret)));
}
