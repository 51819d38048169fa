using System.Net;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using static OrleansMock.Tests.Http.HttpHelpers;

namespace OrleansMock.Tests.Http;

/// <summary>A project's WireMock admin API at /m/{project}/__admin/, through the real front end.</summary>
[Collection(ApiCollection.Name)]
public sealed class WireMockAdminTests(ApiFixture fixture)
{
    private HttpClient Mock => fixture.Factory.CreateClient();

    private async Task<(HttpClient Admin, string Base)> ProjectAsync()
    {
        var slug = (await fixture.Client.CreateProjectAsync()).GetProperty("slug").GetString()!;
        var key = (await (await fixture.Client.PostAsync("/api/v1/auth/keys", Payload("""{"name":"wiremock"}"""))).ReadJsonAsync()).GetProperty("key").GetString()!;
        var admin = fixture.Factory.CreateClient();
        // WireMock's own admin auth: Basic, the API key as password
        admin.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Basic", Convert.ToBase64String(Encoding.UTF8.GetBytes("anyone:" + key)));
        return (admin, $"/m/{slug}");
    }

    private static async Task<JsonNode> JsonAsync(HttpResponseMessage response, HttpStatusCode expected = HttpStatusCode.OK)
    {
        var text = await response.Content.ReadAsStringAsync();
        Assert.True(response.StatusCode == expected, $"{(int)response.StatusCode}: {text}");
        return JsonNode.Parse(text)!;
    }

    private const string Mapping = """
        {"id":"8c5db8b0-2db4-4ad7-a99f-38c9b00da3f7","name":"create user","priority":2,"metadata":{"team":"accounts"},
         "request":{"method":"POST","urlPath":"/users","queryParameters":{"dry":{"equalTo":"no"}},"headers":{"Accept":{"contains":"json"}},
                    "bodyPatterns":[{"equalToJson":{"name":"ada"},"ignoreExtraElements":true}]},
         "response":{"status":201,"headers":{"Content-Type":"application/json","X-Trace":"t1"},"jsonBody":{"id":7,"name":"ada"}}}
        """;

    [Fact]
    public async Task A_mapping_goes_in_answers_the_mock_and_comes_back_out_the_same()
    {
        var (admin, b) = await ProjectAsync();
        var created = await JsonAsync(await admin.PostAsync($"{b}/__admin/mappings", Payload(Mapping)), HttpStatusCode.Created);
        Assert.Equal("8c5db8b0-2db4-4ad7-a99f-38c9b00da3f7", created["id"]!.GetValue<string>());

        var call = new HttpRequestMessage(HttpMethod.Post, $"{b}/users?dry=no") { Content = Payload("""{"name":"ada","extra":1}""") };
        call.Headers.Add("Accept", "application/json");
        var answered = await Mock.SendAsync(call);
        Assert.Equal(HttpStatusCode.Created, answered.StatusCode);
        Assert.Equal("t1", answered.Headers.GetValues("X-Trace").Single());
        Assert.Equal(7, (await answered.ReadJsonAsync()).GetProperty("id").GetInt32());

        var read = await JsonAsync(await admin.GetAsync($"{b}/__admin/mappings/8c5db8b0-2db4-4ad7-a99f-38c9b00da3f7"));
        var expected = JsonNode.Parse(Mapping)!.AsObject();
        expected["uuid"] = expected["id"]!.DeepClone();
        Assert.True(JsonNode.DeepEquals(expected, read), read.ToJsonString());
        var listed = await JsonAsync(await admin.GetAsync($"{b}/__admin/mappings"));
        Assert.Equal(1, listed["meta"]!["total"]!.GetValue<int>());
    }

    [Theory]
    [InlineData("""{"request":{"method":"POST","urlPath":"/x","multipartPatterns":[{"matchingType":"ANY","filename":"a"}]},"response":{"status":200}}""", "mapping.request.multipartPatterns[0].filename")]
    [InlineData("""{"request":{"method":"GET","urlPath":"/x"},"response":{"status":200,"bodyFileName":"a.json"}}""", "mapping.response.bodyFileName")]
    [InlineData("""{"request":{"method":"POST","urlPath":"/x","bodyPatterns":[{"equalToXml":"<a/>","placeholderOpeningDelimiterRegex":"\\[\\["}]},"response":{"status":200}}""", "mapping.request.bodyPatterns[0].placeholderOpeningDelimiterRegex")]
    [InlineData("""{"request":{"method":"GET","urlPath":"/x","headers":{"A":{"and":[{"equalToNumber":1}]}}},"response":{"status":200}}""", "mapping.request.headers.A.and[0].equalToNumber")]
    [InlineData("""{"request":{"method":"GET","urlPath":"/x","queryParameters":{"d":{"before":"tomorrow"}}},"response":{"status":200}}""", "request.query.d.before")]
    [InlineData("""{"request":{"method":"POST","urlPath":"/x","bodyPatterns":[{"matchesXPath":"//a[","xPathNamespaces":{"a":"urn:a"}}]},"response":{"status":200}}""", "matchesXPath")]
    [InlineData("""{"request":{"method":"GET","urlPath":"/x"},"response":{"status":200,"fault":"BOOM"}}""", "mapping.response.fault")]
    public async Task A_mapping_we_cannot_represent_is_a_422_naming_the_field(string mapping, string field)
    {
        var (admin, b) = await ProjectAsync();
        var response = await admin.PostAsync($"{b}/__admin/mappings", Payload(mapping));
        Assert.Contains(field, await response.AssertProblemAsync(HttpStatusCode.UnprocessableEntity));
    }

    [Fact]
    public async Task Only_the_owner_reaches_the_admin_api()
    {
        var (_, b) = await ProjectAsync();
        var anonymous = await Mock.GetAsync($"{b}/__admin/mappings");
        await anonymous.AssertProblemAsync(HttpStatusCode.Unauthorized);
        // It asks for what WireMock clients send: Basic, the API key as the password (it advertised Bearer: issue 33).
        Assert.StartsWith("Basic realm=", anonymous.Headers.WwwAuthenticate.ToString());
        var stranger = await fixture.NewUserClientAsync();
        await (await stranger.GetAsync($"{b}/__admin/mappings")).AssertProblemAsync(HttpStatusCode.NotFound);
        var wrong = fixture.Factory.CreateClient();
        wrong.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Basic", Convert.ToBase64String(Encoding.UTF8.GetBytes("admin:password")));
        var refused = await wrong.GetAsync($"{b}/__admin/mappings");
        await refused.AssertProblemAsync(HttpStatusCode.Unauthorized);
        Assert.StartsWith("Basic realm=", refused.Headers.WwwAuthenticate.ToString());
    }

    [Fact]
    public async Task Basic_credentials_that_are_not_an_api_key_belong_to_the_mocked_api_and_are_never_counted_as_failed_sign_ins()
    {
        var (admin, b) = await ProjectAsync();
        await JsonAsync(await admin.PostAsync($"{b}/__admin/mappings",
            Payload("""{"request":{"method":"GET","urlPath":"/secure","headers":{"Authorization":{"equalTo":"Basic dXNlcjpwYXNz"}}},"response":{"status":200,"body":"in"}}""")),
            HttpStatusCode.Created);
        var mock = Mock;
        mock.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Basic", "dXNlcjpwYXNz"); // user:pass, the mocked API's own
        for (var i = 0; i < 30; i++) // more than the failed-authentication limit per address (20 a minute)
        {
            Assert.Equal("in", await mock.GetStringAsync($"{b}/secure"));
        }
        Assert.Equal(HttpStatusCode.OK, (await admin.GetAsync($"{b}/__admin/mappings")).StatusCode); // API keys from this address still work
    }

    [Fact]
    public async Task Import_replace_delete_and_reset_work_on_many_mappings_at_once()
    {
        var (admin, b) = await ProjectAsync();
        var mappings = string.Join(",", Enumerable.Range(0, 15).Select(i =>
            $$$"""{"id":"m-{{{i}}}","request":{"method":"GET","urlPathTemplate":"/items/{{{i}}}/{part}"},"response":{"status":200,"body":"item {{{i}}}"}}"""));
        await JsonAsync(await admin.PostAsync($"{b}/__admin/mappings/import", Payload($$"""{"mappings":[{{mappings}}]}""")));
        Assert.Equal("item 12", await (await Mock.GetAsync($"{b}/items/12/detail")).Content.ReadAsStringAsync());

        await JsonAsync(await admin.PutAsync($"{b}/__admin/mappings/m-12",
            Payload("""{"request":{"method":"GET","urlPathTemplate":"/items/12/{part}"},"response":{"status":200,"body":"changed"}}""")));
        Assert.Equal("changed", await (await Mock.GetAsync($"{b}/items/12/detail")).Content.ReadAsStringAsync());

        await JsonAsync(await admin.PostAsync($"{b}/__admin/mappings/import", Payload("""
            {"mappings":[{"id":"m-1","request":{"method":"GET","urlPath":"/only"},"response":{"status":204}}],
             "importOptions":{"duplicatePolicy":"OVERWRITE","deleteAllNotInImport":true}}
            """)));
        Assert.Single((await JsonAsync(await admin.GetAsync($"{b}/__admin/mappings")))["mappings"]!.AsArray());
        await JsonAsync(await admin.DeleteAsync($"{b}/__admin/mappings/m-1"));
        await (await admin.DeleteAsync($"{b}/__admin/mappings/m-1")).AssertProblemAsync(HttpStatusCode.NotFound);

        await JsonAsync(await admin.PostAsync($"{b}/__admin/mappings", Payload("""{"request":{"method":"GET","url":"/a?x=1"},"response":{"status":200}}""")), HttpStatusCode.Created);
        await JsonAsync(await admin.PostAsync($"{b}/__admin/reset", null));
        Assert.Empty((await JsonAsync(await admin.GetAsync($"{b}/__admin/mappings")))["mappings"]!.AsArray());
    }

    [Fact]
    public async Task The_journal_lists_counts_finds_and_removes_requests_by_a_wiremock_pattern()
    {
        var (admin, b) = await ProjectAsync();
        await JsonAsync(await admin.PostAsync($"{b}/__admin/mappings",
            Payload("""{"request":{"method":"GET","urlPathPattern":"/things/[0-9]+"},"response":{"status":200,"jsonBody":{"ok":true}}}""")), HttpStatusCode.Created);
        await Mock.GetAsync($"{b}/things/1");
        await Mock.GetAsync($"{b}/things/2?color=red");
        await Mock.GetAsync($"{b}/nothing");
        await Mock.PostAsync($"{b}/things/3", Payload("""{"a":1}"""));

        var all = await JsonAsync(await admin.GetAsync($"{b}/__admin/requests"));
        Assert.Equal(4, all["meta"]!["total"]!.GetValue<int>());
        Assert.Equal("/things/3", all["requests"]![0]!["request"]!["url"]!.GetValue<string>()); // newest first
        async Task<int> CountAsync(string pattern) =>
            (await JsonAsync(await admin.PostAsync($"{b}/__admin/requests/count", Payload(pattern))))["count"]!.GetValue<int>();
        Assert.Equal(2, await CountAsync("""{"method":"GET","urlPathPattern":"/things/.*"}"""));
        Assert.Equal(1, await CountAsync("""{"method":"GET","urlPath":"/things/2","queryParameters":{"color":{"equalTo":"red"}}}"""));
        Assert.Equal(1, await CountAsync("""{"method":"POST","urlPath":"/things/3","bodyPatterns":[{"equalToJson":{"a":1}}]}"""));
        Assert.Equal(4, await CountAsync("""{"method":"ANY"}"""));

        var unmatched = await JsonAsync(await admin.GetAsync($"{b}/__admin/requests/unmatched"));
        // Logged requests for find and unmatched, serve events for remove: WireMock's shapes (checked against its jar).
        Assert.Equal(["/nothing", "/things/3"], unmatched["requests"]!.AsArray().Select(r => r!["url"]!.GetValue<string>()).Order());
        var removed = await JsonAsync(await admin.PostAsync($"{b}/__admin/requests/remove", Payload("""{"method":"GET","urlPath":"/nothing"}""")));
        Assert.Equal("/nothing", Assert.Single(removed["serveEvents"]!.AsArray())!["request"]!["url"]!.GetValue<string>());
        Assert.Equal(3, await CountAsync("""{"method":"ANY"}"""));
        await JsonAsync(await admin.DeleteAsync($"{b}/__admin/requests"));
        Assert.Equal(0, await CountAsync("""{"method":"ANY"}"""));
    }

    [Fact]
    public async Task Admin_bodies_are_read_as_json_whatever_their_content_type_as_wiremock_does()
    {
        var (admin, b) = await ProjectAsync();
        var plain = new StringContent("""{"request":{"method":"GET","urlPath":"/p"},"response":{"status":200,"body":"plain"}}""");
        plain.Headers.ContentType = new MediaTypeHeaderValue("application/x-www-form-urlencoded"); // what curl -d sends
        await JsonAsync(await admin.PostAsync($"{b}/__admin/mappings", plain), HttpStatusCode.Created);
        Assert.Equal("plain", await Mock.GetStringAsync($"{b}/p"));
        var count = new StringContent("""{"method":"GET","urlPath":"/p"}""");
        count.Headers.ContentType = null;
        Assert.Equal(1, (await JsonAsync(await admin.PostAsync($"{b}/__admin/requests/count", count)))["count"]!.GetValue<int>());
    }

    [Fact]
    public async Task Scenarios_are_listed_moved_and_reset()
    {
        var (admin, b) = await ProjectAsync();
        foreach (var (required, next, body) in new[] { ("Started", "paid", "new"), ("paid", (string?)null, "paid") })
        {
            var mapping = new JsonObject
            {
                ["scenarioName"] = "order", ["requiredScenarioState"] = required,
                ["request"] = new JsonObject { ["method"] = "GET", ["urlPath"] = "/order" },
                ["response"] = new JsonObject { ["status"] = 200, ["body"] = body },
            };
            if (next is not null)
            {
                mapping["newScenarioState"] = next;
            }
            await JsonAsync(await admin.PostAsync($"{b}/__admin/mappings", Payload(mapping.ToJsonString())), HttpStatusCode.Created);
        }
        Assert.Equal("new", await (await Mock.GetAsync($"{b}/order")).Content.ReadAsStringAsync());
        Assert.Equal("paid", await (await Mock.GetAsync($"{b}/order")).Content.ReadAsStringAsync());
        var scenarios = await JsonAsync(await admin.GetAsync($"{b}/__admin/scenarios"));
        Assert.Equal("paid", scenarios["scenarios"]![0]!["state"]!.GetValue<string>());
        await JsonAsync(await admin.PostAsync($"{b}/__admin/scenarios/reset", null));
        Assert.Equal("new", await (await Mock.GetAsync($"{b}/order")).Content.ReadAsStringAsync());
        await JsonAsync(await admin.PutAsync($"{b}/__admin/scenarios/order/state", Payload("""{"state":"paid"}""")));
        Assert.Equal("paid", await (await Mock.GetAsync($"{b}/order")).Content.ReadAsStringAsync());
    }
}

/// <summary>A real WireMock client (npm wiremock-captain 4.1.3, run by Node) against a project over real Kestrel sockets.</summary>
public sealed class WireMockClientTests : IAsyncLifetime
{
    private ApiFactory _factory = null!;
    private HttpClient _client = null!;
    private string _address = "";

    public async Task InitializeAsync()
    {
        (_factory, var address) = ApiFactory.StartOnKestrel();
        _address = address.ToString().TrimEnd('/');
        _client = await new HttpClient { BaseAddress = address }.AsNewUserAsync();
    }

    public async Task DisposeAsync()
    {
        _client.Dispose();
        await _factory.DisposeAsync();
    }

    [Fact]
    public async Task Wiremock_captain_stubs_calls_verifies_and_resets_a_project()
    {
        var folder = await NodeClients.FolderAsync("wiremock-client", "wiremock-captain/package.json");
        var slug = (await _client.CreateProjectAsync()).GetProperty("slug").GetString()!;
        var key = (await (await _client.PostAsync("/api/v1/auth/keys", Payload("""{"name":"captain"}"""))).ReadJsonAsync()).GetProperty("key").GetString()!;
        var run = await NodeClients.RunAsync("node", $"captain.mjs {_address}/m/{slug}/ {key}", folder);
        Assert.True(run.Code == 0, run.Output);
        Assert.Contains("wiremock-captain: ok", run.Output);
    }
}
