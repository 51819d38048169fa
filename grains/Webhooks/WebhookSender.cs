using System.Diagnostics;
using Microsoft.Extensions.Options;
using OrleansMock.GrainInterfaces;

namespace OrleansMock.Grains.Webhooks;

/// <summary>
/// Sends webhooks through the API tester's address guard (<see cref="TargetGuard"/>, opened by
/// <c>OrleansMock:Tester:Allow</c>): the URL is checked, then every address its host resolves to, on the connection
/// itself. No redirect is followed and no cookie kept. The attempt is logged with secret header values masked and the
/// bodies cut to the request log's preview size.
/// </summary>
public sealed class WebhookSender : IDisposable
{
    private readonly TargetGuard _guard;
    private readonly HttpMessageInvoker _invoker;
    private readonly MockLimits _limits;

    public WebhookSender(IOptions<TesterOptions> tester, IOptions<MockLimits> limits)
    {
        _limits = limits.Value;
        _guard = new TargetGuard(tester.Value.Allow);
        _invoker = new HttpMessageInvoker(new SocketsHttpHandler
        {
            AllowAutoRedirect = false,
            UseCookies = false,
            UseProxy = false,
            PooledConnectionLifetime = TimeSpan.FromMinutes(2),
            ConnectTimeout = TimeSpan.FromSeconds(10),
            ConnectCallback = async (context, token) => (await _guard.ConnectAsync(context.DnsEndPoint, token)).Stream,
        });
    }

    public async Task<WebhookAttempt> SendAsync(WebhookCall call, CancellationToken cancellationToken)
    {
        var clock = Stopwatch.StartNew();
        var preview = _limits.RequestLogBodyBytes;
        var shownHeaders = call.Headers.Select(h => SecretNames.IsSecret(h.Key, _limits.RedactNames) ? KeyValuePair.Create(h.Key, "***") : h).ToArray();
        var sentBody = call.Body is null ? null : Preview(call.Body, preview);
        WebhookAttempt Attempt(int? status, string? error, KeyValuePair<string, string>[]? headers = null, string? body = null) =>
            new(call.Id, DateTimeOffset.UtcNow, call.EndpointId, call.RequestSeq, call.Method, call.Url, shownHeaders, sentBody, status, error,
                Math.Round(clock.Elapsed.TotalMilliseconds, 2), headers, body);

        var url = new Uri(call.Url);
        if (_guard.CheckUrl(url) is { } refused)
        {
            return Attempt(null, "forbidden: " + refused);
        }
        using var request = new HttpRequestMessage(new HttpMethod(call.Method), url);
        if (call.Body is not null)
        {
            request.Content = new ByteArrayContent(call.Body);
        }
        foreach (var (name, value) in call.Headers)
        {
            if (name.Equals("Host", StringComparison.OrdinalIgnoreCase) || name.Equals("Content-Length", StringComparison.OrdinalIgnoreCase))
            {
                continue;
            }
            if (!request.Headers.TryAddWithoutValidation(name, value))
            {
                request.Content ??= new ByteArrayContent([]);
                request.Content.Headers.TryAddWithoutValidation(name, value);
            }
        }
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        timeout.CancelAfter(_limits.WebhookTimeoutMs);
        try
        {
            using var response = await _invoker.SendAsync(request, timeout.Token);
            var body = await ReadPreviewAsync(response, preview, timeout.Token);
            var headers = response.Headers.Concat(response.Content.Headers).Select(h => KeyValuePair.Create(h.Key, string.Join(", ", h.Value))).ToArray();
            return Attempt((int)response.StatusCode, null, headers, body);
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            return Attempt(null, $"no answer within {_limits.WebhookTimeoutMs} ms");
        }
        catch (HttpRequestException exception)
        {
            var message = exception.InnerException?.Message ?? exception.Message;
            return Attempt(null, message.StartsWith("forbidden: ", StringComparison.Ordinal) ? message : $"the request failed: {message}");
        }
    }

    private static async Task<string> ReadPreviewAsync(HttpResponseMessage response, int limit, CancellationToken token)
    {
        await using var stream = await response.Content.ReadAsStreamAsync(token);
        var buffer = new byte[Math.Max(limit, 0)];
        var read = 0;
        int count;
        while (read < buffer.Length && (count = await stream.ReadAsync(buffer.AsMemory(read), token)) > 0)
        {
            read += count;
        }
        return Preview(buffer.AsSpan(0, read).ToArray(), limit);
    }

    private static string Preview(byte[] body, int limit) =>
        TextBodies.Utf8OrNull(body.Length > limit ? body[..limit] : body) ?? $"({body.Length} bytes, not UTF-8 text)";

    public void Dispose() => _invoker.Dispose();
}
