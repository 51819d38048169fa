using System.Diagnostics;
using System.Net;
using System.Text.Json;
using static OrleansMock.Tests.Http.HttpHelpers;

namespace OrleansMock.Tests.Http;

[Collection(ApiCollection.Name)]
public sealed class MockTrafficTests(ApiFixture fixture)
{
    private HttpClient Client => fixture.Client;

    private async Task<(string Id, string Slug)> ProjectAsync()
    {
        var project = await Client.CreateProjectAsync();
        return (project.GetProperty("id").GetString()!, project.GetProperty("slug").GetString()!);
    }

    [Fact]
    public async Task Defined_status_headers_and_body_are_served_byte_exact_by_slug_and_by_id()
    {
        var (id, slug) = await ProjectAsync();
        const string body = "{ \"id\" : 1, \"name\": \"Ada\",\n  \"tags\": [\"a\", \"b\"] }";
        await Client.CreateEndpointAsync(id, JsonSerializer.Serialize(new
        {
            method = "GET",
            path = "/users/{id}",
            response = new { status = 201, headers = new Dictionary<string, string> { ["X-A"] = "1", ["Cache-Control"] = "no-store" }, body = JsonDocument.Parse(body).RootElement },
        }).Replace(JsonSerializer.Serialize(JsonDocument.Parse(body).RootElement), body));

        foreach (var key in new[] { slug, id })
        {
            var response = await Client.GetAsync($"/m/{key}/users/42?ignored=1");
            Assert.Equal(HttpStatusCode.Created, response.StatusCode);
            Assert.Equal("1", response.Headers.GetValues("X-A").Single());
            Assert.Equal("no-store", response.Headers.CacheControl!.ToString());
            Assert.Equal("application/json", response.Content.Headers.ContentType!.ToString());
            Assert.Equal(body, await response.Content.ReadAsStringAsync());
        }
    }

    [Fact]
    public async Task String_body_with_content_type_is_served_as_that_text()
    {
        var (id, slug) = await ProjectAsync();
        await Client.CreateEndpointAsync(id, "{\"method\":\"GET\",\"path\":\"/feed\",\"response\":{\"body\":\"<feed>é</feed>\",\"contentType\":\"application/xml; charset=utf-8\"}}");
        var response = await Client.GetAsync($"/m/{slug}/feed");
        Assert.Equal("application/xml; charset=utf-8", response.Content.Headers.ContentType!.ToString());
        Assert.Equal("<feed>é</feed>", await response.Content.ReadAsStringAsync());
    }

    [Fact]
    public async Task Colon_parameters_ANY_and_literal_precedence_work_end_to_end()
    {
        var (id, slug) = await ProjectAsync();
        await Client.CreateEndpointAsync(id, "{\"method\":\"ANY\",\"path\":\"/users/:id\",\"response\":{\"body\":\"any\"}}");
        await Client.CreateEndpointAsync(id, "{\"method\":\"GET\",\"path\":\"/users/me\",\"response\":{\"body\":\"me\"}}");
        Assert.Equal("\"me\"", await Client.GetStringAsync($"/m/{slug}/users/me"));
        Assert.Equal("\"any\"", await Client.GetStringAsync($"/m/{slug}/users/7"));
        var delete = await Client.DeleteAsync($"/m/{slug}/users/7");
        Assert.Equal("\"any\"", await delete.Content.ReadAsStringAsync());
        var post = await Client.PostAsync($"/m/{slug}/users/me", Payload("{}"));
        Assert.Equal("\"any\"", await post.Content.ReadAsStringAsync()); // GET /users/me does not serve POST; ANY does
    }

    [Fact]
    public async Task Head_gets_headers_and_length_without_a_body()
    {
        var (id, slug) = await ProjectAsync();
        await Client.CreateEndpointAsync(id, "{\"method\":\"GET\",\"path\":\"/a\",\"response\":{\"headers\":{\"X-A\":\"1\"},\"body\":{\"k\":\"v\"}}}");
        var response = await Client.SendAsync(new HttpRequestMessage(HttpMethod.Head, $"/m/{slug}/a"));
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("1", response.Headers.GetValues("X-A").Single());
        Assert.Equal(9, response.Content.Headers.ContentLength);
        Assert.Empty(await response.Content.ReadAsByteArrayAsync());
    }

    [Fact]
    public async Task Options_lists_allowed_methods_and_answers_cors_preflight()
    {
        var (id, slug) = await ProjectAsync();
        await Client.CreateEndpointAsync(id, "{\"method\":\"GET\",\"path\":\"/a/{x}\",\"response\":{}}");
        await Client.CreateEndpointAsync(id, "{\"method\":\"PUT\",\"path\":\"/a/{x}\",\"response\":{}}");
        var request = new HttpRequestMessage(HttpMethod.Options, $"/m/{slug}/a/1");
        request.Headers.Add("Origin", "https://app.example");
        request.Headers.Add("Access-Control-Request-Method", "PUT");
        request.Headers.Add("Access-Control-Request-Headers", "content-type");
        var response = await Client.SendAsync(request);
        Assert.Equal(HttpStatusCode.NoContent, response.StatusCode);
        Assert.Equal("GET, HEAD, OPTIONS, PUT", string.Join(", ", response.Content.Headers.Allow));
        Assert.Equal("*", response.Headers.GetValues("Access-Control-Allow-Origin").Single());
        Assert.Contains("PUT", response.Headers.GetValues("Access-Control-Allow-Methods").Single());
        Assert.Equal("content-type", response.Headers.GetValues("Access-Control-Allow-Headers").Single());

        var simple = new HttpRequestMessage(HttpMethod.Get, $"/m/{slug}/a/1");
        simple.Headers.Add("Origin", "https://app.example");
        Assert.Equal("*", (await Client.SendAsync(simple)).Headers.GetValues("Access-Control-Allow-Origin").Single());

        await (await Client.SendAsync(new HttpRequestMessage(HttpMethod.Options, $"/m/{slug}/nothing"))).AssertProblemAsync(HttpStatusCode.NotFound);
    }

    [Fact]
    public async Task No_match_is_404_naming_the_closest_endpoint_and_why()
    {
        var (id, slug) = await ProjectAsync();
        var endpoint = await Client.CreateEndpointAsync(id, "{\"method\":\"POST\",\"path\":\"/orders\",\"response\":{}}");
        var response = await Client.GetAsync($"/m/{slug}/orders");
        var detail = await response.AssertProblemAsync(HttpStatusCode.NotFound);
        Assert.Contains("POST /orders", detail);
        var problem = await response.ReadJsonAsync();
        Assert.Equal(endpoint.GetProperty("id").GetString(), problem.GetProperty("closestEndpoint").GetProperty("id").GetString());
        Assert.Contains("method GET does not match", problem.GetProperty("reason").GetString());
    }

    [Fact]
    public async Task Unknown_project_is_404()
    {
        Assert.Contains("does not exist", await (await Client.GetAsync("/m/no-such-project-here/x")).AssertProblemAsync(HttpStatusCode.NotFound));
        await (await Client.GetAsync("/m/p_nosuchid/x")).AssertProblemAsync(HttpStatusCode.NotFound);
    }

    [Fact]
    public async Task Status_204_is_served_without_a_body()
    {
        var (id, slug) = await ProjectAsync();
        await Client.CreateEndpointAsync(id, "{\"method\":\"DELETE\",\"path\":\"/a\",\"response\":{\"status\":204}}");
        var response = await Client.DeleteAsync($"/m/{slug}/a");
        Assert.Equal(HttpStatusCode.NoContent, response.StatusCode);
        Assert.Empty(await response.Content.ReadAsByteArrayAsync());
    }

    [Fact]
    public async Task Delay_is_honoured()
    {
        var (id, slug) = await ProjectAsync();
        await Client.CreateEndpointAsync(id, "{\"method\":\"GET\",\"path\":\"/slow\",\"response\":{\"delayMs\":300}}");
        var clock = Stopwatch.StartNew();
        Assert.Equal(HttpStatusCode.OK, (await Client.GetAsync($"/m/{slug}/slow")).StatusCode);
        Assert.True(clock.ElapsedMilliseconds >= 290, $"answered after {clock.ElapsedMilliseconds} ms");
    }

    [Fact]
    public async Task Renamed_and_reused_slugs_route_to_the_right_project_despite_caching()
    {
        var (first, slug) = await ProjectAsync();
        await Client.CreateEndpointAsync(first, "{\"method\":\"GET\",\"path\":\"/who\",\"response\":{\"body\":\"first\"}}");
        Assert.Equal("\"first\"", await Client.GetStringAsync($"/m/{slug}/who")); // the front end now caches slug -> first

        await Client.PatchAsync($"/api/v1/projects/{first}", Payload($"{{\"slug\":\"{UniqueSlug("moved")}\"}}"));
        await (await Client.GetAsync($"/m/{slug}/who")).AssertProblemAsync(HttpStatusCode.NotFound);

        var second = (await Client.CreateProjectAsync(slug)).GetProperty("id").GetString()!;
        await Client.CreateEndpointAsync(second, "{\"method\":\"GET\",\"path\":\"/who\",\"response\":{\"body\":\"second\"}}");
        Assert.Equal("\"second\"", await Client.GetStringAsync($"/m/{slug}/who"));
    }

    [Fact]
    public async Task Changes_to_endpoints_are_served_immediately()
    {
        var (id, slug) = await ProjectAsync();
        var endpoint = await Client.CreateEndpointAsync(id, "{\"method\":\"GET\",\"path\":\"/v\",\"response\":{\"body\":1}}");
        Assert.Equal("1", await Client.GetStringAsync($"/m/{slug}/v"));
        await Client.PatchAsync($"/api/v1/projects/{id}/endpoints/{endpoint.GetProperty("id").GetString()}", Payload("{\"response\":{\"body\":2}}"));
        Assert.Equal("2", await Client.GetStringAsync($"/m/{slug}/v"));
    }
}
