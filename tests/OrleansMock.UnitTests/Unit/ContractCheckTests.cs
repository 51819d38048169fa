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

    [Fact]
    public void Without_default_an_undocumented_status_is_named_with_the_documented_ones()
    {
        var check = Compile(new("200", null), new("404", null));
        Assert.Null(check.CheckResponse(Answer(404, "anything"), Budget)); // no schema: any body
        Assert.Equal("status 418 is not a documented response (200, 404)", check.CheckResponse(Answer(418, "{}"), Budget));
        Assert.False(Compile().ChecksResponses);
    }
}
