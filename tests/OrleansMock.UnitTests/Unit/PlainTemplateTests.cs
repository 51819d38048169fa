using OrleansMock.GrainInterfaces;
using OrleansMock.Grains.Matching;
using OrleansMock.Grains.Responses;
using OrleansMock.Grains.Safety;

namespace OrleansMock.Tests.Unit;

/// <summary>
/// Templates that only put request fields into text are rendered without Handlebars (<see cref="PlainTemplate"/>):
/// each case is rendered both ways, on the same requests, and must print exactly what Handlebars prints.
/// </summary>
public sealed class PlainTemplateTests
{
    private static readonly MockRequest[] Requests =
    [
        new("GET", "/items/42", null, Detail: new RequestDetail("?q=a%20b&q=second&empty=&x-y=1", [
            KeyValuePair.Create("Accept", "application/json"), KeyValuePair.Create("X-Request-Id", "req-7"), KeyValuePair.Create("X-Many", "one"),
            KeyValuePair.Create("X-Many", "two"), KeyValuePair.Create("X_Under", "u")], null, "/items/42?q=a%20b&q=second&empty=&x-y=1",
            RequestParts.Query | RequestParts.Headers)),
        new("POST", "/items/caf%C3%A9", null),
        new("DELETE", "/", null, Detail: new RequestDetail(null, [], null, "/", RequestParts.Headers)),
    ];

    public static TheoryData<string> Plain =>
    [
        "",
        "no expressions at all",
        "{{request.method}}",
        "{{request.url}}",
        "{{request.path}}",
        "{{request.path.id}}",
        "{{request.path.missing}}",
        "{{request.query.q}}",
        "{{request.query.empty}}",
        "{{request.query.absent}}",
        "{{request.query.x-y}}",
        "{{request.headers.Accept}}",
        "{{request.headers.accept}}",
        "{{request.headers.X-Request-Id}}",
        "{{request.headers.X-Many}}",
        "{{request.headers.X_Under}}",
        "{{request.headers.Missing}}",
        "{\"id\": \"{{request.path.id}}\", \"kind\": \"item\", \"nested\": {\"a\": {\"b\": 1}}}",
        "{\"m\":\"{{request.method}}\"}}} }} {",
        "a \\ backslash, a } brace, {{request.method}}\\n and <html> & \"quotes\"",
        "{{request.method}}{{request.path}}{{request.query.q}}",
        "line one\n  {{request.path.id}}\nline three\r\n",
        "{{originalRequest.method}} {{originalRequest.path.id}}",
        "ünïcödé {{request.path.id}} ✓",
    ];

    public static TheoryData<string> NotPlain =>
    [
        "{{{request.method}}}",
        "\\{{request.method}}",
        "{{ request.method }}",
        "{{~request.method}}",
        "{{request.method~}}",
        "{{request.method}}}",
        "{{request.body}}",
        "{{request.id}}",
        "{{request.pathSegments.[0]}}",
        "{{request.path.[0]}}",
        "{{request.path.0}}",
        "{{request.query.q.1}}",
        "{{request.query.length}}",
        "{{request.headers.this}}",
        "{{request.cookies.a}}",
        "{{capitalize request.method}}",
        "{{#if request.method}}x{{/if}}",
        "{{! a comment }}",
        "{{parameters.a}}",
        "{{request}}",
    ];

    [Theory]
    [MemberData(nameof(Plain))]
    public void Renders_what_Handlebars_renders(string text)
    {
        Assert.True(ResponseTemplate.TryCompile(text, "body", out var plain, out var error), error);
        Assert.True(plain.IsPlain, $"'{text}' should be rendered without Handlebars");
        Assert.True(ResponseTemplate.TryCompileWithHandlebars(text, "body", out var handlebars, out error), error);
        Assert.False(handlebars.IsPlain);
        foreach (var request in Requests)
        {
            foreach (var root in new[] { TemplateModel.RequestRoot, TemplateModel.WebhookRoot })
            {
                var parameters = new Dictionary<string, string> { ["id"] = request.Path.TrimStart('/') };
                Assert.Equal(Render(handlebars, request, parameters, root), Render(plain, request, parameters, root));
            }
        }
    }

    [Theory]
    [MemberData(nameof(NotPlain))]
    public void Leaves_everything_else_to_Handlebars(string text)
    {
        if (ResponseTemplate.TryCompile(text, "body", out var template, out _))
        {
            Assert.False(template.IsPlain, $"'{text}' needs Handlebars");
        }
    }

    [Fact]
    public void A_plain_render_longer_than_the_limit_is_refused_as_a_Handlebars_one_is()
    {
        Assert.True(ResponseTemplate.TryCompile("0123456789{{request.path}}", "body", out var plain, out _));
        Assert.True(ResponseTemplate.TryCompileWithHandlebars("0123456789{{request.path}}", "body", out var handlebars, out _));
        var model = new TemplateModel(new RequestView(new MockRequest("GET", "/abc", null)), new Dictionary<string, string>());
        var budget = new WorkBudget(TimeSpan.FromSeconds(5));
        Assert.Equal("0123456789/abc", plain.Render(model, 14, 100, budget));
        var refused = Assert.Throws<TemplateException>(() => plain.Render(model, 13, 100, budget));
        Assert.Equal(Assert.Throws<TemplateException>(() => handlebars.Render(model, 13, 100, budget)).Message, refused.Message);
    }

    private static string Render(ResponseTemplate template, MockRequest request, Dictionary<string, string> parameters, string root) =>
        template.Render(new TemplateModel(new RequestView(request), parameters, root), 100_000, 1000, new WorkBudget(TimeSpan.FromSeconds(5)));
}
