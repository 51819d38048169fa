using System.Security.Claims;
using Microsoft.Extensions.Options;
using OrleansMock.Api.Auth;
using OrleansMock.Api.Http;
using OrleansMock.GrainInterfaces;

namespace OrleansMock.Api.Apis;

public sealed record RegisterRequest(string? Email, string? Password);

public sealed record LoginRequest(string? Email, string? Password);

public sealed record UserResponse(string Id, string Email, DateTimeOffset CreatedAt)
{
    public static UserResponse From(UserInfo user) => new(user.Id, user.Email, user.CreatedAt);
}

public sealed record TokenResponse(string Token, DateTimeOffset ExpiresAt, string TokenType = "Bearer");

public sealed record CreateApiKeyRequest(string? Name);

/// <summary>An API key; <see cref="Key"/> is present only in the response that created it.</summary>
public sealed record ApiKeyResponse(string Id, string Name, string Prefix, DateTimeOffset CreatedAt, string? Key = null)
{
    public static ApiKeyResponse From(ApiKeyInfo key, string? secret = null) => new(key.Id, key.Name, key.Prefix, key.CreatedAt, secret);
}

public sealed record ApiKeyListResponse(ApiKeyResponse[] Items);

/// <summary>Accounts: register, log in for a bearer token, who am I, API keys.</summary>
public static class AuthApi
{
    public static RouteGroupBuilder MapAuthApi(this IEndpointRouteBuilder app)
    {
        var group = app.MapGroup("/api/v1/auth").WithTags("Auth");

        group.MapPost("/register", RegisterAsync).AllowAnonymous()
            .WithName("Register").WithSummary("Create an account")
            .Accepts<RegisterRequest>("application/json")
            .Produces<UserResponse>(StatusCodes.Status201Created)
            .ProducesProblem(StatusCodes.Status400BadRequest).ProducesProblem(StatusCodes.Status409Conflict);
        group.MapPost("/login", LoginAsync).AllowAnonymous()
            .WithName("Login").WithSummary("Exchange email and password for a bearer token")
            .Accepts<LoginRequest>("application/json")
            .Produces<TokenResponse>().ProducesProblem(StatusCodes.Status401Unauthorized).ProducesProblem(StatusCodes.Status429TooManyRequests);
        group.MapPost("/session", SessionSignInAsync).AllowAnonymous()
            .WithName("ConsoleSignIn").WithSummary("Sign in to the web console: a bearer token, and a session cookie that lasts across reloads and tabs")
            .WithDescription("As login, and also sets an HttpOnly, Secure, SameSite=Strict cookie scoped to /api/v1/auth/session. "
                + "The cookie authenticates nothing else: it only buys bearer tokens at POST /api/v1/auth/session/token.")
            .Accepts<LoginRequest>("application/json")
            .Produces<TokenResponse>().ProducesProblem(StatusCodes.Status401Unauthorized).ProducesProblem(StatusCodes.Status429TooManyRequests);
        group.MapPost("/session/token", SessionTokenAsync).AllowAnonymous()
            .WithName("ConsoleSessionToken").WithSummary("A fresh bearer token for the console's session cookie")
            .WithDescription($"Needs the session cookie, the header {ConsoleHeader}: 1, and (when the browser sends them) an Origin of this host "
                + "and Sec-Fetch-Site same-origin: another site's page can neither send the cookie (SameSite=Strict) nor this header.")
            .Produces<TokenResponse>().ProducesProblem(StatusCodes.Status401Unauthorized).ProducesProblem(StatusCodes.Status403Forbidden);
        group.MapDelete("/session", SessionSignOut).AllowAnonymous()
            .WithName("ConsoleSignOut").WithSummary("Sign out of the web console: the session cookie is removed")
            .Produces(StatusCodes.Status204NoContent).ProducesProblem(StatusCodes.Status403Forbidden);
        group.MapGet("/me", MeAsync).RequireAuthorization()
            .WithName("Me").WithSummary("The authenticated user")
            .Produces<UserResponse>().ProducesProblem(StatusCodes.Status401Unauthorized);
        group.MapPost("/keys", CreateKeyAsync).RequireAuthorization().AddEndpointFilter(RateLimiter.ManagementFilter)
            .WithName("CreateApiKey").WithSummary("Create an API key; the key is shown in this response only")
            .Accepts<CreateApiKeyRequest>("application/json")
            .Produces<ApiKeyResponse>(StatusCodes.Status201Created).ProducesProblem(StatusCodes.Status400BadRequest)
            .ProducesProblem(StatusCodes.Status401Unauthorized).ProducesProblem(StatusCodes.Status422UnprocessableEntity);
        group.MapGet("/keys", ListKeysAsync).RequireAuthorization().AddEndpointFilter(RateLimiter.ManagementFilter)
            .WithName("ListApiKeys").WithSummary("List API keys (never their secrets)")
            .Produces<ApiKeyListResponse>().ProducesProblem(StatusCodes.Status401Unauthorized);
        group.MapDelete("/keys/{keyId}", RevokeKeyAsync).RequireAuthorization().AddEndpointFilter(RateLimiter.ManagementFilter)
            .WithName("RevokeApiKey").WithSummary("Revoke an API key, effective at once")
            .Produces(StatusCodes.Status204NoContent).ProducesProblem(StatusCodes.Status404NotFound);
        return group;
    }

    private static async Task<IResult> RegisterAsync(
        HttpRequest request, IGrainFactory grains, IOptions<MockLimits> limits, RateLimiter limiter, IOptions<RateLimitOptions> rateLimits)
    {
        var body = await JsonBody.ReadAsync<RegisterRequest>(request, limits.Value.MaxRequestBodyBytes);
        if (body.Problem is not null)
        {
            return body.Problem;
        }
        // A refused submission (a bad email, a short password) costs no hash and says nothing of any account: it does
        // not count, so a person correcting a form does not lock themselves out.
        if (UserKeys.CheckCredentials(UserKeys.NormalizeEmail(body.Value!.Email ?? ""), body.Value.Password) is { } invalid)
        {
            return Problems.BadRequest(invalid);
        }
        // Each registration costs a password hash, and a 409 tells whether an email has an account: both are
        // bounded by a tight per-client limit.
        var limit = await limiter.CheckAsync(RateLimiter.RegisterPerClient, rateLimits.Value.RegisterPerClient, ClientAddress.Of(request.HttpContext));
        if (limit.Refused)
        {
            return RateLimiter.Refusal(request.HttpContext.Response, limit, "registrations from this client");
        }
        var userId = UserKeys.NewUserId();
        var outcome = await grains.GetGrain<IUserGrain>(userId).RegisterAsync(body.Value!.Email ?? "", body.Value.Password ?? "");
        return outcome.IsOk ? TypedResults.Created("/api/v1/auth/me", UserResponse.From(outcome.Value!)) : Problems.From(outcome);
    }

    private static async Task<IResult> LoginAsync(HttpContext context, IGrainFactory grains, TokenIssuer tokens, IOptions<MockLimits> limits,
        RateLimiter limiter, IOptions<RateLimitOptions> rateLimits, LoginGuard guard)
    {
        var (user, refused) = await CheckLoginAsync(context, grains, limits, limiter, rateLimits, guard);
        if (user is null)
        {
            return refused!;
        }
        var (token, expiresAt) = tokens.Issue(user);
        return TypedResults.Ok(new TokenResponse(token, expiresAt));
    }

    // ---- the web console's session -----------------------------------------------------------------------------------
    // The console keeps its bearer token in memory; a reload or a second tab asks for a new one with this cookie. The
    // cookie is scoped to /api/v1/auth/session, so no other route ever receives it, and it is accepted only with a header
    // a cross-site form cannot send and (as browsers send them) this host's Origin: nothing but the console can spend it.

    public const string SessionCookie = "om_session";
    public const string ConsoleHeader = "X-OrleansMock-Console";
    private const string SessionPath = "/api/v1/auth/session";

    private static async Task<IResult> SessionSignInAsync(HttpContext context, IGrainFactory grains, TokenIssuer tokens, IOptions<MockLimits> limits,
        RateLimiter limiter, IOptions<RateLimitOptions> rateLimits, LoginGuard guard)
    {
        if (ConsoleOnly(context.Request) is { } foreign)
        {
            return foreign;
        }
        var (user, refused) = await CheckLoginAsync(context, grains, limits, limiter, rateLimits, guard);
        if (user is null)
        {
            return refused!;
        }
        if (tokens.SessionLifetime > TimeSpan.Zero)
        {
            var (session, _) = tokens.IssueSession(user);
            context.Response.Cookies.Append(SessionCookie, session, SessionCookieOptions(tokens.SessionLifetime));
        }
        var (token, expiresAt) = tokens.Issue(user);
        return TypedResults.Ok(new TokenResponse(token, expiresAt));
    }

    private static async Task<IResult> SessionTokenAsync(HttpContext context, TokenIssuer tokens, IGrainFactory grains)
    {
        if (ConsoleOnly(context.Request) is { } foreign)
        {
            return foreign;
        }
        var cookie = context.Request.Cookies[SessionCookie];
        var userId = cookie is { Length: > 0 and < 4096 } ? await tokens.SessionUserAsync(cookie) : null;
        var user = userId is null ? null : await grains.GetGrain<IUserGrain>(userId).GetAsync();
        if (user is null)
        {
            if (cookie is not null)
            {
                context.Response.Cookies.Delete(SessionCookie, SessionCookieOptions(TimeSpan.Zero));
            }
            return Problems.Status(StatusCodes.Status401Unauthorized,
                cookie is null ? "no console session: sign in" : "the console session has expired or is not valid: sign in again");
        }
        var (token, expiresAt) = tokens.Issue(user);
        return TypedResults.Ok(new TokenResponse(token, expiresAt));
    }

    private static IResult SessionSignOut(HttpContext context)
    {
        if (ConsoleOnly(context.Request) is { } foreign)
        {
            return foreign;
        }
        context.Response.Cookies.Delete(SessionCookie, SessionCookieOptions(TimeSpan.Zero));
        return TypedResults.NoContent();
    }

    private static CookieOptions SessionCookieOptions(TimeSpan lifetime) => new()
    {
        HttpOnly = true,
        Secure = true, // browsers keep Secure cookies on https and on localhost/127.0.0.1 only
        SameSite = SameSiteMode.Strict,
        Path = SessionPath,
        MaxAge = lifetime > TimeSpan.Zero ? lifetime : null,
        IsEssential = true,
    };

    /// <summary>A 403 problem unless the request comes from this host's own page: the console's header, and this host's Origin when one is sent.</summary>
    private static IResult? ConsoleOnly(HttpRequest request)
    {
        var origin = request.Headers.Origin.ToString();
        var site = request.Headers["Sec-Fetch-Site"].ToString();
        var sameHost = origin.Length == 0 || (Uri.TryCreate(origin, UriKind.Absolute, out var uri)
            && string.Equals(uri.Authority, request.Host.Value, StringComparison.OrdinalIgnoreCase));
        return request.Headers[ConsoleHeader] == "1" && sameHost && site is "" or "same-origin" or "none"
            ? null
            : Problems.Status(StatusCodes.Status403Forbidden,
                $"the console session is for this host's own web console: send {ConsoleHeader}: 1 from a page of the same origin");
    }

    /// <summary>Email and password checked under the login limits: the user, or the problem to answer.</summary>
    private static async Task<(UserInfo? User, IResult? Refused)> CheckLoginAsync(HttpContext context, IGrainFactory grains, IOptions<MockLimits> limits,
        RateLimiter limiter, IOptions<RateLimitOptions> rateLimits, LoginGuard guard)
    {
        var client = ClientAddress.Of(context);
        var limit = await limiter.CheckAsync(RateLimiter.LoginPerClient, rateLimits.Value.LoginPerClient, client);
        if (limit.Refused)
        {
            return (null, RateLimiter.Refusal(context.Response, limit, "logins from this client"));
        }
        var body = await JsonBody.ReadAsync<LoginRequest>(context.Request, limits.Value.MaxRequestBodyBytes);
        if (body.Problem is not null)
        {
            return (null, body.Problem);
        }
        var email = UserKeys.NormalizeEmail(body.Value!.Email ?? "");
        var password = body.Value.Password ?? "";
        if (guard.LockedFor(email, client) is { } wait)
        {
            var seconds = (int)Math.Ceiling(wait.TotalSeconds);
            context.Response.Headers.RetryAfter = seconds.ToString();
            return (null, Problems.Status(StatusCodes.Status429TooManyRequests,
                $"too many failed logins for this account from this address; try again in {seconds} seconds"));
        }
        var userId = email.Length == 0 ? null : await grains.GetGrain<IUniqueKeyGrain>(UniqueKeys.Email(email)).ResolveAsync();
        LoginResult result;
        if (userId is null)
        {
            LoginGuard.SpendLikeAPasswordCheck(password);
            result = new LoginResult(LoginOutcome.InvalidCredentials, null, null);
        }
        else
        {
            result = await grains.GetGrain<IUserGrain>(userId).LoginAsync(password);
        }
        if (result.Outcome == LoginOutcome.Ok)
        {
            guard.RecordSuccess(email, client);
            return (result.User!, null);
        }
        guard.RecordFailure(email, client);
        context.Response.Headers.WWWAuthenticate = "Bearer";
        return (null, Problems.Status(StatusCodes.Status401Unauthorized, "email or password is wrong"));
    }

    private static async Task<IResult> MeAsync(ClaimsPrincipal principal, IGrainFactory grains)
    {
        var user = await grains.GetGrain<IUserGrain>(principal.UserId()).GetAsync();
        return user is null ? Problems.Status(StatusCodes.Status401Unauthorized, "the account no longer exists") : TypedResults.Ok(UserResponse.From(user));
    }

    private static async Task<IResult> CreateKeyAsync(HttpRequest request, ClaimsPrincipal principal, IGrainFactory grains, IOptions<MockLimits> limits)
    {
        var body = await JsonBody.ReadAsync<CreateApiKeyRequest>(request, limits.Value.MaxRequestBodyBytes);
        if (body.Problem is not null)
        {
            return body.Problem;
        }
        var outcome = await grains.GetGrain<IUserGrain>(principal.UserId()).CreateApiKeyAsync(body.Value!.Name ?? "");
        return outcome.IsOk
            ? TypedResults.Created($"/api/v1/auth/keys/{outcome.Value!.Info.Id}", ApiKeyResponse.From(outcome.Value.Info, outcome.Value.Key))
            : Problems.From(outcome);
    }

    private static async Task<IResult> ListKeysAsync(ClaimsPrincipal principal, IGrainFactory grains)
    {
        var keys = await grains.GetGrain<IUserGrain>(principal.UserId()).ListApiKeysAsync();
        return TypedResults.Ok(new ApiKeyListResponse([.. keys.Select(k => ApiKeyResponse.From(k))]));
    }

    private static async Task<IResult> RevokeKeyAsync(string keyId, ClaimsPrincipal principal, IGrainFactory grains) =>
        await grains.GetGrain<IUserGrain>(principal.UserId()).RevokeApiKeyAsync(keyId)
            ? TypedResults.NoContent()
            : Problems.NotFound($"API key '{keyId}' does not exist; list your keys with GET /api/v1/auth/keys");
}
