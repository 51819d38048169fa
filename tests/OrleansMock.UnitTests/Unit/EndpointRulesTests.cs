using System.Text;
using OrleansMock.GrainInterfaces;
using OrleansMock.Grains.Matching;
using OrleansMock.Grains.Projects;
using OrleansMock.Grains.Responses;
using OrleansMock.Grains.Routing;

namespace OrleansMock.Tests.Unit;

public sealed class EndpointRulesTests
{
    private static readonly MockLimits Limits = new() { MaxResponseHeaders = 3, MaxResponseBodyBytes = 64, MaxDelayMs = 1000 };

    private static EndpointSpec Spec(
        string method = "GET", string path = "/a", int status = 200, Dictionary<string, string>? headers = null,
        string? body = null, string? contentType = null, int delay = 0) =>
        new(method, path, new ResponseDefinition(status, headers ?? [], body, contentType, delay));

    private static string Error(EndpointSpec spec)
    {
        Assert.False(EndpointValidator.TryValidate(spec, Limits, out _, out var error));
        return error;
    }

    [Fact]
    public void Normalizes_method_case_and_trailing_slash()
    {
        Assert.True(EndpointValidator.TryNormalize(Spec(method: "get", path: "/a/"), Limits, out var spec, out _));
        Assert.Equal("GET", spec.Method);
        Assert.Equal("/a", spec.Path);
    }

    [Theory]
    [InlineData("", "method is required")]
    [InlineData("GE T", "not a valid HTTP method")]
    public void Rejects_bad_methods(string method, string expected) => Assert.Contains(expected, Error(Spec(method: method)));

    [Theory]
    [InlineData(99)]
    [InlineData(100)]
    [InlineData(600)]
    public void Rejects_statuses_outside_200_to_599(int status) => Assert.Contains("200 to 599", Error(Spec(status: status)));

    [Fact]
    public void Rejects_delay_over_the_limit() => Assert.Contains("between 0 and 1000", Error(Spec(delay: 1001)));

    [Fact]
    public void Rejects_too_many_headers() =>
        Assert.Contains("limit is 3", Error(Spec(headers: new() { ["A"] = "1", ["B"] = "1", ["C"] = "1", ["D"] = "1" })));

    [Theory]
    [InlineData("Content-Length", "set by the server")]
    [InlineData("Transfer-Encoding", "set by the server")]
    [InlineData("Bad Name", "not a valid HTTP header name")]
    public void Rejects_reserved_and_invalid_header_names(string name, string expected) =>
        Assert.Contains(expected, Error(Spec(headers: new() { [name] = "1" })));

    [Fact]
    public void Rejects_header_values_with_line_breaks() =>
        Assert.Contains("control character", Error(Spec(headers: new() { ["X-A"] = "1\r\nX-Injected: 1" })));

    [Fact]
    public void Rejects_headers_that_differ_only_in_case() =>
        Assert.Contains("given twice", Error(Spec(headers: new() { ["X-A"] = "1", ["x-a"] = "2" })));

    [Fact]
    public void Rejects_a_body_on_204() => Assert.Contains("cannot carry a body", Error(Spec(status: 204, body: "{}")));

    [Fact]
    public void Rejects_a_body_over_the_limit() => Assert.Contains("larger than the limit of 64", Error(Spec(body: $"\"{new string('x', 80)}\"")));

    [Fact]
    public void Rejects_conflicting_content_types() =>
        Assert.Contains("disagrees", Error(Spec(headers: new() { ["Content-Type"] = "text/plain" }, contentType: "text/html")));

    [Fact]
    public void Rejects_an_invalid_media_type() => Assert.Contains("not a valid media type", Error(Spec(contentType: "not a type")));

    [Fact]
    public void Moves_a_content_type_header_into_content_type()
    {
        Assert.True(EndpointValidator.TryNormalize(Spec(headers: new() { ["content-type"] = "text/csv", ["X-A"] = "1" }), Limits, out var spec, out _));
        Assert.Equal("text/csv", spec.Response.ContentType);
        Assert.Equal(["X-A"], spec.Response.Headers.Keys);
    }

    [Fact]
    public void Json_body_is_served_byte_exact_as_written()
    {
        var endpoint = RouteTableTests.Endpoint("GET", "/a", "{ \"id\" : 1,\n \"n\": [1, 2] }");
        var response = ResponseCompiler.Compile(endpoint);
        Assert.Equal("application/json", response.ContentType);
        Assert.Equal("{ \"id\" : 1,\n \"n\": [1, 2] }", Encoding.UTF8.GetString(response.Body));
    }

    [Fact]
    public void String_body_with_a_content_type_is_served_as_text()
    {
        var endpoint = RouteTableTests.Endpoint("GET", "/a", "\"<a>\\u00e9</a>\"", contentType: "application/xml");
        var response = ResponseCompiler.Compile(endpoint);
        Assert.Equal("application/xml", response.ContentType);
        Assert.Equal("<a>é</a>", Encoding.UTF8.GetString(response.Body));
    }

    [Fact]
    public void String_body_without_a_content_type_is_a_json_string()
    {
        var response = ResponseCompiler.Compile(RouteTableTests.Endpoint("GET", "/a", "\"hi\""));
        Assert.Equal("application/json", response.ContentType);
        Assert.Equal("\"hi\"", Encoding.UTF8.GetString(response.Body));
    }

    [Theory]
    [InlineData("My Shop API", "my-shop-api")]
    [InlineData("  --Ünïcode!! ", "n-code")]
    [InlineData("!!!", "project")]
    public void Slugify_derives_a_valid_slug(string name, string slug)
    {
        Assert.Equal(slug, ProjectRules.Slugify(name));
        Assert.Null(ProjectRules.CheckSlug(ProjectRules.Slugify(name)));
    }

    [Theory]
    [InlineData("Shop", "did you mean 'shop'")]
    [InlineData("-shop", "invalid")]
    [InlineData("p_abc", "invalid")]
    public void Slug_rules_explain_themselves(string slug, string expected) => Assert.Contains(expected, ProjectRules.CheckSlug(slug));
}
