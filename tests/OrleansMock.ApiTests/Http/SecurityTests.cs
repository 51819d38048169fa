using System.Diagnostics;
using System.Net;
using static OrleansMock.Tests.Http.HttpHelpers;

namespace OrleansMock.Tests.Http;

/// <summary>Attacks found by probing the running service (issue 21), each performed here and now failing to do harm.</summary>
[Collection(ApiCollection.Name)]
public sealed class SecurityTests(ApiFixture fixture)
{
    private static readonly string Evil = new string('a', 40) + "!";

    private HttpClient Client => fixture.Client;

    /// <summary>Anonymous mock traffic, with a deadline far below what the attacks took before (hours at 40 characters).</summary>
    private HttpClient Anonymous()
    {
        var client = fixture.Factory.CreateClient();
        client.Timeout = TimeSpan.FromSeconds(20);
        return client;
    }

    private async Task<string> ProjectWithResourceAsync(string resourceJson)
    {
        var project = await Client.CreateProjectAsync();
        var created = await Client.PostAsync($"/api/v1/projects/{project.GetProperty("id").GetString()}/resources", Payload(resourceJson));
        Assert.True(created.StatusCode == HttpStatusCode.Created, await created.Content.ReadAsStringAsync());
        return $"/m/{project.GetProperty("slug").GetString()}";
    }

    [Fact]
    public async Task Schema_pattern_with_catastrophic_backtracking_is_checked_in_linear_time()
    {
        var mock = await ProjectWithResourceAsync("""{"name":"things","schema":{"properties":{"s":{"type":"string","pattern":"^(a+)+$"}}}}""");
        var client = Anonymous();
        var watch = Stopwatch.StartNew();
        var refused = await Task.WhenAll(Enumerable.Range(0, 8).Select(_ => client.PostAsync($"{mock}/things", Payload($$"""{"s":"{{Evil}}"}"""))));
        Assert.All(refused, r => Assert.Equal(HttpStatusCode.UnprocessableEntity, r.StatusCode));
        Assert.Contains("pattern", await refused[0].Content.ReadAsStringAsync());
        Assert.Equal(HttpStatusCode.Created, (await client.PostAsync($"{mock}/things", Payload("""{"s":"aaaa"}"""))).StatusCode);
        Assert.True(watch.Elapsed < TimeSpan.FromSeconds(10), $"8 hostile records took {watch.Elapsed}");
    }

    [Fact]
    public async Task A_pattern_only_the_backtracking_engine_runs_is_stopped_by_its_budget()
    {
        // The lookahead keeps this pattern on the backtracking engine: a match timeout and the record's budget bound it.
        var mock = await ProjectWithResourceAsync("""{"name":"things","schema":{"$schema":"http://json-schema.org/draft-07/schema#","properties":{"s":{"type":"string","pattern":"^(?=a)(a+)+$"}}}}""");
        var response = await Anonymous().PostAsync($"{mock}/things", Payload($$"""{"s":"{{Evil}}"}"""));
        var detail = await response.AssertProblemAsync(HttpStatusCode.UnprocessableEntity);
        Assert.Contains("ms one match may take", detail);
    }

    [Fact]
    public async Task Seed_validation_on_the_management_route_is_bounded_too()
    {
        var project = await Client.CreateProjectAsync();
        var seed = string.Join(",", Enumerable.Range(1, 30).Select(i => $$"""{"id":{{i}},"s":"{{Evil}}"}"""));
        var watch = Stopwatch.StartNew();
        var response = await Client.PostAsync($"/api/v1/projects/{project.GetProperty("id").GetString()}/resources",
            Payload("""{"name":"things","schema":{"properties":{"s":{"pattern":"^(?!b)(a+)+$"}}},"seed":[""" + seed + "]}"));
        Assert.Contains("one match may take", await response.AssertProblemAsync(HttpStatusCode.BadRequest));
        Assert.True(watch.Elapsed < TimeSpan.FromSeconds(10), $"the seed took {watch.Elapsed}");
    }

    [Fact]
    public async Task Pattern_properties_are_matched_safely()
    {
        var mock = await ProjectWithResourceAsync("""{"name":"things","schema":{"patternProperties":{"^(a+)+$":{"type":"integer"}}}}""");
        var client = Anonymous();
        Assert.Equal(HttpStatusCode.Created, (await client.PostAsync($"{mock}/things", Payload($$"""{"{{Evil}}":"not checked"}"""))).StatusCode);
        await (await client.PostAsync($"{mock}/things", Payload("""{"aaa":"not an integer"}"""))).AssertProblemAsync(HttpStatusCode.UnprocessableEntity);
    }

    [Theory]
    [InlineData("""{"properties":{"a":{"$ref":"#/$defs/missing"}}}""", "cannot be resolved")]
    [InlineData("""{"$ref":"#"}""", "endless loop")]
    [InlineData("""{"$defs":{"a":{"$ref":"#/$defs/b"},"b":{"allOf":[{"$ref":"#/$defs/a"}]}},"$ref":"#/$defs/a"}""", "endless loop")]
    [InlineData("""{"$schema":"https://example.com/my-dialect","type":"object"}""", "not a draft this service knows")]
    [InlineData("""{"properties":{"a":{"$ref":"https://example.com/remote.json"}}}""", "nothing is fetched")]
    [InlineData("""{"type":5}""", "schema")]
    [InlineData("""{"patternProperties":{"^(?=a)(a+)+$":{}}}""", "backtracking")]
    public async Task Unusable_schemas_are_refused_when_the_resource_is_defined(string schema, string reason)
    {
        var project = await Client.CreateProjectAsync();
        var response = await Client.PostAsync($"/api/v1/projects/{project.GetProperty("id").GetString()}/resources",
            Payload($$"""{"name":"things","schema":{{schema}}}"""));
        // 400, as every other invalid resource definition (ResourceTests.Invalid_resource_definitions_are_400).
        var detail = await response.AssertProblemAsync(HttpStatusCode.BadRequest);
        Assert.Contains(reason, detail);
    }

    [Fact]
    public async Task A_recursive_schema_that_consumes_input_is_accepted_and_works()
    {
        var mock = await ProjectWithResourceAsync("""{"name":"trees","schema":{"$schema":"https://json-schema.org/draft/2020-12/schema","$defs":{"node":{"type":"object","properties":{"children":{"type":"array","items":{"$ref":"#/$defs/node"}}}}},"$ref":"#/$defs/node"}}""");
        var client = Anonymous();
        Assert.Equal(HttpStatusCode.Created, (await client.PostAsync($"{mock}/trees", Payload("""{"children":[{"children":[]}]}"""))).StatusCode);
        await (await client.PostAsync($"{mock}/trees", Payload("""{"children":[{"children":5}]}"""))).AssertProblemAsync(HttpStatusCode.UnprocessableEntity);
    }

    [Fact]
    public async Task Embed_with_hundreds_of_names_is_refused_and_a_few_names_over_many_records_are_cheap()
    {
        var posts = string.Join(",", Enumerable.Range(1, 2000).Select(i => $$"""{"id":{{i}},"t":"p{{i}}"}"""));
        var comments = string.Join(",", Enumerable.Range(1, 2000).Select(i => $$"""{"id":{{i}},"postId":{{i}}}"""));
        var project = await Client.CreateProjectAsync();
        var id = project.GetProperty("id").GetString();
        foreach (var resource in new[] { $$"""{"name":"posts","seed":[{{posts}}]}""", $$"""{"name":"comments","seed":[{{comments}}]}""" })
        {
            Assert.Equal(HttpStatusCode.Created, (await Client.PostAsync($"/api/v1/projects/{id}/resources", Payload(resource))).StatusCode);
        }
        var mock = $"/m/{project.GetProperty("slug").GetString()}";
        var client = Anonymous();
        var names = string.Join(",", Enumerable.Range(0, 600).Select(i => $"r{i}"));
        await (await client.GetAsync($"{mock}/posts?_embed={names}")).AssertProblemAsync(HttpStatusCode.BadRequest);

        var watch = Stopwatch.StartNew();
        var embedded = await (await client.GetAsync($"{mock}/posts?_embed=comments&_embed=nothere")).ReadJsonAsync();
        Assert.Equal(2000, embedded.GetArrayLength());
        var last = embedded[1999].GetProperty("comments");
        Assert.Equal(1, last.GetArrayLength());
        Assert.Equal(2000, last[0].GetProperty("postId").GetInt32());
        Assert.Equal(0, embedded[0].GetProperty("nothere").GetArrayLength()); // json-server embeds [] for an unknown resource
        Assert.True(watch.Elapsed < TimeSpan.FromSeconds(5), $"_embed over 2,000 records took {watch.Elapsed}");
    }

    [Fact]
    public async Task Mock_request_bodies_over_the_limit_are_413()
    {
        var project = await Client.CreateProjectAsync();
        var slug = project.GetProperty("slug").GetString();
        await Client.CreateEndpointAsync(project.GetProperty("id").GetString()!, """{"method":"POST","path":"/upload","response":{"status":200}}""");
        var client = Anonymous();
        Assert.Equal(HttpStatusCode.OK, (await client.PostAsync($"/m/{slug}/upload", new ByteArrayContent(new byte[1000]))).StatusCode);
        // The test server's limit is 64 KiB (OrleansMock:Limits:MaxRequestBodyBytes); before, 30 MB were accepted.
        var response = await client.PostAsync($"/m/{slug}/upload", new ByteArrayContent(new byte[200_000]));
        Assert.Contains("larger than 65536 bytes", await response.AssertProblemAsync(HttpStatusCode.RequestEntityTooLarge));
    }

    [Fact]
    public async Task A_tenants_html_runs_sandboxed_and_its_cookies_stay_under_its_project()
    {
        var project = await Client.CreateProjectAsync();
        var slug = project.GetProperty("slug").GetString();
        await Client.CreateEndpointAsync(project.GetProperty("id").GetString()!, """
            {"method":"GET","path":"/page","response":{"status":200,"contentType":"text/html",
             "headers":{"Set-Cookie":"session=stolen; Path=/; Domain=example.com; HttpOnly"},
             "body":"<script>fetch('/api/v1/projects',{credentials:'include'})</script>"}}
            """);
        var response = await Anonymous().GetAsync($"/m/{slug}/page");
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("sandbox", response.Headers.GetValues("Content-Security-Policy").Single());
        var cookie = response.Headers.GetValues("Set-Cookie").Single();
        Assert.Equal($"session=stolen; Path=/m/{slug}; HttpOnly", cookie);
    }

    [Fact]
    public async Task A_mock_domain_serves_each_project_on_an_origin_of_its_own()
    {
        await using var factory = new ApiFactory { Settings = { ["OrleansMock:Mock:Domain"] = "mock.test" } };
        var owner = await factory.CreateClient().AsNewUserAsync();
        var project = await owner.CreateProjectAsync();
        var slug = project.GetProperty("slug").GetString()!;
        await owner.CreateEndpointAsync(project.GetProperty("id").GetString()!,
            """{"method":"GET","path":"/page","response":{"status":200,"contentType":"text/html","headers":{"Set-Cookie":"s=1; Path=/"},"body":"<p>hi</p>"}}""");

        var onItsOwn = factory.CreateClient();
        var request = new HttpRequestMessage(HttpMethod.Get, "/page");
        request.Headers.Host = $"{slug}.mock.test";
        var response = await onItsOwn.SendAsync(request);
        Assert.Equal("<p>hi</p>", await response.Content.ReadAsStringAsync());
        Assert.False(response.Headers.Contains("Content-Security-Policy"));
        Assert.Equal("s=1; Path=/", response.Headers.GetValues("Set-Cookie").Single()); // nothing else lives on that origin
        var management = new HttpRequestMessage(HttpMethod.Get, "/api/v1/projects");
        management.Headers.Host = $"{slug}.mock.test";
        Assert.Equal(HttpStatusCode.NotFound, (await onItsOwn.SendAsync(management)).StatusCode); // the management API is not there
        Assert.Equal("<p>hi</p>", await factory.CreateClient().GetStringAsync($"/m/{slug}/page")); // the shared origin still works
    }
}
