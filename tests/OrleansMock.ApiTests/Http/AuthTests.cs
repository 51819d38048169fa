using System.Net;
using System.Net.Http.Headers;
using System.Text.Json;
using Microsoft.Extensions.Time.Testing;
using Microsoft.IdentityModel.Tokens;
using OrleansMock.Api.Auth;
using OrleansMock.GrainInterfaces;
using static OrleansMock.Tests.Http.HttpHelpers;

namespace OrleansMock.Tests.Http;

[Collection(ApiCollection.Name)]
public sealed class AuthTests(ApiFixture fixture)
{
    private HttpClient Anonymous() => fixture.Factory.CreateClient();

    [Fact]
    public async Task Register_normalizes_the_email_and_login_returns_a_working_token()
    {
        var client = Anonymous();
        var email = UniqueEmail();
        var register = await client.PostAsync("/api/v1/auth/register", Payload(JsonSerializer.Serialize(new { email = $"  {email.ToUpperInvariant()} ", password = Password })));
        Assert.Equal(HttpStatusCode.Created, register.StatusCode);
        var user = await register.ReadJsonAsync();
        Assert.Equal(email, user.GetProperty("email").GetString());
        Assert.StartsWith("u_", user.GetProperty("id").GetString());

        var login = await (await client.PostAsync("/api/v1/auth/login", Payload(JsonSerializer.Serialize(new { email = email.ToUpperInvariant(), password = Password })))).ReadJsonAsync();
        Assert.True(login.GetProperty("expiresAt").GetDateTimeOffset() > DateTimeOffset.UtcNow.AddMinutes(50));
        client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", login.GetProperty("token").GetString());
        var me = await (await client.GetAsync("/api/v1/auth/me")).ReadJsonAsync();
        Assert.Equal(user.GetProperty("id").GetString(), me.GetProperty("id").GetString());
    }

    [Theory]
    [InlineData("not-an-email", "correct horse battery", "not a valid email")]
    [InlineData("a@example.com", "short", "at least 8 characters")]
    [InlineData("a@example.com", "aaaaaaaaaaaa", "4 different characters")]
    public async Task Bad_registrations_are_400_saying_the_rule(string email, string password, string expected)
    {
        var response = await Anonymous().PostAsync("/api/v1/auth/register", Payload(JsonSerializer.Serialize(new { email, password })));
        Assert.Contains(expected, await response.AssertProblemAsync(HttpStatusCode.BadRequest));
    }

    [Fact]
    public async Task Concurrent_registrations_of_one_email_give_exactly_one_201()
    {
        var email = UniqueEmail();
        var responses = await Task.WhenAll(Enumerable.Range(0, 8).Select(i =>
            Anonymous().PostAsync("/api/v1/auth/register", Payload(JsonSerializer.Serialize(new { email = i % 2 == 0 ? email : email.ToUpperInvariant(), password = Password })))));
        Assert.Single(responses, r => r.StatusCode == HttpStatusCode.Created);
        foreach (var conflict in responses.Where(r => r.StatusCode != HttpStatusCode.Created))
        {
            Assert.Contains("already exists", await conflict.AssertProblemAsync(HttpStatusCode.Conflict));
        }
    }

    [Fact]
    public async Task Wrong_password_is_401_and_repeated_failures_lock_the_account()
    {
        var client = Anonymous();
        var email = UniqueEmail();
        await client.RegisterAndLoginAsync(email);
        for (var i = 0; i < 5; i++)
        {
            var wrong = await client.PostAsync("/api/v1/auth/login", Payload(JsonSerializer.Serialize(new { email, password = "wrong password!" })));
            Assert.Equal("email or password is wrong", await wrong.AssertProblemAsync(HttpStatusCode.Unauthorized));
            Assert.NotEmpty(wrong.Headers.WwwAuthenticate);
        }
        var locked = await client.PostAsync("/api/v1/auth/login", Payload(JsonSerializer.Serialize(new { email, password = Password })));
        Assert.Contains("too many failed logins for this account from this address", await locked.AssertProblemAsync(HttpStatusCode.TooManyRequests));
        Assert.True(locked.Headers.RetryAfter!.Delta > TimeSpan.FromMinutes(10));

        var unknown = await client.PostAsync("/api/v1/auth/login", Payload(JsonSerializer.Serialize(new { email = UniqueEmail(), password = Password })));
        await unknown.AssertProblemAsync(HttpStatusCode.Unauthorized);
    }

    [Fact]
    public async Task Missing_expired_foreign_and_tampered_tokens_are_401_with_www_authenticate()
    {
        var good = await Anonymous().RegisterAndLoginAsync();
        var user = new UserInfo(SubjectOf(good), "x@example.com", DateTimeOffset.UtcNow);
        var key = new SymmetricSecurityKey(Convert.FromBase64String(await File.ReadAllTextAsync(Path.Combine(fixture.Factory.DataDir, SigningKeys.EmbeddedKeyFile))));
        var options = new AuthOptions();
        var expired = new TokenIssuer(options, key, new FakeTimeProvider(DateTimeOffset.UtcNow.AddHours(-3))).Issue(user).Token;
        var foreign = new TokenIssuer(options, new SymmetricSecurityKey(new byte[48]), TimeProvider.System).Issue(user).Token;
        var otherAudience = new TokenIssuer(new AuthOptions { Audience = "someone-else" }, key, TimeProvider.System).Issue(user).Token;
        var parts = good.Split('.');
        var tampered = $"{parts[0]}.{parts[1][..^2]}{(parts[1][^2] == 'A' ? 'B' : 'A')}{parts[1][^1]}.{parts[2]}";

        var cases = new (string? Token, string Expected)[]
        {
            (null, "this route needs credentials"),
            (expired, "expired"),
            (foreign, "signature is not valid"),
            (otherAudience, "not valid"),
            (tampered, "not valid"),
            ("garbage", "not valid"),
        };
        foreach (var (token, expected) in cases)
        {
            var client = Anonymous();
            if (token is not null)
            {
                client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", token);
            }
            var response = await client.GetAsync("/api/v1/projects");
            Assert.Contains(expected, await response.AssertProblemAsync(HttpStatusCode.Unauthorized));
            Assert.Contains(response.Headers.WwwAuthenticate, h => h.Scheme == "Bearer");
        }
    }

    [Fact]
    public async Task Api_keys_work_are_listed_without_secrets_and_stop_at_once_when_revoked()
    {
        var owner = await fixture.NewUserClientAsync();
        var created = await owner.PostAsync("/api/v1/auth/keys", Payload("{\"name\":\"ci\"}"));
        Assert.Equal(HttpStatusCode.Created, created.StatusCode);
        var key = await created.ReadJsonAsync();
        var secret = key.GetProperty("key").GetString()!;

        var listed = await (await owner.GetAsync("/api/v1/auth/keys")).Content.ReadAsStringAsync();
        Assert.Contains(key.GetProperty("id").GetString()!, listed);
        Assert.DoesNotContain(secret, listed);
        Assert.DoesNotContain(secret.Split('-')[3], listed);

        var script = Anonymous();
        script.DefaultRequestHeaders.Add(ApiKeyAuthentication.Header, secret);
        Assert.Equal(HttpStatusCode.Created, (await script.PostAsync("/api/v1/projects", Payload("{\"name\":\"From CI\"}"))).StatusCode);

        var wrongSecret = Anonymous();
        wrongSecret.DefaultRequestHeaders.Add(ApiKeyAuthentication.Header, secret[..^4] + "0000");
        Assert.Contains("unknown or has been revoked", await (await wrongSecret.GetAsync("/api/v1/projects")).AssertProblemAsync(HttpStatusCode.Unauthorized));

        Assert.Equal(HttpStatusCode.NoContent, (await owner.DeleteAsync($"/api/v1/auth/keys/{key.GetProperty("id").GetString()}")).StatusCode);
        var revoked = await script.GetAsync("/api/v1/projects");
        Assert.Contains("revoked", await revoked.AssertProblemAsync(HttpStatusCode.Unauthorized));
        Assert.Contains(revoked.Headers.WwwAuthenticate, h => h.Scheme == "ApiKey");

        var malformed = Anonymous();
        malformed.DefaultRequestHeaders.Add(ApiKeyAuthentication.Header, "not-a-key");
        Assert.Contains("not an OrleansMock API key", await (await malformed.GetAsync("/api/v1/projects")).AssertProblemAsync(HttpStatusCode.Unauthorized));
    }

    [Fact]
    public async Task Another_users_objects_are_404_on_every_route_and_stay_unchanged()
    {
        var a = await fixture.NewUserClientAsync();
        var b = await fixture.NewUserClientAsync();
        var project = await a.CreateProjectAsync();
        var id = project.GetProperty("id").GetString()!;
        var slug = project.GetProperty("slug").GetString()!;
        var endpoint = (await a.CreateEndpointAsync(id, "{\"method\":\"GET\",\"path\":\"/a\",\"response\":{\"body\":\"mine\"}}")).GetProperty("id").GetString()!;
        const string spec = "{\"method\":\"GET\",\"path\":\"/b\",\"response\":{}}";

        foreach (var key in new[] { id, slug })
        {
            var attempts = new (string What, Func<Task<HttpResponseMessage>> Send)[]
            {
                ("get project", () => b.GetAsync($"/api/v1/projects/{key}")),
                ("patch project", () => b.PatchAsync($"/api/v1/projects/{key}", Payload("{\"name\":\"stolen\"}"))),
                ("delete project", () => b.DeleteAsync($"/api/v1/projects/{key}")),
                ("list endpoints", () => b.GetAsync($"/api/v1/projects/{key}/endpoints")),
                ("create endpoint", () => b.PostAsync($"/api/v1/projects/{key}/endpoints", Payload(spec))),
                ("get endpoint", () => b.GetAsync($"/api/v1/projects/{key}/endpoints/{endpoint}")),
                ("replace endpoint", () => b.PutAsync($"/api/v1/projects/{key}/endpoints/{endpoint}", Payload(spec))),
                ("patch endpoint", () => b.PatchAsync($"/api/v1/projects/{key}/endpoints/{endpoint}", Payload("{\"response\":{\"status\":500}}"))),
                ("delete endpoint", () => b.DeleteAsync($"/api/v1/projects/{key}/endpoints/{endpoint}")),
            };
            foreach (var (what, send) in attempts)
            {
                var response = await send();
                Assert.True(response.StatusCode == HttpStatusCode.NotFound, $"{what} via {key}: {(int)response.StatusCode}");
                Assert.Contains("does not exist", await response.AssertProblemAsync(HttpStatusCode.NotFound));
            }
        }
        var bList = await (await b.GetAsync("/api/v1/projects")).ReadJsonAsync();
        Assert.DoesNotContain(bList.GetProperty("items").EnumerateArray(), p => p.GetProperty("id").GetString() == id);

        var after = await (await a.GetAsync($"/api/v1/projects/{id}")).ReadJsonAsync();
        Assert.Equal("Shop", after.GetProperty("name").GetString());
        var endpoints = await (await a.GetAsync($"/api/v1/projects/{id}/endpoints")).ReadJsonAsync();
        Assert.Equal(1, endpoints.GetProperty("items").GetArrayLength());
        Assert.Equal("\"mine\"", await a.GetStringAsync($"/m/{slug}/a"));
    }

    [Fact]
    public async Task Private_project_mock_traffic_needs_its_owners_credentials()
    {
        var owner = await fixture.NewUserClientAsync();
        var other = await fixture.NewUserClientAsync();
        var project = await (await owner.PostAsync("/api/v1/projects", Payload($"{{\"name\":\"Secret\",\"slug\":\"{UniqueSlug("secret")}\",\"private\":true}}"))).ReadJsonAsync();
        Assert.True(project.GetProperty("private").GetBoolean());
        var slug = project.GetProperty("slug").GetString()!;
        await owner.CreateEndpointAsync(project.GetProperty("id").GetString()!, "{\"method\":\"GET\",\"path\":\"/x\",\"response\":{\"body\":1}}");
        var ownerKey = (await (await owner.PostAsync("/api/v1/auth/keys", Payload("{\"name\":\"mock\"}"))).ReadJsonAsync()).GetProperty("key").GetString()!;
        var otherKey = (await (await other.PostAsync("/api/v1/auth/keys", Payload("{\"name\":\"mock\"}"))).ReadJsonAsync()).GetProperty("key").GetString()!;

        var anonymous = await Anonymous().GetAsync($"/m/{slug}/x");
        Assert.Contains("private", await anonymous.AssertProblemAsync(HttpStatusCode.Unauthorized));
        Assert.NotEmpty(anonymous.Headers.WwwAuthenticate);

        Assert.Equal(HttpStatusCode.Unauthorized, (await WithKey(otherKey).GetAsync($"/m/{slug}/x")).StatusCode);
        Assert.Equal("1", await (await WithKey(ownerKey).GetAsync($"/m/{slug}/x")).Content.ReadAsStringAsync());

        // Made public again, anyone may call it.
        await owner.PatchAsync($"/api/v1/projects/{slug}", Payload("{\"private\":false}"));
        Assert.Equal(HttpStatusCode.OK, (await Anonymous().GetAsync($"/m/{slug}/x")).StatusCode);
    }

    private HttpClient WithKey(string key)
    {
        var client = Anonymous();
        client.DefaultRequestHeaders.Add(ApiKeyAuthentication.Header, key);
        return client;
    }

    private static string SubjectOf(string token)
    {
        var payload = token.Split('.')[1];
        var json = System.Text.Encoding.UTF8.GetString(Base64UrlEncoder.DecodeBytes(payload));
        return JsonDocument.Parse(json).RootElement.GetProperty("sub").GetString()!;
    }
}
