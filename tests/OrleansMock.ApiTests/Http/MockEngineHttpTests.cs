using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using System.Text;
using System.Text.Json;
using static OrleansMock.Tests.Http.HttpHelpers;

namespace OrleansMock.Tests.Http;

/// <summary>The mock engine through the real front end: conditions, responses, scenarios, templates, diagnostics, the request log.</summary>
[Collection(ApiCollection.Name)]
public sealed class MockEngineHttpTests(ApiFixture fixture)
{
    private HttpClient Client => fixture.Client;

    private async Task<string> ProjectAsync() => (await Client.CreateProjectAsync()).GetProperty("slug").GetString()!;

    private Task<JsonElement> EndpointAsync(string project, object endpoint) => Client.CreateEndpointAsync(project, JsonSerializer.Serialize(endpoint));

    [Fact]
    public async Task Query_header_cookie_and_body_conditions_choose_the_endpoint_and_a_miss_names_the_failed_condition()
    {
        var project = await ProjectAsync();
        await EndpointAsync(project, new { method = "POST", path = "/orders", response = new { status = 400, body = new { error = "fallback" } } });
        await EndpointAsync(project, new
        {
            method = "POST", path = "/orders",
            request = new
            {
                query = new { dryRun = new { equalTo = "true" } },
                headers = new Dictionary<string, object> { ["X-Tenant"] = new { equalTo = "acme", caseInsensitive = true } },
                cookies = new { session = new { matches = "s-[0-9]+" } },
                body = new object[] { new { matchesJsonPath = "$.items[?(@.qty > 2)]" }, new { matchesJsonPath = new { expression = "$.customer", equalTo = "ada" } } },
            },
            response = new { status = 201, body = new { ok = true } },
        });
        await EndpointAsync(project, new { method = "GET", path = "/only-open", request = new { query = new { status = new { equalTo = "open" } } }, response = new { body = "open" } });

        using var matching = new HttpRequestMessage(HttpMethod.Post, $"/m/{project}/orders?dryRun=true")
        {
            Content = new StringContent("""{"customer":"ada","items":[{"qty":1},{"qty":3}]}""", Encoding.UTF8, "application/json"),
        };
        matching.Headers.Add("X-Tenant", "ACME");
        matching.Headers.Add("Cookie", "session=s-42");
        var matched = await Client.SendAsync(matching);
        Assert.Equal(HttpStatusCode.Created, matched.StatusCode);

        var fallback = await Client.PostAsync($"/m/{project}/orders?dryRun=true", Payload("""{"customer":"ada","items":[{"qty":1}]}"""));
        Assert.Equal(HttpStatusCode.BadRequest, fallback.StatusCode);

        var miss = await Client.GetAsync($"/m/{project}/only-open?status=closed");
        Assert.EndsWith("query 'status': expected equalTo 'open', was 'closed'", await miss.AssertProblemAsync(HttpStatusCode.NotFound));
        var log = await (await Client.GetAsync($"/api/v1/projects/{project}/requests?limit=1")).ReadJsonAsync();
        Assert.Contains("expected equalTo 'open', was 'closed'", log.GetProperty("items")[0].GetProperty("miss").GetString());
    }

    [Fact]
    public async Task Sequence_responses_cycle_exactly_across_requests_and_the_log_names_the_response()
    {
        var project = await ProjectAsync();
        var endpoint = await EndpointAsync(project, new
        {
            method = "GET", path = "/poll", responseMode = "sequence",
            responses = new object[] { new { status = 202, body = "pending" }, new { status = 202, body = "running" }, new { status = 200, body = "done" } },
        });
        Assert.Equal("sequence", endpoint.GetProperty("responseMode").GetString());
        Assert.Equal(3, endpoint.GetProperty("responses").GetArrayLength());
        var bodies = new List<string>();
        for (var i = 0; i < 4; i++)
        {
            bodies.Add(await Client.GetStringAsync($"/m/{project}/poll"));
        }
        Assert.Equal(["\"pending\"", "\"running\"", "\"done\"", "\"pending\""], bodies);
        var log = await (await Client.GetAsync($"/api/v1/projects/{project}/requests?limit=1")).ReadJsonAsync();
        Assert.Equal(0, log.GetProperty("items")[0].GetProperty("responseIndex").GetInt32());
    }

    [Fact]
    public async Task A_scenario_moves_on_and_can_be_listed_set_and_reset()
    {
        var project = await ProjectAsync();
        await EndpointAsync(project, new
        {
            method = "GET", path = "/cart",
            responses = new object[]
            {
                new { body = "empty", scenario = new { name = "checkout", requiredState = "Started" } },
                new { body = "paid", scenario = new { name = "checkout", requiredState = "Paid" } },
            },
        });
        await EndpointAsync(project, new { method = "POST", path = "/pay", response = new { status = 204, scenario = new { name = "checkout", requiredState = "Started", newState = "Paid" } } });

        Assert.Equal("\"empty\"", await Client.GetStringAsync($"/m/{project}/cart"));
        Assert.Equal(HttpStatusCode.NoContent, (await Client.PostAsync($"/m/{project}/pay", null)).StatusCode);
        Assert.Equal("\"paid\"", await Client.GetStringAsync($"/m/{project}/cart"));
        var scenarios = await (await Client.GetAsync($"/api/v1/projects/{project}/scenarios")).ReadJsonAsync();
        Assert.Equal("Paid", scenarios.GetProperty("items")[0].GetProperty("state").GetString());

        Assert.Equal(HttpStatusCode.NoContent, (await Client.PostAsync($"/api/v1/projects/{project}/scenarios/reset", null)).StatusCode);
        Assert.Equal("\"empty\"", await Client.GetStringAsync($"/m/{project}/cart"));
        Assert.Equal(HttpStatusCode.OK, (await Client.PutAsync($"/api/v1/projects/{project}/scenarios/checkout/state", Payload("""{"state":"Paid"}"""))).StatusCode);
        Assert.Equal("\"paid\"", await Client.GetStringAsync($"/m/{project}/cart"));
        await (await Client.PutAsync($"/api/v1/projects/{project}/scenarios/checkout/state", Payload("""{"state":"Nowhere"}"""))).AssertProblemAsync(HttpStatusCode.BadRequest);
        await (await Client.PutAsync($"/api/v1/projects/{project}/scenarios/none/state", Payload("""{"state":"Paid"}"""))).AssertProblemAsync(HttpStatusCode.NotFound);
    }

    [Fact]
    public async Task A_template_renders_from_the_request()
    {
        var project = await ProjectAsync();
        await EndpointAsync(project, new
        {
            method = "POST", path = "/users/{id}",
            response = new
            {
                status = 201, template = true,
                headers = new Dictionary<string, string> { ["Location"] = "/users/{{request.path.id}}" },
                body = new { id = "{{request.path.id}}", name = "{{jsonPath request.body '$.name'}}", q = "{{request.query.q}}", agent = "{{request.headers.x-agent}}" },
            },
        });
        using var request = new HttpRequestMessage(HttpMethod.Post, $"/m/{project}/users/7?q=a%20b") { Content = Payload("""{"name":"Ada"}""") };
        request.Headers.Add("X-Agent", "tests");
        var response = await Client.SendAsync(request);
        Assert.Equal(HttpStatusCode.Created, response.StatusCode);
        Assert.Equal("/users/7", response.Headers.Location!.ToString());
        var body = await response.ReadJsonAsync();
        Assert.Equal(("7", "Ada", "a b", "tests"), (body.GetProperty("id").GetString(), body.GetProperty("name").GetString(),
            body.GetProperty("q").GetString(), body.GetProperty("agent").GetString()));
    }

    [Fact]
    public async Task A_template_that_fails_on_a_request_is_a_422_naming_the_cause_never_a_500()
    {
        var project = await ProjectAsync();
        await EndpointAsync(project, new { method = "GET", path = "/t", response = new { template = true, body = "{{now offset=request.query.o}}" } });
        var detail = await (await Client.GetAsync($"/m/{project}/t?o=soon")).AssertProblemAsync(HttpStatusCode.UnprocessableEntity);
        Assert.Contains("now: offset 'soon' should read like '3 days'", detail);
    }

    [Fact]
    public async Task Endpoints_that_differ_only_in_conditions_or_priority_coexist_and_exact_duplicates_conflict()
    {
        var project = await ProjectAsync();
        await EndpointAsync(project, new { method = "GET", path = "/a/{id}", response = new { body = 1 } });
        await EndpointAsync(project, new { method = "GET", path = "/a/{x}", priority = 1, response = new { body = 2 } });
        await EndpointAsync(project, new { method = "GET", path = "/a/{x}", request = new { headers = new { x = new { absent = true } } }, response = new { body = 3 } });
        var duplicate = await Client.PostAsync($"/api/v1/projects/{project}/endpoints", Payload(JsonSerializer.Serialize(new { method = "GET", path = "/a/{y}", response = new { body = 4 } })));
        await duplicate.AssertProblemAsync(HttpStatusCode.Conflict);
    }

    [Fact]
    public async Task The_same_request_defined_with_response_and_with_responses_conflicts()
    {
        // Accepted twice (201 both ways) before, and the second could never answer (issue 33.3).
        var project = await ProjectAsync();
        await EndpointAsync(project, new { method = "GET", path = "/same", response = new { body = 1 } });
        var again = await Client.PostAsync($"/api/v1/projects/{project}/endpoints",
            Payload(JsonSerializer.Serialize(new { method = "GET", path = "/same", responses = new[] { new { body = 2 } } })));
        await again.AssertProblemAsync(HttpStatusCode.Conflict);
        var other = await ProjectAsync();
        await EndpointAsync(other, new { method = "GET", path = "/same", responses = new[] { new { body = 2 } } });
        var single = await Client.PostAsync($"/api/v1/projects/{other}/endpoints", Payload(JsonSerializer.Serialize(new { method = "GET", path = "/same", response = new { body = 1 } })));
        await single.AssertProblemAsync(HttpStatusCode.Conflict);
    }

    public static TheoryData<string, string> BadEndpoints => new()
    {
        { """{"method":"GET","path":"/a","request":{"query":{"q":{"equalsTo":"x"}}},"response":{}}""", "equalsTo" },
        { """{"method":"GET","path":"/a","request":{"query":{"q":{"matches":"(("}}},"response":{}}""", "request.query.q.matches '((' is not a valid regular expression" },
        { """{"method":"GET","path":"/a","request":{"body":[{"matchesJsonPath":"$.["}]},"response":{}}""", "request.body[0].matchesJsonPath" },
        { """{"method":"GET","path":"/a","responses":[{"weight":-1}]}""", "responses[0].weight -1 must be 0 or more" },
        { """{"method":"GET","path":"/a","pathPattern":"/a","response":{}}""", "give either path" },
        { """{"method":"GET","path":"/a","response":{"template":true,"body":"{{#each x}}"}}""", "response.body is not a valid template" },
        { """{"method":"GET","path":"/a","response":{"fault":"EXPLODE"}}""", "response.fault 'EXPLODE' is not one of" },
        { """{"method":"GET","path":"/a","responseMode":"shuffle","response":{}}""", "responseMode" },
        { """{"method":"GET","path":"/a","response":{},"responses":[{}]}""", "not both" },
    };

    [Theory]
    [MemberData(nameof(BadEndpoints))]
    public async Task A_bad_definition_is_a_400_naming_the_field(string json, string named)
    {
        var project = await ProjectAsync();
        var response = await Client.PostAsync($"/api/v1/projects/{project}/endpoints", Payload(json));
        Assert.Contains(named, await response.AssertProblemAsync(HttpStatusCode.BadRequest));
    }

    [Fact]
    public async Task A_catastrophic_pattern_answers_quickly_with_a_clear_problem()
    {
        var project = await ProjectAsync();
        await EndpointAsync(project, new { method = "GET", path = "/r", request = new { query = new { q = new { matches = "(a+)+(?=b)" } } }, response = new { body = 1 } });
        var started = Stopwatch.StartNew();
        var response = await Client.GetAsync($"/m/{project}/r?q={new string('a', 5000)}c");
        Assert.True(started.Elapsed < TimeSpan.FromSeconds(5), $"took {started.Elapsed}");
        Assert.True(response.StatusCode is HttpStatusCode.NotFound or HttpStatusCode.UnprocessableEntity, response.StatusCode.ToString());
    }
}

/// <summary>Faults and delays as a real client sees them, over real Kestrel sockets.</summary>
public sealed class MockFaultTests : IAsyncLifetime
{
    private ApiFactory _factory = null!;
    private HttpClient _client = null!;
    private Uri _address = null!;

    public async Task InitializeAsync()
    {
        (_factory, _address) = ApiFactory.StartOnKestrel();
        _client = await new HttpClient { BaseAddress = _address }.AsNewUserAsync();
    }

    public async Task DisposeAsync()
    {
        _client.Dispose();
        await _factory.DisposeAsync();
    }

    private async Task<string> EndpointAsync(object response)
    {
        var slug = (await _client.CreateProjectAsync()).GetProperty("slug").GetString()!;
        await _client.CreateEndpointAsync(slug, JsonSerializer.Serialize(new { method = "GET", path = "/f", response }));
        return $"/m/{slug}/f";
    }

    /// <summary>What a raw HTTP/1.1 client reads: the bytes before the server closed, and whether it was reset.</summary>
    private async Task<(byte[] Received, bool Reset)> RawGetAsync(string path)
    {
        using var socket = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
        await socket.ConnectAsync(IPAddress.Loopback, _address.Port);
        await socket.SendAsync(Encoding.ASCII.GetBytes($"GET {path} HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n"));
        var received = new MemoryStream();
        var buffer = new byte[4096];
        try
        {
            using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(10));
            while (await socket.ReceiveAsync(buffer, SocketFlags.None, timeout.Token) is var n and > 0)
            {
                received.Write(buffer, 0, n);
            }
            return (received.ToArray(), false);
        }
        catch (SocketException exception) when (exception.SocketErrorCode == SocketError.ConnectionReset)
        {
            return (received.ToArray(), true);
        }
    }

    [Fact]
    public async Task Connection_reset_by_peer_resets_the_connection()
    {
        var (received, reset) = await RawGetAsync(await EndpointAsync(new { fault = "CONNECTION_RESET_BY_PEER" }));
        Assert.True(reset, $"expected a TCP reset, received {received.Length} bytes and a clean close");
        Assert.Empty(received);
        var again = await EndpointAsync(new { fault = "CONNECTION_RESET_BY_PEER" });
        await Assert.ThrowsAsync<HttpRequestException>(() => _client.GetAsync(again));
    }

    [Fact]
    public async Task Empty_response_closes_without_a_byte()
    {
        var (received, reset) = await RawGetAsync(await EndpointAsync(new { fault = "EMPTY_RESPONSE" }));
        Assert.Empty(received);
        Assert.False(reset, "an empty response closes the connection cleanly (curl: 52 Empty reply from server), it does not reset it");
    }

    [Fact]
    public async Task Malformed_response_chunk_sends_a_status_line_then_a_broken_chunk()
    {
        var path = await EndpointAsync(new { fault = "MALFORMED_RESPONSE_CHUNK" });
        var (received, _) = await RawGetAsync(path);
        Assert.StartsWith("HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n", Encoding.ASCII.GetString(received));
        var exception = await Assert.ThrowsAnyAsync<Exception>(async () => await (await _client.GetAsync(path)).Content.ReadAsStringAsync());
        Assert.True(exception is HttpRequestException or IOException, exception.GetType().Name);
    }

    [Fact]
    public async Task Random_data_then_close_sends_bytes_that_are_not_http()
    {
        var (received, _) = await RawGetAsync(await EndpointAsync(new { fault = "RANDOM_DATA_THEN_CLOSE" }));
        Assert.Equal(1024, received.Length);
        Assert.False(Encoding.ASCII.GetString(received).StartsWith("HTTP/", StringComparison.Ordinal));
    }

    [Fact]
    public async Task A_dribbled_body_arrives_whole_over_the_given_time_and_a_fixed_delay_waits()
    {
        var dribbled = await EndpointAsync(new { body = new string('x', 100), chunkedDribbleDelay = new { numberOfChunks = 5, totalDuration = 1000 } });
        var started = Stopwatch.StartNew();
        Assert.Equal($"\"{new string('x', 100)}\"", await _client.GetStringAsync(dribbled));
        Assert.InRange(started.ElapsedMilliseconds, 950, 5000); // the whole total duration (0.8 s before: issue 33.10)
        // README's example: 8 bytes in 5 pieces over 1,000 ms (4 pieces over 0.6 s before).
        var small = await EndpointAsync(new { body = "slowly", chunkedDribbleDelay = new { numberOfChunks = 5, totalDuration = 1000 } });
        started.Restart();
        Assert.Equal("\"slowly\"", await _client.GetStringAsync(small));
        Assert.InRange(started.ElapsedMilliseconds, 950, 5000);

        var delayed = await EndpointAsync(new { body = 1, delay = new { @fixed = 300 } });
        started.Restart();
        Assert.Equal("1", await _client.GetStringAsync(delayed));
        Assert.InRange(started.ElapsedMilliseconds, 280, 5000);
    }
}
