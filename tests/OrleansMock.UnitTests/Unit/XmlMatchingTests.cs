using System.Text;
using OrleansMock.GrainInterfaces;
using OrleansMock.Grains.Matching;
using OrleansMock.Grains.Responses;
using OrleansMock.Grains.Safety;

namespace OrleansMock.Tests.Unit;

/// <summary>WireMock's XML matchers, and the bounds on what a tenant's XPath may cost (.NET cannot stop one midway).</summary>
public sealed class XmlMatchingTests
{
    private static RequestView Request(string body) =>
        new(new MockRequest("POST", "/x", null, Detail: new RequestDetail(null, [], body, "/x", RequestParts.Body)));

    private static BodyCondition Compile(BodyMatcher matcher)
    {
        Assert.True(BodyCondition.TryCompile(matcher, "body", out var condition, out var error), error);
        return condition;
    }

    [Fact]
    public void EqualToXml_ignores_layout_and_honours_the_ignore_placeholder()
    {
        var condition = Compile(new BodyMatcher(EqualToXml: "<m><id>${xmlunit.ignore}</id><c a=\"1\">Hi</c></m>"));
        var budget = new WorkBudget(TimeSpan.FromSeconds(5));
        Assert.Null(condition.Check(Request("<m>\n  <id>42</id>\n  <c a=\"1\">Hi</c>\n</m>"), budget));
        Assert.Contains("not equalToXml", condition.Check(Request("<m><id>42</id><c a=\"2\">Hi</c></m>"), budget));
        Assert.Contains("not XML", condition.Check(Request("<!DOCTYPE m [<!ENTITY e SYSTEM \"file:///etc/passwd\">]><m>&e;</m>"), budget));
    }

    [Theory]
    [InlineData("//a//b//c")] // three descendant steps: cubic in the document
    [InlineData("/a[b[c[d]]]")]
    public void An_XPath_that_could_run_without_bound_is_refused_when_saved(string expression)
    {
        Assert.False(BodyCondition.TryCompile(new BodyMatcher(MatchesXPath: expression), "body", out _, out var error));
        Assert.Contains("matchesXPath", error);
    }

    [Fact]
    public void A_body_with_too_many_nodes_is_not_searched()
    {
        var body = new StringBuilder("<r>");
        for (var i = 0; i < XPathGuard.MaxNodes; i++)
        {
            body.Append("<a><b/></a>");
        }
        var condition = Compile(new BodyMatcher(MatchesXPath: "//a[//b]"));
        var watch = System.Diagnostics.Stopwatch.StartNew();
        Assert.Contains("too many", condition.Check(Request(body.Append("</r>").ToString()), new WorkBudget(TimeSpan.FromSeconds(5))));
        Assert.True(watch.Elapsed < TimeSpan.FromSeconds(2), $"took {watch.Elapsed}");
    }

    [Fact]
    public void The_xPath_helper_keeps_the_same_bounds()
    {
        Assert.True(ResponseTemplate.TryCompile("{{xPath request.body '//a//b//c'}}", "body", out var template, out var error), error);
        var model = new TemplateModel(Request("<a><b><c>x</c></b></a>"), new Dictionary<string, string>());
        var failure = Assert.Throws<TemplateException>(() => template.Render(model, 1000, 1000, new WorkBudget(TimeSpan.FromSeconds(5))));
        Assert.Contains("'//' steps", failure.Message);
    }
}

/// <summary>equalToJson's order-free comparison is quadratic: its pairs are bounded (an attack: two large arrays).</summary>
public sealed class JsonEqualityBoundsTests
{
    [Fact]
    public void Large_arrays_compared_in_any_order_stop_at_the_pair_budget()
    {
        var expected = Newtonsoft.Json.Linq.JArray.FromObject(Enumerable.Range(0, 1000).Select(i => new { v = i }));
        var actual = Newtonsoft.Json.Linq.JArray.FromObject(Enumerable.Range(0, 1000).Reverse().Select(i => new { v = i }));
        var watch = System.Diagnostics.Stopwatch.StartNew();
        Assert.Contains("too large", JsonEquality.FirstDifference(expected, actual, ignoreArrayOrder: true, ignoreExtraElements: false));
        Assert.True(watch.Elapsed < TimeSpan.FromSeconds(1), $"took {watch.Elapsed}");
        Assert.Null(JsonEquality.FirstDifference(new Newtonsoft.Json.Linq.JArray(1, 2, 3), new Newtonsoft.Json.Linq.JArray(3, 1, 2), true, false));
    }
}
