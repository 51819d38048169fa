using System.Diagnostics;
using System.Text;
using System.Text.Json.Nodes;
using OrleansMock.Tests.Http;
using Xunit.Abstractions;
using static OrleansMock.Tests.Http.HttpHelpers;

namespace OrleansMock.Tests.WireMock;

/// <summary>
/// Webhooks beside the real WireMock (issue 31.5): every case of WireMock/Webhooks/webhooks.json (from WireMock's
/// webhook documentation and its webhook acceptance tests, each naming its source) posts the same mappings to WireMock
/// and to a project, sends the same requests, and compares what a receiver on 127.0.0.1 got from each: how many
/// webhooks, and of each its method, path and query, body and the headers the mappings name (and Content-Type); a
/// delayed webhook must not arrive before its delay. <c>$RECEIVER</c> in a case is the receiver's address for that side.
/// </summary>
public sealed class WireMockWebhookTests(WebhookSides sides, ITestOutputHelper output) : IClassFixture<WebhookSides>
{
    private static readonly IReadOnlyDictionary<string, JsonObject> Corpus = JsonNode.Parse(File.ReadAllText(
            Path.Combine(AppContext.BaseDirectory, "WireMock", "Webhooks", "webhooks.json")))!.AsArray()
        .ToDictionary(c => c!["name"]!.GetValue<string>(), c => c!.AsObject());

    public static TheoryData<string> Cases() => DifferentialVerdict.Names(Corpus.Keys.Order(StringComparer.Ordinal));

    [SkippableTheory]
    [MemberData(nameof(Cases))]
    public Task Sends_the_webhooks_WireMock_sends(string name)
    {
        var @case = Corpus[name];
        return DifferentialVerdict.RunAsync(output, sides.Missing, $"WireMock {WireMockJar.Version}", name, @case["source"]!.GetValue<string>(),
            () => CompareAsync(@case), @case["known"]?.GetValue<string>(), @case["deliberate"]?.GetValue<string>());
    }

    private async Task<List<string>> CompareAsync(JsonObject @case)
    {
        var differences = new List<string>();
        using var wireMock = new HttpClient { BaseAddress = sides.WireMockAddress };
        using var ours = new HttpClient { BaseAddress = sides.ServiceAddress };
        Assert.True((await wireMock.PostAsync("/__admin/reset", null)).IsSuccessStatusCode);
        var slug = UniqueSlug("wh");
        await sides.Owner.CreateProjectAsync(slug);
        try
        {
            var run = Guid.NewGuid().ToString("N")[..8];
            var (theirs, mine) = ($"{sides.Receiver.Address}{run}-wm", $"{sides.Receiver.Address}{run}-om");
            foreach (var (mapping, index) in @case["mappings"]!.AsArray().Select((m, i) => (m!.ToJsonString(), i)))
            {
                var a = await wireMock.PostAsync("/__admin/mappings", Payload(mapping.Replace("$RECEIVER", theirs)));
                var b = await ours.SendAsync(new HttpRequestMessage(HttpMethod.Post, $"/m/{slug}/__admin/mappings")
                {
                    Content = Payload(mapping.Replace("$RECEIVER", mine)), Headers = { Authorization = sides.AdminKey },
                });
                if (a.StatusCode != b.StatusCode)
                {
                    differences.Add($"mapping {index}: WireMock {(int)a.StatusCode}, OrleansMock {(int)b.StatusCode} {await b.Content.ReadAsStringAsync()}");
                }
            }
            // Before each side's first request: a webhook received less than its delay after it came too early.
            var (sentTheirs, sentOurs) = (0L, 0L);
            foreach (var request in @case["requests"]!.AsArray().Select(r => r!.ToJsonString()))
            {
                sentTheirs = sentTheirs == 0 ? Stopwatch.GetTimestamp() : sentTheirs;
                var a = await SendAsync(wireMock, request.Replace("$RECEIVER", theirs), "");
                sentOurs = sentOurs == 0 ? Stopwatch.GetTimestamp() : sentOurs;
                var b = await SendAsync(ours, request.Replace("$RECEIVER", mine), $"/m/{slug}");
                if (a != b)
                {
                    differences.Add($"request {request}: WireMock answered {a}, OrleansMock {b}");
                }
            }
            var expected = @case["webhooks"]!.GetValue<int>();
            var minDelay = @case["minDelayMs"]?.GetValue<int>() ?? 0;
            var (got, gotOurs) = (await sides.Receiver.WaitAsync($"/{run}-wm", expected), await sides.Receiver.WaitAsync($"/{run}-om", expected));
            if (got.Count != expected)
            {
                differences.Add($"the case expects {expected} webhooks; WireMock sent {got.Count}");
            }
            if (gotOurs.Count != got.Count)
            {
                differences.Add($"webhooks: WireMock sent {got.Count}, OrleansMock {gotOurs.Count}");
            }
            var names = HeaderNames(@case);
            foreach (var (x, y) in got.OrderBy(r => r.Key).Zip(gotOurs.OrderBy(r => r.Key)))
            {
                foreach (var (what, a, b) in new (string, string?, string?)[] { ("method and URL", x.Line, y.Line), ("body", x.Body, y.Body) }
                    .Concat(names.Select(n => ($"header {n}", x.Header(n), y.Header(n)))))
                {
                    if (a != b)
                    {
                        differences.Add($"webhook {x.Line}: {what}: WireMock {a ?? "(none)"}, OrleansMock {b ?? "(none)"}");
                    }
                }
            }
            // The request log's sub-events (WireMock 3.7+): per serve event, each webhook's request and the target's answer.
            var theirLog = await SubEventsAsync(await wireMock.GetStringAsync("/__admin/requests"), $"/{run}-wm");
            using var logRequest = new HttpRequestMessage(HttpMethod.Get, $"/m/{slug}/__admin/requests") { Headers = { Authorization = sides.AdminKey } };
            var ourLog = await SubEventsAsync(await (await ours.SendAsync(logRequest)).Content.ReadAsStringAsync(), $"/{run}-om");
            output.WriteLine($"request log sub-events: {theirLog}");
            if (theirLog != ourLog)
            {
                differences.Add($"request log sub-events:\n  WireMock:    {theirLog}\n  OrleansMock: {ourLog}");
            }
            foreach (var (side, received, sent) in new[] { ("WireMock", got, sentTheirs), ("OrleansMock", gotOurs, sentOurs) })
            {
                var after = received.Select(r => (int)Stopwatch.GetElapsedTime(sent, r.Ticks).TotalMilliseconds).ToArray();
                output.WriteLine($"{side}: {received.Count} webhooks, received {string.Join(", ", after)} ms after the first request");
                if (after.Any(ms => ms < minDelay - 50))
                {
                    differences.Add($"{side} sent a webhook {after.Min()} ms after the request, before its {minDelay} ms delay");
                }
            }
            return differences;
        }
        finally
        {
            await sides.Owner.DeleteAsync($"/api/v1/projects/{slug}");
        }
    }

    /// <summary>
    /// Each serve event's sub-events as one line: type, and the webhook request's method, URL (without the side's prefix)
    /// and body, or the answer's status; in order of text (WireMock logs a request when it is made and its answer when
    /// it comes, so two webhooks of one event interleave by timing).
    /// </summary>
    private static Task<string> SubEventsAsync(string requests, string prefix)
    {
        var lines = JsonNode.Parse(requests)!["requests"]!.AsArray().Select(e => string.Join(" ", (e!["subEvents"]?.AsArray() ?? []).Select(sub => sub!["type"]!.GetValue<string>() switch
        {
            "WEBHOOK_REQUEST" => $"[request {sub["data"]!["method"]} {sub["data"]!["url"]!.GetValue<string>().Replace(prefix, "")} '{sub["data"]!["body"]}']",
            "WEBHOOK_RESPONSE" => $"[response {sub["data"]!["status"]}]",
            var other => $"[{other}]",
        }).Order(StringComparer.Ordinal)));
        return Task.FromResult(string.Join(" | ", lines));
    }

    /// <summary>Content-Type and every header a mapping's webhook names.</summary>
    private static SortedSet<string> HeaderNames(JsonObject @case)
    {
        var names = new SortedSet<string>(["Content-Type"], StringComparer.OrdinalIgnoreCase);
        foreach (var mapping in @case["mappings"]!.AsArray())
        {
            foreach (var listener in (mapping!["serveEventListeners"] ?? mapping["postServeActions"])?.AsArray() ?? [])
            {
                foreach (var header in listener!["parameters"]?["headers"]?.AsObject() ?? [])
                {
                    names.Add(header.Key);
                }
            }
        }
        return names;
    }

    private static async Task<string> SendAsync(HttpClient client, string json, string prefix)
    {
        var request = JsonNode.Parse(json)!.AsObject();
        var answer = await WireMockSides.Answer.SendAsync(client, request, prefix + request["url"]!.GetValue<string>(), null);
        return answer.Status.ToString(System.Globalization.CultureInfo.InvariantCulture);
    }
}

/// <summary>The WireMock sides, with a receiver for webhooks on 127.0.0.1, which the service's address guard is opened to.</summary>
public sealed class WebhookSides : WireMockSides
{
    public WebhookReceiver Receiver { get; } = new();

    // A user running the service and the webhook's target on one machine opens the guard to it the same way.
    protected override Dictionary<string, string> Settings => new() { ["OrleansMock__Tester__Allow__0"] = "127.0.0.1" };

    public override async Task DisposeAsync()
    {
        await Receiver.DisposeAsync();
        await base.DisposeAsync();
    }
}
