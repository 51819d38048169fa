using System.Net;
using System.Net.Http.Headers;
using System.Text.Json;
using Microsoft.AspNetCore.Mvc.Testing;
using static OrleansMock.Tests.Http.HttpHelpers;

namespace OrleansMock.Tests.Http;

/// <summary>
/// The web console's session (issue 33, friction 4): a cookie that survives a reload, usable by nothing but the
/// console's own token exchange. Cookies are handled by hand here: the test client speaks http, where a Secure cookie
/// would not be sent back by a cookie jar.
/// </summary>
[Collection(ApiCollection.Name)]
public sealed class ConsoleSessionTests(ApiFixture fixture)
{
    private const string Console = "X-OrleansMock-Console";

    private HttpClient Client() => fixture.Factory.CreateClient(new WebApplicationFactoryClientOptions { HandleCookies = false });

    private static async Task<(string Cookie, string SetCookie, string Token)> SignInAsync(HttpClient client)
    {
        var email = UniqueEmail();
        Assert.Equal(HttpStatusCode.Created, (await client.PostAsync("/api/v1/auth/register", Payload(JsonSerializer.Serialize(new { email, password = Password })))).StatusCode);
        using var request = new HttpRequestMessage(HttpMethod.Post, "/api/v1/auth/session") { Content = Payload(JsonSerializer.Serialize(new { email, password = Password })) };
        request.Headers.Add(Console, "1");
        var response = await client.SendAsync(request);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var setCookie = Assert.Single(response.Headers.GetValues("Set-Cookie"));
        var token = (await response.ReadJsonAsync()).GetProperty("token").GetString()!;
        return (setCookie.Split(';')[0], setCookie, token);
    }

    private static Task<HttpResponseMessage> ExchangeAsync(HttpClient client, string? cookie, bool header = true, string? origin = null, string? site = null)
    {
        var request = new HttpRequestMessage(HttpMethod.Post, "/api/v1/auth/session/token");
        if (cookie is not null)
        {
            request.Headers.Add("Cookie", cookie);
        }
        if (header)
        {
            request.Headers.Add(Console, "1");
        }
        if (origin is not null)
        {
            request.Headers.Add("Origin", origin);
        }
        if (site is not null)
        {
            request.Headers.Add("Sec-Fetch-Site", site);
        }
        return client.SendAsync(request);
    }

    [Fact]
    public async Task Signing_in_sets_an_httponly_secure_strict_cookie_that_buys_working_bearer_tokens()
    {
        var client = Client();
        var (cookie, setCookie, _) = await SignInAsync(client);
        var attributes = setCookie.ToLowerInvariant();
        Assert.StartsWith("om_session=", setCookie);
        Assert.Contains("httponly", attributes);
        Assert.Contains("secure", attributes);
        Assert.Contains("samesite=strict", attributes);
        Assert.Contains("path=/api/v1/auth/session", attributes);
        Assert.Contains("max-age=604800", attributes);

        var exchanged = await ExchangeAsync(client, cookie, origin: client.BaseAddress!.GetLeftPart(UriPartial.Authority), site: "same-origin");
        Assert.Equal(HttpStatusCode.OK, exchanged.StatusCode);
        var token = (await exchanged.ReadJsonAsync()).GetProperty("token").GetString();
        using var me = new HttpRequestMessage(HttpMethod.Get, "/api/v1/auth/me");
        me.Headers.Authorization = new AuthenticationHeaderValue("Bearer", token);
        Assert.Equal(HttpStatusCode.OK, (await client.SendAsync(me)).StatusCode);
    }

    [Fact]
    public async Task Another_site_cannot_spend_the_cookie()
    {
        var client = Client();
        var (cookie, _, _) = await SignInAsync(client);
        await (await ExchangeAsync(client, cookie, header: false)).AssertProblemAsync(HttpStatusCode.Forbidden);
        await (await ExchangeAsync(client, cookie, origin: "https://evil.example")).AssertProblemAsync(HttpStatusCode.Forbidden);
        await (await ExchangeAsync(client, cookie, site: "cross-site")).AssertProblemAsync(HttpStatusCode.Forbidden);
        Assert.Contains("no console session", await (await ExchangeAsync(client, null)).AssertProblemAsync(HttpStatusCode.Unauthorized));
    }

    [Fact]
    public async Task The_cookie_is_no_credential_anywhere_else_and_a_bearer_token_is_no_session()
    {
        var client = Client();
        var (cookie, _, token) = await SignInAsync(client);
        using var withCookie = new HttpRequestMessage(HttpMethod.Get, "/api/v1/projects");
        withCookie.Headers.Add("Cookie", cookie);
        withCookie.Headers.Add(Console, "1");
        await (await client.SendAsync(withCookie)).AssertProblemAsync(HttpStatusCode.Unauthorized);

        using var sessionAsBearer = new HttpRequestMessage(HttpMethod.Get, "/api/v1/projects");
        sessionAsBearer.Headers.Authorization = new AuthenticationHeaderValue("Bearer", cookie["om_session=".Length..]);
        await (await client.SendAsync(sessionAsBearer)).AssertProblemAsync(HttpStatusCode.Unauthorized);

        var bearerAsSession = await ExchangeAsync(client, $"om_session={token}");
        Assert.Contains("not valid", await bearerAsSession.AssertProblemAsync(HttpStatusCode.Unauthorized));
        Assert.Contains("om_session=;", Assert.Single(bearerAsSession.Headers.GetValues("Set-Cookie"))); // a bad cookie is removed
    }

    [Fact]
    public async Task Signing_out_removes_the_cookie()
    {
        var client = Client();
        using var signOut = new HttpRequestMessage(HttpMethod.Delete, "/api/v1/auth/session");
        signOut.Headers.Add(Console, "1");
        var response = await client.SendAsync(signOut);
        Assert.Equal(HttpStatusCode.NoContent, response.StatusCode);
        var cleared = Assert.Single(response.Headers.GetValues("Set-Cookie")).ToLowerInvariant();
        Assert.StartsWith("om_session=;", cleared);
        Assert.Contains("expires=thu, 01 jan 1970", cleared);
        Assert.Contains("path=/api/v1/auth/session", cleared);
    }
}
