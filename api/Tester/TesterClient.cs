using System.Text.Json.Serialization;
using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using System.Text;
using Microsoft.Extensions.Options;
using OrleansMock.GrainInterfaces;

namespace OrleansMock.Api.Tester;

/// <param name="ServiceHost">The Host the caller reached this service with: a mock URL on it is this service's own (<see cref="IOwnMocks"/>).</param>
/// <param name="Client">The caller's address, which an own mock counts the request for.</param>
public sealed record TesterSend(string Method, Uri Url, KeyValuePair<string, string>[] Headers, byte[]? Body, string? ContentType, int TimeoutMs,
    bool FollowRedirects, string[]? SecretHeaders = null, string? ServiceHost = null, IPAddress? Client = null)
{
    /// <summary>A header the user marked secret (kept out of the history).</summary>
    public bool IsMarkedSecret(string name) => SecretHeaders?.Contains(name, StringComparer.OrdinalIgnoreCase) == true;

    /// <summary>A credential: the standard ones and those the user marked secret (never sent across origins).</summary>
    public bool IsCredential(string name) => TesterClient.CredentialHeaders.Contains(name) || IsMarkedSecret(name);
}

/// <summary>Where a send's time went; <c>tlsMs</c> is always present (null: not measured separately, or plain http).</summary>
public sealed record TesterTimings(double DnsMs, double ConnectMs, [property: JsonIgnore(Condition = JsonIgnoreCondition.Never)] double? TlsMs,
    double FirstByteMs, double TotalMs);

public sealed record TesterOutcome(
    int? Status, Dictionary<string, string> Headers, string? Body, string BodyEncoding, long Size, bool Truncated,
    TesterTimings Timings, string[] Redirects, string? ErrorKind, string? Error);

/// <summary>
/// Sends one tester request. Every connection goes through <see cref="ConnectAsync"/>: the host is resolved here and
/// each address checked by <see cref="TargetGuard"/> before the socket connects to that very address. Redirects are
/// followed by hand so each hop's URL is checked too. No cookies are kept; responses are decompressed.
/// </summary>
public sealed class TesterClient : IDisposable
{
    public const string HttpClientName = "tester";

    // Hop-by-hop headers are the connection's business, not the user's.
    public static readonly HashSet<string> HopByHop = new(StringComparer.OrdinalIgnoreCase)
    {
        "Connection", "Keep-Alive", "Proxy-Authenticate", "Proxy-Authorization", "Proxy-Connection", "TE", "Trailer",
        "Transfer-Encoding", "Upgrade", "Host", "Content-Length",
    };

    /// <summary>
    /// Sent only to the origin (scheme, host, port) the user addressed: a redirect elsewhere drops them, as browsers
    /// and curl do, so a 307 to another host cannot collect the user's credentials.
    /// </summary>
    public static readonly HashSet<string> CredentialHeaders = new(StringComparer.OrdinalIgnoreCase)
    {
        "Authorization", "Cookie", "Proxy-Authorization", "X-Api-Key", "X-Auth-Token", "X-Amz-Security-Token",
    };

    private readonly TargetGuard _guard;
    private readonly TesterOptions _options;
    private readonly HttpMessageInvoker _invoker;
    private readonly IOwnMocks? _own;
    private static readonly AsyncLocal<Measure> Current = new();

    private sealed class Measure
    {
        public double DnsMs;
        public double ConnectMs;
    }

    public TesterClient(IOptions<TesterOptions> options, IOwnMocks? own = null)
    {
        _options = options.Value;
        _own = own;
        _guard = new TargetGuard(_options.Allow);
        _invoker = new HttpMessageInvoker(new SocketsHttpHandler
        {
            AllowAutoRedirect = false,
            UseCookies = false,
            UseProxy = false,
            AutomaticDecompression = DecompressionMethods.All,
            PooledConnectionLifetime = TimeSpan.FromMinutes(2),
            ConnectTimeout = TimeSpan.FromSeconds(10),
            ConnectCallback = ConnectAsync,
        });
    }

    public TargetGuard Guard => _guard;

    public async Task<TesterOutcome> SendAsync(TesterSend send, CancellationToken cancellationToken)
    {
        var measure = Current.Value = new Measure();
        var total = Stopwatch.StartNew();
        var redirects = new List<string>();
        var url = send.Url;
        var method = new HttpMethod(send.Method);
        var body = send.Body;
        var sameOrigin = true;
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        timeout.CancelAfter(send.TimeoutMs);
        try
        {
            for (var hop = 0; ; hop++)
            {
                // This service's own mock URLs are answered in process; everything else goes through the guard.
                var own = _own is not null && _own.IsOwn(url, send.ServiceHost);
                if (!own && _guard.CheckUrl(url) is { } refused)
                {
                    return Failure("forbidden", refused, redirects, total, measure);
                }
                using var request = new HttpRequestMessage(method, url);
                request.Options.Set(IOwnMocks.ClientAddress, send.Client);
                foreach (var (name, value) in send.Headers.Where(h => !HopByHop.Contains(h.Key) && (sameOrigin || !send.IsCredential(h.Key))))
                {
                    if (!request.Headers.TryAddWithoutValidation(name, value) && body is null)
                    {
                        request.Content ??= new ByteArrayContent([]);
                    }
                }
                if (body is not null)
                {
                    request.Content = new ByteArrayContent(body);
                    foreach (var (name, value) in send.Headers.Where(h => h.Key.StartsWith("Content-", StringComparison.OrdinalIgnoreCase) && !HopByHop.Contains(h.Key)))
                    {
                        request.Content.Headers.TryAddWithoutValidation(name, value);
                    }
                }
                var sent = total.Elapsed;
                using var response = await (own ? _own!.Invoker : _invoker).SendAsync(request, timeout.Token);
                var firstByte = (total.Elapsed - sent).TotalMilliseconds;
                var location = response.Headers.Location;
                if (send.FollowRedirects && (int)response.StatusCode is 301 or 302 or 303 or 307 or 308 && location is not null)
                {
                    if (hop >= _options.MaxRedirects)
                    {
                        return Failure("redirects", $"more than {_options.MaxRedirects} redirects", redirects, total, measure);
                    }
                    var next = new Uri(url, location);
                    // Once the chain has left the user's origin, credentials stay dropped (even if it comes back).
                    sameOrigin &= next.Scheme == url.Scheme && string.Equals(next.IdnHost, url.IdnHost, StringComparison.OrdinalIgnoreCase) && next.Port == url.Port;
                    url = next;
                    redirects.Add(url.ToString());
                    if ((int)response.StatusCode == 303 || ((int)response.StatusCode is 301 or 302 && method == HttpMethod.Post))
                    {
                        method = HttpMethod.Get;
                        body = null;
                    }
                    continue;
                }
                return await ReadAsync(response, redirects, total, measure, firstByte, timeout.Token);
            }
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            return Failure("timeout", $"no complete answer within {send.TimeoutMs} ms", redirects, total, measure);
        }
        catch (HttpRequestException exception)
        {
            var (kind, message) = Describe(exception);
            return Failure(kind, message, redirects, total, measure);
        }
    }

    /// <summary>
    /// Sends one request through the same guard (the URL, then every resolved address), without following redirects,
    /// and answers as soon as the headers arrive: the caller streams the body and owns the response. For the mock
    /// proxy, which passes a redirect on to its client rather than following it.
    /// </summary>
    public async Task<(HttpResponseMessage? Response, string? ErrorKind, string? Error)> ForwardAsync(HttpRequestMessage request, CancellationToken cancellationToken)
    {
        Current.Value = new Measure();
        if (_guard.CheckUrl(request.RequestUri!) is { } refused)
        {
            return (null, "forbidden", refused);
        }
        try
        {
            return (await _invoker.SendAsync(request, cancellationToken), null, null);
        }
        catch (HttpRequestException exception)
        {
            var (kind, message) = Describe(exception);
            return (null, kind, message);
        }
    }

    private async Task<TesterOutcome> ReadAsync(HttpResponseMessage response, List<string> redirects, Stopwatch total, Measure measure, double firstByte, CancellationToken token)
    {
        var headers = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase);
        foreach (var (name, values) in response.Headers.Concat(response.Content.Headers))
        {
            headers[name] = string.Join(", ", values);
        }
        await using var stream = await response.Content.ReadAsStreamAsync(token);
        var buffer = new MemoryStream();
        var chunk = new byte[16 * 1024];
        long size = 0;
        var truncated = false;
        int read;
        while ((read = await stream.ReadAsync(chunk, token)) > 0)
        {
            size += read;
            var room = _options.MaxResponseBodyBytes - (int)buffer.Length;
            if (room > 0)
            {
                buffer.Write(chunk, 0, Math.Min(room, read));
            }
            truncated |= read > room;
        }
        var bytes = buffer.ToArray();
        // No content type at all is read as text when it decodes as UTF-8.
        var (text, encoding) = (response.Content.Headers.ContentType?.MediaType is not { } mediaType || TextBodies.IsTextType(mediaType) ? TextBodies.Utf8OrNull(bytes) : null) is { } utf8
            ? (utf8, "utf8")
            : (Convert.ToBase64String(bytes), "base64");
        var timings = new TesterTimings(measure.DnsMs, measure.ConnectMs, null, Math.Round(firstByte, 2), Math.Round(total.Elapsed.TotalMilliseconds, 2));
        return new TesterOutcome((int)response.StatusCode, headers, text, encoding, size, truncated, timings, [.. redirects], null, null);
    }

    /// <summary>Every connection goes through the guard (<see cref="TargetGuard.ConnectAsync"/>), which also times it.</summary>
    private async ValueTask<Stream> ConnectAsync(SocketsHttpConnectionContext context, CancellationToken cancellationToken)
    {
        var measure = Current.Value ?? new Measure();
        var (stream, dnsMs, connectMs) = await _guard.ConnectAsync(context.DnsEndPoint, cancellationToken);
        (measure.DnsMs, measure.ConnectMs) = (dnsMs, connectMs);
        return stream;
    }

    private static (string Kind, string Message) Describe(HttpRequestException exception)
    {
        var message = exception.Message;
        if (message.StartsWith("forbidden: ", StringComparison.Ordinal) || exception.InnerException?.Message.StartsWith("forbidden: ", StringComparison.Ordinal) == true)
        {
            return ("forbidden", (exception.InnerException?.Message ?? message)["forbidden: ".Length..]);
        }
        // A name that does not resolve fails inside our connect callback, which the handler reports as a connection
        // error: look inside for what it really was.
        for (Exception? inner = exception; inner is not null; inner = inner.InnerException)
        {
            if (inner is HttpRequestException { HttpRequestError: HttpRequestError.NameResolutionError }
                or SocketException { SocketErrorCode: SocketError.HostNotFound or SocketError.TryAgain or SocketError.NoData })
            {
                return ("dns", inner.Message);
            }
        }
        return exception.HttpRequestError switch
        {
            HttpRequestError.NameResolutionError => ("dns", message),
            HttpRequestError.ConnectionError when exception.InnerException is SocketException { SocketErrorCode: SocketError.ConnectionRefused } =>
                ("refused", "the target refused the connection"),
            HttpRequestError.ConnectionError => ("connect", exception.InnerException?.Message ?? message),
            HttpRequestError.SecureConnectionError => ("tls", exception.InnerException?.Message ?? message),
            _ => ("error", exception.InnerException?.Message ?? message),
        };
    }

    private static TesterOutcome Failure(string kind, string message, List<string> redirects, Stopwatch total, Measure measure) =>
        new(null, [], null, "utf8", 0, false, new TesterTimings(measure.DnsMs, measure.ConnectMs, null, 0, Math.Round(total.Elapsed.TotalMilliseconds, 2)),
            [.. redirects], kind, message);

    public void Dispose() => _invoker.Dispose();
}
