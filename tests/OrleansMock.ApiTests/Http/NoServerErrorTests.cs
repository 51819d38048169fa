using System.Net;
using System.Text;
using static OrleansMock.Tests.Http.HttpHelpers;

namespace OrleansMock.Tests.Http;

/// <summary>No input makes the service answer 5xx: hostile and malformed requests against every route get 4xx problems.</summary>
[Collection(ApiCollection.Name)]
public sealed class NoServerErrorTests(ApiFixture fixture)
{
    private static readonly string[] Bodies =
    [
        "", "{", "}", "[]", "null", "true", "0", "\"x\"", "{\"name\":null}", "{\"name\":{}}", "{\"slug\":[]}",
        "{\"method\":null,\"path\":null,\"response\":null}", "{\"response\":{\"status\":1e99}}", "{\"response\":{\"status\":-2147483649}}",
        "{\"response\":{\"headers\":{\"\":\"\"}}}", "{\"response\":{\"headers\":{\"a\":null}}}", "{\"response\":{\"delayMs\":99999999999}}",
        "{\"method\":\"GET\",\"path\":\"/\\u0000\",\"response\":{}}", "{\"method\":\"GET\",\"path\":\"/{}\",\"response\":{}}",
        "{\"method\":\"GET\",\"path\":\"/a\",\"response\":{\"body\":" + new string('[', 200) + new string(']', 200) + "}}",
        "{\"method\":\"GET\",\"path\":\"/a\",\"response\":{\"contentType\":\"\\r\\n\"}}", "{\"name\":\"\\ud800\"}", "\u00ff\u00fe",
        "{\"a\":1,\"a\":2}", "{\"cursor\":1}",
    ];

    private static readonly string[] ContentTypes = ["application/json", "application/merge-patch+json", "text/plain", "application/json; charset=latin1", "multipart/form-data"];

    [Fact]
    public async Task Hostile_input_on_every_management_route_never_gets_a_5xx()
    {
        var client = fixture.Client;
        var project = (await client.CreateProjectAsync()).GetProperty("id").GetString()!;
        var endpoint = (await client.CreateEndpointAsync(project, "{\"method\":\"GET\",\"path\":\"/a\",\"response\":{}}")).GetProperty("id").GetString()!;
        string[] routes =
        [
            "/api/v1/projects", $"/api/v1/projects/{project}", "/api/v1/projects/%C0%AE", "/api/v1/projects/p_%2F..",
            $"/api/v1/projects/{project}/endpoints", $"/api/v1/projects/{project}/endpoints/{endpoint}", $"/api/v1/projects/{project}/endpoints/%20",
            "/api/v1/projects?limit=-1&cursor=%FF", "/api/v1/projects?cursor=" + new string('A', 5000),
        ];
        HttpMethod[] methods = [HttpMethod.Get, HttpMethod.Post, HttpMethod.Put, HttpMethod.Patch, HttpMethod.Delete];
        var random = new Random(2026);
        var failures = new List<string>();
        for (var i = 0; i < 400; i++)
        {
            var route = routes[random.Next(routes.Length)];
            var method = methods[random.Next(methods.Length)];
            var body = Bodies[random.Next(Bodies.Length)];
            var contentType = ContentTypes[random.Next(ContentTypes.Length)];
            var request = new HttpRequestMessage(method, route);
            if (method != HttpMethod.Get)
            {
                request.Content = new ByteArrayContent(Encoding.UTF8.GetBytes(body));
                request.Content.Headers.TryAddWithoutValidation("Content-Type", contentType);
            }
            var response = await client.SendAsync(request);
            if ((int)response.StatusCode >= 500)
            {
                failures.Add($"{method} {route} [{contentType}] {body} -> {(int)response.StatusCode} {await response.Content.ReadAsStringAsync()}");
            }
        }
        Assert.Empty(failures);
    }

    [Fact]
    public async Task Odd_mock_paths_and_methods_never_get_a_5xx()
    {
        var client = fixture.Client;
        var (slug, id) = await ProjectWithEndpointAsync(client);
        string[] paths = [$"/m/{slug}", $"/m/{slug}/", $"/m/{slug}//a", $"/m/{slug}/a%2Fb", $"/m/{slug}/%C0%AE%FF", $"/m/{slug}/" + new string('a', 4000),
            $"/m/{id}/a", "/m/%20/a", "/m/P_UPPER/a", "/m/-/a"];
        string[] methods = ["GET", "HEAD", "OPTIONS", "POST", "PROPFIND", "TRACE", "X-CUSTOM"];
        foreach (var path in paths)
        {
            foreach (var method in methods)
            {
                var response = await client.SendAsync(new HttpRequestMessage(new HttpMethod(method), path));
                Assert.True((int)response.StatusCode < 500, $"{method} {path} -> {(int)response.StatusCode}");
            }
        }
    }

    private static async Task<(string Slug, string Id)> ProjectWithEndpointAsync(HttpClient client)
    {
        var project = await client.CreateProjectAsync();
        var id = project.GetProperty("id").GetString()!;
        await client.CreateEndpointAsync(id, "{\"method\":\"GET\",\"path\":\"/a\",\"response\":{}}");
        Assert.Equal(HttpStatusCode.OK, (await client.GetAsync($"/m/{project.GetProperty("slug").GetString()}/a")).StatusCode);
        return (project.GetProperty("slug").GetString()!, id);
    }
}
