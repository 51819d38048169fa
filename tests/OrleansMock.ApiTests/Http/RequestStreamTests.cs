using System.Net;
using System.Text;

namespace OrleansMock.Tests.Http;

/// <summary>The request log's live stream (server-sent events), read as a client reads it.</summary>
[Collection(ApiCollection.Name)]
public sealed class RequestStreamTests(ApiFixture fixture)
{
    [Fact]
    public async Task New_mock_requests_arrive_as_events_in_order_and_only_for_the_owner()
    {
        var owner = await fixture.NewUserClientAsync();
        var project = await owner.CreateProjectAsync();
        var (id, slug) = (project.GetProperty("id").GetString()!, project.GetProperty("slug").GetString()!);
        await owner.CreateEndpointAsync(id, """{"method":"GET","path":"/a","response":{"status":200,"body":{"ok":true}}}""");
        await owner.GetAsync($"/m/{slug}/a?before=stream"); // logged before the stream opens: not sent

        using var response = await owner.GetAsync($"/api/v1/projects/{id}/requests/stream", HttpCompletionOption.ResponseHeadersRead);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("text/event-stream", response.Content.Headers.ContentType!.MediaType);
        var reader = new StreamReader(await response.Content.ReadAsStreamAsync());

        await owner.GetAsync($"/m/{slug}/a?n=1");
        await owner.GetAsync($"/m/{slug}/missing");
        var events = new StringBuilder();
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(15));
        while (CountOf(events.ToString(), "data: {") < 2)
        {
            events.AppendLine(await reader.ReadLineAsync(timeout.Token));
        }
        var text = events.ToString();
        Assert.DoesNotContain("before=stream", text);
        Assert.True(text.IndexOf("n=1", StringComparison.Ordinal) < text.IndexOf("/missing", StringComparison.Ordinal), text);
        Assert.Contains("\"status\":404", text);
        Assert.Contains("id: ", text); // a reconnecting client sends it back as Last-Event-ID

        var stranger = await fixture.NewUserClientAsync();
        await (await stranger.GetAsync($"/api/v1/projects/{id}/requests/stream")).AssertProblemAsync(HttpStatusCode.NotFound);
        var resuming = new HttpRequestMessage(HttpMethod.Get, $"/api/v1/projects/{id}/requests/stream") { Headers = { { "Last-Event-ID", "1" } } };
        await (await stranger.SendAsync(resuming)).AssertProblemAsync(HttpStatusCode.NotFound);
        var missing = new HttpRequestMessage(HttpMethod.Get, "/api/v1/projects/no-such-project/requests/stream") { Headers = { { "Last-Event-ID", "1" } } };
        await (await owner.SendAsync(missing)).AssertProblemAsync(HttpStatusCode.NotFound);

        // A client that reconnects with the last id it saw gets what came after it.
        var firstId = text.Split('\n').First(line => line.StartsWith("id: "))[4..];
        var resume = new HttpRequestMessage(HttpMethod.Get, $"/api/v1/projects/{id}/requests/stream") { Headers = { { "Last-Event-ID", firstId } } };
        using var resumed = await owner.SendAsync(resume, HttpCompletionOption.ResponseHeadersRead);
        var resumedReader = new StreamReader(await resumed.Content.ReadAsStreamAsync());
        var again = new StringBuilder();
        while (CountOf(again.ToString(), "data: {") < 1)
        {
            again.AppendLine(await resumedReader.ReadLineAsync(timeout.Token));
        }
        Assert.Contains("/missing", again.ToString());
        Assert.DoesNotContain("n=1", again.ToString());
    }

    [Fact]
    public async Task A_front_end_holds_at_most_MaxLogStreams_for_all_users_together()
    {
        // Issue 30.9: ten per user bounded one account, not many accounts; a front end has a total too.
        await using var factory = new ApiFactory();
        factory.Settings["OrleansMock:Limits:MaxLogStreams"] = "2";
        var open = new List<HttpResponseMessage>();
        try
        {
            for (var i = 0; i < 2; i++)
            {
                var user = await factory.CreateClient().AsNewUserAsync();
                var id = (await user.CreateProjectAsync()).GetProperty("id").GetString()!;
                var stream = await user.GetAsync($"/api/v1/projects/{id}/requests/stream", HttpCompletionOption.ResponseHeadersRead);
                Assert.Equal(HttpStatusCode.OK, stream.StatusCode);
                open.Add(stream);
            }
            var third = await factory.CreateClient().AsNewUserAsync();
            var thirdProject = (await third.CreateProjectAsync()).GetProperty("id").GetString()!;
            var refused = await third.GetAsync($"/api/v1/projects/{thirdProject}/requests/stream", HttpCompletionOption.ResponseHeadersRead);
            Assert.Contains("OrleansMock:Limits:MaxLogStreams)", await refused.AssertProblemAsync(HttpStatusCode.TooManyRequests));

            open[0].Dispose(); // a closed stream gives its place back
            var deadline = DateTime.UtcNow.AddSeconds(10);
            HttpResponseMessage again;
            while ((again = await third.GetAsync($"/api/v1/projects/{thirdProject}/requests/stream", HttpCompletionOption.ResponseHeadersRead)).StatusCode != HttpStatusCode.OK)
            {
                Assert.True(DateTime.UtcNow < deadline, $"the closed stream's place did not come back: {again.StatusCode}");
                await Task.Delay(100);
            }
            open.Add(again);
        }
        finally
        {
            open.ForEach(stream => stream.Dispose());
        }
    }

    [Fact]
    public async Task A_user_holds_at_most_ten_streams_and_a_revoked_key_ends_its_stream()
    {
        var owner = await fixture.NewUserClientAsync();
        var id = (await owner.CreateProjectAsync()).GetProperty("id").GetString()!;
        var open = new List<HttpResponseMessage>();
        try
        {
            // 300 streams from one user were accepted before (issue 30.9); the eleventh is a 429 now.
            for (var i = 0; i < 10; i++)
            {
                var stream = await owner.GetAsync($"/api/v1/projects/{id}/requests/stream", HttpCompletionOption.ResponseHeadersRead);
                Assert.Equal(HttpStatusCode.OK, stream.StatusCode);
                open.Add(stream);
            }
            var refused = await owner.GetAsync($"/api/v1/projects/{id}/requests/stream", HttpCompletionOption.ResponseHeadersRead);
            Assert.Contains("MaxLogStreamsPerUser", await refused.AssertProblemAsync(HttpStatusCode.TooManyRequests));
            Assert.NotNull(refused.Headers.RetryAfter);
        }
        finally
        {
            open.ForEach(stream => stream.Dispose());
        }

        // Closed streams give their places back; a stream opened with an API key ends once the key is revoked.
        var (keyId, key) = await owner.CreateApiKeyAsync("stream");
        var byKey = fixture.Factory.CreateClient();
        byKey.DefaultRequestHeaders.Add("X-Api-Key", key);
        var deadline = DateTime.UtcNow.AddSeconds(10);
        HttpResponseMessage keyed;
        while ((keyed = await byKey.GetAsync($"/api/v1/projects/{id}/requests/stream", HttpCompletionOption.ResponseHeadersRead)).StatusCode != HttpStatusCode.OK)
        {
            Assert.True(DateTime.UtcNow < deadline, $"the closed streams' places did not come back: {keyed.StatusCode}");
            await Task.Delay(100);
        }
        using (keyed)
        {
            var reader = new StreamReader(await keyed.Content.ReadAsStreamAsync());
            Assert.Equal(HttpStatusCode.NoContent, (await owner.DeleteAsync($"/api/v1/auth/keys/{keyId}")).StatusCode);
            using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(15));
            var rest = await reader.ReadToEndAsync(timeout.Token); // ends: the server closed the stream
            Assert.Contains("event: end", rest);
            Assert.Contains("revoked or expired", rest);
        }
    }

    private static int CountOf(string text, string part) => (text.Length - text.Replace(part, "").Length) / part.Length;
}
