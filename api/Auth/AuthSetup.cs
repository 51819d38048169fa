using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Authentication.JwtBearer;
using Microsoft.IdentityModel.Tokens;

namespace OrleansMock.Api.Auth;

/// <summary>
/// Bearer tokens and API keys behind one default scheme: X-Api-Key (or an API key as the password of Authorization:
/// Basic, as WireMock clients send their admin credentials) when sent, else Authorization: Bearer.
/// </summary>
public static class AuthSetup
{
    public const string Scheme = "BearerOrApiKey";

    public static WebApplicationBuilder AddOrleansMockAuth(this WebApplicationBuilder builder, string? keyFolder)
    {
        var options = builder.Configuration.GetSection(AuthOptions.Section).Get<AuthOptions>() ?? new AuthOptions();
        var issuer = new TokenIssuer(options, SigningKeys.Load(options, keyFolder), TimeProvider.System);
        builder.Services.AddSingleton(issuer);
        builder.Services.AddSingleton(new OwnCredentials(options.Issuer));
        builder.Services.AddSingleton<LoginGuard>();
        builder.Services
            .AddAuthentication(Scheme)
            .AddPolicyScheme(Scheme, "Bearer token or API key", policy => policy.ForwardDefaultSelector = context =>
                context.Request.Headers.ContainsKey(ApiKeyAuthentication.Header) || ApiKeyAuthentication.BasicKey(context.Request) is not null
                    // WireMock's admin API without a bearer token: its challenge asks for what WireMock clients send (Basic).
                    || (ApiKeyAuthentication.IsWireMockAdmin(context.Request)
                        && !context.Request.Headers.Authorization.ToString().StartsWith("Bearer ", StringComparison.OrdinalIgnoreCase))
                    ? ApiKeyAuthentication.SchemeName
                    : JwtBearerDefaults.AuthenticationScheme)
            .AddJwtBearer(jwt =>
            {
                jwt.MapInboundClaims = false;
                jwt.TokenValidationParameters = issuer.ValidationParameters();
                jwt.Events = new JwtBearerEvents
                {
                    OnAuthenticationFailed = failed =>
                    {
                        RememberFailure(failed.HttpContext, failed.Exception);
                        return Task.CompletedTask;
                    },
                };
            })
            .AddScheme<AuthenticationSchemeOptions, ApiKeyAuthentication>(ApiKeyAuthentication.SchemeName, null);
        builder.Services.AddAuthorization();
        return builder;
    }

    private const string FailureItem = "OrleansMock.AuthFailure";

    /// <summary>Keeps why authentication failed, for the 401 problem written later by the status-code pages.</summary>
    public static void RememberFailure(HttpContext context, Exception failure) => context.Items[FailureItem] = failure;

    /// <summary>Why the credentials on this request were refused, in words a person can act on.</summary>
    public static string DescribeFailure(HttpContext context)
    {
        var failure = context.Items.TryGetValue(FailureItem, out var remembered) ? remembered as Exception : null;
        if (failure is null)
        {
            var sent = context.Request.Headers.Authorization.Count > 0 || context.Request.Headers.ContainsKey(ApiKeyAuthentication.Header);
            return sent
                ? "the credentials sent are not valid"
                : $"this route needs credentials: Authorization: Bearer <token from POST /api/v1/auth/login>, or {ApiKeyAuthentication.Header}: <key from POST /api/v1/auth/keys>";
        }
        return failure switch
        {
            SecurityTokenExpiredException => "the bearer token has expired; log in again with POST /api/v1/auth/login",
            SecurityTokenInvalidSignatureException or SecurityTokenSignatureKeyNotFoundException => "the bearer token's signature is not valid",
            SecurityTokenException => "the bearer token is not valid",
            _ when failure.Message.Contains("IDX", StringComparison.Ordinal) => "the bearer token is not valid",
            _ => failure.Message,
        };
    }
}
