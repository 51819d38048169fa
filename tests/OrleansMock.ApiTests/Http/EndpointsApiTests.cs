using System.Net;
using static OrleansMock.Tests.Http.HttpHelpers;

namespace OrleansMock.Tests.Http;

[Collection(ApiCollection.Name)]
public sealed class EndpointsApiTests(ApiFixture fixture)
{
    private const string UsersEndpoint =
        "{\"method\":\"GET\",\"path\":\"/users/{id}\",\"response\":{\"status\":200,\"headers\":{\"X-A\":\"1\"},\"body\":{\"id\":1},\"delayMs\":0}}";

    private HttpClient Client => fixture.Client;

    private async Task<string> ProjectAsync() => (await Client.CreateProjectAsync()).GetProperty("id").GetString()!;

    [Fact]
    public async Task Create_returns_201_with_an_id_and_location()
    {
        var project = await ProjectAsync();
        var response = await Client.PostAsync($"/api/v1/projects/{project}/endpoints", Payload(UsersEndpoint));
        Assert.Equal(HttpStatusCode.Created, response.StatusCode);
        var endpoint = await response.ReadJsonAsync();
        var id = endpoint.GetProperty("id").GetString()!;
        Assert.StartsWith("e_", id);
        Assert.Equal($"/api/v1/projects/{project}/endpoints/{id}", response.Headers.Location!.OriginalString);
        Assert.Equal("/users/{id}", endpoint.GetProperty("path").GetString());
        Assert.Equal(1, endpoint.GetProperty("response").GetProperty("body").GetProperty("id").GetInt32());
        Assert.Equal("1", endpoint.GetProperty("response").GetProperty("headers").GetProperty("X-A").GetString());
    }

    [Fact]
    public async Task List_get_replace_delete()
    {
        var project = await ProjectAsync();
        var id = (await Client.CreateEndpointAsync(project, UsersEndpoint)).GetProperty("id").GetString();
        await Client.CreateEndpointAsync(project, "{\"method\":\"POST\",\"path\":\"/users\",\"response\":{\"status\":201}}");

        var list = await (await Client.GetAsync($"/api/v1/projects/{project}/endpoints")).ReadJsonAsync();
        Assert.Equal(2, list.GetProperty("items").GetArrayLength());

        var one = await (await Client.GetAsync($"/api/v1/projects/{project}/endpoints/{id}")).ReadJsonAsync();
        Assert.Equal(id, one.GetProperty("id").GetString());

        var replaced = await Client.PutAsync($"/api/v1/projects/{project}/endpoints/{id}",
            Payload("{\"method\":\"GET\",\"path\":\"/people/:id\",\"response\":{\"status\":203,\"body\":\"hi\",\"contentType\":\"text/plain\"}}"));
        Assert.Equal(HttpStatusCode.OK, replaced.StatusCode);
        var body = await replaced.ReadJsonAsync();
        Assert.Equal("/people/:id", body.GetProperty("path").GetString());
        Assert.Equal(2, body.GetProperty("revision").GetInt32());
        Assert.False(body.GetProperty("response").TryGetProperty("headers", out var headers) && headers.EnumerateObject().Any());

        Assert.Equal(HttpStatusCode.NoContent, (await Client.DeleteAsync($"/api/v1/projects/{project}/endpoints/{id}")).StatusCode);
        await (await Client.GetAsync($"/api/v1/projects/{project}/endpoints/{id}")).AssertProblemAsync(HttpStatusCode.NotFound);
        await (await Client.DeleteAsync($"/api/v1/projects/{project}/endpoints/{id}")).AssertProblemAsync(HttpStatusCode.NotFound);
    }

    [Fact]
    public async Task Patch_is_a_json_merge_patch()
    {
        var project = await ProjectAsync();
        var id = (await Client.CreateEndpointAsync(project, UsersEndpoint)).GetProperty("id").GetString();
        var response = await Client.PatchAsync($"/api/v1/projects/{project}/endpoints/{id}",
            Payload("{\"response\":{\"status\":202,\"headers\":{\"X-A\":null,\"X-B\":\"2\"}}}", "application/merge-patch+json"));
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var patched = (await response.ReadJsonAsync()).GetProperty("response");
        Assert.Equal(202, patched.GetProperty("status").GetInt32());
        Assert.Equal("2", patched.GetProperty("headers").GetProperty("X-B").GetString());
        Assert.False(patched.GetProperty("headers").TryGetProperty("X-A", out _));
        Assert.Equal(1, patched.GetProperty("body").GetProperty("id").GetInt32()); // untouched fields stay

        var removeBody = await Client.PatchAsync($"/api/v1/projects/{project}/endpoints/{id}", Payload("{\"response\":{\"body\":null}}"));
        Assert.False((await removeBody.ReadJsonAsync()).GetProperty("response").TryGetProperty("body", out _));

        var invalid = await Client.PatchAsync($"/api/v1/projects/{project}/endpoints/{id}", Payload("{\"response\":{\"status\":42}}"));
        Assert.Contains("200 to 599", await invalid.AssertProblemAsync(HttpStatusCode.BadRequest));
        var unknown = await Client.PatchAsync($"/api/v1/projects/{project}/endpoints/{id}", Payload("{\"verb\":\"GET\"}"));
        Assert.Contains("unknown field 'verb'", await unknown.AssertProblemAsync(HttpStatusCode.BadRequest));
    }

    [Theory]
    [InlineData("{\"method\":\"\",\"path\":\"/a\",\"response\":{}}", "method is required")]
    [InlineData("{\"path\":\"/a\",\"response\":{}}", "method is required")]
    [InlineData("{\"method\":\"G T\",\"path\":\"/a\",\"response\":{}}", "not a valid HTTP method")]
    [InlineData("{\"method\":\"GET\",\"path\":\"\",\"response\":{}}", "path is required")]
    [InlineData("{\"method\":\"GET\",\"path\":\"a\",\"response\":{}}", "must start with '/'")]
    [InlineData("{\"method\":\"GET\",\"path\":\"/a\"}", "response is required")]
    [InlineData("{\"method\":\"GET\",\"path\":\"/a\",\"response\":{\"status\":0}}", "200 to 599")]
    [InlineData("{\"method\":\"GET\",\"path\":\"/a\",\"response\":{\"status\":\"ok\"}}", "$.response.status has the wrong type: expected an integer")]
    [InlineData("{\"method\":\"GET\",\"path\":\"/a\",\"response\":{\"status\":200.5}}", "expected an integer")]
    [InlineData("{\"method\":\"GET\",\"path\":\"/a\",\"response\":{\"headers\":{\"X\":1}}}", "wrong type")]
    [InlineData("{\"method\":\"GET\",\"path\":\"/a\",\"response\":{\"headers\":[]}}", "wrong type")]
    [InlineData("{\"method\":\"GET\",\"path\":\"/a\",\"response\":{\"delayMs\":-1}}", "delayMs")]
    [InlineData("{\"method\":\"GET\",\"path\":\"/a\",\"response\":{\"status\":204,\"body\":{}}}", "cannot carry a body")]
    [InlineData("{\"method\":\"GET\",\"path\":\"/a\",\"response\":{\"headers\":{\"Content-Length\":\"1\"}}}", "set by the server")]
    [InlineData("{\"method\":\"GET\",\"path\":\"/a\",\"extra\":true,\"response\":{}}", "unknown field 'extra'")]
    public async Task Invalid_endpoints_are_400_with_a_reason(string body, string expected)
    {
        var response = await Client.PostAsync($"/api/v1/projects/{await ProjectAsync()}/endpoints", Payload(body));
        Assert.Contains(expected, await response.AssertProblemAsync(HttpStatusCode.BadRequest));
    }

    [Fact]
    public async Task Duplicate_method_and_path_is_409()
    {
        var project = await ProjectAsync();
        await Client.CreateEndpointAsync(project, UsersEndpoint);
        var response = await Client.PostAsync($"/api/v1/projects/{project}/endpoints",
            Payload("{\"method\":\"get\",\"path\":\"/users/:uid\",\"response\":{}}"));
        Assert.Contains("already answers GET /users/{id}", await response.AssertProblemAsync(HttpStatusCode.Conflict));
    }

    [Fact]
    public async Task Endpoint_limit_is_422()
    {
        var project = await ProjectAsync();
        for (var i = 0; i < 20; i++)
        {
            await Client.CreateEndpointAsync(project, $"{{\"method\":\"GET\",\"path\":\"/e{i}\",\"response\":{{}}}}");
        }
        var response = await Client.PostAsync($"/api/v1/projects/{project}/endpoints", Payload("{\"method\":\"GET\",\"path\":\"/x\",\"response\":{}}"));
        Assert.Contains("limit", await response.AssertProblemAsync(HttpStatusCode.UnprocessableEntity));
    }

    [Fact]
    public async Task Unknown_endpoint_is_404()
    {
        var project = await ProjectAsync();
        await (await Client.GetAsync($"/api/v1/projects/{project}/endpoints/e_missing")).AssertProblemAsync(HttpStatusCode.NotFound);
        await (await Client.PutAsync($"/api/v1/projects/{project}/endpoints/e_missing", Payload(UsersEndpoint))).AssertProblemAsync(HttpStatusCode.NotFound);
        await (await Client.PatchAsync($"/api/v1/projects/{project}/endpoints/e_missing", Payload("{}"))).AssertProblemAsync(HttpStatusCode.NotFound);
    }

    [Fact]
    public async Task Endpoint_body_over_the_request_limit_is_413_and_wrong_type_is_415()
    {
        var project = await ProjectAsync();
        var big = $"{{\"method\":\"GET\",\"path\":\"/a\",\"response\":{{\"body\":\"{new string('x', 70_000)}\"}}}}";
        await (await Client.PostAsync($"/api/v1/projects/{project}/endpoints", Payload(big))).AssertProblemAsync(HttpStatusCode.RequestEntityTooLarge);
        await (await Client.PostAsync($"/api/v1/projects/{project}/endpoints", Payload(UsersEndpoint, "application/xml")))
            .AssertProblemAsync(HttpStatusCode.UnsupportedMediaType);
    }

    [Fact]
    public async Task A_response_that_can_never_answer_is_saved_with_a_warning_naming_why()
    {
        // Issue 33, friction 7: in responseMode first, a response after an unconditional one never answers.
        var project = (await Client.CreateProjectAsync()).GetProperty("id").GetString()!;
        var warned = await Client.CreateEndpointAsync(project, """{"method":"GET","path":"/twice","responses":[{"status":200},{"status":201}]}""");
        Assert.Contains("responses[1..1] can never answer", Assert.Single(warned.GetProperty("warnings").EnumerateArray()).GetString());
        var listed = await (await Client.GetAsync($"/api/v1/projects/{project}/endpoints")).ReadJsonAsync();
        Assert.Contains(listed.GetProperty("items").EnumerateArray(), e => e.TryGetProperty("warnings", out _));
        // A condition on the first, or another mode, and nothing is unreachable: no warnings field at all.
        var conditioned = await Client.CreateEndpointAsync(project,
            """{"method":"GET","path":"/cond","responses":[{"status":200,"when":{"query":{"a":{"equalTo":"1"}}}},{"status":201}]}""");
        Assert.False(conditioned.TryGetProperty("warnings", out _));
        var sequence = await Client.CreateEndpointAsync(project, """{"method":"GET","path":"/seq","responseMode":"sequence","responses":[{"status":200},{"status":201}]}""");
        Assert.False(sequence.TryGetProperty("warnings", out _));
    }
}
