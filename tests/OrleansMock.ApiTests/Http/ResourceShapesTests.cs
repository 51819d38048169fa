using System.Net;
using System.Text.Json.Nodes;
using static OrleansMock.Tests.Http.HttpHelpers;

namespace OrleansMock.Tests.Http;

/// <summary>
/// json-server 0.17.4's data shapes beyond a plain collection: seed records without an id, a project's foreign-key
/// suffix (<c>--fks</c>), a resource's id field (<c>--id</c>), singular resources. That these answer as json-server does
/// is proven against json-server itself (SystemTests, JsonServerDifferentialTests, Corpus/shapes.json); these tests pin
/// what is ours around them: the settings and their refusals, schemas, and the deliberate differences README lists.
/// </summary>
[Collection(ApiCollection.Name)]
public sealed class ResourceShapesTests(ApiFixture fixture)
{
    private HttpClient Client => fixture.Client;
    private HttpClient Mock => fixture.Factory.CreateClient();

    private async Task<(string Id, string Base)> ProjectAsync(params string[] resources)
    {
        var project = await Client.CreateProjectAsync();
        var id = project.GetProperty("id").GetString()!;
        foreach (var resource in resources)
        {
            var response = await Client.PostAsync($"/api/v1/projects/{id}/resources", Payload(resource));
            Assert.True(response.StatusCode == HttpStatusCode.Created, await response.Content.ReadAsStringAsync());
        }
        return (id, $"/m/{project.GetProperty("slug").GetString()}");
    }

    private async Task ExpectJsonAsync(string url, string expected)
    {
        var response = await Mock.GetAsync(url);
        var body = await response.Content.ReadAsStringAsync();
        Assert.True(response.StatusCode == HttpStatusCode.OK, $"{url}: {(int)response.StatusCode} {body}");
        Assert.True(JsonNode.DeepEquals(JsonNode.Parse(expected), JsonNode.Parse(body)), $"{url}: expected {expected}, got {body}");
    }

    [Fact]
    public async Task Seed_records_without_an_id_are_served_as_given_and_no_url_reaches_them()
    {
        var (_, b) = await ProjectAsync("""{"name":"notes","seed":[{"a":{"b":1}},{"id":5,"t":"x"}]}""");
        await ExpectJsonAsync($"{b}/notes", """[{"a":{"b":1}},{"id":5,"t":"x"}]""");
        var created = await Mock.PostAsync($"{b}/notes", Payload("""{"t":"y"}"""));
        Assert.Equal(6, (await created.ReadJsonAsync()).GetProperty("id").GetInt32()); // the seed without an id does not make ids random
        await (await Mock.GetAsync($"{b}/notes/~seed-1")).AssertProblemAsync(HttpStatusCode.NotFound);
        await (await Mock.DeleteAsync($"{b}/notes/~seed-1")).AssertProblemAsync(HttpStatusCode.NotFound);
        await ExpectJsonAsync($"{b}/notes?a.b=1", """[{"a":{"b":1}}]""");
    }

    [Fact]
    public async Task The_projects_foreign_key_suffix_drives_nested_routes_embed_expand_nested_post_and_cascade()
    {
        var (id, b) = await ProjectAsync(
            """{"name":"posts","seed":[{"id":1,"title":"a"},{"id":2,"title":"b"}]}""",
            """{"name":"comments","seed":[{"id":1,"body":"c1","post_id":1},{"id":2,"body":"c2","post_id":2}]}""");
        await (await Client.PatchAsync($"/api/v1/projects/{id}", Payload("""{"foreignKeySuffix":"no spaces"}""", "application/merge-patch+json")))
            .AssertProblemAsync(HttpStatusCode.BadRequest);
        var patched = await Client.PatchAsync($"/api/v1/projects/{id}", Payload("""{"foreignKeySuffix":"_id"}""", "application/merge-patch+json"));
        Assert.Equal("_id", (await patched.ReadJsonAsync()).GetProperty("foreignKeySuffix").GetString());

        await ExpectJsonAsync($"{b}/posts/1/comments", """[{"id":1,"body":"c1","post_id":1}]""");
        await ExpectJsonAsync($"{b}/posts/1?_embed=comments", """{"id":1,"title":"a","comments":[{"id":1,"body":"c1","post_id":1}]}""");
        await ExpectJsonAsync($"{b}/comments/2?_expand=post", """{"id":2,"body":"c2","post_id":2,"post":{"id":2,"title":"b"}}""");
        var child = await Mock.PostAsync($"{b}/posts/2/comments", Payload("""{"body":"x"}"""));
        Assert.True(JsonNode.DeepEquals(JsonNode.Parse("""{"body":"x","post_id":"2","id":3}"""), JsonNode.Parse(await child.Content.ReadAsStringAsync())));
        Assert.Equal(HttpStatusCode.OK, (await Mock.DeleteAsync($"{b}/posts/2")).StatusCode);
        await ExpectJsonAsync($"{b}/comments", """[{"id":1,"body":"c1","post_id":1}]""");

        var restored = await Client.PatchAsync($"/api/v1/projects/{id}", Payload("""{"foreignKeySuffix":""}""", "application/merge-patch+json"));
        Assert.Equal("Id", (await restored.ReadJsonAsync()).GetProperty("foreignKeySuffix").GetString());
        await ExpectJsonAsync($"{b}/posts/1/comments", "[]"); // back to postId, which no comment has
    }

    [Fact]
    public async Task A_resources_id_field_names_its_records_ids_everywhere()
    {
        var (id, b) = await ProjectAsync(
            """{"name":"things","idField":"uuid","seed":[{"uuid":1,"name":"one"},{"uuid":2,"name":"two"}]}""",
            """{"name":"parts","seed":[{"id":1,"thingId":2}]}""");
        await ExpectJsonAsync($"{b}/things/2", """{"uuid":2,"name":"two"}""");
        var created = await Mock.PostAsync($"{b}/things", Payload("""{"name":"three"}"""));
        Assert.Equal(HttpStatusCode.Created, created.StatusCode);
        Assert.True(JsonNode.DeepEquals(JsonNode.Parse("""{"uuid":3,"name":"three"}"""), JsonNode.Parse(await created.Content.ReadAsStringAsync())));
        Assert.EndsWith($"{b}/things/3", created.Headers.Location!.ToString()); // json-server 0.17.4 sends .../things/undefined
        await ExpectJsonAsync($"{b}/things/2?_embed=parts", """{"uuid":2,"name":"two","parts":[{"id":1,"thingId":2}]}""");
        await ExpectJsonAsync($"{b}/parts/1?_expand=thing", """{"id":1,"thingId":2,"thing":{"uuid":2,"name":"two"}}""");

        var put = await Mock.PutAsync($"{b}/things/3", Payload("""{"uuid":99,"name":"tres"}"""));
        Assert.True(JsonNode.DeepEquals(JsonNode.Parse("""{"uuid":3,"name":"tres"}"""), JsonNode.Parse(await put.Content.ReadAsStringAsync())));
        await (await Mock.PostAsync($"{b}/things", Payload("""{"uuid":3}"""))).AssertProblemAsync(HttpStatusCode.Conflict);
        Assert.Equal(HttpStatusCode.OK, (await Mock.DeleteAsync($"{b}/things/2")).StatusCode);
        await ExpectJsonAsync($"{b}/parts", "[]"); // its part went with it

        var definition = await (await Client.GetAsync($"/api/v1/projects/{id}/resources/things")).ReadJsonAsync();
        Assert.Equal(("collection", "uuid"), (definition.GetProperty("kind").GetString(), definition.GetProperty("idField").GetString()));
        var change = await Client.PutAsync($"/api/v1/projects/{id}/resources/things", Payload("""{"idField":"key"}"""));
        Assert.Contains("cannot change", await change.AssertProblemAsync(HttpStatusCode.BadRequest));
        var bad = await Client.PostAsync($"/api/v1/projects/{id}/resources", Payload("""{"name":"bad","idField":"1x"}"""));
        Assert.Contains("idField '1x' is invalid", await bad.AssertProblemAsync(HttpStatusCode.BadRequest));
    }

    [Fact]
    public async Task A_singular_resource_is_one_object_read_replaced_and_merged_as_json_server_does()
    {
        var (id, b) = await ProjectAsync(
            """{"name":"profile","schema":{"type":"object","properties":{"name":{"type":"string"}}},"seed":{"name":"typicode"}}""",
            """{"name":"posts","seed":[{"id":1}]}""");
        await ExpectJsonAsync($"{b}/profile", """{"name":"typicode"}""");
        await ExpectJsonAsync($"{b}/profile?name=other&_sort=x", """{"name":"typicode"}"""); // the query is ignored
        await ExpectJsonAsync($"{b}/db", """{"profile":{"name":"typicode"},"posts":[{"id":1}]}""");

        var created = await Mock.PostAsync($"{b}/profile", Payload("""{"a":1}"""));
        Assert.Equal(HttpStatusCode.Created, created.StatusCode);
        Assert.EndsWith($"{b}/profile", created.Headers.Location!.ToString());
        var patched = await Mock.PatchAsync($"{b}/profile", Payload("""{"b":2}"""));
        Assert.Equal(HttpStatusCode.OK, patched.StatusCode);
        await ExpectJsonAsync($"{b}/profile", """{"a":1,"b":2}""");
        Assert.Equal(HttpStatusCode.OK, (await Mock.PutAsync($"{b}/profile", Payload("""{"z":1}"""))).StatusCode);
        await ExpectJsonAsync($"{b}/profile", """{"z":1}""");
        await (await Mock.PatchAsync($"{b}/profile", Payload("""{"name":5}"""))).AssertProblemAsync(HttpStatusCode.UnprocessableEntity);

        // Strings come back as JSON.stringify writes them: a+b, \" and <i> as they are, not \u002B, \u0022, \u003C (issue 33, small).
        var quoted = await Mock.PostAsync($"{b}/posts", Payload("""{"id":9,"title":"a+b \"q\" <i>"}"""));
        Assert.Contains("""
            "title":"a+b \"q\" <i>"
            """, await quoted.Content.ReadAsStringAsync());
        Assert.Contains("""
            "title":"a+b \"q\" <i>"
            """, await Mock.GetStringAsync($"{b}/posts/9"));
        var named = await Client.PostAsync($"/api/v1/projects/{id}/endpoints", Payload("""{"method":"GET","path":"/q","name":"a+b \"q\"","response":{"status":200}}"""));
        Assert.Contains("""
            "name":"a+b \"q\""
            """, await named.Content.ReadAsStringAsync());
        Assert.Equal("nosniff", named.Headers.GetValues("X-Content-Type-Options").Single()); // never read as HTML

        // A method the place does not answer is a 405 before its body is read (README's table): not a 415 for a body
        // without a content type (issue 33, small).
        var putCollection = await Mock.SendAsync(new HttpRequestMessage(HttpMethod.Put, $"{b}/posts") { Content = new ByteArrayContent("x"u8.ToArray()) });
        await putCollection.AssertProblemAsync(HttpStatusCode.MethodNotAllowed);
        Assert.Equal("GET, HEAD, POST, OPTIONS", string.Join(", ", putCollection.Content.Headers.Allow));

        var delete = await Mock.DeleteAsync($"{b}/profile"); // json-server: 404 {}; ours names the methods
        await delete.AssertProblemAsync(HttpStatusCode.MethodNotAllowed);
        Assert.Equal("GET, HEAD, POST, PUT, PATCH, OPTIONS", delete.Content.Headers.Allow.Count > 0 ? string.Join(", ", delete.Content.Headers.Allow) : "");
        await (await Mock.GetAsync($"{b}/profile/1")).AssertProblemAsync(HttpStatusCode.NotFound);
        var preflight = await Mock.SendAsync(new HttpRequestMessage(HttpMethod.Options, $"{b}/profile"));
        Assert.Contains("PATCH", string.Join(",", preflight.Content.Headers.Allow.Concat(preflight.Headers.TryGetValues("Allow", out var a) ? a : [])));

        var definition = await (await Client.GetAsync($"/api/v1/projects/{id}/resources/profile")).ReadJsonAsync();
        Assert.Equal("singular", definition.GetProperty("kind").GetString());
        var toArray = await Client.PutAsync($"/api/v1/projects/{id}/resources/profile", Payload("""{"seed":[{"id":1}]}"""));
        Assert.Contains("singular resource", await toArray.AssertProblemAsync(HttpStatusCode.BadRequest));
        Assert.Equal(HttpStatusCode.OK, (await Client.PostAsync($"/api/v1/projects/{id}/resources/profile/reset", null)).StatusCode);
        await ExpectJsonAsync($"{b}/profile", """{"name":"typicode"}""");
    }
}
