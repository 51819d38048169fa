using System.Net;
using System.Text.Json;

namespace OrleansMock.Tests.Http;

/// <summary>
/// Issue 30: the work a tenant's template or matcher makes stops when the client goes away, not only at the request's
/// 500 ms budget. Over real Kestrel sockets, so the client's leaving is a real aborted connection.
/// </summary>
public sealed class ClientGoneTests : IAsyncLifetime
{
    private ApiFactory _factory = null!;
    private HttpClient _client = null!;

    public async Task InitializeAsync()
    {
        // Steps so many that only the request's time (500 ms) could stop the render: what stops it here is the client.
        (_factory, var address) = ApiFactory.StartOnKestrel(new Dictionary<string, string> { ["OrleansMock:Limits:MaxTemplateSteps"] = "1000000000" });
        _client = await new HttpClient { BaseAddress = address }.AsNewUserAsync();
    }

    public async Task DisposeAsync()
    {
        _client.Dispose();
        await _factory.DisposeAsync();
    }

    [Fact]
    public async Task A_render_stops_when_its_client_leaves_and_the_journal_says_so()
    {
        var project = await _client.CreateProjectAsync();
        var (id, slug) = (project.GetProperty("id").GetString()!, project.GetProperty("slug").GetString()!);
        await _client.CreateEndpointAsync(slug, JsonSerializer.Serialize(new
        {
            method = "GET", pathPattern = "/loop/.*",
            response = new { template = true, body = "{{#each request.pathSegments}}{{#each ../request.pathSegments}}{{#each ../../request.pathSegments}}{{/each}}{{/each}}{{/each}}" },
        }));
        var path = $"/m/{slug}/loop" + string.Concat(Enumerable.Repeat("/a", 400)); // 64 million iterations: far past 500 ms

        using (var leaving = new CancellationTokenSource(TimeSpan.FromMilliseconds(100)))
        {
            await Assert.ThrowsAnyAsync<OperationCanceledException>(() => _client.GetAsync(path, leaving.Token));
        }

        var entry = await JournalEntryAsync(id);
        Assert.True(entry.GetProperty("status").GetInt32() == 499, entry.ToString());
        Assert.Contains("client closed the request", entry.GetProperty("miss").GetString());
        var served = entry.GetProperty("servedMs").GetDouble();
        // Without the client's token the render ran to the request's budget (a 422 logged at ~500 ms).
        Assert.True(served < 400, $"the render went on for {served} ms after its client left at 100 ms");
    }

    [Fact]
    public async Task A_client_that_stays_still_gets_the_budgets_problem()
    {
        var project = await _client.CreateProjectAsync();
        var slug = project.GetProperty("slug").GetString()!;
        await _client.CreateEndpointAsync(slug, JsonSerializer.Serialize(new
        {
            method = "GET", pathPattern = "/loop/.*",
            response = new { template = true, body = "{{#each request.pathSegments}}{{#each ../request.pathSegments}}{{#each ../../request.pathSegments}}{{/each}}{{/each}}{{/each}}" },
        }));
        var answer = await _client.GetAsync($"/m/{slug}/loop" + string.Concat(Enumerable.Repeat("/a", 400)));
        var detail = await answer.AssertProblemAsync(HttpStatusCode.UnprocessableEntity);
        Assert.True(detail.Contains("ms the matchers and templates of one request may use", StringComparison.Ordinal), detail);
    }

    private async Task<JsonElement> JournalEntryAsync(string projectId)
    {
        for (var attempt = 0; attempt < 100; attempt++)
        {
            var log = await (await _client.GetAsync($"/api/v1/projects/{projectId}/requests")).ReadJsonAsync();
            if (log.GetProperty("items").EnumerateArray().FirstOrDefault(e => e.GetProperty("path").GetString()!.StartsWith("/loop", StringComparison.Ordinal)) is { ValueKind: JsonValueKind.Object } entry)
            {
                return entry;
            }
            await Task.Delay(50);
        }
        throw new Xunit.Sdk.XunitException("the aborted request never reached the journal");
    }
}
