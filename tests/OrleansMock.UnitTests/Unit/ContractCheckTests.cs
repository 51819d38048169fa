using System.Text;
using OrleansMock.GrainInterfaces;
using OrleansMock.Grains.Matching;
using OrleansMock.Grains.Safety;

namespace OrleansMock.Tests.Unit;

/// <summary>Which documented response an answer is checked against: its exact status, then its range (2XX), then default.</summary>
public sealed class ContractCheckTests
{
    private static readonly WorkBudget Budget = new(TimeSpan.FromSeconds(1));

    private static MockResponse Answer(int status, string body) => new()
    {
        Status = status, Headers = [], ContentType = "application/json", Body = Encoding.UTF8.GetBytes(body), DelayMs = 0, EndpointId = "e",
    };

    private static ContractCheck Compile(params ResponseRule[] responses) =>
        ContractCheck.TryCompile(new RequestContract([], null, false, responses), out _)!;

    [Fact]
    public void The_exact_status_wins_over_its_range_and_the_range_over_default()
    {
        var check = Compile(new("200", """{"type":"object","required":["id"]}"""), new("2XX", """{"type":"array"}"""), new("default", """{"type":"string"}"""));
        Assert.True(check.ChecksResponses);
        Assert.Null(check.CheckResponse(Answer(200, """{"id":1}"""), Budget));
        Assert.StartsWith("response 200 body: / type", check.CheckResponse(Answer(200, "[]"), Budget));
        Assert.Contains("required", check.CheckResponse(Answer(200, "{}"), Budget));
        Assert.Null(check.CheckResponse(Answer(201, "[]"), Budget));
        Assert.Null(check.CheckResponse(Answer(500, "\"oops\""), Budget));
        Assert.Contains("not JSON", check.CheckResponse(Answer(500, "oops"), Budget));
        Assert.Contains("has no body", check.CheckResponse(Answer(200, ""), Budget));
    }

    [Theory]
    [InlineData(null, 2)] // no Accept: the default answer
    [InlineData("", 2)]
    [InlineData("application/xml", 0)]
    [InlineData("application/json;q=0.8, application/xml", 0)]
    [InlineData("application/json;q=0.8, application/xml;q=0.9", 0)]
    [InlineData("application/xml, application/json", 0)] // the header's order, not the document's
    [InlineData("application/*", 2)] // the document's order among equals: json first here
    [InlineData("text/*;q=0.5, application/json;q=0.1", 1)]
    [InlineData("*/*", 2)]
    [InlineData("application/json; version=1", 2)] // a parameter no type has is ignored on a second try
    [InlineData("application/json;q=0, */*", 0)] // q=0 refuses json: the next offered type
    [InlineData("image/png", -1)] // nothing acceptable: 406
    public void The_Accept_header_chooses_among_a_responses_media_types_as_Prism_negotiates(string? accept, int expected)
    {
        var check = Compile(new ResponseRule("200", null, 2, [new("application/json", 2), new("application/xml", 0), new("text/plain", 1)]));
        var negotiated = check.Negotiate(accept is null ? Request() : Request(headers: ("Accept", accept)), 2);
        Assert.Equal(expected, negotiated?.Index ?? 2);
        Assert.Equal(expected < 0, negotiated?.NotAcceptable is not null);
    }

    [Fact]
    public void Without_default_an_undocumented_status_is_named_with_the_documented_ones()
    {
        var check = Compile(new("200", null), new("404", null));
        Assert.Null(check.CheckResponse(Answer(404, "anything"), Budget)); // no schema: any body
        Assert.Equal("status 418 is not a documented response (200, 404)", check.CheckResponse(Answer(418, "{}"), Budget));
        Assert.False(Compile().ChecksResponses);
    }

    private static RequestView Request(string query = "", params (string Name, string Value)[] headers) =>
        new(new MockRequest("GET", "/", null, Detail: new RequestDetail(query, [.. headers.Select(h => KeyValuePair.Create(h.Name, h.Value))], null, "/", RequestParts.Query | RequestParts.Headers)));

    [Theory]
    [InlineData("form", true, "?offset=1&limit=25", 0)]
    [InlineData("form", true, "?offset=x&limit=25", 1)]      // each member read as its type
    [InlineData("form", true, "?other=1", 1)]                // required, and none of its members came
    [InlineData("form", false, "?page=offset,1,limit,25", 0)]
    [InlineData("form", false, "?page=offset,x,limit,y", 2)]
    [InlineData("deepObject", true, "?page[offset]=1&page[limit]=25", 0)]
    [InlineData("deepObject", true, "?page[offset]=one", 1)]
    public void Object_query_parameters_are_read_as_their_style_writes_them(string style, bool explode, string query, int violations)
    {
        var check = ContractCheck.TryCompile(new RequestContract([
            new("query", "page", true, """{"type":"object","properties":{"offset":{"type":"integer"},"limit":{"type":"integer"}}}""", explode, style)], null, false), out _)!;
        Assert.Equal(violations, check.Check(Request(query), null, Budget).Violations.Length);
    }

    [Theory]
    [InlineData("pipeDelimited", "?names=a|b", 0)]
    [InlineData("pipeDelimited", "?names=a,b", 1)] // one item "a,b": fewer than minItems
    [InlineData("spaceDelimited", "?names=a%20b", 0)]
    public void Delimited_arrays_split_by_their_styles_delimiter(string style, string query, int violations)
    {
        var check = ContractCheck.TryCompile(new RequestContract([
            new("query", "names", true, """{"type":"array","minItems":2,"items":{"type":"string"}}""", false, style)], null, false), out _)!;
        Assert.Equal(violations, check.Check(Request(query), null, Budget).Violations.Length);
    }

    [Theory]
    [InlineData(true, "?tags=dog&tags=cat&ids=1&ids=2", 0)]
    [InlineData(true, "?ids=1&ids=x", 1)]      // each item is read as its type
    [InlineData(false, "?tags=dog,cat&ids=1,2", 0)]
    public void Array_parameters_come_repeated_or_comma_separated_as_their_explode_says(bool explode, string query, int violations)
    {
        var check = ContractCheck.TryCompile(new RequestContract([
            new("query", "tags", false, """{"type":"array","items":{"type":"string"}}""", explode),
            new("query", "ids", false, """{"type":"array","items":{"type":"integer"}}""", explode)], null, false), out _)!;
        Assert.Equal(violations, check.Check(Request(query), null, Budget).Violations.Length);
    }

    [Fact]
    public void Prefer_asks_for_a_documented_code_as_a_whole_token_and_default_serves_the_others()
    {
        var check = Compile(new("200", null, 1), new("203", null, 0), new("default", null, 2));
        Assert.Equal((0, 203, null), check.Preferred(Request(headers: ("Prefer", "code=203"))));
        Assert.Equal((0, 203, null), check.Preferred(Request(headers: ("Prefer", "wait=5, CODE=203"))));
        Assert.Equal((2, 500, null), check.Preferred(Request(headers: ("Prefer", "code=500")))); // default, with the code asked for
        Assert.Equal(422, check.Preferred(Request(headers: ("Prefer", "code=2030")))!.Value.Status); // no HTTP status: not the 203
        Assert.Equal(404, check.Preferred(Request(headers: ("Prefer", "example=foo")))!.Value.Status); // no such example
        Assert.Null(check.Preferred(Request(headers: ("Prefer", "respond-async"))));
        Assert.Equal((2, 500, null), check.Preferred(Request("?__code=500"))); // Prism's query form
        Assert.Equal(404, Compile(new ResponseRule("200", null, 0)).Preferred(Request(headers: ("Prefer", "code=418"))) is { Refusal: not null } refused ? refused.Status : 0);
        Assert.Equal((1, 400), Compile(new("400", null, 1), new("default", null, 2)).Refusal(422)); // 422 undocumented: the 400
        Assert.Equal((2, 415), Compile(new("400", null, 1), new("default", null, 2)).Refusal(415));
    }
}
