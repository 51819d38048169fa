using System.Collections.Concurrent;
using System.Diagnostics;
using System.Text;
using Microsoft.AspNetCore.Hosting;
using Microsoft.Extensions.Logging;

namespace OrleansMock.Tests.Http;

/// <summary>One request a webhook made: method and URL (after the side's prefix), body, headers, and when it came (a <see cref="Stopwatch"/> timestamp).</summary>
public sealed record ReceivedWebhook(string Line, string Body, IReadOnlyDictionary<string, string[]> Headers, long Ticks)
{
    public string Key => Line + " " + Body;

    /// <summary>A header's values as one text: several lines and one comma-separated line read the same (RFC 9110, 5.3).</summary>
    public string? Header(string name) => Headers.TryGetValue(name, out var values)
        ? string.Join(",", values.SelectMany(v => v.Split(',')).Select(v => v.Trim()))
        : null;
}

/// <summary>A Kestrel server on 127.0.0.1 that records every request, answering 200.</summary>
public sealed class WebhookReceiver : IAsyncDisposable
{
    private readonly ConcurrentQueue<(string Path, ReceivedWebhook Request)> _received = new();
    private readonly Microsoft.AspNetCore.Builder.WebApplication _app;

    public WebhookReceiver()
    {
        var port = ApiFactory.FreePort();
        Address = new Uri($"http://127.0.0.1:{port}/");
        var builder = Microsoft.AspNetCore.Builder.WebApplication.CreateSlimBuilder();
        builder.WebHost.UseUrls(Address.ToString());
        builder.Logging.ClearProviders();
        _app = builder.Build();
        Microsoft.AspNetCore.Builder.RunExtensions.Run(_app, async (Microsoft.AspNetCore.Http.HttpContext context) =>
        {
            var ticks = Stopwatch.GetTimestamp();
            using var reader = new StreamReader(context.Request.Body, Encoding.UTF8);
            var body = await reader.ReadToEndAsync();
            var path = context.Request.Path + context.Request.QueryString;
            var headers = context.Request.Headers.ToDictionary(h => h.Key, h => h.Value.Select(v => v ?? "").ToArray(), StringComparer.OrdinalIgnoreCase);
            _received.Enqueue((path, new ReceivedWebhook($"{context.Request.Method} {path}", body, headers, ticks)));
        });
        _app.StartAsync().GetAwaiter().GetResult();
    }

    public Uri Address { get; }

    /// <summary>
    /// The requests whose path starts with <paramref name="prefix"/>, once <paramref name="count"/> came (or 15 s passed),
    /// and after a further half second in which no more may come unnoticed.
    /// </summary>
    public async Task<List<ReceivedWebhook>> WaitAsync(string prefix, int count)
    {
        var deadline = Stopwatch.StartNew();
        while (Matching(prefix).Count < count && deadline.Elapsed < TimeSpan.FromSeconds(15))
        {
            await Task.Delay(50);
        }
        await Task.Delay(500);
        return Matching(prefix);
    }

    private List<ReceivedWebhook> Matching(string prefix) =>
        [.. _received.Where(r => r.Path.StartsWith(prefix, StringComparison.Ordinal))
            .Select(r => r.Request with { Line = r.Request.Line.Replace(prefix, "", StringComparison.Ordinal) })];

    public async ValueTask DisposeAsync() => await _app.DisposeAsync();
}
