using System.Net;
using System.Text.Json;
using static OrleansMock.Tests.Http.HttpHelpers;

namespace OrleansMock.Tests.Http;

/// <summary>A project's history of endpoint changes and restore, through the real front end.</summary>
[Collection(ApiCollection.Name)]
public sealed class HistoryTests(ApiFixture fixture)
{
    private static async Task<JsonElement[]> HistoryAsync(HttpClient client, string project) =>
        [.. (await (await client.GetAsync($"/api/v1/projects/{project}/history")).ReadJsonAsync()).GetProperty("items").EnumerateArray()];

    [Fact]
    public async Task Every_change_is_recorded_with_who_and_before_and_after_and_each_can_be_undone()
    {
        var email = UniqueEmail();
        using var client = fixture.Factory.CreateClient();
        client.DefaultRequestHeaders.Authorization = new("Bearer", await client.RegisterAndLoginAsync(email));
        var project = (await client.CreateProjectAsync()).GetProperty("id").GetString()!;
        var id = (await client.CreateEndpointAsync(project, """{"method":"GET","path":"/a","response":{"body":"one"}}""")).GetProperty("id").GetString()!;
        Assert.Equal(HttpStatusCode.OK, (await client.PutAsync($"/api/v1/projects/{project}/endpoints/{id}", Payload("""{"method":"GET","path":"/a","response":{"body":"two"}}"""))).StatusCode);
        Assert.Equal(HttpStatusCode.NoContent, (await client.DeleteAsync($"/api/v1/projects/{project}/endpoints/{id}")).StatusCode);

        var history = await HistoryAsync(client, project);
        Assert.Equal(["endpoint.deleted", "endpoint.changed", "endpoint.created"], history.Select(h => h.GetProperty("action").GetString()));
        Assert.All(history, h => Assert.Equal(email, h.GetProperty("actor").GetProperty("email").GetString()));
        Assert.All(history, h => Assert.Equal(id, h.GetProperty("target").GetString()));
        Assert.Equal("two", history[0].GetProperty("before").GetProperty("response").GetProperty("body").GetString());
        Assert.Equal(JsonValueKind.Null, history[0].GetProperty("after").ValueKind);
        Assert.Equal("one", history[1].GetProperty("before").GetProperty("response").GetProperty("body").GetString());
        Assert.Equal("two", history[1].GetProperty("after").GetProperty("response").GetProperty("body").GetString());

        // Undo the delete: the endpoint is back under its id, as it was; undo the change: its earlier revision.
        Assert.Equal(HttpStatusCode.OK, (await client.PostAsync($"/api/v1/projects/{project}/history/{history[0].GetProperty("id").GetString()}/restore", null)).StatusCode);
        var back = await (await client.GetAsync($"/api/v1/projects/{project}/endpoints/{id}")).ReadJsonAsync();
        Assert.Equal("two", back.GetProperty("response").GetProperty("body").GetString());
        Assert.Equal(HttpStatusCode.OK, (await client.PostAsync($"/api/v1/projects/{project}/history/{history[1].GetProperty("id").GetString()}/restore", null)).StatusCode);
        Assert.Equal("one", (await (await client.GetAsync($"/api/v1/projects/{project}/endpoints/{id}")).ReadJsonAsync()).GetProperty("response").GetProperty("body").GetString());
        Assert.Equal(5, (await HistoryAsync(client, project)).Length); // each restore is a change of its own
        await (await client.PostAsync($"/api/v1/projects/{project}/history/h_nope/restore", null)).AssertProblemAsync(HttpStatusCode.NotFound);
    }

    [Fact]
    public async Task A_WireMock_reset_is_one_entry_and_restoring_it_brings_every_mapping_back()
    {
        using var client = await fixture.NewUserClientAsync();
        var project = await client.CreateProjectAsync();
        var (id, slug) = (project.GetProperty("id").GetString()!, project.GetProperty("slug").GetString()!);
        for (var i = 0; i < 3; i++)
        {
            await client.CreateEndpointAsync(id, JsonSerializer.Serialize(new { method = "GET", path = $"/r{i}", response = new { body = i } }));
        }
        Assert.Equal(HttpStatusCode.OK, (await client.PostAsync($"/m/{slug}/__admin/reset", null)).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await client.GetAsync($"/m/{slug}/r1")).StatusCode);
        var reset = (await HistoryAsync(client, id))[0];
        Assert.Equal("endpoints.changed", reset.GetProperty("action").GetString());
        Assert.Equal(3, reset.GetProperty("before").GetArrayLength());
        Assert.Equal(0, reset.GetProperty("after").GetArrayLength());
        var restored = await (await client.PostAsync($"/api/v1/projects/{id}/history/{reset.GetProperty("id").GetString()}/restore", null)).ReadJsonAsync();
        Assert.Equal(3, restored.GetProperty("items").GetArrayLength());
        Assert.Equal("1", await client.GetStringAsync($"/m/{slug}/r1"));
    }

    [Fact]
    public async Task History_is_bounded_and_a_viewer_reads_it_but_cannot_restore()
    {
        await using var factory = new ApiFactory();
        factory.Settings["OrleansMock:Limits:HistorySize"] = "3";
        using var owner = await factory.CreateClient().AsNewUserAsync();
        var viewerEmail = UniqueEmail();
        using var viewer = factory.CreateClient();
        viewer.DefaultRequestHeaders.Authorization = new("Bearer", await viewer.RegisterAndLoginAsync(viewerEmail));
        var team = (await (await owner.PostAsync("/api/v1/teams", Payload("""{"name":"H"}"""))).ReadJsonAsync()).GetProperty("id").GetString()!;
        var token = (await (await owner.PostAsync($"/api/v1/teams/{team}/invitations", Payload(JsonSerializer.Serialize(new { email = viewerEmail, role = "viewer" })))).ReadJsonAsync())
            .GetProperty("token").GetString();
        Assert.Equal(HttpStatusCode.OK, (await viewer.PostAsync($"/api/v1/invitations/{token}/accept", null)).StatusCode);
        var project = (await (await owner.PostAsync("/api/v1/projects", Payload(JsonSerializer.Serialize(new { name = "H", teamId = team })))).ReadJsonAsync()).GetProperty("id").GetString()!;
        for (var i = 0; i < 5; i++)
        {
            await owner.CreateEndpointAsync(project, JsonSerializer.Serialize(new { method = "GET", path = $"/h{i}", response = new { } }));
        }
        var history = await HistoryAsync(viewer, project);
        Assert.Equal(3, history.Length);
        Assert.Equal("/h4", history[0].GetProperty("after").GetProperty("path").GetString());
        await (await viewer.PostAsync($"/api/v1/projects/{project}/history/{history[0].GetProperty("id").GetString()}/restore", null)).AssertProblemAsync(HttpStatusCode.Forbidden);
    }

    [Fact]
    public async Task Resource_and_settings_changes_are_recorded_and_each_can_be_undone()
    {
        using var client = await fixture.NewUserClientAsync();
        var project = await client.CreateProjectAsync();
        var (id, slug) = (project.GetProperty("id").GetString()!, project.GetProperty("slug").GetString()!);
        Assert.Equal(HttpStatusCode.Created, (await client.PostAsync($"/api/v1/projects/{id}/resources", Payload("""{"name":"posts","seed":[{"id":1,"title":"first"}]}"""))).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await client.PutAsync($"/api/v1/projects/{id}/resources/posts", Payload("""{"seed":[{"id":1,"title":"second"}]}"""))).StatusCode);
        Assert.Equal(HttpStatusCode.NoContent, (await client.DeleteAsync($"/api/v1/projects/{id}/resources/posts")).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await client.PatchAsync($"/api/v1/projects/{id}", Payload("""{"name":"Renamed","rateLimit":7,"cors":false}"""))).StatusCode);

        var history = await HistoryAsync(client, id);
        Assert.Equal(["project.changed", "resource.deleted", "resource.changed", "resource.created"], history.Select(h => h.GetProperty("action").GetString()));
        Assert.Equal("name, rateLimit, cors", history[0].GetProperty("target").GetString());
        Assert.Equal(7, history[0].GetProperty("after").GetProperty("rateLimit").GetInt32());
        Assert.Equal(JsonValueKind.Null, history[0].GetProperty("before").GetProperty("rateLimit").ValueKind);
        Assert.All(history.Skip(1), h => Assert.Equal("posts", h.GetProperty("target").GetString()));
        Assert.Equal("second", history[1].GetProperty("before").GetProperty("seed")[0].GetProperty("title").GetString());
        Assert.Equal(JsonValueKind.Null, history[1].GetProperty("after").ValueKind);
        Assert.Equal("first", history[2].GetProperty("before").GetProperty("seed")[0].GetProperty("title").GetString());
        Assert.Equal("second", history[2].GetProperty("after").GetProperty("seed")[0].GetProperty("title").GetString());

        async Task<JsonElement> RestoreAsync(JsonElement change)
        {
            var response = await client.PostAsync($"/api/v1/projects/{id}/history/{change.GetProperty("id").GetString()}/restore", null);
            Assert.True(response.StatusCode == HttpStatusCode.OK, await response.Content.ReadAsStringAsync());
            return await response.ReadJsonAsync();
        }
        // The settings go back; the deleted resource comes back seeded as it was; the change's earlier seed comes back.
        var settings = await RestoreAsync(history[0]);
        Assert.Equal(project.GetProperty("name").GetString(), settings.GetProperty("project").GetProperty("name").GetString());
        var now = await (await client.GetAsync($"/api/v1/projects/{id}")).ReadJsonAsync();
        Assert.False(now.TryGetProperty("rateLimit", out var rateLimit) && rateLimit.ValueKind != JsonValueKind.Null, now.GetRawText());
        Assert.True(now.GetProperty("cors").GetBoolean());
        Assert.Equal("posts", (await RestoreAsync(history[1])).GetProperty("resources")[0].GetProperty("name").GetString());
        Assert.Contains("second", await client.GetStringAsync($"/m/{slug}/posts/1"));
        await RestoreAsync(history[2]);
        Assert.Equal("first", (await (await client.GetAsync($"/api/v1/projects/{id}/resources/posts")).ReadJsonAsync()).GetProperty("seed")[0].GetProperty("title").GetString());
        // Undoing the creation deletes it.
        await RestoreAsync(history[3]);
        Assert.Equal(HttpStatusCode.NotFound, (await client.GetAsync($"/api/v1/projects/{id}/resources/posts")).StatusCode);
        Assert.Equal(["resource.deleted", "resource.changed", "resource.created", "project.changed"], (await HistoryAsync(client, id)).Take(4).Select(h => h.GetProperty("action").GetString()));
    }

    [Fact]
    public async Task An_editor_saves_settings_with_the_slug_and_privacy_unchanged_but_may_not_change_them()
    {
        await using var factory = new ApiFactory();
        using var owner = await factory.CreateClient().AsNewUserAsync();
        var editorEmail = UniqueEmail();
        using var editor = factory.CreateClient();
        editor.DefaultRequestHeaders.Authorization = new("Bearer", await editor.RegisterAndLoginAsync(editorEmail));
        var team = (await (await owner.PostAsync("/api/v1/teams", Payload("""{"name":"E"}"""))).ReadJsonAsync()).GetProperty("id").GetString()!;
        var token = (await (await owner.PostAsync($"/api/v1/teams/{team}/invitations", Payload(JsonSerializer.Serialize(new { email = editorEmail, role = "editor" })))).ReadJsonAsync())
            .GetProperty("token").GetString();
        Assert.Equal(HttpStatusCode.OK, (await editor.PostAsync($"/api/v1/invitations/{token}/accept", null)).StatusCode);
        var project = await (await owner.PostAsync("/api/v1/projects", Payload(JsonSerializer.Serialize(new { name = "E", teamId = team })))).ReadJsonAsync();
        var (id, slug) = (project.GetProperty("id").GetString()!, project.GetProperty("slug").GetString()!);
        Assert.Equal(HttpStatusCode.OK, (await editor.PatchAsync($"/api/v1/projects/{id}", Payload(JsonSerializer.Serialize(new { name = "Edited", slug, @private = false })))).StatusCode);
        Assert.Contains("editor", await (await editor.PatchAsync($"/api/v1/projects/{id}", Payload("""{"private":true}"""))).AssertProblemAsync(HttpStatusCode.Forbidden));
        Assert.Contains("editor", await (await editor.PatchAsync($"/api/v1/projects/{id}", Payload(JsonSerializer.Serialize(new { slug = slug + "-x" })))).AssertProblemAsync(HttpStatusCode.Forbidden));
    }
}
