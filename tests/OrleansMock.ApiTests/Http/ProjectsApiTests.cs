using System.Net;
using System.Text.Json;
using static OrleansMock.Tests.Http.HttpHelpers;

namespace OrleansMock.Tests.Http;

[Collection(ApiCollection.Name)]
public sealed class ProjectsApiTests(ApiFixture fixture)
{
    private HttpClient Client => fixture.Client;

    [Fact]
    public async Task Create_returns_201_with_location_and_the_project()
    {
        var slug = UniqueSlug("shop");
        var response = await Client.PostAsync("/api/v1/projects", Payload($"{{\"name\":\"Shop\",\"slug\":\"{slug}\",\"description\":\"d\"}}"));
        Assert.Equal(HttpStatusCode.Created, response.StatusCode);
        var project = await response.ReadJsonAsync();
        var id = project.GetProperty("id").GetString()!;
        Assert.StartsWith("p_", id);
        Assert.Equal(slug, project.GetProperty("slug").GetString());
        Assert.Equal("Shop", project.GetProperty("name").GetString());
        Assert.Equal("d", project.GetProperty("description").GetString());
        Assert.True(project.TryGetProperty("createdAt", out _));
        Assert.EndsWith($"/m/{slug}", project.GetProperty("mockUrl").GetString());
        Assert.Equal($"/api/v1/projects/{id}", response.Headers.Location!.OriginalString);

        var fetched = await (await Client.GetAsync(response.Headers.Location)).ReadJsonAsync();
        Assert.Equal(id, fetched.GetProperty("id").GetString());
    }

    [Fact]
    public async Task Create_without_a_slug_derives_one_from_the_name()
    {
        var name = "Derived " + Guid.NewGuid().ToString("N")[..8];
        var project = await (await Client.PostAsync("/api/v1/projects", Payload(JsonSerializer.Serialize(new { name })))).ReadJsonAsync();
        Assert.Equal(name.ToLowerInvariant().Replace(' ', '-'), project.GetProperty("slug").GetString());
    }

    [Fact]
    public async Task Get_accepts_the_slug_as_well_as_the_id()
    {
        var project = await Client.CreateProjectAsync();
        var bySlug = await (await Client.GetAsync($"/api/v1/projects/{project.GetProperty("slug").GetString()}")).ReadJsonAsync();
        Assert.Equal(project.GetProperty("id").GetString(), bySlug.GetProperty("id").GetString());
    }

    [Fact]
    public async Task Duplicate_slug_is_409()
    {
        var project = await Client.CreateProjectAsync();
        var response = await Client.PostAsync("/api/v1/projects", Payload($"{{\"name\":\"Other\",\"slug\":\"{project.GetProperty("slug").GetString()}\"}}"));
        Assert.Contains("already used", await response.AssertProblemAsync(HttpStatusCode.Conflict));
    }

    [Theory]
    [InlineData("{\"name\":\"\",\"slug\":\"ok-slug\"}", "name is required")]
    [InlineData("{\"name\":\"A\",\"slug\":\"Bad Slug\"}", "slug 'Bad Slug' is invalid")]
    [InlineData("{\"name\":\"A\",\"slug\":\"p_looks-like-an-id\"}", "is invalid")]
    [InlineData("{\"name\":5}", "field $.name has the wrong type: expected a string")]
    [InlineData("{\"name\":\"A\",\"colour\":\"red\"}", "unknown field 'colour'")]
    [InlineData("{\"name\":", "malformed JSON")]
    [InlineData("[1,2]", "wrong type")]
    [InlineData("null", "JSON literal null")]
    public async Task Invalid_create_input_is_400_with_a_reason(string body, string expected)
    {
        var response = await Client.PostAsync("/api/v1/projects", Payload(body));
        Assert.Contains(expected, await response.AssertProblemAsync(HttpStatusCode.BadRequest));
    }

    [Fact]
    public async Task Empty_body_is_400()
    {
        var response = await Client.PostAsync("/api/v1/projects", Payload(""));
        Assert.Contains("empty", await response.AssertProblemAsync(HttpStatusCode.BadRequest));
    }

    [Fact]
    public async Task Wrong_content_type_is_415()
    {
        var response = await Client.PostAsync("/api/v1/projects", Payload("{\"name\":\"A\"}", "text/plain"));
        Assert.Contains("application/json", await response.AssertProblemAsync(HttpStatusCode.UnsupportedMediaType));
    }

    [Fact]
    public async Task Body_over_the_limit_is_413()
    {
        var response = await Client.PostAsync("/api/v1/projects", Payload($"{{\"name\":\"{new string('a', 70_000)}\"}}"));
        Assert.Contains("65536 bytes", await response.AssertProblemAsync(HttpStatusCode.RequestEntityTooLarge));
    }

    [Fact]
    public async Task List_is_newest_first_with_cursor_paging()
    {
        var created = new List<string>();
        for (var i = 0; i < 3; i++)
        {
            created.Add((await Client.CreateProjectAsync()).GetProperty("id").GetString()!);
        }
        var seen = new List<string>();
        string? cursor = null;
        do
        {
            var url = "/api/v1/projects?limit=2" + (cursor is null ? "" : $"&cursor={Uri.EscapeDataString(cursor)}");
            var page = await (await Client.GetAsync(url)).ReadJsonAsync();
            Assert.True(page.GetProperty("items").GetArrayLength() <= 2);
            seen.AddRange(page.GetProperty("items").EnumerateArray().Select(p => p.GetProperty("id").GetString()!));
            cursor = page.TryGetProperty("nextCursor", out var next) ? next.GetString() : null;
        }
        while (cursor is not null);

        // Newest first: the three just created lead the list, in reverse creation order.
        Assert.Equal(created.AsEnumerable().Reverse(), seen.Take(3));
    }

    [Theory]
    [InlineData("limit=0", "limit must be")]
    [InlineData("limit=abc", "limit must be")]
    [InlineData("limit=101", "limit must be")]
    [InlineData("cursor=%21%21", "cursor")]
    public async Task Bad_list_parameters_are_400(string query, string expected)
    {
        var response = await Client.GetAsync($"/api/v1/projects?{query}");
        Assert.Contains(expected, await response.AssertProblemAsync(HttpStatusCode.BadRequest));
    }

    [Fact]
    public async Task Patch_changes_name_and_slug()
    {
        var project = await Client.CreateProjectAsync();
        var id = project.GetProperty("id").GetString();
        var newSlug = UniqueSlug("renamed");
        var response = await Client.PatchAsync($"/api/v1/projects/{id}", Payload($"{{\"name\":\"Renamed\",\"slug\":\"{newSlug}\"}}"));
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var patched = await response.ReadJsonAsync();
        Assert.Equal("Renamed", patched.GetProperty("name").GetString());
        Assert.Equal(newSlug, patched.GetProperty("slug").GetString());
        Assert.Equal(HttpStatusCode.NotFound, (await Client.GetAsync($"/api/v1/projects/{project.GetProperty("slug").GetString()}")).StatusCode);
    }

    [Fact]
    public async Task Delete_is_204_then_404()
    {
        var id = (await Client.CreateProjectAsync()).GetProperty("id").GetString();
        Assert.Equal(HttpStatusCode.NoContent, (await Client.DeleteAsync($"/api/v1/projects/{id}")).StatusCode);
        await (await Client.GetAsync($"/api/v1/projects/{id}")).AssertProblemAsync(HttpStatusCode.NotFound);
        await (await Client.DeleteAsync($"/api/v1/projects/{id}")).AssertProblemAsync(HttpStatusCode.NotFound);
    }

    [Fact]
    public async Task Unknown_project_is_404_on_every_route()
    {
        Assert.Contains("does not exist", await (await Client.GetAsync("/api/v1/projects/p_nope")).AssertProblemAsync(HttpStatusCode.NotFound));
        await (await Client.PatchAsync("/api/v1/projects/no-such-slug", Payload("{\"name\":\"x\"}"))).AssertProblemAsync(HttpStatusCode.NotFound);
        await (await Client.GetAsync("/api/v1/projects/p_nope/endpoints")).AssertProblemAsync(HttpStatusCode.NotFound);
        await (await Client.PostAsync("/api/v1/projects/p_nope/endpoints", Payload("{\"method\":\"GET\",\"path\":\"/\",\"response\":{}}")))
            .AssertProblemAsync(HttpStatusCode.NotFound);
    }

    [Fact]
    public async Task Unknown_route_and_wrong_method_are_problems_with_a_detail()
    {
        await (await Client.GetAsync("/api/v1/nothing-here")).AssertProblemAsync(HttpStatusCode.NotFound);
        await (await Client.PutAsync("/api/v1/projects", Payload("{}"))).AssertProblemAsync(HttpStatusCode.MethodNotAllowed);
    }

    [Fact]
    public async Task OpenApi_document_and_reference_page_are_published()
    {
        var document = await (await Client.GetAsync("/openapi/v1.json")).ReadJsonAsync();
        var paths = document.GetProperty("paths");
        Assert.True(paths.TryGetProperty("/api/v1/projects", out _));
        Assert.True(paths.TryGetProperty("/api/v1/projects/{projectId}/endpoints/{endpointId}", out _));
        var schemes = document.GetProperty("components").GetProperty("securitySchemes");
        Assert.Equal("bearer", schemes.GetProperty("Bearer").GetProperty("scheme").GetString());
        Assert.Equal("X-Api-Key", schemes.GetProperty("ApiKey").GetProperty("name").GetString());
        Assert.True(paths.GetProperty("/api/v1/projects").GetProperty("post").TryGetProperty("security", out _));
        Assert.False(paths.GetProperty("/api/v1/auth/login").GetProperty("post").TryGetProperty("security", out _));
        var page = await Client.GetAsync("/scalar");
        Assert.Equal(HttpStatusCode.OK, page.StatusCode);
        Assert.Contains("text/html", page.Content.Headers.ContentType!.MediaType);
        // Everything the reference shows comes from this service: no fonts from Scalar's host (issue 33, small).
        var html = await page.Content.ReadAsStringAsync();
        Assert.Contains("\"withDefaultFonts\":false", html);
        Assert.DoesNotMatch("(src|href)=\"https?://", html);
    }
}
