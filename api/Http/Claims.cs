using System.Security.Claims;

namespace OrleansMock.Api.Http;

/// <summary>The claims a signed-in caller carries, whichever way they authenticated (bearer token or API key).</summary>
public static class Claims
{
    public const string Subject = "sub";
    public const string Email = "email";

    /// <summary>The authenticated user's id; only called on routes that require authentication.</summary>
    public static string UserId(this ClaimsPrincipal user) =>
        user.FindFirstValue(Subject) ?? throw new InvalidOperationException("the request is not authenticated");

    public static string? UserIdOrNull(this ClaimsPrincipal user) =>
        user.Identity?.IsAuthenticated == true ? user.FindFirstValue(Subject) : null;
}
