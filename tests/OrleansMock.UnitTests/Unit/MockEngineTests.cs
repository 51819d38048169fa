using System.Text;
using OrleansMock.GrainInterfaces;
using OrleansMock.Grains.Responses;
using OrleansMock.Grains.Routing;
using OrleansMock.Grains.Safety;

namespace OrleansMock.Tests.Unit;

/// <summary>Selection (priority, conditions, modes, scenarios), templates and delays, driven through the route table.</summary>
public sealed class MockEngineTests
{
    private static int _next;

    private static ResponseDefinition Response(string body, int status = 200, RequestMatch? when = null, ScenarioStep? scenario = null,
        bool template = false, int weight = 1, Dictionary<string, string>? headers = null) =>
        new(status, headers ?? [], body, null, 0, when, scenario, template, Weight: weight);

    private static EndpointInfo Endpoint(string method, string path, ResponseDefinition[] responses, int priority = 5, RequestMatch? request = null,
        ResponseMode mode = ResponseMode.First, string? pattern = null)
    {
        var at = DateTimeOffset.UnixEpoch.AddSeconds(Interlocked.Increment(ref _next));
        var spec = new EndpointSpec(method, pattern is null ? path : "", responses[0], pattern, priority, request, mode, responses);
        Assert.True(EndpointValidator.TryNormalize(spec, new MockLimits(), out var normalized, out var error), error);
        var endpoint = new EndpointInfo($"e_{_next}", normalized, 1, at, at);
        Assert.True(CompiledEndpoint.TryCompile(endpoint, out _, out error), error);
        return endpoint;
    }

    private static MockRequest Request(string method, string path, string? query = null, string? body = null, params (string, string)[] headers) =>
        new(method, path, null, Detail: new RequestDetail(query, headers.Select(h => KeyValuePair.Create(h.Item1, h.Item2)).ToArray(), body,
            path + query, RequestParts.Query | RequestParts.Headers | RequestParts.Body));

    private static MockResult Match(RouteTable table, MockRequest request, MockState? state = null, Random? random = null) =>
        table.Match(request, state ?? new MockState(), new WorkBudget(TimeSpan.FromSeconds(1)), new MockLimits(), random ?? new Random(1));

    private static string Body(MockResult result) => Encoding.UTF8.GetString(Assert.IsType<MockResult.Answered>(result).Response.Body);

    private static readonly RequestMatch OpenOnly = new(Query: new() { ["status"] = new(EqualTo: "open") });

    [Fact]
    public void Lower_priority_wins_over_specificity_and_conditions_decide_between_equal_paths()
    {
        var table = new RouteTable([
            Endpoint("GET", "/orders/{id}", [Response("\"any\"")]),
            Endpoint("GET", "/orders/{id}", [Response("\"open\"")], request: OpenOnly),
            Endpoint("GET", "/orders/special", [Response("\"special\"")], priority: 9),
            Endpoint("GET", "", [Response("\"pattern\"")], priority: 1, pattern: "/orders/[0-9]+"),
        ]);
        Assert.Equal("\"pattern\"", Body(Match(table, Request("GET", "/orders/42"))));
        Assert.Equal("\"open\"", Body(Match(table, Request("GET", "/orders/x", "?status=open"))));
        Assert.Equal("\"any\"", Body(Match(table, Request("GET", "/orders/x", "?status=closed"))));
        Assert.Equal("\"any\"", Body(Match(table, Request("GET", "/orders/special")))); // priority 5 beats the literal at 9
    }

    [Fact]
    public void Equal_priority_ties_keep_the_specificity_ranking_and_a_pattern_ranks_below_templates()
    {
        var table = new RouteTable([
            Endpoint("GET", "", [Response("\"pattern\"")], pattern: "/users/.*"),
            Endpoint("GET", "/users/{id}", [Response("\"template\"")]),
            Endpoint("GET", "/users/me", [Response("\"literal\"")]),
        ]);
        Assert.Equal("\"literal\"", Body(Match(table, Request("GET", "/users/me"))));
        Assert.Equal("\"template\"", Body(Match(table, Request("GET", "/users/7"))));
        Assert.Equal("\"pattern\"", Body(Match(table, Request("GET", "/users/7/orders"))));
    }

    [Fact]
    public void A_miss_names_the_closest_endpoint_and_the_first_condition_that_failed()
    {
        var table = new RouteTable([Endpoint("GET", "/orders", [Response("[]")], request: OpenOnly)]);
        var miss = Match(table, Request("GET", "/orders", "?status=closed"));
        Assert.Equal("query 'status': expected equalTo 'open', was 'closed'", Assert.IsType<MockResult.NoMatch>(miss).Closest!.Reason);
    }

    [Fact]
    public void First_mode_answers_the_first_response_whose_condition_holds_and_none_applying_is_a_miss()
    {
        var table = new RouteTable([Endpoint("POST", "/pay", [
            Response("\"big\"", when: new RequestMatch(Body: [new BodyMatcher(MatchesJsonPath: "$.items[?(@.amount > 100)]")])),
            Response("\"small\"", when: new RequestMatch(Body: [new BodyMatcher(MatchesJsonPath: "$.items[0].amount")])),
        ])]);
        Assert.Equal("\"big\"", Body(Match(table, Request("POST", "/pay", body: """{"items":[{"amount":500}]}"""))));
        Assert.Equal("\"small\"", Body(Match(table, Request("POST", "/pay", body: """{"items":[{"amount":5}]}"""))));
        var none = Match(table, Request("POST", "/pay", body: """{"other":1}"""));
        var missed = Assert.IsType<MockResult.NoMatch>(none);
        Assert.StartsWith("no response of the endpoint applies (response 0: body: JSONPath", missed.Closest!.Reason);
    }

    [Fact]
    public void Sequence_mode_cycles_in_order_and_wraps_around()
    {
        var table = new RouteTable([Endpoint("GET", "/s", [Response("1"), Response("2"), Response("3")], mode: ResponseMode.Sequence)]);
        var state = new MockState();
        Assert.Equal(["1", "2", "3", "1", "2"], Enumerable.Range(0, 5).Select(_ => Body(Match(table, Request("GET", "/s"), state))));
        state.Reset();
        Assert.Equal("1", Body(Match(table, Request("GET", "/s"), state)));
    }

    [Fact]
    public void Random_mode_follows_the_weights_within_tolerance()
    {
        var table = new RouteTable([Endpoint("GET", "/r", [Response("\"a\"", weight: 1), Response("\"b\"", weight: 3), Response("\"never\"", weight: 0)],
            mode: ResponseMode.Random)]);
        var random = new Random(42);
        var state = new MockState();
        var counts = Enumerable.Range(0, 4000).Select(_ => Body(Match(table, Request("GET", "/r"), state, random)))
            .GroupBy(b => b).ToDictionary(g => g.Key, g => g.Count());
        Assert.False(counts.ContainsKey("\"never\""));
        Assert.InRange(counts["\"b\""] / 4000.0, 0.72, 0.78);
    }

    [Fact]
    public void Only_an_answer_that_nothing_but_method_and_path_decides_is_marked_cacheable()
    {
        static bool Cacheable(MockResult result) => Assert.IsType<MockResult.Answered>(result).Cacheable;
        var table = new RouteTable([
            Endpoint("GET", "/static", [Response("\"s\"")]),
            Endpoint("GET", "/templated", [Response("\"{{request.path}}\"", template: true)]),
            Endpoint("GET", "/two", [Response("\"a\""), Response("\"b\"")], mode: ResponseMode.Sequence),
            Endpoint("GET", "/when", [Response("\"open\"", when: OpenOnly)]),
            Endpoint("GET", "/queried", [Response("\"q\"")], request: OpenOnly),
            Endpoint("GET", "/scenario", [Response("\"x\"", scenario: new ScenarioStep("flow", "Started", null))]),
            // The second endpoint answers /fallback only while the first (ranked above it) has no response for the state.
            Endpoint("GET", "/fallback", [Response("\"first\"", scenario: new ScenarioStep("gate", "Open", null))], priority: 1),
            Endpoint("GET", "/fallback", [Response("\"second\"")], priority: 2),
        ]);
        Assert.True(Cacheable(Match(table, Request("GET", "/static"))));
        Assert.False(Cacheable(Match(table, Request("GET", "/templated"))));
        Assert.False(Cacheable(Match(table, Request("GET", "/two"))));
        Assert.False(Cacheable(Match(table, Request("GET", "/when", "?status=open"))));
        Assert.False(Cacheable(Match(table, Request("GET", "/queried", "?status=open"))));
        Assert.False(Cacheable(Match(table, Request("GET", "/scenario"))));
        var second = Match(table, Request("GET", "/fallback"));
        Assert.Equal("\"second\"", Body(second));
        Assert.False(Cacheable(second));
    }

    [Fact]
    public void A_scenario_moves_through_its_states_as_wiremock_does()
    {
        var table = new RouteTable([
            Endpoint("GET", "/cart", [
                Response("\"empty\"", scenario: new ScenarioStep("checkout", "Started", null)),
                Response("\"full\"", scenario: new ScenarioStep("checkout", "Filled", null)),
            ]),
            Endpoint("POST", "/cart", [Response("\"added\"", status: 201, scenario: new ScenarioStep("checkout", "Started", "Filled"))]),
        ]);
        var state = new MockState();
        Assert.Equal("\"empty\"", Body(Match(table, Request("GET", "/cart"), state)));
        Assert.Equal("\"added\"", Body(Match(table, Request("POST", "/cart"), state)));
        Assert.Equal("Filled", state.ScenarioState("checkout"));
        Assert.Equal("\"full\"", Body(Match(table, Request("GET", "/cart"), state)));
        var again = Match(table, Request("POST", "/cart"), state); // requires Started
        var missed = Assert.IsType<MockResult.NoMatch>(again);
        Assert.Contains("scenario 'checkout' is in state 'Filled', the response needs 'Started'", missed.Closest!.Reason);
    }

    [Fact]
    public void A_template_renders_wiremocks_request_model_and_helpers()
    {
        var body = "\"{{request.method}} {{request.path}} id={{request.path.id}} seg={{request.pathSegments.[1]}} q={{request.query.q}} " +
            "h={{request.headers.x-name}} c={{request.cookies.k}} n={{jsonPath request.body '$.name'}} u={{request.url}} " +
            "r={{randomValue length=6 type='NUMERIC'}} d={{now format='yyyy'}} f={{faker 'name.firstName'}}\"";
        var table = new RouteTable([Endpoint("POST", "/items/{id}", [Response(body, template: true, headers: new() { ["X-Echo"] = "{{request.headers.x-name}}" })])]);
        var result = Match(table, Request("POST", "/items/7", "?q=hello", """{"name":"Ada"}""", ("X-Name", "zed"), ("Cookie", "k=v")));
        var text = Body(result);
        Assert.StartsWith("POST /items/7 id=7 seg=7 q=hello h=zed c=v n=Ada u=/items/7?q=hello r=", text);
        Assert.Matches(@"r=[0-9]{6} d=\d{4} f=\S+$", text);
        Assert.Contains(KeyValuePair.Create("X-Echo", "zed"), Assert.IsType<MockResult.Answered>(result).Response.Headers);
    }

    [Fact]
    public void A_template_that_does_not_compile_is_refused_naming_the_field()
    {
        var spec = new EndpointSpec("GET", "/t", Response("\"{{#if ok}}never closed\"", template: true));
        Assert.False(EndpointValidator.TryValidate(spec, new MockLimits(), out _, out var error));
        Assert.StartsWith("response.body is not a valid template", error);
    }

    public static TheoryData<EndpointSpec, string> BadSpecs => new()
    {
        { new("GET", "/a", Response("1"), PathPattern: "^/a$"), "give either path" },
        { new("GET", "", Response("1"), PathPattern: "(("), "pathPattern '((' is not a valid regular expression" },
        { new("GET", "/a", Response("1"), Priority: 0), "priority 0 must be between 1" },
        { new("GET", "/a", Response("1") with { Weight = -1 }), "response.weight -1 must be 0 or more" },
        { new("GET", "/a", Response("1") with { Delay = new DelaySpec(UniformLower: 50, UniformUpper: 10) }), "response.delay.uniform needs" },
        { new("GET", "/a", Response("1") with { Delay = new DelaySpec(Fixed: 1, LognormalMedian: 2) }), "response.delay takes one of" },
        { new("GET", "/a", Response("1"), Request: new RequestMatch(Headers: new() { ["x"] = new(Matches: "[") })), "request.headers.x.matches '[' is not a valid" },
        { new("GET", "/a", Response("1"), ResponseMode: ResponseMode.Random, Responses: [Response("1", weight: 0)]), "responseMode random needs" },
    };

    [Theory]
    [MemberData(nameof(BadSpecs))]
    public void A_bad_definition_is_refused_naming_the_field(EndpointSpec spec, string message)
    {
        Assert.False(EndpointValidator.TryValidate(spec, new MockLimits(), out _, out var error));
        Assert.Contains(message, error);
    }

    [Fact]
    public void Delays_are_drawn_from_their_distribution_and_bounded()
    {
        var random = new Random(7);
        Assert.Equal(50, DelaySampler.Sample(new DelaySpec(Fixed: 50), 0, 1000, random));
        Assert.Equal(30, DelaySampler.Sample(null, 30, 1000, random));
        var uniform = Enumerable.Range(0, 2000).Select(_ => DelaySampler.Sample(new DelaySpec(UniformLower: 10, UniformUpper: 90), 0, 1000, random)).ToList();
        Assert.InRange(uniform.Min(), 10, 15);
        Assert.InRange(uniform.Max(), 85, 90);
        Assert.InRange(uniform.Average(), 45, 55);
        var lognormal = Enumerable.Range(0, 4001).Select(_ => DelaySampler.Sample(new DelaySpec(LognormalMedian: 80, LognormalSigma: 0.4), 0, 100_000, random)).Order().ToList();
        Assert.InRange(lognormal[2000], 74, 86); // the median
        // The cap (MaxDelayMs): a long-tailed draw is cut at it, never beyond. With median 900 and sigma 3 about half of
        // the draws lie past 1,000 ms before the cap (raw, 400 draws reach ~10^5 ms), so the cap must be met and held.
        var capped = Enumerable.Range(0, 400).Select(_ => DelaySampler.Sample(new DelaySpec(LognormalMedian: 900, LognormalSigma: 3), 0, 1000, random)).ToList();
        Assert.Equal(1000, capped.Max());
        Assert.InRange(capped.Count(d => d == 1000), 120, 280);
        Assert.Equal(1000, DelaySampler.Sample(null, 5000, 1000, random)); // a legacy fixed delay over the cap, too
    }
}
