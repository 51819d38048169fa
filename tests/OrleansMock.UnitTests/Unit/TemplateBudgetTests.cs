using OrleansMock.GrainInterfaces;
using OrleansMock.Grains.Matching;
using OrleansMock.Grains.Responses;
using OrleansMock.Grains.Safety;

namespace OrleansMock.Tests.Unit;

/// <summary>A template render's budget, without a cluster or a clock to race: steps, output and time each stop it.</summary>
public sealed class TemplateBudgetTests
{
    private static TemplateModel Model(int segments, string query = "") =>
        new(new RequestView(new MockRequest("GET", string.Concat(Enumerable.Repeat("/s", segments)), null,
            Detail: new RequestDetail(query, [], null, "/", RequestParts.Query))), new Dictionary<string, string>());

    private static ResponseTemplate Compile(string text)
    {
        Assert.True(ResponseTemplate.TryCompile(text, "body", out var template, out var error), error);
        return template;
    }

    [Fact]
    public void Loops_stop_at_the_step_budget_whatever_time_is_left()
    {
        var template = Compile("{{#each request.pathSegments}}{{#each ../request.pathSegments}}{{/each}}{{/each}}");
        // 300 x 300 = 90,000 iterations (plus the outer 300): over a budget of 50,000, under one of 100,000.
        var error = Assert.Throws<TemplateException>(() => template.Render(Model(300), 1_000_000, 50_000, new WorkBudget(TimeSpan.FromMinutes(5))));
        Assert.Contains("50000 steps", error.Message);
        Assert.Equal("", template.Render(Model(300), 1_000_000, 100_000, new WorkBudget(TimeSpan.FromMinutes(5))));
    }

    [Fact]
    public void A_plain_template_repeating_a_large_header_stops_at_the_output_size()
    {
        // Attack: 20,000 copies of a 32 KB header would be 640 M characters; the render stops at the response limit.
        var template = Compile(string.Concat(Enumerable.Repeat("{{request.headers.X-Big}}", 20_000)));
        var model = new TemplateModel(new RequestView(new MockRequest("GET", "/", null,
            Detail: new RequestDetail(null, [KeyValuePair.Create("X-Big", new string('a', 32 * 1024))], null, "/", RequestParts.Headers))), new Dictionary<string, string>());
        var error = Assert.Throws<TemplateException>(() => template.Render(model, 1_000_000, 100_000, new WorkBudget(TimeSpan.FromMinutes(5))));
        Assert.Contains("1000000 characters", error.Message); // stopped at the limit: ~31 copies, not 20,000
    }

    [Fact]
    public void Output_stops_at_its_size()
    {
        var template = Compile("{{#each request.pathSegments}}0123456789{{/each}}");
        Assert.Equal(1000, template.Render(Model(100), 1000, 100_000, new WorkBudget(TimeSpan.FromMinutes(5))).Length);
        var error = Assert.Throws<TemplateException>(() => template.Render(Model(101), 1000, 100_000, new WorkBudget(TimeSpan.FromMinutes(5))));
        Assert.Contains("1000 characters", error.Message);
    }

    [Fact]
    public void A_spent_request_budget_stops_the_render_and_loops_keep_their_helpers()
    {
        var spent = new WorkBudget(TimeSpan.FromMilliseconds(1));
        spent.Exhaust();
        Assert.ThrowsAny<Exception>(() => Compile("{{request.method}}").Render(Model(1), 1000, 100, spent));
        // @index, @first, @key, block params and ../ behave as Handlebars' own loops do.
        var loops = Compile("{{#each request.pathSegments as |s i|}}{{i}}{{s}}{{#if @first}}F{{/if}}{{/each}}|{{#each request.query}}{{@key}}={{this}};{{/each}}|{{request.pathSegments.length}}");
        Assert.Equal("0sF1s|a=1;b=2;|2", loops.Render(Model(2, "?a=1&b=2"), 1000, 100, new WorkBudget(TimeSpan.FromMinutes(5))));
    }

    [Fact]
    public void One_templates_inline_partials_never_reach_another_compiled_in_the_shared_environment()
    {
        // Every tenant's templates compile in one Handlebars environment (5 KB per template instead of 21): what one
        // template defines for itself must stay its own.
        var owner = Compile("{{#*inline \"x\"}}SECRET-A{{/inline}}A:{{> x}}");
        var other = Compile("B:{{> x}}");
        var budget = new WorkBudget(TimeSpan.FromMinutes(5));
        Assert.Equal("A:SECRET-A", owner.Render(Model(1), 1000, 100, budget));
        Assert.ThrowsAny<Exception>(() => other.Render(Model(1), 1000, 100, budget));
        Assert.Equal("A:SECRET-A", owner.Render(Model(1), 1000, 100, budget));
    }

    [Theory]
    [InlineData("{{nosuchhelper 1}}", "'nosuchhelper' is not a helper")]
    [InlineData("{{#nosuchblock x}}a{{/nosuchblock}}", "'nosuchblock' is not a helper")]
    [InlineData("{{jsonPath (nosuch request.body) '$.a'}}", "'nosuch' is not a helper")]
    [InlineData("{{faker 'no.such'}}", "faker 'no.such' is not known")]
    [InlineData("{{#if}}yes{{/if}}", "{{#if}} needs an argument")]
    [InlineData("{{#each}}x{{/each}}", "{{#each}} needs an argument")]
    [InlineData("{{now offset='soon'}}", "offset 'soon' should read like '3 days'")] // a literal argument no request can fix (issue 31.1)
    [InlineData("a {{math 1 '^' 2}} b", "'^' is not one of + - * x / %")]
    [InlineData("{{randomValue type='BAD'}}", "type 'BAD' is not one of")]
    [InlineData("{{numberFormat 1 'currency' 'xx_YY'}}", "locale 'xx_YY' is not one of")]
    [InlineData("{{now timezone='Mars/Olympus'}}", "timezone 'Mars/Olympus' is not known")]
    public void What_fails_for_every_request_is_refused_when_saved(string text, string reason)
    {
        // Saved with 201 and failed (422) at every call, or answered an empty 200 for {{#if}} (issue 33.5).
        Assert.False(ResponseTemplate.TryCompile(text, "response.body", out _, out var error));
        Assert.Contains(reason, error);
    }

    [Theory]
    [InlineData("{{request.path.id}} {{request.query.q}} {{{request.body}}} {{this}} {{@index}}")]
    [InlineData("{{now offset='3 days' timezone='Australia/Sydney' format='yyyy'}} {{math 1 '+' 2}} {{regexExtract 'abc' '[0-9]+'}} {{jsonPath '{}' '$.a' default='x'}}")]
    [InlineData("{{#if request.query.q}}{{request.query.q}}{{else}}none{{/if}}{{#unless x}}u{{/unless}}")]
    [InlineData("{{#each request.pathSegments as |s i|}}{{i}}{{s}}{{/each}}{{#with request}}{{method}}{{/with}}")]
    [InlineData("{{jsonPath request.body '$.name'}} {{now offset='3 days' format='yyyy-MM-dd'}} {{randomValue length=8 type='NUMERIC'}}")]
    [InlineData("{{faker 'name.firstName'}} {{faker request.query.kind}} {{lookup request.pathSegments 0}} {{!-- a comment --}}")]
    [InlineData("{\"id\": \"{{request.path.id}}\", \"n\": {{request.query.n}}, \"nested\": {\"a\": [1, 2]}}")]
    [InlineData("{{#*inline \"hello\"}}Hi {{name}}{{/inline}}{{> hello name=request.path.id}}{{#> hello}}fallback{{/hello}}")]
    [InlineData("{{jsonPath request.body '$[?(@.a =~ /^(a+)+$/)]'}} {{jsonPath request.body \"$.items[?(@.qty > 2)]\"}}")]
    [InlineData("{{~request.method~}} {{ request.url }} {{#each request.query}}{{@key}}{{/each}}")]
    public void Templates_that_can_work_are_accepted(string text)
    {
        Assert.True(ResponseTemplate.TryCompile(text, "response.body", out _, out var error), error);
    }

    [Theory]
    [InlineData("{{#if x}}", 40_000, "")] // 40,000 nested blocks overflowed Handlebars' parser: the process died
    [InlineData("{{x ", 20_000, "")] // not a nesting: one mustache's text
    [InlineData("{{lookup ", 1, "")]
    [InlineData("{{x " + "(", 20_000, "}}")]
    [InlineData("{{a ", 60_000, "}}")]
    [InlineData("{{request.path}} {{(", 40_000, "")]
    [InlineData("{{#*inline \"p\"}}", 40_000, "")]
    [InlineData("{{x '", 60_000, "'}}")]
    public void The_save_check_of_a_large_hostile_template_is_quick(string part, int times, string end)
    {
        var text = string.Concat(Enumerable.Repeat(part, times)) + end;
        var watch = System.Diagnostics.Stopwatch.StartNew();
        ResponseTemplate.TryCompile(text, "response.body", out _, out _); // accepted or refused, but quickly
        Assert.True(watch.Elapsed < TimeSpan.FromSeconds(5), $"{text.Length} characters took {watch.Elapsed}");
    }

    [Theory]
    [InlineData("{{range 1 2000000000}}", "steps")] // a list of 2 billion numbers: refused before it is made
    [InlineData("{{#each (range 1 400)}}{{#each (range 1 400)}}{{/each}}{{/each}}", "steps")]
    [InlineData("{{ljust 'a' size=2000000000}}", "characters")] // padding built before it is printed
    [InlineData("{{center 'a' size=50000 pad='*'}}{{center 'a' size=50000 pad='*'}}{{center 'a' size=50000 pad='*'}}", "characters")]
    [InlineData("{{replace (ljust 'a' size=5000 pad='a') 'a' (ljust 'b' size=5000 pad='b')}}", "characters")] // 25 million characters
    [InlineData("{{#assign 'x'}}{{ljust 'a' size=90000 pad='*'}}{{/assign}}{{arrayJoin x (range 1 100)}}", "characters")]
    [InlineData("{{#arrayJoin ',' (range 1 1000)}}{{ljust 'a' size=1000}}{{/arrayJoin}}", "characters")]
    [InlineData("{{urlEncode (ljust 'a' size=60000 pad='é')}}", "characters")]
    [InlineData("{{toJson (range 1 100000)}}", "steps")]
    public void WireMock_helpers_stop_at_the_render_budget_before_they_build_a_large_value(string text, string reason)
    {
        // The attacks a tenant could write with WireMock's helpers: each is stopped inside the helper, not after it -
        // when saved if its arguments are all literals (the save check runs such calls once), else when rendered.
        var watch = System.Diagnostics.Stopwatch.StartNew();
        var message = ResponseTemplate.TryCompile(text, "body", out var template, out var refused)
            ? Assert.Throws<TemplateException>(() => template.Render(Model(1), 100_000, 50_000, new WorkBudget(TimeSpan.FromMinutes(5)))).Message
            : refused;
        Assert.Contains(reason, message);
        Assert.True(watch.Elapsed < TimeSpan.FromSeconds(2), $"{text} took {watch.Elapsed}");
    }

    [Fact]
    public void A_backtracking_pattern_in_matches_or_regexExtract_ends_within_the_request_budget()
    {
        var text = "{{#if (matches (ljust 'a' size=40 pad='a') '(a|aa)+\\1b')}}y{{/if}}|{{regexExtract (ljust 'a' size=40 pad='a') '(a|aa)+\\1b' default='none'}}";
        var watch = System.Diagnostics.Stopwatch.StartNew();
        try
        {
            Compile(text).Render(Model(1), 100_000, 50_000, new WorkBudget(TimeSpan.FromMilliseconds(500)));
        }
        catch (Exception exception) when (exception is TemplateException or WorkBudgetExceededException)
        {
        }
        Assert.True(watch.Elapsed < TimeSpan.FromSeconds(2), $"took {watch.Elapsed}");
    }
}
