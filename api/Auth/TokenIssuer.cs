using OrleansMock.Api.Http;
using System.Security.Claims;
using Microsoft.IdentityModel.JsonWebTokens;
using Microsoft.IdentityModel.Tokens;
using OrleansMock.GrainInterfaces;

namespace OrleansMock.Api.Auth;

/// <summary>
/// Issues and describes how to validate the signed bearer tokens (HS256 JWT), and the console's session tokens: the
/// same form with their own audience, so a session token is refused as a bearer token and a bearer token as a session.
/// </summary>
public sealed class TokenIssuer(AuthOptions options, SymmetricSecurityKey key, TimeProvider time)
{
    private readonly JsonWebTokenHandler _handler = new();

    private string SessionAudience => options.Audience + ":console-session";

    public TimeSpan SessionLifetime => TimeSpan.FromHours(options.SessionLifetimeHours);

    public (string Token, DateTimeOffset ExpiresAt) Issue(UserInfo user) =>
        Issue(user, options.Audience, TimeSpan.FromMinutes(options.TokenLifetimeMinutes));

    /// <summary>A console session token: only <c>POST /api/v1/auth/session/token</c> takes it, from its cookie.</summary>
    public (string Token, DateTimeOffset ExpiresAt) IssueSession(UserInfo user) => Issue(user, SessionAudience, SessionLifetime);

    /// <summary>The user id a session token names, or null when it is not a valid, unexpired session token of ours.</summary>
    public async Task<string?> SessionUserAsync(string sessionToken)
    {
        var parameters = ValidationParameters();
        parameters.ValidAudience = SessionAudience;
        var result = await _handler.ValidateTokenAsync(sessionToken, parameters);
        return result.IsValid && result.ClaimsIdentity.FindFirst(Claims.Subject)?.Value is { Length: > 0 } userId ? userId : null;
    }

    private (string Token, DateTimeOffset ExpiresAt) Issue(UserInfo user, string audience, TimeSpan lifetime)
    {
        var now = time.GetUtcNow();
        var expires = now + lifetime;
        var token = _handler.CreateToken(new SecurityTokenDescriptor
        {
            Issuer = options.Issuer,
            Audience = audience,
            Subject = new ClaimsIdentity([new Claim(Claims.Subject, user.Id), new Claim(Claims.Email, user.Email)]),
            IssuedAt = now.UtcDateTime,
            NotBefore = now.UtcDateTime,
            Expires = expires.UtcDateTime,
            SigningCredentials = new SigningCredentials(key, SecurityAlgorithms.HmacSha256),
        });
        return (token, expires);
    }

    public TokenValidationParameters ValidationParameters() => new()
    {
        ValidateIssuer = true,
        ValidIssuer = options.Issuer,
        ValidateAudience = true,
        ValidAudience = options.Audience,
        ValidateLifetime = true,
        RequireExpirationTime = true,
        ValidateIssuerSigningKey = true,
        IssuerSigningKey = key,
        ValidAlgorithms = [SecurityAlgorithms.HmacSha256],
        ClockSkew = TimeSpan.FromSeconds(30),
        NameClaimType = Claims.Email,
    };
}
