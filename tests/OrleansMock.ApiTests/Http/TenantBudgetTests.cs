using System.Diagnostics;
using System.Net;
using System.Text.Json;
using Microsoft.Extensions.DependencyInjection;
using static OrleansMock.Tests.Http.HttpHelpers;

namespace OrleansMock.Tests.Http;

/// <summary>
/// Issue 30's attacks, each performed as a tenant with one free account would: what a tenant defines runs within a
/// budget of steps, bytes and time, and is answered with a clear problem. Before the fixes these took seconds to
/// hours of server CPU (or gigabytes of memory); the deadlines here are far below that and far above a correct answer.
/// </summary>
[Collection(ApiCollection.Name)]
public sealed class TenantBudgetTests(ApiFixture fixture)
{
    private HttpClient Client => fixture.Client;

    private HttpClient Anonymous()
    {
        var client = fixture.Factory.CreateClient();
        client.Timeout = TimeSpan.FromSeconds(30);
        return client;
    }

    private async Task<string> ProjectAsync() => (await Client.CreateProjectAsync()).GetProperty("slug").GetString()!;

    private Task<JsonElement> EndpointAsync(string project, object endpoint) => Client.CreateEndpointAsync(project, JsonSerializer.Serialize(endpoint));

    private static string Segments(int count) => string.Concat(Enumerable.Repeat("/a", count));

    /// <summary>
    /// The render stopped at one of its budgets: the steps (MaxTemplateSteps), or on a busy machine the request's time
    /// first. Which one comes first depends on the machine's speed; the step budget alone is pinned in TemplateBudgetTests.
    /// </summary>
    private static void AssertRenderBudget(string detail) =>
        Assert.True(detail.Contains("MaxTemplateSteps", StringComparison.Ordinal) || detail.Contains("ms the matchers and templates of one request may use", StringComparison.Ordinal), detail);

    [Fact]
    public async Task Nested_loops_over_the_path_stop_at_the_step_budget_and_the_project_keeps_answering()
    {
        var project = await ProjectAsync();
        await EndpointAsync(project, new
        {
            method = "GET", pathPattern = "/loop/.*",
            response = new { template = true, body = "{{#each request.pathSegments}}{{#each ../request.pathSegments}}{{#each ../../request.pathSegments}}x{{/each}}{{/each}}{{/each}}" },
        });
        await EndpointAsync(project, new { method = "GET", path = "/ping", response = new { body = "pong" } });
        var client = Anonymous();

        var watch = Stopwatch.StartNew();
        var attack = client.GetAsync($"/m/{project}/loop{Segments(400)}"); // 64 million iterations unbounded (~8 s of CPU before)
        await Task.Delay(50);
        var ping = await client.GetAsync($"/m/{project}/ping");
        Assert.Equal(HttpStatusCode.OK, ping.StatusCode);
        var detail = await (await attack).AssertProblemAsync(HttpStatusCode.UnprocessableEntity);
        AssertRenderBudget(detail);
        Assert.True(watch.Elapsed < TimeSpan.FromSeconds(3), $"the loop and a request behind it took {watch.Elapsed}");
    }

    [Fact]
    public async Task Loops_that_print_past_the_response_size_stop_there()
    {
        var project = await ProjectAsync();
        var hundred = new string('z', 100);
        await EndpointAsync(project, new
        {
            method = "GET", pathPattern = "/print/.*",
            response = new { template = true, body = "{{#each request.pathSegments}}{{#each ../request.pathSegments}}" + hundred + "{{/each}}{{/each}}" },
        });
        var watch = Stopwatch.StartNew();
        // 2,000 x 2,000 x 100 characters: 400 million (RSS went from 375 MB to 1.9 GB before).
        var detail = await (await Anonymous().GetAsync($"/m/{project}/print{Segments(2000)}")).AssertProblemAsync(HttpStatusCode.UnprocessableEntity);
        Assert.Contains("characters a response may have", detail);
        Assert.True(watch.Elapsed < TimeSpan.FromSeconds(3), $"took {watch.Elapsed}");
    }

    [Fact]
    public async Task Loops_over_query_and_header_maps_count_too()
    {
        var project = await ProjectAsync();
        await EndpointAsync(project, new
        {
            method = "GET", path = "/maps",
            response = new { template = true, body = "{{#each request.query}}{{#each ../request.query}}{{#each ../../request.query}}{{@key}}{{/each}}{{/each}}{{/each}}" },
        });
        var query = string.Join("&", Enumerable.Range(0, 300).Select(i => $"p{i}=1"));
        var watch = Stopwatch.StartNew();
        var detail = await (await Anonymous().GetAsync($"/m/{project}/maps?{query}")).AssertProblemAsync(HttpStatusCode.UnprocessableEntity);
        AssertRenderBudget(detail);
        Assert.True(watch.Elapsed < TimeSpan.FromSeconds(3), $"took {watch.Elapsed}");

        // A template within its budget still renders, loops, keys and all.
        var small = await Anonymous().GetStringAsync($"/m/{project}/maps?a=1");
        Assert.Equal("a", small);
    }

    public static TheoryData<string, string> UnboundedPartials => new()
    {
        // Each partial calls the next twice: 2^23 calls from a template of a few hundred characters (0.91 s before, doubling per level).
        { string.Concat(Enumerable.Range(1, 23).Select(i => $"{{{{#*inline \"p{i}\"}}}}{{{{> p{i - 1}}}}}{{{{> p{i - 1}}}}}{{{{/inline}}}}")) + "{{#*inline \"p0\"}}.{{/inline}}{{> p23}}", "partial calls per render" },
        { "{{#*inline \"me\"}}x{{> me}}{{/inline}}{{> me}}", "partial 'me' calls itself" },
        { "{{#*inline \"a\"}}{{> b}}{{/inline}}{{#*inline \"b\"}}{{> a}}{{/inline}}ok", "calls itself" },
        { "{{#*inline \"a\"}}x{{/inline}}{{> (lookup request.query 'p')}}", "written out" },
    };

    [Theory]
    [MemberData(nameof(UnboundedPartials))]
    public async Task Partials_that_recurse_or_multiply_are_refused_when_saved(string template, string reason)
    {
        var project = await ProjectAsync();
        var response = await Client.PostAsync($"/api/v1/projects/{project}/endpoints",
            Payload(JsonSerializer.Serialize(new { method = "GET", path = "/p", response = new { template = true, body = template } })));
        var detail = await response.AssertProblemAsync(HttpStatusCode.BadRequest);
        Assert.Contains("response.body is not a valid template", detail);
        Assert.Contains(reason, detail);
    }

    [Fact]
    public async Task Partials_within_the_budget_still_work()
    {
        var project = await ProjectAsync();
        await EndpointAsync(project, new
        {
            method = "GET", path = "/p/{name}",
            response = new { template = true, body = "{{#*inline \"hello\"}}Hello {{name}}{{/inline}}{{#*inline \"twice\"}}{{> hello}}, {{> hello}}{{/inline}}{{> twice name=request.path.name}}" },
        });
        Assert.Equal("Hello ada, Hello ada", await Anonymous().GetStringAsync($"/m/{project}/p/ada"));
    }

    private const string Catastrophic = "$[?(@.a =~ /^(a+)+$/)]";

    private static string HostileBody(int count = 1) =>
        count == 1 ? $$"""{"a":"{{new string('a', 26)}}!"}""" : "[" + string.Join(",", Enumerable.Repeat(HostileBody(), count)) + "]";

    [Fact]
    public async Task A_catastrophic_JSONPath_regex_in_a_matcher_is_stopped_within_the_request_budget()
    {
        var project = await ProjectAsync();
        await EndpointAsync(project, new { method = "POST", path = "/jp", request = new { body = new object[] { new { matchesJsonPath = Catastrophic } } }, response = new { body = "matched" } });
        await EndpointAsync(project, new { method = "GET", path = "/ping", response = new { body = "pong" } });
        var client = Anonymous();
        var watch = Stopwatch.StartNew();
        // 26 a's and a '!': 6.3 s before, doubling per character; an array of them multiplied it.
        var attacks = await Task.WhenAll(client.PostAsync($"/m/{project}/jp", Payload(HostileBody())), client.PostAsync($"/m/{project}/jp", Payload(HostileBody(40))));
        var detail = await attacks[0].AssertProblemAsync(HttpStatusCode.UnprocessableEntity);
        Assert.Contains("regular expression of JSONPath", detail);
        await attacks[1].AssertProblemAsync(HttpStatusCode.UnprocessableEntity);
        Assert.Equal("\"pong\"", await client.GetStringAsync($"/m/{project}/ping"));
        Assert.True(watch.Elapsed < TimeSpan.FromSeconds(3), $"took {watch.Elapsed}");

        // A document with more strings than a regular expression may search is refused, not searched.
        var many = "[" + string.Join(",", Enumerable.Range(0, 1100).Select(i => $$"""{"a":"s{{i}}"}""")) + "]";
        Assert.Contains("at most 1000 strings", await (await client.PostAsync($"/m/{project}/jp", Payload(many))).AssertProblemAsync(HttpStatusCode.UnprocessableEntity));
        // A harmless one still matches.
        Assert.Equal("\"matched\"", await (await client.PostAsync($"/m/{project}/jp", Payload("""{"a":"aaa"}"""))).Content.ReadAsStringAsync());
    }

    [Fact]
    public async Task A_catastrophic_JSONPath_regex_in_a_template_or_an_admin_query_is_bounded_too()
    {
        var project = await ProjectAsync();
        await EndpointAsync(project, new { method = "POST", path = "/t", response = new { template = true, body = "{{jsonPath request.body '" + Catastrophic + "'}}" } });
        var client = Anonymous();
        var watch = Stopwatch.StartNew();
        await (await client.PostAsync($"/m/{project}/t", Payload(HostileBody()))).AssertProblemAsync(HttpStatusCode.UnprocessableEntity);
        Assert.True(watch.Elapsed < TimeSpan.FromSeconds(2), $"the template took {watch.Elapsed}");

        for (var i = 0; i < 3; i++)
        {
            await client.PostAsync($"/m/{project}/journal", Payload(HostileBody()));
        }
        var (_, key) = await Client.CreateApiKeyAsync("admin");
        var admin = fixture.Factory.CreateClient();
        admin.DefaultRequestHeaders.Add("X-Api-Key", key);
        watch.Restart();
        // Over three journal entries: 6.9 s before.
        var count = await admin.PostAsync($"/m/{project}/__admin/requests/count",
            Payload(JsonSerializer.Serialize(new { method = "POST", bodyPatterns = new[] { new { matchesJsonPath = Catastrophic } } })));
        Assert.True(count.StatusCode is HttpStatusCode.OK or HttpStatusCode.UnprocessableEntity, count.StatusCode.ToString());
        Assert.True(watch.Elapsed < TimeSpan.FromSeconds(3), $"the admin query took {watch.Elapsed}");
    }

    /// <summary>A victim: another user of this service, with a bearer token and an API key of their own.</summary>
    private async Task<(string Token, string Key)> VictimAsync()
    {
        var victim = await fixture.Factory.CreateClient().AsNewUserAsync();
        var (_, key) = await victim.CreateApiKeyAsync("mine");
        return (victim.DefaultRequestHeaders.Authorization!.Parameter!, key);
    }

    [Fact]
    public async Task A_template_never_hands_a_tenant_our_credentials_but_a_mocked_APIs_own_pass()
    {
        var project = await ProjectAsync();
        await EndpointAsync(project, new
        {
            method = "GET", path = "/steal",
            response = new
            {
                template = true,
                headers = new Dictionary<string, string> { ["Location"] = "/x?k={{request.headers.X-Api-Key}}&a={{request.headers.Authorization}}" },
                body = "key={{request.headers.X-Api-Key}} auth={{request.headers.Authorization}}",
            },
        });
        await EndpointAsync(project, new
        {
            method = "GET", path = "/match",
            request = new { headers = new Dictionary<string, object> { ["X-Api-Key"] = new { matches = "om-.*" } } },
            response = new { body = "captured" },
        });
        var (token, key) = await VictimAsync();
        async Task<HttpResponseMessage> SendAsync(string path, string? apiKey, string? authorization)
        {
            using var request = new HttpRequestMessage(HttpMethod.Get, $"/m/{project}{path}");
            if (apiKey is not null)
            {
                request.Headers.Add("X-Api-Key", apiKey);
            }
            if (authorization is not null)
            {
                request.Headers.TryAddWithoutValidation("Authorization", authorization);
            }
            return await Anonymous().SendAsync(request);
        }

        var basic = "Basic " + Convert.ToBase64String(System.Text.Encoding.UTF8.GetBytes("wiremock:" + key));
        foreach (var authorization in new[] { "Bearer " + token, basic })
        {
            var stolen = await SendAsync("/steal", key, authorization);
            var text = await stolen.Content.ReadAsStringAsync() + stolen.Headers.Location;
            Assert.DoesNotContain(key, text);
            Assert.DoesNotContain(token, text);
            Assert.DoesNotContain(basic["Basic ".Length..], text);
        }
        // A matcher cannot probe for them either: the key is not there to match.
        Assert.Equal(HttpStatusCode.NotFound, (await SendAsync("/match", key, null)).StatusCode);

        // The mocked API's own credentials are the tenant's to match and echo.
        var own = await SendAsync("/steal", "sk_live_third_party", "Bearer not-one-of-ours");
        Assert.Equal("key=sk_live_third_party auth=Bearer not-one-of-ours", await own.Content.ReadAsStringAsync());
    }

    [Fact]
    public async Task A_near_miss_names_the_failed_condition_but_never_a_secret_value()
    {
        var project = await ProjectAsync();
        await EndpointAsync(project, new
        {
            method = "POST", path = "/secure",
            request = new
            {
                headers = new Dictionary<string, object> { ["Authorization"] = new { equalTo = "Bearer sk_live_EXPECTED" } },
                cookies = new { session = new { equalTo = "EXPECTED-SESSION" } },
                query = new { access_token = new { equalTo = "EXPECTED-TOKEN" } },
                body = new object[] { new { matchesJsonPath = new { expression = "$.password", equalTo = "EXPECTED-PASSWORD" } } },
            },
            response = new { body = "in" },
        });
        await EndpointAsync(project, new { method = "GET", path = "/plain", request = new { query = new { color = new { equalTo = "red" } } }, response = new { body = 1 } });
        var client = Anonymous();
        var sent = new[] { "REAL-BEARER", "REAL-SESSION-COOKIE", "REAL-TOKEN", "REAL-PASSWORD" };
        var expected = new[] { "sk_live_EXPECTED", "EXPECTED-SESSION", "EXPECTED-TOKEN", "EXPECTED-PASSWORD" };
        for (var failing = 0; failing < 4; failing++)
        {
            using var request = new HttpRequestMessage(HttpMethod.Post, $"/m/{project}/secure?access_token={(failing == 2 ? sent[2] : expected[2])}")
            {
                Content = Payload($$"""{"password":"{{(failing == 3 ? sent[3] : expected[3])}}"}"""),
            };
            request.Headers.TryAddWithoutValidation("Authorization", failing == 0 ? "Bearer " + sent[0] : "Bearer " + expected[0]);
            request.Headers.Add("Cookie", "session=" + (failing == 1 ? sent[1] : expected[1]));
            var miss = await (await client.SendAsync(request)).AssertProblemAsync(HttpStatusCode.NotFound);
            Assert.Contains("[redacted]", miss);
            Assert.All(sent.Concat(expected), secret => Assert.DoesNotContain(secret, miss));
        }
        var journal = await (await Client.GetAsync($"/api/v1/projects/{project}/requests")).Content.ReadAsStringAsync();
        Assert.All(sent, secret => Assert.DoesNotContain(secret, journal));

        // A condition on an ordinary name still says what it expected and what came.
        var plain = await (await client.GetAsync($"/m/{project}/plain?color=blue")).AssertProblemAsync(HttpStatusCode.NotFound);
        Assert.Contains("'red'", plain);
        Assert.Contains("'blue'", plain);
    }

    [Fact]
    public async Task An_import_whose_operations_all_reference_one_large_example_is_refused_before_it_multiplies()
    {
        // A front end of its own that takes 1,000 endpoints per project, so only the bytes can stop the import.
        await using var factory = new ApiFactory();
        factory.Settings["OrleansMock:Limits:MaxEndpointsPerProject"] = "1000";
        var client = await factory.CreateClient().AsNewUserAsync();
        var project = (await client.CreateProjectAsync()).GetProperty("id").GetString()!;
        var example = new string('x', 400 * 1024);
        var paths = string.Join(",", Enumerable.Range(0, 500).Select(i =>
            $"\"/op{i}\":" + """{"get":{"responses":{"200":{"description":"ok","content":{"application/json":{"examples":{"big":{"$ref":"#/components/examples/big"}}}}}}}}"""));
        var document = """{"openapi":"3.0.3","info":{"title":"amplifier","version":"1"},"paths":{""" + paths
            + """},"components":{"examples":{"big":{"value":{"blob":""" + "\"" + example + "\"" + "}}}}}";
        var watch = Stopwatch.StartNew();
        // 479 KB became 200 MB of endpoints before (34 s, RSS +722 MB, 770 MB on disk).
        var detail = await (await client.PostAsync($"/api/v1/projects/{project}/imports/openapi", Payload(document))).AssertProblemAsync(HttpStatusCode.UnprocessableEntity);
        Assert.Contains("MaxProjectBytes", detail);
        Assert.True(watch.Elapsed < TimeSpan.FromSeconds(10), $"took {watch.Elapsed}");
        var endpoints = await (await client.GetAsync($"/api/v1/projects/{project}/endpoints")).ReadJsonAsync();
        Assert.Equal(0, endpoints.GetProperty("items").GetArrayLength());
    }

    [Fact]
    public async Task Endpoints_added_one_by_one_stop_at_the_projects_bytes_and_deleting_makes_room()
    {
        // A front end of its own with a 1 MB project budget (the shared one reads 64 KB bodies and allows 20 endpoints).
        await using var factory = new ApiFactory();
        factory.Settings["OrleansMock:Limits:MaxProjectBytes"] = "1000000";
        var client = await factory.CreateClient().AsNewUserAsync();
        var project = (await client.CreateProjectAsync()).GetProperty("id").GetString()!;
        var body = JsonSerializer.Serialize(new string('y', 60_000));
        string? last = null;
        HttpResponseMessage response;
        var added = 0;
        while (true)
        {
            response = await client.PostAsync($"/api/v1/projects/{project}/endpoints",
                Payload("{\"method\":\"GET\",\"path\":\"/big/" + added + "\",\"response\":{\"body\":" + body + "}}"));
            if (response.StatusCode != HttpStatusCode.Created)
            {
                break;
            }
            last = (await response.ReadJsonAsync()).GetProperty("id").GetString();
            Assert.True(++added <= 20, "1.2 MB of endpoints were taken into a 1 MB project");
        }
        Assert.Contains("MaxProjectBytes", await response.AssertProblemAsync(HttpStatusCode.UnprocessableEntity));
        Assert.Equal(16, added);
        Assert.Equal(HttpStatusCode.NoContent, (await client.DeleteAsync($"/api/v1/projects/{project}/endpoints/{last}")).StatusCode);
        Assert.Equal(HttpStatusCode.Created, (await client.PostAsync($"/api/v1/projects/{project}/endpoints",
            Payload("{\"method\":\"GET\",\"path\":\"/big/again\",\"response\":{\"body\":" + body + "}}"))).StatusCode);
    }

    [Fact]
    public async Task An_accounts_projects_together_stop_at_MaxAccountBytes_and_a_deleted_project_gives_its_bytes_back()
    {
        // Issue 30.4: per-project and per-resource budgets bounded one project; an account's 100 projects could still
        // hold 100 times 16 MiB of endpoints and 50 times 32 MiB of records each. A 400 KB account, two projects:
        await using var factory = new ApiFactory();
        factory.Settings["OrleansMock:Limits:MaxAccountBytes"] = "400000";
        var client = await factory.CreateClient().AsNewUserAsync();
        var a = (await client.CreateProjectAsync()).GetProperty("id").GetString()!;
        var b = await client.CreateProjectAsync();
        var (bId, bSlug) = (b.GetProperty("id").GetString()!, b.GetProperty("slug").GetString()!);
        var body = JsonSerializer.Serialize(new string('y', 60_000));
        HttpResponseMessage response;
        var added = 0;
        while ((response = await client.PostAsync($"/api/v1/projects/{(added % 2 == 0 ? a : bId)}/endpoints",
            Payload("{\"method\":\"GET\",\"path\":\"/big/" + added + "\",\"response\":{\"body\":" + body + "}}"))).StatusCode == HttpStatusCode.Created)
        {
            Assert.True(++added <= 6, "more than 400 KB of endpoints were taken into a 400 KB account");
        }
        Assert.Contains("MaxAccountBytes", await response.AssertProblemAsync(HttpStatusCode.UnprocessableEntity));
        Assert.InRange(added, 4, 6);

        // Records count against the same account: a resource of the second project fills what is left.
        Assert.Equal(HttpStatusCode.Created, (await client.PostAsync($"/api/v1/projects/{bId}/resources", Payload("""{"name":"things"}"""))).StatusCode);
        var record = JsonSerializer.Serialize(new { text = new string('r', 30_000) });
        var records = 0;
        while ((response = await Anonymous(factory).PostAsync($"/m/{bSlug}/things", Payload(record))).StatusCode == HttpStatusCode.Created)
        {
            Assert.True(++records <= 4, "records went past the account's bytes");
        }
        Assert.Contains("MaxAccountBytes", await response.AssertProblemAsync(HttpStatusCode.UnprocessableEntity));
        var usage = await (await client.GetAsync($"/api/v1/projects/{bId}/usage")).ReadJsonAsync();
        var account = usage.GetProperty("accountBytes");
        Assert.Equal(400_000, account.GetProperty("limit").GetInt64());
        Assert.InRange(account.GetProperty("used").GetInt64(), added * 60_000L, 400_000);

        // Deleting the first project gives its bytes back to the account.
        Assert.Equal(HttpStatusCode.NoContent, (await client.DeleteAsync($"/api/v1/projects/{a}")).StatusCode);
        Assert.Equal(HttpStatusCode.Created, (await client.PostAsync($"/api/v1/projects/{bId}/endpoints",
            Payload("{\"method\":\"GET\",\"path\":\"/big/again\",\"response\":{\"body\":" + body + "}}"))).StatusCode);
        Assert.Equal(HttpStatusCode.Created, (await Anonymous(factory).PostAsync($"/m/{bSlug}/things", Payload(record))).StatusCode);
    }

    private static HttpClient Anonymous(ApiFactory factory) => factory.CreateClient();

    [Theory]
    [InlineData("file:///etc/passwd", "scheme 'file'")]
    [InlineData("ftp://example.com/x", "scheme 'ftp'")]
    [InlineData("gopher://example.com/x", "scheme 'gopher'")]
    [InlineData("/relative/path", "not an absolute URL")]
    public async Task Urls_that_are_not_http_are_a_400_naming_why_never_a_502(string url, string reason)
    {
        var send = await Client.PostAsync("/api/v1/tester/send", Payload(JsonSerializer.Serialize(new { method = "GET", url })));
        Assert.Contains(reason, await send.AssertProblemAsync(HttpStatusCode.BadRequest));
        var project = (await Client.CreateProjectAsync()).GetProperty("id").GetString()!;
        var import = await Client.PostAsync($"/api/v1/projects/{project}/imports/openapi", Payload(JsonSerializer.Serialize(new { url })));
        Assert.Contains(reason, await import.AssertProblemAsync(HttpStatusCode.BadRequest));
    }

    [Fact]
    [System.Runtime.Versioning.UnsupportedOSPlatform("windows")]
    public void The_data_folder_the_service_creates_is_private()
    {
        // The fixture's data folder did not exist before the service started; the signing key was the first thing
        // written into it and created it 0755 (README promises 0700).
        Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute, File.GetUnixFileMode(fixture.Factory.DataDir));
    }

    [Fact]
    public async Task A_project_shows_what_it_holds_against_each_budget()
    {
        var project = await Client.CreateProjectAsync();
        var (id, slug) = (project.GetProperty("id").GetString()!, project.GetProperty("slug").GetString()!);
        await Client.CreateEndpointAsync(id, """{"method":"GET","path":"/a","response":{"body":{"text":"0123456789"}}}""");
        Assert.Equal(HttpStatusCode.Created, (await Client.PostAsync($"/api/v1/projects/{id}/resources", Payload("""{"name":"things"}"""))).StatusCode);
        Assert.Equal(HttpStatusCode.Created, (await Anonymous().PostAsync($"/m/{slug}/things", Payload("""{"t":"abc"}"""))).StatusCode);

        var usage = await (await Client.GetAsync($"/api/v1/projects/{slug}/usage")).ReadJsonAsync();
        Assert.Equal(1, usage.GetProperty("endpoints").GetProperty("used").GetInt32());
        Assert.Equal(20, usage.GetProperty("endpoints").GetProperty("limit").GetInt32()); // the fixture's MaxEndpointsPerProject
        Assert.InRange(usage.GetProperty("endpointBytes").GetProperty("used").GetInt64(), 10, 2000);
        Assert.Equal(16L * 1024 * 1024, usage.GetProperty("endpointBytes").GetProperty("limit").GetInt64());
        var things = usage.GetProperty("resourceRecords")[0];
        Assert.Equal(("things", 1), (things.GetProperty("name").GetString(), things.GetProperty("records").GetProperty("used").GetInt32()));
        Assert.Equal("""{"t":"abc","id":1}""".Length, things.GetProperty("bytes").GetProperty("used").GetInt64());

        var stranger = await fixture.NewUserClientAsync();
        await (await stranger.GetAsync($"/api/v1/projects/{id}/usage")).AssertProblemAsync(HttpStatusCode.NotFound);
    }

    private async Task<int> ActivationsAsync(string grainType)
    {
        var grains = fixture.Factory.Services.GetRequiredService<IGrainFactory>();
        var statistics = await grains.GetGrain<IManagementGrain>(0).GetSimpleGrainStatistics();
        return statistics.Where(s => s.GrainType.Contains(grainType, StringComparison.Ordinal)).Sum(s => s.ActivationCount);
    }

    [Fact]
    public async Task Guessed_project_ids_and_slugs_keep_no_activations_and_a_created_slug_answers_at_once()
    {
        var client = Anonymous();
        var (projectsBefore, slugsBefore) = (await ActivationsAsync("MockProjectGrain"), await ActivationsAsync("UniqueKeyGrain"));
        // 1,000 random ids made 1,000 activations and 50 random slugs 50 slug-index activations (issue 30.13).
        for (var i = 0; i < 200; i++)
        {
            Assert.Equal(HttpStatusCode.NotFound, (await client.GetAsync($"/m/p_{Guid.NewGuid():N}"[..21] + "/x")).StatusCode);
            Assert.Equal(HttpStatusCode.NotFound, (await client.GetAsync($"/m/{UniqueSlug("guess")}/x")).StatusCode);
        }
        await Task.Delay(500); // deactivations finish after the calls
        var (projectsAfter, slugsAfter) = (await ActivationsAsync("MockProjectGrain"), await ActivationsAsync("UniqueKeyGrain"));
        Assert.True(projectsAfter - projectsBefore < 20, $"{projectsAfter - projectsBefore} project activations stayed after 200 guessed ids");
        Assert.True(slugsAfter - slugsBefore < 20, $"{slugsAfter - slugsBefore} slug-index activations stayed after 200 guessed slugs");

        // A slug that was just missing answers as soon as a project takes it (the miss is forgotten).
        var slug = UniqueSlug("late");
        Assert.Equal(HttpStatusCode.NotFound, (await client.GetAsync($"/m/{slug}/a")).StatusCode);
        var id = (await Client.CreateProjectAsync(slug)).GetProperty("id").GetString()!;
        await Client.CreateEndpointAsync(id, """{"method":"GET","path":"/a","response":{"body":1}}""");
        Assert.Equal(HttpStatusCode.OK, (await client.GetAsync($"/m/{slug}/a")).StatusCode);
    }
}
