using System.Net;
using System.Text.Json;
using static OrleansMock.Tests.Http.HttpHelpers;

namespace OrleansMock.Tests.Http;

/// <summary>json-server 0.17's behaviour under /m/{project}/, one test per rule, through the real front end.</summary>
[Collection(ApiCollection.Name)]
public sealed class ResourceTests(ApiFixture fixture)
{
    private const string PostSchema = """{"type":"object","required":["title"],"properties":{"title":{"type":"string","minLength":2},"views":{"type":"integer","minimum":0}}}""";
    private const string PostSeed = """[{"id":1,"title":"hello","views":10,"author":{"name":"ada"}},{"id":2,"title":"world","views":3,"author":{"name":"bob"}},{"id":3,"title":"again","views":7,"author":{"name":"ada"}}]""";

    private HttpClient Client => fixture.Client;
    private HttpClient Mock => fixture.Factory.CreateClient();

    private async Task<(string Id, string Base)> BlogAsync()
    {
        var project = await Client.CreateProjectAsync();
        var id = project.GetProperty("id").GetString()!;
        await CreateResourceAsync(id, $$"""{"name":"posts","schema":{{PostSchema}},"seed":{{PostSeed}}}""");
        await CreateResourceAsync(id, """{"name":"comments","seed":[{"id":1,"body":"nice","postId":1},{"id":2,"body":"meh","postId":2},{"id":3,"body":"yes","postId":1}]}""");
        return (id, $"/m/{project.GetProperty("slug").GetString()}");
    }

    private async Task CreateResourceAsync(string project, string json)
    {
        var response = await Client.PostAsync($"/api/v1/projects/{project}/resources", Payload(json));
        Assert.True(response.StatusCode == HttpStatusCode.Created, await response.Content.ReadAsStringAsync());
    }

    private async Task<int[]> IdsAsync(string url)
    {
        var response = await Mock.GetAsync(url);
        Assert.True(response.IsSuccessStatusCode, await response.Content.ReadAsStringAsync());
        return (await response.ReadJsonAsync()).EnumerateArray().Select(e => e.GetProperty("id").GetInt32()).ToArray();
    }

    private async Task ExpectIdsAsync(string url, params int[] expected) => Assert.Equal(expected, await IdsAsync(url));

    [Fact]
    public async Task Get_all_and_get_one()
    {
        var (_, b) = await BlogAsync();
        await ExpectIdsAsync($"{b}/posts", 1, 2, 3);
        var one = await (await Mock.GetAsync($"{b}/posts/2")).ReadJsonAsync();
        Assert.Equal("world", one.GetProperty("title").GetString());
        await (await Mock.GetAsync($"{b}/posts/99")).AssertProblemAsync(HttpStatusCode.NotFound);
    }

    [Fact]
    public async Task Post_returns_201_with_the_next_numeric_id_and_the_record_is_stored()
    {
        var (_, b) = await BlogAsync();
        var created = await Mock.PostAsync($"{b}/posts", Payload("""{"title":"new post","views":1}"""));
        Assert.Equal(HttpStatusCode.Created, created.StatusCode);
        var record = await created.ReadJsonAsync();
        Assert.Equal(4, record.GetProperty("id").GetInt32());
        Assert.Equal("new post", (await (await Mock.GetAsync($"{b}/posts/4")).ReadJsonAsync()).GetProperty("title").GetString());
    }

    [Fact]
    public async Task A_client_given_id_is_kept_if_free_else_409()
    {
        var (_, b) = await BlogAsync();
        Assert.Equal(HttpStatusCode.Created, (await Mock.PostAsync($"{b}/posts", Payload("""{"id":50,"title":"mine"}"""))).StatusCode);
        Assert.Contains("already exists", await (await Mock.PostAsync($"{b}/posts", Payload("""{"id":50,"title":"again"}"""))).AssertProblemAsync(HttpStatusCode.Conflict));
        Assert.Equal(51, (await (await Mock.PostAsync($"{b}/posts", Payload("""{"title":"next"}"""))).ReadJsonAsync()).GetProperty("id").GetInt32());
    }

    [Fact]
    public async Task String_ids_give_string_ids()
    {
        var project = (await Client.CreateProjectAsync()).GetProperty("id").GetString()!;
        await CreateResourceAsync(project, """{"name":"tags","seed":[{"id":"a","label":"x"}]}""");
        var slug = (await (await Client.GetAsync($"/api/v1/projects/{project}")).ReadJsonAsync()).GetProperty("slug").GetString();
        var created = await (await Mock.PostAsync($"/m/{slug}/tags", Payload("""{"label":"y"}"""))).ReadJsonAsync();
        Assert.Equal(JsonValueKind.String, created.GetProperty("id").ValueKind);
    }

    [Fact]
    public async Task Put_replaces_and_patch_merges_and_delete_returns_200()
    {
        var (_, b) = await BlogAsync();
        var put = await (await Mock.PutAsync($"{b}/posts/1", Payload("""{"title":"replaced"}"""))).ReadJsonAsync();
        Assert.Equal(1, put.GetProperty("id").GetInt32());
        Assert.False(put.TryGetProperty("views", out _));
        var patch = await (await Mock.PatchAsync($"{b}/posts/2", Payload("""{"views":4}"""))).ReadJsonAsync();
        Assert.Equal("world", patch.GetProperty("title").GetString());
        Assert.Equal(4, patch.GetProperty("views").GetInt32());
        var deleted = await Mock.DeleteAsync($"{b}/posts/3");
        Assert.Equal(HttpStatusCode.OK, deleted.StatusCode);
        Assert.Equal("{}", await deleted.Content.ReadAsStringAsync());
        await ExpectIdsAsync($"{b}/posts", 1, 2);
    }

    [Fact]
    public async Task Filters_deep_paths_or_ne_like_gte_lte_and_q()
    {
        var (_, b) = await BlogAsync();
        await ExpectIdsAsync($"{b}/posts?author.name=ada", 1, 3);
        await ExpectIdsAsync($"{b}/posts?id=1&id=2", 1, 2);
        await ExpectIdsAsync($"{b}/posts?views_gte=7", 1, 3);
        await ExpectIdsAsync($"{b}/posts?views_lte=7", 2, 3);
        await ExpectIdsAsync($"{b}/posts?author.name_ne=bob", 1, 3);
        await ExpectIdsAsync($"{b}/posts?title_like=^HEL", 1);
        await ExpectIdsAsync($"{b}/posts?q=WOR", 2);
    }

    [Fact]
    public async Task Sort_and_order_several_fields()
    {
        var (_, b) = await BlogAsync();
        await ExpectIdsAsync($"{b}/posts?_sort=views&_order=desc", 1, 3, 2);
        await ExpectIdsAsync($"{b}/posts?_sort=author.name,views&_order=asc,asc", 3, 1, 2);
    }

    [Fact]
    public async Task Page_and_limit_with_total_count_and_link_header()
    {
        var (_, b) = await BlogAsync();
        var response = await Mock.GetAsync($"{b}/posts?_page=2&_limit=1");
        Assert.Equal(new[] { 2 }, (await response.ReadJsonAsync()).EnumerateArray().Select(e => e.GetProperty("id").GetInt32()));
        Assert.Equal("3", response.Headers.GetValues("X-Total-Count").Single());
        var link = response.Headers.GetValues("Link").Single();
        // The client's query order kept, _page replaced where it stands (json-server 0.17.4 answers the same).
        Assert.Contains("/posts?_page=1&_limit=1>; rel=\"first\"", link);
        Assert.Contains("/posts?_page=1&_limit=1>; rel=\"prev\"", link);
        Assert.Contains("/posts?_page=3&_limit=1>; rel=\"next\"", link);
        Assert.Contains("/posts?_page=3&_limit=1>; rel=\"last\"", link);
        Assert.Equal("X-Total-Count, Link", response.Headers.GetValues("Access-Control-Expose-Headers").Single());
    }

    [Fact]
    public async Task Like_json_server_jsonp_no_cache_headers_location_and_delay()
    {
        var (_, b) = await BlogAsync();
        var jsonp = await Mock.GetAsync($"{b}/posts?callback=render&_=1700000000");
        Assert.Equal("text/javascript; charset=utf-8", jsonp.Content.Headers.ContentType!.ToString());
        var script = await jsonp.Content.ReadAsStringAsync();
        Assert.StartsWith("/**/ typeof render === 'function' && render([", script);
        Assert.EndsWith("]);", script);
        Assert.Equal("no-cache", jsonp.Headers.CacheControl!.ToString());
        Assert.Equal("no-cache", jsonp.Headers.Pragma.ToString());
        Assert.Equal("-1", jsonp.Content.Headers.GetValues("Expires").Single());

        var created = await Mock.PostAsync($"{b}/posts", Payload("""{"title":"new"}"""));
        Assert.Equal(HttpStatusCode.Created, created.StatusCode);
        var id = (await created.ReadJsonAsync()).GetProperty("id").GetRawText();
        Assert.EndsWith($"{b}/posts/{id}", created.Headers.Location!.ToString());
        Assert.Equal("Location", created.Headers.GetValues("Access-Control-Expose-Headers").Single());

        var sliced = await Mock.GetAsync($"{b}/posts?_start=0&_end=1");
        Assert.Equal("X-Total-Count", sliced.Headers.GetValues("Access-Control-Expose-Headers").Single());

        var started = System.Diagnostics.Stopwatch.StartNew();
        Assert.Equal(HttpStatusCode.OK, (await Mock.GetAsync($"{b}/posts?_delay=300")).StatusCode);
        Assert.True(started.ElapsedMilliseconds >= 280, $"answered after {started.ElapsedMilliseconds} ms");
        Assert.Equal(4, (await (await Mock.GetAsync($"{b}/posts?nosuchfield=1")).ReadJsonAsync()).GetArrayLength());
    }

    [Fact]
    public async Task Db_answers_every_resource_with_its_records_as_json_server_does()
    {
        var (_, b) = await BlogAsync();
        var db = await (await Mock.GetAsync($"{b}/db")).ReadJsonAsync();
        Assert.Equal(["posts", "comments"], db.EnumerateObject().Select(p => p.Name));
        Assert.Equal(3, db.GetProperty("posts").GetArrayLength());
        Assert.Equal(3, db.GetProperty("comments").GetArrayLength());
        await (await Mock.PostAsync($"{b}/db", Payload("{}"))).AssertProblemAsync(HttpStatusCode.MethodNotAllowed);
    }

    [Fact]
    public async Task Start_end_and_limit_slice_with_total_count()
    {
        var (_, b) = await BlogAsync();
        var response = await Mock.GetAsync($"{b}/posts?_start=1&_end=3");
        Assert.Equal(new[] { 2, 3 }, (await response.ReadJsonAsync()).EnumerateArray().Select(e => e.GetProperty("id").GetInt32()));
        Assert.Equal("3", response.Headers.GetValues("X-Total-Count").Single());
        await ExpectIdsAsync($"{b}/posts?_start=0&_limit=2", 1, 2);
    }

    [Fact]
    public async Task Embed_children_and_expand_parents()
    {
        var (_, b) = await BlogAsync();
        var post = await (await Mock.GetAsync($"{b}/posts/1?_embed=comments")).ReadJsonAsync();
        Assert.Equal(new[] { 1, 3 }, post.GetProperty("comments").EnumerateArray().Select(c => c.GetProperty("id").GetInt32()));
        var list = await (await Mock.GetAsync($"{b}/posts?_embed=comments")).ReadJsonAsync();
        Assert.Equal(1, list[1].GetProperty("comments").GetArrayLength());
        var comment = await (await Mock.GetAsync($"{b}/comments/2?_expand=post")).ReadJsonAsync();
        Assert.Equal("world", comment.GetProperty("post").GetProperty("title").GetString());
    }

    [Fact]
    public async Task The_owner_reads_and_edits_records_through_the_management_api_without_it_counting_as_mock_traffic()
    {
        // Issue 33, friction 6: the console's records table went through the mock URL, filling the request log.
        var (id, b) = await BlogAsync();
        var records = $"/api/v1/projects/{id}/resources/posts/records";
        var page = await Client.GetAsync($"{records}?_sort=views&_order=desc&_page=1&_limit=2");
        Assert.Equal(HttpStatusCode.OK, page.StatusCode);
        Assert.Equal("3", page.Headers.GetValues("X-Total-Count").Single());
        Assert.Equal([1, 3], (await page.ReadJsonAsync()).EnumerateArray().Select(e => e.GetProperty("id").GetInt32()));
        Assert.Equal(HttpStatusCode.Created, (await Client.PostAsync(records, Payload("""{"id":9,"title":"from the console"}"""))).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await Client.PutAsync($"{records}/9", Payload("""{"title":"edited"}"""))).StatusCode);
        await (await Client.PutAsync($"{records}/9", Payload("""{"title":"x"}"""))).AssertProblemAsync(HttpStatusCode.UnprocessableEntity); // the schema holds
        Assert.Equal(HttpStatusCode.OK, (await Client.DeleteAsync($"{records}/2")).StatusCode);
        await ExpectIdsAsync($"{b}/posts", 1, 3, 9); // the mock serves what was changed
        var journal = await (await Client.GetAsync($"/api/v1/projects/{id}/requests")).ReadJsonAsync();
        Assert.Equal(1, journal.GetProperty("items").GetArrayLength()); // only the mock GET above

        // Only the owner: another user's client gets the project's 404, and a resource that does not exist is a 404.
        var stranger = await fixture.NewUserClientAsync();
        await (await stranger.GetAsync(records)).AssertProblemAsync(HttpStatusCode.NotFound);
        await (await Client.GetAsync($"/api/v1/projects/{id}/resources/nothing/records")).AssertProblemAsync(HttpStatusCode.NotFound);
    }

    [Fact]
    public async Task Nested_routes_list_and_create_children()
    {
        var (_, b) = await BlogAsync();
        await ExpectIdsAsync($"{b}/posts/1/comments", 1, 3);
        var created = await (await Mock.PostAsync($"{b}/posts/2/comments", Payload("""{"body":"child"}"""))).ReadJsonAsync();
        Assert.Equal("2", created.GetProperty("postId").GetString()); // json-server 0.17.4 stores the URL's "2"
        await ExpectIdsAsync($"{b}/posts/2/comments", 2, 4);
        var post = await (await Mock.GetAsync($"{b}/posts/2?_embed=comments")).ReadJsonAsync();
        // json-server 0.17.4 embeds by strict equality: the child whose postId is the text "2" is listed above but not
        // embedded (JsonServerDifferentialTests checks the same against json-server itself).
        Assert.Equal([2], post.GetProperty("comments").EnumerateArray().Select(c => c.GetProperty("id").GetInt32()));
    }

    [Fact]
    public async Task Deleting_a_parent_deletes_its_dependents_and_a_form_body_is_a_record_of_strings()
    {
        var (_, b) = await BlogAsync();
        await ExpectIdsAsync($"{b}/comments", 1, 2, 3);
        Assert.Equal(HttpStatusCode.OK, (await Mock.DeleteAsync($"{b}/posts/1")).StatusCode);
        await ExpectIdsAsync($"{b}/comments", 2); // comments 1 and 3 had postId 1 (json-server 0.17.4 deletes them too)

        var form = await Mock.PostAsync($"{b}/comments", new FormUrlEncodedContent([new("body", "from a form"), new("postId", "2")]));
        Assert.Equal(HttpStatusCode.Created, form.StatusCode);
        var record = await form.ReadJsonAsync();
        Assert.Equal(("from a form", "2"), (record.GetProperty("body").GetString(), record.GetProperty("postId").GetString()));
        var tooMany = await Mock.PostAsync($"{b}/comments", new FormUrlEncodedContent(Enumerable.Range(0, 1100).Select(i => KeyValuePair.Create($"f{i}", "x"))));
        await tooMany.AssertProblemAsync(HttpStatusCode.BadRequest); // more fields than a form may have: a 400, not a 500
    }

    [Fact]
    public async Task Writes_breaking_the_schema_are_422_listing_every_failure()
    {
        var (_, b) = await BlogAsync();
        var response = await Mock.PostAsync($"{b}/posts", Payload("""{"title":"x","views":-1}"""));
        var detail = await response.AssertProblemAsync(HttpStatusCode.UnprocessableEntity);
        Assert.Contains("/title minLength", detail);
        Assert.Contains("/views minimum", detail);
        var problem = await response.ReadJsonAsync();
        Assert.Equal(2, problem.GetProperty("errors").GetArrayLength());
        Assert.Contains("/views type", await (await Mock.PatchAsync($"{b}/posts/1", Payload("""{"views":"many"}"""))).AssertProblemAsync(HttpStatusCode.UnprocessableEntity));
        await (await Mock.PutAsync($"{b}/posts/1", Payload("""{"views":5}"""))).AssertProblemAsync(HttpStatusCode.UnprocessableEntity);
    }

    [Fact]
    public async Task Bad_query_parameters_and_bodies_are_400()
    {
        var (_, b) = await BlogAsync();
        Assert.Contains("_page", await (await Mock.GetAsync($"{b}/posts?_page=-1")).AssertProblemAsync(HttpStatusCode.BadRequest));
        Assert.Contains("_limit", await (await Mock.GetAsync($"{b}/posts?_limit=abc")).AssertProblemAsync(HttpStatusCode.BadRequest));
        await ExpectIdsAsync($"{b}/posts?_sort=missing", 1, 2, 3); // a missing sort field sorts nothing, as json-server
        await (await Mock.PostAsync($"{b}/posts", Payload("[1,2]"))).AssertProblemAsync(HttpStatusCode.BadRequest);
        await (await Mock.PostAsync($"{b}/posts", Payload("{\"title\":", "application/json"))).AssertProblemAsync(HttpStatusCode.BadRequest);
        await (await Mock.PostAsync($"{b}/posts", Payload("{}", "text/plain"))).AssertProblemAsync(HttpStatusCode.UnsupportedMediaType);
        await (await Mock.PutAsync($"{b}/posts", Payload("{}"))).AssertProblemAsync(HttpStatusCode.MethodNotAllowed);
    }

    [Fact]
    public async Task A_defined_endpoint_wins_over_a_resource_with_the_same_method_and_path()
    {
        var (id, b) = await BlogAsync();
        await Client.CreateEndpointAsync(id, """{"method":"GET","path":"/posts/1","response":{"body":"endpoint"}}""");
        Assert.Equal("\"endpoint\"", await Mock.GetStringAsync($"{b}/posts/1"));
        Assert.Equal("world", (await (await Mock.GetAsync($"{b}/posts/2")).ReadJsonAsync()).GetProperty("title").GetString());
    }

    [Fact]
    public async Task Cors_is_on_by_default_and_can_be_switched_off_per_project()
    {
        var (id, b) = await BlogAsync();
        var preflight = new HttpRequestMessage(HttpMethod.Options, $"{b}/posts");
        preflight.Headers.Add("Origin", "https://app.example");
        preflight.Headers.Add("Access-Control-Request-Method", "POST");
        var answer = await Mock.SendAsync(preflight);
        Assert.Equal(HttpStatusCode.NoContent, answer.StatusCode);
        Assert.Contains("POST", answer.Headers.GetValues("Access-Control-Allow-Methods").Single());
        // json-server's CORS: the origin echoed and credentials allowed, on the preflight and the request.
        Assert.Equal("https://app.example", answer.Headers.GetValues("Access-Control-Allow-Origin").Single());
        Assert.Equal("true", answer.Headers.GetValues("Access-Control-Allow-Credentials").Single());
        var get = new HttpRequestMessage(HttpMethod.Get, $"{b}/posts");
        get.Headers.Add("Origin", "https://app.example");
        var got = await Mock.SendAsync(get);
        Assert.Equal("https://app.example", got.Headers.GetValues("Access-Control-Allow-Origin").Single());
        Assert.Equal("true", got.Headers.GetValues("Access-Control-Allow-Credentials").Single());
        Assert.Contains("Origin", got.Headers.Vary);

        await Client.PatchAsync($"/api/v1/projects/{id}", Payload("""{"cors":false}"""));
        var again = new HttpRequestMessage(HttpMethod.Get, $"{b}/posts");
        again.Headers.Add("Origin", "https://app.example");
        Assert.False((await Mock.SendAsync(again)).Headers.Contains("Access-Control-Allow-Origin"));
    }

    [Fact]
    public async Task Management_list_get_update_reset_delete()
    {
        var (id, b) = await BlogAsync();
        var list = await (await Client.GetAsync($"/api/v1/projects/{id}/resources")).ReadJsonAsync();
        Assert.Equal(new[] { "posts", "comments" }, list.GetProperty("items").EnumerateArray().Select(r => r.GetProperty("name").GetString()));
        await Mock.PostAsync($"{b}/posts", Payload("""{"title":"extra"}"""));
        var reset = await Client.PostAsync($"/api/v1/projects/{id}/resources/posts/reset", null);
        Assert.Equal(HttpStatusCode.OK, reset.StatusCode);
        await ExpectIdsAsync($"{b}/posts", 1, 2, 3);

        var updated = await Client.PutAsync($"/api/v1/projects/{id}/resources/posts", Payload("""{"schema":{"type":"object","required":["body"]}}"""));
        Assert.Equal(HttpStatusCode.OK, updated.StatusCode);
        await (await Mock.PostAsync($"{b}/posts", Payload("""{"title":"no body"}"""))).AssertProblemAsync(HttpStatusCode.UnprocessableEntity);

        Assert.Equal(HttpStatusCode.NoContent, (await Client.DeleteAsync($"/api/v1/projects/{id}/resources/posts")).StatusCode);
        await (await Mock.GetAsync($"{b}/posts")).AssertProblemAsync(HttpStatusCode.NotFound);
        await (await Client.GetAsync($"/api/v1/projects/{id}/resources/posts")).AssertProblemAsync(HttpStatusCode.NotFound);
    }

    [Theory]
    [InlineData("""{"name":"1bad"}""", "resource name")]
    [InlineData("""{"name":"ok","seed":"text"}""", "seed must be a JSON array of objects")]
    [InlineData("""{"name":"ok","idField":"uuid","seed":{"a":1}}""", "idField applies to a collection")]
    [InlineData("""{"name":"ok","seed":[1]}""", "seed must be a JSON array of objects")]
    [InlineData("""{"name":"ok","schema":{"type":"object","required":["title"]},"seed":[{"id":1}]}""", "seed record rejected")]
    public async Task Invalid_resource_definitions_are_400(string body, string expected)
    {
        var project = (await Client.CreateProjectAsync()).GetProperty("id").GetString()!;
        var response = await Client.PostAsync($"/api/v1/projects/{project}/resources", Payload(body));
        Assert.Contains(expected, await response.AssertProblemAsync(HttpStatusCode.BadRequest));
    }

    [Fact]
    public async Task Duplicate_resource_is_409_and_another_users_project_is_404()
    {
        var (id, _) = await BlogAsync();
        await (await Client.PostAsync($"/api/v1/projects/{id}/resources", Payload("""{"name":"posts"}"""))).AssertProblemAsync(HttpStatusCode.Conflict);
        var stranger = await fixture.NewUserClientAsync();
        await (await stranger.GetAsync($"/api/v1/projects/{id}/resources")).AssertProblemAsync(HttpStatusCode.NotFound);
        await (await stranger.PostAsync($"/api/v1/projects/{id}/resources", Payload("""{"name":"x"}"""))).AssertProblemAsync(HttpStatusCode.NotFound);
    }

    [Fact]
    public async Task Hundred_concurrent_posts_get_distinct_ids_and_concurrent_patches_lose_nothing()
    {
        var (_, b) = await BlogAsync();
        var created = await Task.WhenAll(Enumerable.Range(0, 100).Select(i => Mock.PostAsync($"{b}/posts", Payload($$"""{"title":"p{{i}}"}"""))));
        Assert.All(created, r => Assert.Equal(HttpStatusCode.Created, r.StatusCode));
        var ids = await Task.WhenAll(created.Select(async r => (await r.ReadJsonAsync()).GetProperty("id").GetInt32()));
        Assert.Equal(100, ids.Distinct().Count());
        Assert.Equal(103, (await IdsAsync($"{b}/posts")).Length);

        await Task.WhenAll(Enumerable.Range(0, 20).Select(i => Mock.PatchAsync($"{b}/posts/1", Payload($$"""{"field{{i}}":{{i}}}"""))));
        var merged = await (await Mock.GetAsync($"{b}/posts/1")).ReadJsonAsync();
        Assert.All(Enumerable.Range(0, 20), i => Assert.Equal(i, merged.GetProperty($"field{i}").GetInt32()));
    }
}
