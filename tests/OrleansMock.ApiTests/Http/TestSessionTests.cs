using System.Net;
using System.Text.Json;
using static OrleansMock.Tests.Http.HttpHelpers;

namespace OrleansMock.Tests.Http;

/// <summary>
/// Test sessions (X-Mock-Session, or /m/{project}~{session}): parallel test runs on one project, each with its own
/// scenario states, sequence positions, resource records and journal slice, through the real front end.
/// </summary>
[Collection(ApiCollection.Name)]
public sealed class TestSessionTests(ApiFixture fixture)
{
    private HttpClient Client => fixture.Client;

    /// <summary>A project with a three-state scenario (/step), a three-answer sequence (/poll) and a seeded resource (/items).</summary>
    private static async Task<(string Id, string Slug)> ProjectAsync(HttpClient client)
    {
        var project = await client.CreateProjectAsync();
        var (id, slug) = (project.GetProperty("id").GetString()!, project.GetProperty("slug").GetString()!);
        await client.CreateEndpointAsync(slug, JsonSerializer.Serialize(new
        {
            method = "GET", path = "/step",
            responses = new object[]
            {
                new { body = "one", scenario = new { name = "flow", requiredState = "Started", newState = "Two" } },
                new { body = "two", scenario = new { name = "flow", requiredState = "Two", newState = "Three" } },
                new { body = "three", scenario = new { name = "flow", requiredState = "Three" } },
            },
        }));
        await client.CreateEndpointAsync(slug, JsonSerializer.Serialize(new
        {
            method = "GET", path = "/poll", responseMode = "sequence",
            responses = new object[] { new { body = "pending" }, new { body = "running" }, new { body = "done" } },
        }));
        var resource = await client.PostAsync($"/api/v1/projects/{id}/resources", Payload("""{"name":"items","seed":[{"id":1,"name":"seed"}]}"""));
        Assert.True(resource.StatusCode == HttpStatusCode.Created, await resource.Content.ReadAsStringAsync());
        return (id, slug);
    }

    private static HttpRequestMessage InSession(HttpMethod method, string url, string session, HttpContent? content = null)
    {
        var request = new HttpRequestMessage(method, url) { Content = content };
        request.Headers.Add("X-Mock-Session", session);
        return request;
    }

    private static async Task<string> SendAsync(HttpClient client, HttpRequestMessage request, HttpStatusCode expected = HttpStatusCode.OK)
    {
        using var response = await client.SendAsync(request);
        var body = await response.Content.ReadAsStringAsync();
        Assert.True(response.StatusCode == expected, $"{request.Method} {request.RequestUri}: {(int)response.StatusCode} {body}");
        return body;
    }

    private static string[] Names(string json) =>
        [.. JsonDocument.Parse(json).RootElement.EnumerateArray().Select(e => e.GetProperty("name").GetString()!)];

    private async Task<int> JournalCountAsync(string id, string? session)
    {
        var log = await (await Client.GetAsync($"/api/v1/projects/{id}/requests?limit=1000{(session is null ? "" : "&session=" + session)}")).ReadJsonAsync();
        return log.GetProperty("items").GetArrayLength();
    }

    [Fact]
    public async Task Eight_sessions_in_parallel_each_see_only_their_own_state_and_the_project_state_is_untouched()
    {
        var (id, slug) = await ProjectAsync(Client);
        var sessions = Enumerable.Range(0, 8).Select(i => $"ci-job.{i}_{Guid.NewGuid():N}"[..20]).ToArray();

        // Each session: the scenario through its three states, the sequence twice, a record of its own; half of them
        // name the session in the URL, half in the header.
        await Task.WhenAll(sessions.Select((session, i) => Task.Run(async () =>
        {
            using var client = fixture.Factory.CreateClient();
            HttpRequestMessage Request(HttpMethod method, string path, HttpContent? content = null) => i % 2 == 0
                ? InSession(method, $"/m/{slug}{path}", session, content)
                : new HttpRequestMessage(method, $"/m/{slug}~{session}{path}") { Content = content };
            var steps = new List<string>();
            for (var step = 0; step < 3; step++)
            {
                steps.Add(await SendAsync(client, Request(HttpMethod.Get, "/step")));
            }
            Assert.Equal(["\"one\"", "\"two\"", "\"three\""], steps);
            Assert.Equal("\"pending\"", await SendAsync(client, Request(HttpMethod.Get, "/poll")));
            Assert.Equal("\"running\"", await SendAsync(client, Request(HttpMethod.Get, "/poll")));
            await SendAsync(client, Request(HttpMethod.Post, "/items", Payload(JsonSerializer.Serialize(new { name = session }))), HttpStatusCode.Created);
            Assert.Equal(["seed", session], Names(await SendAsync(client, Request(HttpMethod.Get, "/items"))));
        })));

        // Each session's journal slice holds exactly its 7 requests; the project's own holds none of them.
        foreach (var session in sessions)
        {
            Assert.Equal(7, await JournalCountAsync(id, session));
            var scenarios = await (await Client.GetAsync($"/api/v1/projects/{id}/scenarios?session={session}")).ReadJsonAsync();
            Assert.Equal("Three", scenarios.GetProperty("items")[0].GetProperty("state").GetString());
        }
        Assert.Equal(0, await JournalCountAsync(id, null));
        var own = await (await Client.GetAsync($"/api/v1/projects/{id}/scenarios")).ReadJsonAsync();
        Assert.Equal("Started", own.GetProperty("items")[0].GetProperty("state").GetString());
        Assert.Equal(["seed"], Names(await Client.GetStringAsync($"/m/{slug}/items")));
        Assert.Equal("\"one\"", await Client.GetStringAsync($"/m/{slug}/step"));
        Assert.Equal("\"pending\"", await Client.GetStringAsync($"/m/{slug}/poll"));
        Assert.Equal(3, await JournalCountAsync(id, null));

        var listed = await (await Client.GetAsync($"/api/v1/projects/{id}/sessions")).ReadJsonAsync();
        Assert.Equal(sessions.Order(), listed.GetProperty("items").EnumerateArray().Select(s => s.GetProperty("id").GetString()!).Order());
        var first = listed.GetProperty("items")[0];
        Assert.True(first.GetProperty("expiresAt").GetDateTimeOffset() > first.GetProperty("lastUsedAt").GetDateTimeOffset());

        // Deleting a session resets it: its next request starts from the definitions and the seed again; the others keep theirs.
        Assert.Equal(HttpStatusCode.NoContent, (await Client.DeleteAsync($"/api/v1/projects/{id}/sessions/{sessions[0]}")).StatusCode);
        Assert.Equal(0, await JournalCountAsync(id, sessions[0]));
        Assert.Equal(7, await JournalCountAsync(id, sessions[1]));
        Assert.Equal("\"one\"", await SendAsync(Client, InSession(HttpMethod.Get, $"/m/{slug}/step", sessions[0])));
        Assert.Equal("\"pending\"", await SendAsync(Client, InSession(HttpMethod.Get, $"/m/{slug}/poll", sessions[0])));
        Assert.Equal(["seed"], Names(await SendAsync(Client, InSession(HttpMethod.Get, $"/m/{slug}/items", sessions[0]))));
        Assert.Equal(["seed", sessions[1]], Names(await SendAsync(Client, InSession(HttpMethod.Get, $"/m/{slug}/items", sessions[1]))));
        Assert.Equal("\"three\"", await SendAsync(Client, InSession(HttpMethod.Get, $"/m/{slug}/step", sessions[1])));
        Assert.Equal(3, await JournalCountAsync(id, sessions[0]));
    }

    [Fact]
    public async Task The_WireMock_admin_API_honours_the_session_header()
    {
        var (_, slug) = await ProjectAsync(Client);
        const string a = "suite-a", b = "suite-b";
        for (var i = 0; i < 2; i++)
        {
            await SendAsync(Client, InSession(HttpMethod.Get, $"/m/{slug}/step", a));
        }
        await SendAsync(Client, InSession(HttpMethod.Get, $"/m/{slug}/step", b));

        async Task<int> CountAsync(string? session)
        {
            using var request = new HttpRequestMessage(HttpMethod.Post, $"/m/{slug}/__admin/requests/count") { Content = Payload("""{"method":"GET","url":"/step"}""") };
            if (session is not null)
            {
                request.Headers.Add("X-Mock-Session", session);
            }
            return JsonDocument.Parse(await SendAsync(Client, request)).RootElement.GetProperty("count").GetInt32();
        }
        Assert.Equal(2, await CountAsync(a));
        Assert.Equal(1, await CountAsync(b));
        Assert.Equal(0, await CountAsync(null));

        var scenarios = JsonDocument.Parse(await SendAsync(Client, InSession(HttpMethod.Get, $"/m/{slug}/__admin/scenarios", a))).RootElement;
        Assert.Equal("Three", scenarios.GetProperty("scenarios")[0].GetProperty("state").GetString());
        await SendAsync(Client, InSession(HttpMethod.Put, $"/m/{slug}/__admin/scenarios/flow/state", b, Payload("""{"state":"Three"}""")));
        Assert.Equal("\"three\"", await SendAsync(Client, InSession(HttpMethod.Get, $"/m/{slug}/step", b)));
        Assert.Equal("\"one\"", await Client.GetStringAsync($"/m/{slug}/step")); // the project's own state did not move

        // A session's requests reset clears its slice only; its /__admin/reset ends the session and keeps the mappings.
        await SendAsync(Client, InSession(HttpMethod.Post, $"/m/{slug}/__admin/requests/reset", b));
        Assert.Equal(0, await CountAsync(b));
        Assert.Equal(2, await CountAsync(a));
        await SendAsync(Client, InSession(HttpMethod.Post, $"/m/{slug}/__admin/reset", a));
        Assert.Equal(0, await CountAsync(a));
        Assert.Equal("\"one\"", await SendAsync(Client, InSession(HttpMethod.Get, $"/m/{slug}/step", a)));
        Assert.Equal(1, await CountAsync(null));
    }

    [Theory]
    [InlineData("header", "has space")]
    [InlineData("header", "ünïcode")]
    [InlineData("header", "x/y")]
    [InlineData("path", "")]
    [InlineData("path", "a%20b")]
    [InlineData("path", "0123456789012345678901234567890123456789012345678901234567890123456789")]
    public async Task A_malformed_session_is_a_400_problem_naming_the_rule(string where, string session)
    {
        var (_, slug) = await ProjectAsync(Client);
        using var request = where == "header"
            ? new HttpRequestMessage(HttpMethod.Get, $"/m/{slug}/step")
            : new HttpRequestMessage(HttpMethod.Get, $"/m/{slug}~{session}/step");
        if (where == "header")
        {
            request.Headers.TryAddWithoutValidation("X-Mock-Session", session);
        }
        var detail = await (await Client.SendAsync(request)).AssertProblemAsync(HttpStatusCode.BadRequest);
        Assert.Contains("1 to 64 characters of A-Z a-z 0-9 . _ -", detail);
    }

    [Fact]
    public async Task The_URL_and_the_header_must_agree_and_the_management_API_refuses_a_malformed_session()
    {
        var (id, slug) = await ProjectAsync(Client);
        var detail = await (await Client.SendAsync(InSession(HttpMethod.Get, $"/m/{slug}~one/step", "two"))).AssertProblemAsync(HttpStatusCode.BadRequest);
        Assert.Contains("'one'", detail);
        Assert.Equal("\"one\"", await SendAsync(Client, InSession(HttpMethod.Get, $"/m/{slug}~same/step", "same")));
        await (await Client.GetAsync($"/api/v1/projects/{id}/requests?session=no%20good")).AssertProblemAsync(HttpStatusCode.BadRequest);
        await (await Client.GetAsync($"/api/v1/projects/{id}/scenarios?session=no%20good")).AssertProblemAsync(HttpStatusCode.BadRequest);
        await (await Client.DeleteAsync($"/api/v1/projects/{id}/sessions/no%20good")).AssertProblemAsync(HttpStatusCode.BadRequest);
        // Another user sees no project, so no sessions of it either.
        using var stranger = await fixture.NewUserClientAsync();
        await (await stranger.GetAsync($"/api/v1/projects/{id}/sessions")).AssertProblemAsync(HttpStatusCode.NotFound);
        await (await stranger.DeleteAsync($"/api/v1/projects/{id}/sessions/same")).AssertProblemAsync(HttpStatusCode.NotFound);
        await (await stranger.GetAsync($"/api/v1/projects/{id}/scenarios?session=same")).AssertProblemAsync(HttpStatusCode.NotFound);
    }

    [Fact]
    public async Task Sessions_are_capped_per_project_and_expire_when_idle()
    {
        await using var factory = new ApiFactory();
        factory.Settings["OrleansMock:Limits:MaxSessionsPerProject"] = "3";
        factory.Settings["OrleansMock:Limits:SessionIdleMinutes"] = "0.05"; // 3 seconds
        using var client = await factory.CreateClient().AsNewUserAsync();
        var (id, slug) = await ProjectAsync(client);
        foreach (var session in new[] { "s1", "s2", "s3" })
        {
            await SendAsync(client, InSession(HttpMethod.Post, $"/m/{slug}/items", session, Payload("""{"name":"mine"}""")), HttpStatusCode.Created);
        }
        var refused = await (await client.SendAsync(InSession(HttpMethod.Get, $"/m/{slug}/step", "s4"))).AssertProblemAsync(HttpStatusCode.TooManyRequests);
        Assert.Contains("MaxSessionsPerProject", refused);
        Assert.Equal("\"one\"", await SendAsync(client, InSession(HttpMethod.Get, $"/m/{slug}/step", "s1"))); // a live one still answers

        // Idle past their time, they end: listed no more, their records and journal go, and the cap has room again.
        var deadline = DateTime.UtcNow.AddSeconds(30);
        JsonElement listed;
        do
        {
            await Task.Delay(500);
            listed = await (await client.GetAsync($"/api/v1/projects/{id}/sessions")).ReadJsonAsync();
        }
        while (listed.GetProperty("items").GetArrayLength() > 0 && DateTime.UtcNow < deadline);
        Assert.Equal(0, listed.GetProperty("items").GetArrayLength());
        var log = await (await client.GetAsync($"/api/v1/projects/{id}/requests?session=s1")).ReadJsonAsync();
        Assert.Equal(0, log.GetProperty("items").GetArrayLength());
        Assert.Equal("\"one\"", await SendAsync(client, InSession(HttpMethod.Get, $"/m/{slug}/step", "s1")));
        Assert.Equal(["seed"], Names(await SendAsync(client, InSession(HttpMethod.Get, $"/m/{slug}/items", "s1"))));
        await SendAsync(client, InSession(HttpMethod.Get, $"/m/{slug}/step", "s4"));
    }
}
