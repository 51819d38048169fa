using Orleans.Concurrency;

namespace OrleansMock.GrainInterfaces;

[GenerateSerializer, Immutable, Alias("om.UserInfo")]
public sealed record UserInfo(
    [property: Id(0)] string Id,
    [property: Id(1)] string Email,
    [property: Id(2)] DateTimeOffset CreatedAt);

/// <summary>An API key as listed: never its secret.</summary>
[GenerateSerializer, Immutable, Alias("om.ApiKeyInfo")]
public sealed record ApiKeyInfo(
    [property: Id(0)] string Id,
    [property: Id(1)] string Name,
    [property: Id(2)] string Prefix,
    [property: Id(3)] DateTimeOffset CreatedAt);

/// <summary>A key just created: <see cref="Key"/> is the full key, shown this once and stored only as a hash.</summary>
[GenerateSerializer, Immutable, Alias("om.NewApiKey")]
public sealed record NewApiKey(
    [property: Id(0)] ApiKeyInfo Info,
    [property: Id(1)] string Key);

[GenerateSerializer, Alias("om.LoginOutcome")]
public enum LoginOutcome
{
    Ok = 0,
    InvalidCredentials = 1,
    /// <summary>Too many failed attempts: try again after <see cref="LoginResult.RetryAfter"/>.</summary>
    LockedOut = 2,
}

[GenerateSerializer, Immutable, Alias("om.LoginResult")]
public sealed record LoginResult(
    [property: Id(0)] LoginOutcome Outcome,
    [property: Id(1)] UserInfo? User,
    [property: Id(2)] TimeSpan? RetryAfter);

/// <summary>One user account, keyed by user id: credentials, API keys.</summary>
[Alias("om.IUserGrain")]
public interface IUserGrain : IUniqueKeyHolder
{
    /// <summary>Creates the account; Conflict when the email is taken, Invalid for a malformed email or weak password.</summary>
    [Alias("Register")]
    Task<Outcome<UserInfo>> RegisterAsync(string email, string password);

    [ReadOnly, Alias("Get")]
    Task<UserInfo?> GetAsync();

    [Alias("Login")]
    Task<LoginResult> LoginAsync(string password);

    [Alias("CreateApiKey")]
    Task<Outcome<NewApiKey>> CreateApiKeyAsync(string name);

    [ReadOnly, Alias("ListApiKeys")]
    Task<ApiKeyInfo[]> ListApiKeysAsync();

    /// <summary>Revokes a key at once; false when there is no such key.</summary>
    [Alias("RevokeApiKey")]
    Task<bool> RevokeApiKeyAsync(string keyId);

    /// <summary>The user when <paramref name="key"/> is one of their live keys, else null.</summary>
    [ReadOnly, Alias("AuthenticateApiKey")]
    Task<UserInfo?> AuthenticateApiKeyAsync(string key);
}

/// <summary>Shapes of user ids, emails and API keys, shared by the front end and the grains.</summary>
public static class UserKeys
{
    public const int MinPasswordLength = 8;
    public const int MaxPasswordLength = 128;

    /// <summary>What an account's email and password must be (null when both may be used): checked by the front end
    /// before a sign-up counts against its limit, and by the user grain.</summary>
    public static string? CheckCredentials(string normalizedEmail, string? password) => CheckEmail(normalizedEmail) ?? CheckPassword(password);

    private static string? CheckEmail(string email) =>
        email.Length is > 0 and <= 254 && System.Net.Mail.MailAddress.TryCreate(email, out var parsed) && parsed.Address == email
            && email.Contains('.', StringComparison.Ordinal)
            ? null
            : $"'{email}' is not a valid email address";

    private static string? CheckPassword(string? password)
    {
        if (password is null || password.Length < MinPasswordLength)
        {
            return $"password must be at least {MinPasswordLength} characters long";
        }
        if (password.Length > MaxPasswordLength)
        {
            return $"password must be at most {MaxPasswordLength} characters long";
        }
        return password.Distinct().Count() < 4 ? "password must contain at least 4 different characters" : null;
    }

    public const string ApiKeyPrefix = "om";

    public static string NewUserId() => "u_" + System.Security.Cryptography.RandomNumberGenerator.GetString("0123456789abcdefghjkmnpqrstvwxyz", 16);

    /// <summary>Emails compare trimmed and case-insensitively.</summary>
    public static string NormalizeEmail(string email) => email.Trim().ToLowerInvariant();

    /// <summary>The user an API key belongs to (<c>om-&lt;userId&gt;-&lt;keyId&gt;-&lt;secret&gt;</c>), or null when it is not shaped like a key.</summary>
    public static string? UserOfApiKey(string key)
    {
        var parts = key.Split('-');
        return parts.Length == 4 && parts[0] == ApiKeyPrefix && parts[1].StartsWith("u_", StringComparison.Ordinal) && parts[1].Length <= 40
            ? parts[1]
            : null;
    }
}
