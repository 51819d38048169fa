using OrleansMock.Grains.Matching;
using OrleansMock.Grains.Routing;

namespace OrleansMock.Tests.Unit;

public sealed class RouteTemplateTests
{
    [Theory]
    [InlineData("/users/{id}", "/users/{}")]
    [InlineData("/users/:id", "/users/{}")]
    [InlineData("/users/", "/users")]
    [InlineData("/", "/")]
    [InlineData("/a/{x}/b/:y", "/a/{}/b/{}")]
    public void Parses_braces_and_colon_parameters_to_one_shape(string path, string shape)
    {
        Assert.True(RouteTemplate.TryParse(path, 1024, out var template, out var error), error);
        Assert.Equal(shape, template.Shape);
    }

    [Theory]
    [InlineData("", "required")]
    [InlineData("users", "must start with '/'")]
    [InlineData("/users?x=1", "query strings")]
    [InlineData("/users//x", "empty segment")]
    [InlineData("/users/{a}-{b}", "one '{name}' at most")]
    [InlineData("/users/{id!}", "parameter name")]
    [InlineData("/users/:1id", "parameter name")]
    [InlineData("/a/{id}/b/{id}", "appears twice")]
    [InlineData("/a\tb", "tabs")]
    [InlineData("/a\nb", "line breaks")]
    public void Rejects_invalid_templates_with_a_reason(string path, string expected)
    {
        Assert.False(RouteTemplate.TryParse(path, 1024, out _, out var error));
        Assert.Contains(expected, error);
    }

    [Fact]
    public void A_space_is_a_path_character_as_OpenAPI_documents_write_paths()
    {
        // Prism's harness (routing/support-encoded-path): the request's %20, %3E, %7C and %25 arrive decoded.
        Assert.True(RouteTemplate.TryParse("/test path > with | unsafe % characters", 1024, out var template, out _));
        Assert.True(template.IsMatch(["test path > with | unsafe % characters"]));
        Assert.False(template.IsMatch(["test%20path"]));
    }

    [Theory]
    [InlineData("/path/{param}/foo", "/path//foo", "param")]
    [InlineData("/path/{param}/foo", "/path/x/foo", null)] // nothing empty
    [InlineData("/path/{param}/foo", "/other//foo", null)] // the rest does not match
    [InlineData("/path/v{param}/foo", "/path//foo", null)] // text around a parameter is never empty
    [InlineData("/a/{x}/{y}", "/a//", null)] // a trailing slash is no segment
    [InlineData("/a/{x}/{y}/b", "/a///b", "x")]
    public void An_empty_segment_names_the_parameter_it_leaves_empty(string path, string request, string? expected)
    {
        Assert.True(RouteTemplate.TryParse(path, 1024, out var template, out _));
        Assert.Equal(expected, template.EmptyParameter(RouteTemplate.SplitPath(request)));
    }

    [Fact]
    public void Rejects_templates_longer_than_the_limit()
    {
        Assert.False(RouteTemplate.TryParse("/" + new string('a', 20), 10, out _, out var error));
        Assert.Contains("limit is 10", error);
    }

    [Theory]
    [InlineData("/users/{id}", "/users/42", true)]
    [InlineData("/users/{id}", "/users/42/", true)]
    [InlineData("/users/{id}", "/users", false)]
    [InlineData("/users/{id}", "/Users/42", false)]
    [InlineData("/users/{id}", "/users/42/orders", false)]
    [InlineData("/", "/", true)]
    [InlineData("/users/me", "/users/me", true)]
    [InlineData("/report.{format}", "/report.json", true)] // a parameter between fixed text (OpenAPI paths)
    [InlineData("/report.{format}", "/report.", false)]
    [InlineData("/report.{format}", "/report", false)]
    [InlineData("/pets:{action}", "/pets:run", true)]
    [InlineData("/pets:{action}", "/pet:run", false)]
    [InlineData("/a/{b-id}", "/a/7", true)]
    public void Matches_segment_for_segment(string template, string path, bool expected)
    {
        RouteTemplate.TryParse(template, 1024, out var parsed, out _);
        Assert.Equal(expected, parsed.IsMatch(RouteTemplate.SplitPath(path)));
    }

    [Fact]
    public void Literal_beats_parameter_at_the_first_difference()
    {
        RouteTemplate.TryParse("/users/me/orders", 1024, out var literal, out _);
        RouteTemplate.TryParse("/users/{id}/orders", 1024, out var parameter, out _);
        RouteTemplate.TryParse("/{kind}/me/orders", 1024, out var laterLiteral, out _);
        Assert.True(literal.CompareSpecificity(parameter) > 0);
        Assert.True(parameter.CompareSpecificity(laterLiteral) > 0);
        Assert.Equal(0, literal.CompareSpecificity(literal));
    }

    [Fact]
    public void A_parameter_between_fixed_text_ranks_between_a_literal_and_a_whole_segment_and_yields_the_middle()
    {
        RouteTemplate.TryParse("/test/fixed", 1024, out var literal, out _);
        RouteTemplate.TryParse("/test/fixed.{format}", 1024, out var mixed, out _);
        RouteTemplate.TryParse("/test/{name}", 1024, out var whole, out _);
        Assert.True(literal.CompareSpecificity(mixed) > 0);
        Assert.True(mixed.CompareSpecificity(whole) > 0);
        Assert.Equal("/test/fixed.{}", mixed.Shape);
        Assert.Equal("json", mixed.Values(RouteTemplate.SplitPath("/test/fixed.json"))["format"]);
        RouteTemplate.TryParse("/a/x:{b-id}:y", 1024, out var hyphen, out _);
        Assert.Equal("7", hyphen.Values(RouteTemplate.SplitPath("/a/x:7:y"))["b-id"]);
    }
}
