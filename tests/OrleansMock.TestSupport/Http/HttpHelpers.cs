using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;

namespace OrleansMock.Tests.Http;

public static class HttpHelpers
{
    public static StringContent Payload(string json, string mediaType = "application/json") => new(json, Encoding.UTF8, mediaType);

    /// <summary>Sends through the API tester (<c>POST /api/v1/tester/send</c>) and answers its JSON (the send itself is a 200).</summary>
    public static async Task<JsonElement> TesterSendAsync(this HttpClient client, object request)
    {
        var response = await client.PostAsync("/api/v1/tester/send", Payload(JsonSerializer.Serialize(request)));
        Assert.True(response.StatusCode == HttpStatusCode.OK, await response.Content.ReadAsStringAsync());
        return await response.ReadJsonAsync();
    }

    public static async Task<JsonElement> ReadJsonAsync(this HttpResponseMessage response) =>
        (await response.Content.ReadFromJsonAsync<JsonElement>()).Clone();

    /// <summary>Asserts an RFC 9457 problem with the status, and returns its detail.</summary>
    public static async Task<string> AssertProblemAsync(this HttpResponseMessage response, HttpStatusCode status)
    {
        var body = await response.Content.ReadAsStringAsync();
        Assert.True(status == response.StatusCode, $"expected {(int)status}, got {(int)response.StatusCode}: {body}");
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        using var document = JsonDocument.Parse(body);
        Assert.Equal((int)status, document.RootElement.GetProperty("status").GetInt32());
        var detail = document.RootElement.GetProperty("detail").GetString();
        Assert.False(string.IsNullOrWhiteSpace(detail));
        return detail!;
    }

    public const string Password = "correct horse battery";

    public static string UniqueEmail() => $"user-{Guid.NewGuid():N}@example.com";

    /// <summary>Registers a fresh user and returns a bearer token for them.</summary>
    public static async Task<string> RegisterAndLoginAsync(this HttpClient client, string? email = null)
    {
        email ??= UniqueEmail();
        var register = await client.PostAsync("/api/v1/auth/register", Payload(JsonSerializer.Serialize(new { email, password = Password })));
        Assert.True(register.StatusCode == HttpStatusCode.Created, await register.Content.ReadAsStringAsync());
        var login = await client.PostAsync("/api/v1/auth/login", Payload(JsonSerializer.Serialize(new { email, password = Password })));
        Assert.True(login.StatusCode == HttpStatusCode.OK, await login.Content.ReadAsStringAsync());
        return (await login.ReadJsonAsync()).GetProperty("token").GetString()!;
    }

    /// <summary>Makes <paramref name="client"/> act as a fresh user; returns it for chaining.</summary>
    public static async Task<HttpClient> AsNewUserAsync(this HttpClient client)
    {
        client.DefaultRequestHeaders.Authorization = new System.Net.Http.Headers.AuthenticationHeaderValue("Bearer", await client.RegisterAndLoginAsync());
        return client;
    }

    /// <summary>A new API key of the client's user: its id and the key itself (shown once).</summary>
    public static async Task<(string Id, string Key)> CreateApiKeyAsync(this HttpClient client, string name = "test")
    {
        var created = await (await client.PostAsync("/api/v1/auth/keys", Payload(JsonSerializer.Serialize(new { name })))).ReadJsonAsync();
        return (created.GetProperty("id").GetString()!, created.GetProperty("key").GetString()!);
    }

    public static string UniqueSlug(string prefix = "p") => $"{prefix}-{Guid.NewGuid():N}"[..24];

    public static async Task<JsonElement> CreateProjectAsync(this HttpClient client, string? slug = null, string name = "Shop")
    {
        var response = await client.PostAsync("/api/v1/projects", Payload(JsonSerializer.Serialize(new { name, slug = slug ?? UniqueSlug() })));
        Assert.Equal(HttpStatusCode.Created, response.StatusCode);
        return await response.ReadJsonAsync();
    }

    public static async Task<JsonElement> CreateEndpointAsync(this HttpClient client, string project, string json)
    {
        var response = await client.PostAsync($"/api/v1/projects/{project}/endpoints", Payload(json));
        Assert.True(response.StatusCode == HttpStatusCode.Created, await response.Content.ReadAsStringAsync());
        return await response.ReadJsonAsync();
    }
}
