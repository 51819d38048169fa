using System.Net;
using System.Text.Json;
using static OrleansMock.Tests.Http.HttpHelpers;

namespace OrleansMock.Tests.Http;

/// <summary>Teams: shared projects with roles, through the real front end, as owner, editor, viewer, removed member and stranger.</summary>
[Collection(ApiCollection.Name)]
public sealed class TeamTests(ApiFixture fixture)
{
    private async Task<(HttpClient Client, string Email)> UserAsync()
    {
        var email = UniqueEmail();
        var client = fixture.Factory.CreateClient();
        client.DefaultRequestHeaders.Authorization = new("Bearer", await client.RegisterAndLoginAsync(email));
        return (client, email);
    }

    private static async Task<JsonElement> OkJsonAsync(HttpResponseMessage response, HttpStatusCode expected = HttpStatusCode.OK)
    {
        Assert.True(response.StatusCode == expected, $"{(int)response.StatusCode}: {await response.Content.ReadAsStringAsync()}");
        return response.StatusCode == HttpStatusCode.NoContent ? default : await response.ReadJsonAsync();
    }

    /// <summary>A team of three (owner, editor, viewer) and a project it owns.</summary>
    private async Task<(HttpClient Owner, HttpClient Editor, HttpClient Viewer, string TeamId, string ProjectId, string Slug, string EditorId, string ViewerId)> TeamAsync()
    {
        var (owner, _) = await UserAsync();
        var (editor, editorEmail) = await UserAsync();
        var (viewer, viewerEmail) = await UserAsync();
        var team = await OkJsonAsync(await owner.PostAsync("/api/v1/teams", Payload("""{"name":"Payments"}""")), HttpStatusCode.Created);
        var teamId = team.GetProperty("id").GetString()!;
        Assert.StartsWith("t_", teamId);
        Assert.Equal("owner", team.GetProperty("role").GetString());
        foreach (var (client, email, role) in new[] { (editor, editorEmail, "editor"), (viewer, viewerEmail, "viewer") })
        {
            var invitation = await OkJsonAsync(await owner.PostAsync($"/api/v1/teams/{teamId}/invitations", Payload(JsonSerializer.Serialize(new { email, role }))), HttpStatusCode.Created);
            var accepted = await OkJsonAsync(await client.PostAsync($"/api/v1/invitations/{invitation.GetProperty("token").GetString()}/accept", null));
            Assert.Equal(role, accepted.GetProperty("role").GetString());
        }
        var project = await OkJsonAsync(await owner.PostAsync("/api/v1/projects", Payload(JsonSerializer.Serialize(new { name = "Shared", teamId }))), HttpStatusCode.Created);
        Assert.Equal(teamId, project.GetProperty("teamId").GetString());
        var members = (await OkJsonAsync(await owner.GetAsync($"/api/v1/teams/{teamId}/members"))).GetProperty("items").EnumerateArray().ToList();
        string IdOf(string role) => members.Single(m => m.GetProperty("role").GetString() == role).GetProperty("userId").GetString()!;
        return (owner, editor, viewer, teamId, project.GetProperty("id").GetString()!, project.GetProperty("slug").GetString()!, IdOf("editor"), IdOf("viewer"));
    }

    [Fact]
    public async Task Members_see_the_teams_project_with_their_role_and_a_stranger_sees_nothing()
    {
        var (owner, editor, viewer, teamId, projectId, slug, _, _) = await TeamAsync();
        foreach (var (client, role) in new[] { (owner, "owner"), (editor, "editor"), (viewer, "viewer") })
        {
            var listed = (await OkJsonAsync(await client.GetAsync("/api/v1/projects"))).GetProperty("items").EnumerateArray();
            Assert.Equal(role, listed.Single(p => p.GetProperty("id").GetString() == projectId).GetProperty("role").GetString());
            var teams = (await OkJsonAsync(await client.GetAsync("/api/v1/teams"))).GetProperty("items").EnumerateArray();
            Assert.Equal(role, teams.Single(t => t.GetProperty("id").GetString() == teamId).GetProperty("role").GetString());
        }
        var (stranger, _) = await UserAsync();
        await (await stranger.GetAsync($"/api/v1/projects/{projectId}")).AssertProblemAsync(HttpStatusCode.NotFound);
        await (await stranger.GetAsync($"/api/v1/teams/{teamId}/members")).AssertProblemAsync(HttpStatusCode.NotFound);
        await (await stranger.PostAsync($"/m/{slug}/__admin/mappings", Payload("""{"request":{"url":"/x"},"response":{"status":200}}"""))).AssertProblemAsync(HttpStatusCode.NotFound);
        Assert.DoesNotContain((await OkJsonAsync(await stranger.GetAsync("/api/v1/projects"))).GetProperty("items").EnumerateArray(), p => p.GetProperty("id").GetString() == projectId);
    }

    [Fact]
    public async Task Editors_change_definitions_viewers_only_read_and_owners_alone_delete_or_rename_the_slug()
    {
        var (owner, editor, viewer, _, projectId, slug, _, _) = await TeamAsync();
        var endpoint = """{"method":"GET","path":"/hello","response":{"body":{"hi":1}}}""";
        await OkJsonAsync(await editor.PostAsync($"/api/v1/projects/{projectId}/endpoints", Payload(endpoint)), HttpStatusCode.Created);
        await OkJsonAsync(await editor.PatchAsync($"/api/v1/projects/{projectId}", Payload("""{"name":"Renamed by the editor"}""")));
        Assert.Contains("owner", await (await editor.PatchAsync($"/api/v1/projects/{projectId}", Payload("""{"slug":"taken-by-editor"}"""))).AssertProblemAsync(HttpStatusCode.Forbidden));
        Assert.Contains("owner", await (await editor.DeleteAsync($"/api/v1/projects/{projectId}")).AssertProblemAsync(HttpStatusCode.Forbidden));

        // A viewer reads everything and changes nothing; the problem names the role.
        await OkJsonAsync(await viewer.GetAsync($"/api/v1/projects/{projectId}/endpoints"));
        await OkJsonAsync(await viewer.GetAsync($"/api/v1/projects/{projectId}/requests"));
        await OkJsonAsync(await viewer.GetAsync($"/api/v1/projects/{projectId}/scenarios"));
        Assert.Contains("viewer", await (await viewer.PostAsync($"/api/v1/projects/{projectId}/endpoints", Payload(endpoint.Replace("/hello", "/v")))).AssertProblemAsync(HttpStatusCode.Forbidden));
        await (await viewer.PostAsync($"/api/v1/projects/{projectId}/resources", Payload("""{"name":"users"}"""))).AssertProblemAsync(HttpStatusCode.Forbidden);
        await (await viewer.DeleteAsync($"/api/v1/projects/{projectId}/requests")).AssertProblemAsync(HttpStatusCode.Forbidden);
        await (await viewer.PostAsync($"/api/v1/projects/{projectId}/scenarios/reset", null)).AssertProblemAsync(HttpStatusCode.Forbidden);
        await (await viewer.PostAsync($"/m/{slug}/__admin/mappings", Payload("""{"request":{"url":"/x"},"response":{"status":200}}"""))).AssertProblemAsync(HttpStatusCode.Forbidden);
        await (await viewer.PostAsync($"/m/{slug}/__admin/reset", null)).AssertProblemAsync(HttpStatusCode.Forbidden);
        await OkJsonAsync(await viewer.GetAsync($"/m/{slug}/__admin/mappings"));
        await OkJsonAsync(await viewer.PostAsync($"/m/{slug}/__admin/requests/count", Payload("""{"method":"GET","url":"/hello"}""")));

        await OkJsonAsync(await owner.PatchAsync($"/api/v1/projects/{projectId}", Payload(JsonSerializer.Serialize(new { slug = UniqueSlug("team") }))));
        await OkJsonAsync(await owner.DeleteAsync($"/api/v1/projects/{projectId}"), HttpStatusCode.NoContent);
    }

    [Fact]
    public async Task Removing_a_member_or_lowering_a_role_holds_at_once_and_a_team_keeps_an_owner()
    {
        var (owner, editor, viewer, teamId, projectId, _, editorId, viewerId) = await TeamAsync();
        await OkJsonAsync(await viewer.GetAsync($"/api/v1/projects/{projectId}"));
        await OkJsonAsync(await owner.DeleteAsync($"/api/v1/teams/{teamId}/members/{viewerId}"), HttpStatusCode.NoContent);
        await (await viewer.GetAsync($"/api/v1/projects/{projectId}")).AssertProblemAsync(HttpStatusCode.NotFound);

        await OkJsonAsync(await owner.PatchAsync($"/api/v1/teams/{teamId}/members/{editorId}", Payload("""{"role":"viewer"}""")));
        await (await editor.PostAsync($"/api/v1/projects/{projectId}/endpoints", Payload("""{"method":"GET","path":"/x","response":{}}"""))).AssertProblemAsync(HttpStatusCode.Forbidden);
        await (await editor.PostAsync($"/api/v1/teams/{teamId}/invitations", Payload("""{"email":"x@example.com","role":"owner"}"""))).AssertProblemAsync(HttpStatusCode.Forbidden);

        var ownerId = (await OkJsonAsync(await owner.GetAsync($"/api/v1/teams/{teamId}/members"))).GetProperty("items").EnumerateArray()
            .Single(m => m.GetProperty("role").GetString() == "owner").GetProperty("userId").GetString();
        Assert.Contains("at least one owner", await (await owner.PatchAsync($"/api/v1/teams/{teamId}/members/{ownerId}", Payload("""{"role":"editor"}"""))).AssertProblemAsync(HttpStatusCode.Conflict));
        Assert.Contains("at least one owner", await (await owner.DeleteAsync($"/api/v1/teams/{teamId}/members/{ownerId}")).AssertProblemAsync(HttpStatusCode.Conflict));
        // A member may leave.
        await OkJsonAsync(await editor.DeleteAsync($"/api/v1/teams/{teamId}/members/{editorId}"), HttpStatusCode.NoContent);
        await (await editor.GetAsync($"/api/v1/projects/{projectId}")).AssertProblemAsync(HttpStatusCode.NotFound);
    }

    [Fact]
    public async Task One_account_cannot_create_teams_without_bound()
    {
        await using var factory = new ApiFactory();
        factory.Settings["OrleansMock:Limits:MaxTeamsPerUser"] = "2";
        using var client = await factory.CreateClient().AsNewUserAsync();
        for (var i = 0; i < 2; i++)
        {
            await OkJsonAsync(await client.PostAsync("/api/v1/teams", Payload("""{"name":"T"}""")), HttpStatusCode.Created);
        }
        Assert.Contains("MaxTeamsPerUser", await (await client.PostAsync("/api/v1/teams", Payload("""{"name":"T"}"""))).AssertProblemAsync(HttpStatusCode.UnprocessableEntity));
    }

    [Fact]
    public async Task Team_API_keys_act_for_the_team_within_their_grants_and_stop_when_revoked()
    {
        var (owner, editor, _, teamId, projectId, slug, _, _) = await TeamAsync();
        var other = (await OkJsonAsync(await owner.PostAsync("/api/v1/projects", Payload(JsonSerializer.Serialize(new { name = "Other", teamId }))), HttpStatusCode.Created))
            .GetProperty("id").GetString()!;
        await (await editor.PostAsync($"/api/v1/teams/{teamId}/keys", Payload("""{"name":"ci"}"""))).AssertProblemAsync(HttpStatusCode.Forbidden);
        var readOnly = await OkJsonAsync(await owner.PostAsync($"/api/v1/teams/{teamId}/keys", Payload(JsonSerializer.Serialize(new { name = "dashboards", projectId, readOnly = true }))), HttpStatusCode.Created);
        var full = await OkJsonAsync(await owner.PostAsync($"/api/v1/teams/{teamId}/keys", Payload("""{"name":"ci"}""")), HttpStatusCode.Created);

        using var reader = fixture.Factory.CreateClient();
        reader.DefaultRequestHeaders.Add("X-Api-Key", readOnly.GetProperty("key").GetString());
        var listed = (await OkJsonAsync(await reader.GetAsync("/api/v1/projects"))).GetProperty("items").EnumerateArray().Select(p => p.GetProperty("id").GetString()).ToList();
        Assert.Equal([projectId], listed);
        await OkJsonAsync(await reader.GetAsync($"/api/v1/projects/{projectId}/endpoints"));
        Assert.Contains("viewer", await (await reader.PostAsync($"/api/v1/projects/{projectId}/endpoints", Payload("""{"method":"GET","path":"/k","response":{}}"""))).AssertProblemAsync(HttpStatusCode.Forbidden));
        await (await reader.GetAsync($"/api/v1/projects/{other}/endpoints")).AssertProblemAsync(HttpStatusCode.NotFound);
        await (await reader.GetAsync("/api/v1/teams")).AssertProblemAsync(HttpStatusCode.Forbidden);
        await (await reader.GetAsync("/api/v1/tester/history")).AssertProblemAsync(HttpStatusCode.Forbidden);
        using var basic = fixture.Factory.CreateClient();
        basic.DefaultRequestHeaders.Authorization = new("Basic", Convert.ToBase64String(System.Text.Encoding.UTF8.GetBytes("x:" + readOnly.GetProperty("key").GetString())));
        await OkJsonAsync(await basic.GetAsync($"/m/{slug}/__admin/mappings"));
        await (await basic.PostAsync($"/m/{slug}/__admin/mappings", Payload("""{"request":{"url":"/x"},"response":{"status":200}}"""))).AssertProblemAsync(HttpStatusCode.Forbidden);
        // A key limited to one project calls that project's private mocks and none of the team's others.
        await OkJsonAsync(await owner.PostAsync($"/api/v1/projects/{other}/endpoints", Payload("""{"method":"GET","path":"/p","response":{"body":"p"}}""")), HttpStatusCode.Created);
        await OkJsonAsync(await owner.PostAsync($"/api/v1/projects/{projectId}/endpoints", Payload("""{"method":"GET","path":"/p","response":{"body":"p"}}""")), HttpStatusCode.Created);
        var otherSlug = (await OkJsonAsync(await owner.PatchAsync($"/api/v1/projects/{other}", Payload("""{"private":true}""")))).GetProperty("slug").GetString();
        await OkJsonAsync(await owner.PatchAsync($"/api/v1/projects/{projectId}", Payload("""{"private":true}""")));
        Assert.Equal("\"p\"", await reader.GetStringAsync($"/m/{slug}/p"));
        Assert.Equal(HttpStatusCode.Unauthorized, (await reader.GetAsync($"/m/{otherSlug}/p")).StatusCode);
        Assert.Equal(HttpStatusCode.Unauthorized, (await reader.GetAsync($"/m/{other}/p")).StatusCode);

        using var ci = fixture.Factory.CreateClient();
        ci.DefaultRequestHeaders.Add("X-Api-Key", full.GetProperty("key").GetString());
        await OkJsonAsync(await ci.PostAsync($"/api/v1/projects/{other}/endpoints", Payload("""{"method":"GET","path":"/echo","response":{"template":true,"body":"key=[{{request.headers.X-Api-Key}}]"}}""")),
            HttpStatusCode.Created);
        // A key sent along with a mock request is never shown to the project's templates.
        Assert.Equal("key=[]", await ci.GetStringAsync($"/m/{(await OkJsonAsync(await ci.GetAsync($"/api/v1/projects/{other}"))).GetProperty("slug").GetString()}/echo"));
        var keys = (await OkJsonAsync(await owner.GetAsync($"/api/v1/teams/{teamId}/keys"))).GetProperty("items");
        Assert.Equal(2, keys.GetArrayLength());
        Assert.DoesNotContain("omt.", keys.GetRawText());
        await OkJsonAsync(await owner.DeleteAsync($"/api/v1/teams/{teamId}/keys/{full.GetProperty("info").GetProperty("id").GetString()}"), HttpStatusCode.NoContent);
        Assert.Equal(HttpStatusCode.Unauthorized, (await ci.GetAsync($"/api/v1/projects/{other}/endpoints")).StatusCode);
    }

    [Fact]
    public async Task An_invitation_is_accepted_only_by_its_email_and_a_private_team_project_answers_members_only()
    {
        var (owner, _, viewer, teamId, projectId, slug, _, _) = await TeamAsync();
        var invitation = await OkJsonAsync(await owner.PostAsync($"/api/v1/teams/{teamId}/invitations", Payload("""{"email":"someone-else@example.com","role":"editor"}""")), HttpStatusCode.Created);
        var (other, _) = await UserAsync();
        Assert.Contains("another email", await (await other.PostAsync($"/api/v1/invitations/{invitation.GetProperty("token").GetString()}/accept", null)).AssertProblemAsync(HttpStatusCode.Forbidden));
        await (await other.PostAsync("/api/v1/invitations/t_0000000000000000.nope/accept", null)).AssertProblemAsync(HttpStatusCode.NotFound);
        await (await owner.PostAsync($"/api/v1/teams/{teamId}/invitations", Payload("""{"email":"x@example.com","role":"admin"}"""))).AssertProblemAsync(HttpStatusCode.BadRequest);

        await OkJsonAsync(await owner.PostAsync($"/api/v1/projects/{projectId}/endpoints", Payload("""{"method":"GET","path":"/secret","response":{"body":"s"}}""")), HttpStatusCode.Created);
        await OkJsonAsync(await owner.PatchAsync($"/api/v1/projects/{projectId}", Payload("""{"private":true}""")));
        Assert.Equal(HttpStatusCode.OK, (await viewer.GetAsync($"/m/{slug}/secret")).StatusCode);
        Assert.Equal(HttpStatusCode.Unauthorized, (await other.GetAsync($"/m/{slug}/secret")).StatusCode);
    }

    [Fact]
    public async Task An_owner_moves_a_personal_project_to_a_team_with_its_bytes_and_the_members_get_their_roles_at_once()
    {
        var (owner, editor, viewer, teamId, _, _, _, _) = await TeamAsync();
        var personal = await OkJsonAsync(await editor.PostAsync("/api/v1/projects", Payload("""{"name":"Mine"}""")), HttpStatusCode.Created);
        var (id, slug) = (personal.GetProperty("id").GetString()!, personal.GetProperty("slug").GetString()!);
        await OkJsonAsync(await editor.PostAsync($"/api/v1/projects/{id}/endpoints", Payload("""{"method":"GET","path":"/moved","response":{"body":"here"}}""")), HttpStatusCode.Created);
        await OkJsonAsync(await editor.PostAsync($"/api/v1/projects/{id}/resources", Payload("""{"name":"notes","seed":[{"id":1,"text":"kept"}]}""")), HttpStatusCode.Created);
        var editorAccount = (await OkJsonAsync(await editor.GetAsync($"/api/v1/projects/{id}/usage"))).GetProperty("accountBytes").GetProperty("used").GetInt64();
        var teamAccount = (await OkJsonAsync(await owner.GetAsync($"/api/v1/projects/{(await OkJsonAsync(await owner.GetAsync("/api/v1/projects"))).GetProperty("items")[0].GetProperty("id").GetString()}/usage")))
            .GetProperty("accountBytes").GetProperty("used").GetInt64();
        Assert.True(editorAccount > 0);

        // Who may move it: not a viewer of the team (403), not a stranger to it (404), not the team's owner (not theirs).
        var (stranger, _) = await UserAsync();
        var strangers = await OkJsonAsync(await stranger.PostAsync("/api/v1/projects", Payload("""{"name":"S"}""")), HttpStatusCode.Created);
        await (await stranger.PostAsync($"/api/v1/projects/{strangers.GetProperty("id").GetString()}/transfer", Payload(JsonSerializer.Serialize(new { teamId })))).AssertProblemAsync(HttpStatusCode.NotFound);
        var viewers = await OkJsonAsync(await viewer.PostAsync("/api/v1/projects", Payload("""{"name":"V"}""")), HttpStatusCode.Created);
        Assert.Contains("viewer", await (await viewer.PostAsync($"/api/v1/projects/{viewers.GetProperty("id").GetString()}/transfer", Payload(JsonSerializer.Serialize(new { teamId })))).AssertProblemAsync(HttpStatusCode.Forbidden));
        await (await owner.PostAsync($"/api/v1/projects/{id}/transfer", Payload(JsonSerializer.Serialize(new { teamId })))).AssertProblemAsync(HttpStatusCode.NotFound);
        await (await editor.PostAsync($"/api/v1/projects/{id}/transfer", Payload("{}"))).AssertProblemAsync(HttpStatusCode.BadRequest);

        var moved = await OkJsonAsync(await editor.PostAsync($"/api/v1/projects/{id}/transfer", Payload(JsonSerializer.Serialize(new { teamId }))));
        Assert.Equal(teamId, moved.GetProperty("teamId").GetString());
        Assert.Equal("editor", moved.GetProperty("role").GetString());
        await OkJsonAsync(await editor.PostAsync($"/api/v1/projects/{id}/transfer", Payload(JsonSerializer.Serialize(new { teamId })))); // a repeat changes nothing
        foreach (var (client, role) in new[] { (owner, "owner"), (editor, "editor"), (viewer, "viewer") })
        {
            var listed = (await OkJsonAsync(await client.GetAsync("/api/v1/projects"))).GetProperty("items").EnumerateArray().Where(p => p.GetProperty("id").GetString() == id).ToList();
            Assert.Equal(role, Assert.Single(listed).GetProperty("role").GetString());
        }
        Assert.Equal("\"here\"", await viewer.GetStringAsync($"/m/{slug}/moved"));
        Assert.Contains("kept", await viewer.GetStringAsync($"/m/{slug}/notes/1"));
        Assert.Contains("viewer", await (await viewer.PostAsync($"/api/v1/projects/{id}/endpoints", Payload("""{"method":"GET","path":"/v","response":{}}"""))).AssertProblemAsync(HttpStatusCode.Forbidden));
        await (await editor.DeleteAsync($"/api/v1/projects/{id}")).AssertProblemAsync(HttpStatusCode.Forbidden); // the team's owners delete it now

        // Its bytes left the editor's account and count against the team's.
        var editorsOther = await OkJsonAsync(await editor.PostAsync("/api/v1/projects", Payload("""{"name":"Other"}""")), HttpStatusCode.Created);
        Assert.Equal(0, (await OkJsonAsync(await editor.GetAsync($"/api/v1/projects/{editorsOther.GetProperty("id").GetString()}/usage"))).GetProperty("accountBytes").GetProperty("used").GetInt64());
        Assert.Equal(teamAccount + editorAccount, (await OkJsonAsync(await owner.GetAsync($"/api/v1/projects/{id}/usage"))).GetProperty("accountBytes").GetProperty("used").GetInt64());
        var history = (await OkJsonAsync(await owner.GetAsync($"/api/v1/projects/{id}/history"))).GetProperty("items");
        Assert.Equal("project.transferred", history[0].GetProperty("action").GetString());
        await (await owner.PostAsync($"/api/v1/projects/{id}/history/{history[0].GetProperty("id").GetString()}/restore", null)).AssertProblemAsync(HttpStatusCode.Conflict);
    }
}
