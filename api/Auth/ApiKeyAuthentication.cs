using System.Security.Claims;
using System.Text.Encodings.Web;
using Microsoft.AspNetCore.Authentication;
using Microsoft.Extensions.Options;
using OrleansMock.Api.Http;
using OrleansMock.GrainInterfaces;

namespace OrleansMock.Api.Auth;

/// <summary>
/// Authenticates <c>X-Api-Key</c> (or <c>Authorization: Basic</c> with the key as password). The key names its user; that user's grain checks the secret against its hashes,
/// so a revoked key stops working at once on every front end.
/// </summary>
public sealed class ApiKeyAuthentication(IOptionsMonitor<AuthenticationSchemeOptions> options, ILoggerFactory logger, UrlEncoder encoder,
    IGrainFactory grains, RateLimiter limiter, IOptions<RateLimitOptions> rateLimits)
    : AuthenticationHandler<AuthenticationSchemeOptions>(options, logger, encoder)
{
    public const string SchemeName = "ApiKey";
    public const string Header = "X-Api-Key";

    /// <summary>
    /// The API key sent as the password of <c>Authorization: Basic</c> (the user name is not read), when the password has
    /// the shape of an OrleansMock key. Other Basic credentials are not ours (a mocked API's own, sent to a mock URL):
    /// they are left alone, never counted as failed sign-ins.
    /// </summary>
    public static string? BasicKey(HttpRequest request) => BasicKey(request.Headers.Authorization.ToString());

    /// <summary>The API key in an <c>Authorization: Basic</c> value (see <see cref="BasicKey(HttpRequest)"/>).</summary>
    public static string? BasicKey(string header)
    {
        if (!header.StartsWith("Basic ", StringComparison.OrdinalIgnoreCase))
        {
            return null;
        }
        try
        {
            var decoded = System.Text.Encoding.UTF8.GetString(Convert.FromBase64String(header["Basic ".Length..].Trim()));
            var password = decoded.IndexOf(':') is var colon and >= 0 ? decoded[(colon + 1)..] : "";
            return password.Length <= 200 && (UserKeys.UserOfApiKey(password) is not null || TeamIds.TeamOfApiKey(password) is not null) ? password : null;
        }
        catch (FormatException)
        {
            return null;
        }
    }

    /// <summary>The API key a request presents: its X-Api-Key, else a key sent as the Basic password; empty when none.</summary>
    public static string KeyOf(HttpRequest request) =>
        request.Headers[Header].ToString() is { Length: > 0 } key ? key : BasicKey(request) ?? "";

    protected override async Task<AuthenticateResult> HandleAuthenticateAsync()
    {
        var key = KeyOf(Request);
        if (key.Length == 0)
        {
            return AuthenticateResult.NoResult();
        }
        // A client that keeps presenting wrong keys is refused before its keys reach (and activate) user grains.
        var client = ClientAddress.Of(Context);
        var policy = rateLimits.Value.FailedAuthPerClient;
        if (limiter.IsBlocked(RateLimiter.FailedAuthPerClient, policy, client))
        {
            return Fail("too many failed authentications from this address; wait a minute before trying another key");
        }
        if (key.Length <= 200 && TeamIds.TeamOfApiKey(key) is { } teamId)
        {
            // A team key acts for the team (its subject), within its grants (see Claims.WithinGrants).
            if (await grains.GetGrain<ITeamGrain>(teamId).AuthenticateKeyAsync(key) is not { } grant)
            {
                await limiter.CheckAsync(RateLimiter.FailedAuthPerClient, policy, client);
                return Fail("the team API key is unknown or has been revoked");
            }
            List<Claim> claims = [new(Claims.Subject, teamId), new(Claims.TeamKey, grant.Id)];
            if (grant.ProjectId is { } only)
            {
                claims.Add(new Claim(Claims.KeyProject, only));
            }
            if (grant.ReadOnly)
            {
                claims.Add(new Claim(Claims.KeyReadOnly, "true"));
            }
            return AuthenticateResult.Success(new AuthenticationTicket(new ClaimsPrincipal(new ClaimsIdentity(claims, SchemeName)), SchemeName));
        }
        if (key.Length > 200 || UserKeys.UserOfApiKey(key) is not { } userId)
        {
            await limiter.CheckAsync(RateLimiter.FailedAuthPerClient, policy, client);
            return Fail($"the {(Request.Headers.ContainsKey(Header) ? "X-Api-Key header" : "Basic password")} is not an OrleansMock API key");
        }
        var user = await grains.GetGrain<IUserGrain>(userId).AuthenticateApiKeyAsync(key);
        if (user is null)
        {
            await limiter.CheckAsync(RateLimiter.FailedAuthPerClient, policy, client);
            return Fail("the API key is unknown or has been revoked");
        }
        var identity = new ClaimsIdentity([new Claim(Claims.Subject, user.Id), new Claim(Claims.Email, user.Email)], SchemeName);
        return AuthenticateResult.Success(new AuthenticationTicket(new ClaimsPrincipal(identity), SchemeName));
    }

    private AuthenticateResult Fail(string reason)
    {
        var failure = new InvalidOperationException(reason);
        AuthSetup.RememberFailure(Context, failure);
        return AuthenticateResult.Fail(failure);
    }

    /// <summary>A request to a project's WireMock admin API (<c>/m/{project}/__admin/...</c>).</summary>
    public static bool IsWireMockAdmin(HttpRequest request) =>
        request.Path.Value is { } path && path.StartsWith(Paths.MockPrefix + "/", StringComparison.Ordinal)
        && path.Contains(Paths.WireMockAdminSegment + "/", StringComparison.Ordinal);

    protected override Task HandleChallengeAsync(AuthenticationProperties properties)
    {
        Response.StatusCode = StatusCodes.Status401Unauthorized;
        // WireMock clients send Basic with the key as the password; elsewhere X-Api-Key or a bearer token.
        Response.Headers.WWWAuthenticate = IsWireMockAdmin(Request)
            ? "Basic realm=\"OrleansMock WireMock admin: an API key as the password\""
            : $"{SchemeName} header=\"{Header}\", Bearer";
        return Task.CompletedTask;
    }
}
