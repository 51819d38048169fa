using System.Text.Json;
using Microsoft.Net.Http.Headers;
using OrleansMock.GrainInterfaces;

namespace OrleansMock.Api.Auth;

/// <summary>
/// Recognises this service's own credentials in a request's headers: an API key (<c>X-Api-Key</c>, or the password of
/// <c>Authorization: Basic</c>) shaped like ours, or a bearer token this service issued (a JWT naming our issuer).
/// They are removed from a mock request before anything a tenant defined sees it (matchers, templates, recordings,
/// the journal, the proxy), valid or not: a tenant must never be handed another user's key or token. A mocked API's own
/// credentials (any other bearer token, Basic password or key) pass through untouched.
/// </summary>
public sealed class OwnCredentials(string issuer)
{
    /// <summary>Whether header <paramref name="name"/> with <paramref name="value"/> carries one of our credentials.</summary>
    public bool IsOwn(string name, string? value)
    {
        if (string.IsNullOrEmpty(value))
        {
            return false;
        }
        if (name.Equals(ApiKeyAuthentication.Header, StringComparison.OrdinalIgnoreCase))
        {
            return IsKey(value.Trim());
        }
        if (!name.Equals(HeaderNames.Authorization, StringComparison.OrdinalIgnoreCase))
        {
            return false;
        }
        if (value.StartsWith("Bearer ", StringComparison.OrdinalIgnoreCase))
        {
            var token = value["Bearer ".Length..].Trim();
            return IsKey(token) || IssuedHere(token);
        }
        return ApiKeyAuthentication.BasicKey(value) is not null;
    }

    /// <summary>A user's API key or a team's, by its shape.</summary>
    private static bool IsKey(string value) => UserKeys.UserOfApiKey(value) is not null || TeamIds.TeamOfApiKey(value) is not null;

    /// <summary>Whether one of <paramref name="values"/> of header <paramref name="name"/> is ours (no allocation for other names: the hot path).</summary>
    public bool AnyOwn(string name, Microsoft.Extensions.Primitives.StringValues values)
    {
        if (!name.Equals(HeaderNames.Authorization, StringComparison.OrdinalIgnoreCase) && !name.Equals(ApiKeyAuthentication.Header, StringComparison.OrdinalIgnoreCase))
        {
            return false;
        }
        foreach (var value in values)
        {
            if (IsOwn(name, value))
            {
                return true;
            }
        }
        return false;
    }

    /// <summary>A JWT whose payload names our issuer (its signature is not checked: a forged or expired one is withheld too).</summary>
    private bool IssuedHere(string token)
    {
        var parts = token.Split('.');
        if (parts.Length != 3 || parts[1].Length > 8192)
        {
            return false;
        }
        try
        {
            var payload = parts[1].Replace('-', '+').Replace('_', '/');
            payload = payload.PadRight(payload.Length + (4 - payload.Length % 4) % 4, '=');
            using var document = JsonDocument.Parse(Convert.FromBase64String(payload));
            return document.RootElement.ValueKind == JsonValueKind.Object
                && document.RootElement.TryGetProperty("iss", out var iss) && iss.ValueKind == JsonValueKind.String && iss.GetString() == issuer;
        }
        catch (Exception exception) when (exception is FormatException or JsonException)
        {
            return false;
        }
    }
}
