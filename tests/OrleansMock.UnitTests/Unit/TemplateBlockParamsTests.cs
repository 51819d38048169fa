using OrleansMock.GrainInterfaces;
using OrleansMock.Grains.Matching;
using OrleansMock.Grains.Responses;
using OrleansMock.Grains.Safety;

namespace OrleansMock.Tests.Unit;

/// <summary>Block parameters named like Handlebars.Net's own variables are renamed before compiling, keeping the template's meaning.</summary>
public sealed class TemplateBlockParamsTests
{
    [Theory]
    [InlineData("{{#each (range 0 3) as |index|}}id: {{index}};{{/each}}", "{{#each (range 0 3) as |om_index|}}id: {{om_index}};{{/each}}")]
    [InlineData("{{#each request.query as |value key|}}{{key}}={{value}}{{/each}}", "{{#each request.query as |value om_key|}}{{om_key}}={{value}}{{/each}}")]
    [InlineData("{{#each x as |index|}}{{@index}} {{a.index}} {{lookup a 'index'}} {{f index=index}} {{index.name}}{{/each}}",
        "{{#each x as |om_index|}}{{@index}} {{a.index}} {{lookup a 'index'}} {{f index=om_index}} {{om_index.name}}{{/each}}")]
    [InlineData("index {{#each x as |i|}}{{index}}{{/each}}", "index {{#each x as |i|}}{{index}}{{/each}}")] // no such parameter: untouched
    public void Renames_only_paths_that_start_with_the_parameter(string text, string renamed)
    {
        Assert.Equal(renamed, TemplateBlockParams.Rename(text));
    }

    [Fact]
    public void Renamed_templates_render_as_written()
    {
        var model = new TemplateModel(new RequestView(new MockRequest("GET", "/t", null,
            Detail: new RequestDetail("?a=1&b=2", [], null, "/t", RequestParts.Query))), new Dictionary<string, string>());
        Assert.True(ResponseTemplate.TryCompile("{{#each request.query as |value key|}}{{key}}={{value}};{{/each}}|{{#each (range 0 2) as |index|}}{{index}}{{/each}}",
            "body", out var template, out var error), error);
        Assert.Equal("a=1;b=2;|012", template.Render(model, 1000, 1000, new WorkBudget(TimeSpan.FromSeconds(5))));
    }
}
