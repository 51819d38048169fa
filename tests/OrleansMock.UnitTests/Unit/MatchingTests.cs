using Newtonsoft.Json.Linq;
using OrleansMock.GrainInterfaces;
using OrleansMock.Grains.Matching;
using OrleansMock.Grains.Safety;

namespace OrleansMock.Tests.Unit;

/// <summary>Every matcher and its negation, case-insensitivity, absent, JSON equality options, JSONPath filters and schema.</summary>
public sealed class MatchingTests
{
    private static WorkBudget Budget => new(TimeSpan.FromSeconds(1));

    private static RequestView Request(string? query = null, (string, string)[]? headers = null, string? body = null) =>
        new(new MockRequest("POST", "/orders/1", null, Detail: new RequestDetail(query, headers?.Select(h => KeyValuePair.Create(h.Item1, h.Item2)).ToArray(),
            body, null, RequestParts.Query | RequestParts.Headers | RequestParts.Body)));

    private static ValueCondition Value(ValueMatcher matcher)
    {
        Assert.True(ValueCondition.TryCompile(matcher, "m", out var condition, out var error), error);
        return condition;
    }

    public static TheoryData<ValueMatcher, string?, bool> ValueCases => new()
    {
        { new(EqualTo: "open"), "open", true },
        { new(EqualTo: "open"), "Open", false },
        { new(EqualTo: "open", CaseInsensitive: true), "OPEN", true },
        { new(EqualTo: "open"), null, false },
        { new(Contains: "pen"), "open", true },
        { new(Contains: "PEN", CaseInsensitive: true), "open", true },
        { new(Contains: "x"), "open", false },
        { new(DoesNotContain: "x"), "open", true },
        { new(DoesNotContain: "pe"), "open", false },
        { new(DoesNotContain: "x"), null, true }, // an absent value satisfies the negations and absent (WireMock 3's jar agrees)
        { new(DoesNotMatch: "x.*"), null, true },
        { new(Contains: "x"), null, false },
        { new(Matches: ".*"), null, false },
        { new(Matches: "[a-z]+"), "open", true },
        { new(Matches: "[a-z]+"), "open1", false }, // the whole value must match
        { new(Matches: "OP.*", CaseInsensitive: true), "open", true },
        { new(DoesNotMatch: "[0-9]+"), "open", true },
        { new(DoesNotMatch: "[a-z]+"), "open", false },
        { new(Absent: true), null, true },
        { new(Absent: true), "", false },
    };

    [Theory]
    [MemberData(nameof(ValueCases))]
    public void A_value_matcher_holds_as_wiremock_says(ValueMatcher matcher, string? value, bool holds)
    {
        var failure = Value(matcher).Check(value is null ? [] : [value], Budget);
        Assert.Equal(holds, failure is null);
    }

    [Fact]
    public void A_repeated_query_parameter_matches_when_any_value_does_and_the_failure_names_the_condition()
    {
        Assert.True(RequestConditions.TryCompile(new RequestMatch(Query: new() { ["status"] = new(EqualTo: "open") }), "request", 32, out var conditions, out _));
        Assert.Null(conditions.Check(Request("?status=closed&status=open"), Budget));
        Assert.Equal("query 'status': expected equalTo 'open', was 'closed'", conditions.Check(Request("?status=closed"), Budget));
        Assert.Equal("query 'status': expected equalTo 'open', was absent", conditions.Check(Request("?other=1"), Budget));
        Assert.Equal(RequestParts.Query, conditions.Needs);
    }

    [Fact]
    public void Header_names_are_case_insensitive_and_cookies_come_from_the_cookie_header()
    {
        Assert.True(RequestConditions.TryCompile(new RequestMatch(
            Headers: new() { ["x-tenant"] = new(EqualTo: "acme") },
            Cookies: new() { ["session"] = new(Matches: "s-[0-9]+") }), "request", 32, out var conditions, out _));
        Assert.Null(conditions.Check(Request(headers: [("X-Tenant", "acme"), ("Cookie", "a=1; session=s-42")]), Budget));
        // A session cookie is a secret (SecretNames): the miss names the condition, never the values (issue 30.5).
        Assert.Equal("cookie 'session': expected matches [redacted], was [redacted]",
            conditions.Check(Request(headers: [("X-Tenant", "acme"), ("Cookie", "session=s-x")]), Budget));
        Assert.StartsWith("header 'x-tenant'", conditions.Check(Request(headers: [("Cookie", "session=s-1")]), Budget));
    }

    public static TheoryData<string, string, bool, bool, bool> JsonCases => new()
    {
        { """{"a":1,"b":[1,2]}""", """{"b":[1,2],"a":1.0}""", false, false, true },
        { """{"a":1}""", """{"a":1,"extra":true}""", false, false, false },
        { """{"a":1}""", """{"a":1,"extra":true}""", false, true, true },
        { """[1,2,3]""", """[3,1,2]""", false, false, false },
        { """[1,2,3]""", """[3,1,2]""", true, false, true },
        { """[{"id":1},{"id":2}]""", """[{"id":2,"x":0},{"id":1}]""", true, true, true },
        { """[1,1]""", """[1,2]""", true, false, false },
        { """{"d":"2024-01-01T00:00:00Z"}""", """{"d":"2024-01-01T00:00:00Z"}""", false, false, true },
        { """{"a":"1"}""", """{"a":1}""", false, false, false },
    };

    [Theory]
    [MemberData(nameof(JsonCases))]
    public void Json_equality_honours_array_order_and_extra_elements(string expected, string actual, bool ignoreOrder, bool ignoreExtra, bool equal)
    {
        var difference = JsonEquality.FirstDifference(RequestView.ParseJson(expected).Token!, RequestView.ParseJson(actual).Token!, ignoreOrder, ignoreExtra);
        Assert.Equal(equal, difference is null);
    }

    public static TheoryData<BodyMatcher, string, bool> BodyCases => new()
    {
        { new(EqualTo: "hello"), "hello", true },
        { new(Contains: "ell"), "hello", true },
        { new(Matches: "h.*o"), "hello", true },
        { new(Matches: "h.*o"), "help", false },
        { new(EqualToJson: """{"qty":3}"""), """{ "qty" : 3 }""", true },
        { new(EqualToJson: """{"qty":3}"""), "not json", false },
        { new(MatchesJsonPath: "$.items[?(@.qty > 2)]"), """{"items":[{"qty":1},{"qty":5}]}""", true },
        { new(MatchesJsonPath: "$.items[?(@.qty > 2)]"), """{"items":[{"qty":1}]}""", false },
        { new(MatchesJsonPath: "$[?(@.amount > 100)]"), """{"amount":500}""", true }, // a filter on an object tests the object (Jayway, as WireMock)
        { new(MatchesJsonPath: "$[?(@.amount > 100)]"), """{"amount":5}""", false },
        { new(MatchesJsonPath: "$.order[?(@.amount > 100)]"), """{"order":{"amount":500}}""", true },
        { new(MatchesJsonPath: "$.order[?(@.amount > 100)]"), """{"order":{"amount":5}}""", false },
        { new(MatchesJsonPath: "$.customer.name", JsonPathValue: new(EqualTo: "Ada")), """{"customer":{"name":"Ada"}}""", true },
        { new(MatchesJsonPath: "$.customer.name", JsonPathValue: new(EqualTo: "Ada")), """{"customer":{"name":"Bob"}}""", false },
        { new(MatchesJsonPath: "$.tags", JsonPathValue: new(Contains: "\"b\"")), """{"tags":["a","b"]}""", true },
        { new(MatchesJsonSchema: """{"type":"object","required":["id"]}"""), """{"id":1}""", true },
        { new(MatchesJsonSchema: """{"type":"object","required":["id"]}"""), """{"name":"x"}""", false },
        // Jayway's functions on a filter's item; a string result is compared as a quoted literal.
        { new(MatchesJsonPath: "$.orders[?(@.items.length() >= 2)]"), """{"orders":[{"items":[1]},{"items":[1,2]}]}""", true },
        { new(MatchesJsonPath: "$.orders[?(@.items.length() >= 2)]"), """{"orders":[{"items":[1]}]}""", false },
        { new(MatchesJsonPath: "$[?(@.names.first() == 'O\\'Brien')]"), """{"names":["O'Brien","Ada"]}""", true },
        { new(MatchesJsonPath: "$[?(@.prices.max() > 10 && @.prices.min() < 2)]"), """{"prices":[1,5,20]}""", true },
        { new(MatchesJsonPath: "$[?(@.prices.sum() > 100)]"), """{"prices":[1,5,20]}""", false },
        // As WireMock: a body that is not JSON, or a scalar that fails as itself, is checked again as its text.
        { new(MatchesJsonSchema: """{"type":"string","maxLength":3}"""), "5", true },
        { new(MatchesJsonSchema: """{"type":"string","maxLength":3}"""), "plain", false },
        { new(MatchesJsonSchema: """{"type":"string","maxLength":5}"""), "plain", true },
        { new(MatchesJsonSchema: """{"type":"string"}"""), "[1]", false },
    };

    [Theory]
    [MemberData(nameof(BodyCases))]
    public void A_body_matcher_holds_as_wiremock_says(BodyMatcher matcher, string body, bool holds)
    {
        Assert.True(BodyCondition.TryCompile(matcher, "body[0]", out var condition, out var error), error);
        Assert.Equal(holds, condition.Check(Request(body: body), Budget) is null);
    }

    public static TheoryData<ValueMatcher?, string> BadValueMatchers => new()
    {
        { null, "m needs a matcher" },
        { new(), "m needs exactly one of" },
        { new(EqualTo: "a", Contains: "b"), "m gives equalTo and contains" },
        { new(Matches: "(unclosed"), "m.matches '(unclosed' is not a valid regular expression" },
        { new(Absent: false), "m.absent may only be true" },
    };

    [Theory]
    [MemberData(nameof(BadValueMatchers))]
    public void A_bad_value_matcher_is_refused_naming_the_field(ValueMatcher? matcher, string message)
    {
        Assert.False(ValueCondition.TryCompile(matcher, "m", out _, out var error));
        Assert.StartsWith(message, error);
    }

    [Fact]
    public void A_bad_body_matcher_is_refused_naming_the_field()
    {
        Assert.False(BodyCondition.TryCompile(new(MatchesJsonPath: "$.items[?(@.qty >"), "request.body[0]", out _, out var path));
        Assert.StartsWith("request.body[0].matchesJsonPath '$.items[?(@.qty >' is not a valid JSONPath", path);
        Assert.False(BodyCondition.TryCompile(new(EqualToJson: "{oops"), "request.body[1]", out _, out var json));
        Assert.StartsWith("request.body[1].equalToJson is not JSON", json);
        Assert.False(BodyCondition.TryCompile(new(MatchesJsonSchema: "[1]"), "request.body[2]", out _, out var schema));
        Assert.StartsWith("request.body[2].matchesJsonSchema is not a usable JSON Schema", schema);
        Assert.False(RequestConditions.TryCompile(new RequestMatch(Query: Enumerable.Range(0, 33).ToDictionary(i => $"q{i}", _ => new ValueMatcher(EqualTo: "x"))),
            "request", 32, out _, out var many));
        Assert.Equal("request has 33 conditions; the limit is 32", many);
    }

    [Fact]
    public void A_catastrophic_pattern_cannot_stall_matching()
    {
        var condition = Value(new ValueMatcher(Matches: "(a+)+$"));
        var started = System.Diagnostics.Stopwatch.StartNew();
        var failure = condition.Check([new string('a', 40) + "!"], Budget);
        Assert.NotNull(failure);
        Assert.True(started.Elapsed < TimeSpan.FromSeconds(2), $"took {started.Elapsed}");
    }

    [Fact]
    public void Dates_in_bodies_stay_strings()
    {
        Assert.Equal(JTokenType.String, RequestView.ParseJson("""{"d":"2024-01-01T00:00:00Z"}""").Token!["d"]!.Type);
    }
}
