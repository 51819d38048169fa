namespace OrleansMock.Api.Auth;

/// <summary>Token settings (<c>OrleansMock:Auth</c>).</summary>
public sealed class AuthOptions
{
    public const string Section = "OrleansMock:Auth";

    /// <summary>
    /// Base64 of at least 32 random bytes signing the bearer tokens (HS256). Required in Cluster mode, where every
    /// front end must share it; in Embedded mode one is generated once and kept in the data folder.
    /// </summary>
    public string? SigningKey { get; set; }

    public string Issuer { get; set; } = "orleansmock";

    public string Audience { get; set; } = "orleansmock-api";

    public int TokenLifetimeMinutes { get; set; } = 60;

    /// <summary>
    /// How long the web console's sign-in lasts across reloads and tabs (its HttpOnly session cookie, which only buys
    /// bearer tokens at <c>POST /api/v1/auth/session/token</c>); 0 keeps the console's sign-in in the tab only.
    /// </summary>
    public int SessionLifetimeHours { get; set; } = 168;
}
