using System.Net;
using Microsoft.Extensions.Options;
using Microsoft.Net.Http.Headers;
using OrleansMock.Api.Auth;
using OrleansMock.Api.Http;
using OrleansMock.Api.Tester;
using OrleansMock.GrainInterfaces;

namespace OrleansMock.Api.MockTraffic;

/// <summary>
/// Forwards a mock request to a real API (a proxy response, a project's proxy fallback, a recording) through the
/// tester's guarded client: the same address checks and allow-list, the tester's timeout and response size. The
/// answer is streamed back as it arrives; a redirect is passed on to the client, never followed here. When asked, the
/// exchange is returned whole for recording.
/// </summary>
public sealed class MockProxy(TesterClient client, IOptions<TesterOptions> options, OwnCredentials credentials)
{
    /// <summary>Our own credentials: never forwarded when they authenticated the caller to us.</summary>
    private static readonly string[] OwnCredentialHeaders = [HeaderNames.Authorization, ApiKeyAuthentication.Header];

    /// <param name="path">The mock path (after <c>/m/{project}</c>).</param>
    /// <param name="credentialsAreOurs">The request carried our own credentials (they authenticated the caller to us): they are not sent on.</param>
    /// <param name="cookieScope">On the shared origin, where the target's cookies are confined (<c>/m/{project}</c>).</param>
    /// <param name="record">Return the exchange (null when it could not be kept whole).</param>
    public async Task<RecordedExchange?> ForwardAsync(HttpContext context, ProxySpec proxy, string path, bool credentialsAreOurs, bool cors, string? cookieScope, bool record)
    {
        var request = context.Request;
        var forwardedPath = proxy.StripPrefix is { } prefix && (path == prefix || path.StartsWith(prefix.TrimEnd('/') + "/", StringComparison.Ordinal))
            ? path[prefix.TrimEnd('/').Length..] is { Length: > 0 } rest ? rest : "/"
            : path;
        var target = new Uri(proxy.BaseUrl.TrimEnd('/') + forwardedPath + request.QueryString.Value);
        var body = await ReadBodyAsync(request);

        using var outbound = new HttpRequestMessage(new HttpMethod(request.Method), target);
        if (body.Length > 0 || request.ContentLength is not null || request.Headers.TransferEncoding.Count > 0)
        {
            outbound.Content = new ByteArrayContent(body);
        }
        foreach (var (name, values) in request.Headers)
        {
            if (TesterClient.HopByHop.Contains(name) || name.Equals(HeaderNames.AcceptEncoding, StringComparison.OrdinalIgnoreCase)
                || (credentialsAreOurs && OwnCredentialHeaders.Contains(name, StringComparer.OrdinalIgnoreCase)) || (proxy.Headers?.ContainsKey(name) ?? false)
                || credentials.AnyOwn(name, values))
            {
                continue;
            }
            if (!outbound.Headers.TryAddWithoutValidation(name, (IEnumerable<string?>)values))
            {
                outbound.Content?.Headers.TryAddWithoutValidation(name, (IEnumerable<string?>)values);
            }
        }
        foreach (var (name, value) in proxy.Headers ?? [])
        {
            if (!outbound.Headers.TryAddWithoutValidation(name, value))
            {
                (outbound.Content ??= new ByteArrayContent([])).Headers.TryAddWithoutValidation(name, value);
            }
        }

        var timeoutMs = options.Value.MaxTimeoutMs;
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(context.RequestAborted);
        timeout.CancelAfter(timeoutMs);
        HttpResponseMessage? answer;
        string? kind, error;
        try
        {
            (answer, kind, error) = await client.ForwardAsync(outbound, timeout.Token);
        }
        catch (OperationCanceledException) when (!context.RequestAborted.IsCancellationRequested)
        {
            (answer, kind, error) = (null, "timeout", $"no answer within {timeoutMs} ms");
        }
        if (answer is null)
        {
            await Failure(target, kind!, error!).ExecuteAsync(context);
            return null;
        }
        using (answer)
        {
            var response = context.Response;
            response.StatusCode = (int)answer.StatusCode;
            var headers = new List<KeyValuePair<string, string>>();
            foreach (var (name, values) in answer.Headers.Concat(answer.Content.Headers))
            {
                if (TesterClient.HopByHop.Contains(name) || name.Equals(HeaderNames.ContentEncoding, StringComparison.OrdinalIgnoreCase))
                {
                    continue; // the body comes decoded; its length is the server's business
                }
                foreach (var value in values)
                {
                    headers.Add(KeyValuePair.Create(name, value));
                    response.Headers.Append(name, cookieScope is not null && name.Equals(HeaderNames.SetCookie, StringComparison.OrdinalIgnoreCase)
                        ? MockOrigin.ScopeCookie(value, cookieScope) : value);
                }
            }
            if (cors && request.Headers.Origin.Count > 0 && !response.Headers.ContainsKey(HeaderNames.AccessControlAllowOrigin))
            {
                response.Headers.AccessControlAllowOrigin = "*";
            }
            var kept = record ? new MemoryStream() : null;
            var limit = options.Value.MaxResponseBodyBytes;
            var buffer = new byte[16 * 1024];
            try
            {
                await using var stream = await answer.Content.ReadAsStreamAsync(timeout.Token);
                int read;
                while ((read = await stream.ReadAsync(buffer, timeout.Token)) > 0)
                {
                    await response.Body.WriteAsync(buffer.AsMemory(0, read), context.RequestAborted);
                    if (kept is not null)
                    {
                        kept = kept.Length + read > limit ? null : kept; // too big to record: still served
                        kept?.Write(buffer, 0, read);
                    }
                }
            }
            catch (Exception exception) when (exception is OperationCanceledException or HttpRequestException or IOException)
            {
                context.Abort(); // the answer broke off midway: the client must not take a cut body for a whole one
                return null;
            }
            return kept is null ? null : new RecordedExchange(request.Method, path,
                [.. request.Query.SelectMany(q => q.Value.Select(v => KeyValuePair.Create(q.Key, v ?? "")))],
                [.. request.Headers.SelectMany(h => h.Value.Where(v => !credentials.IsOwn(h.Key, v)).Select(v => KeyValuePair.Create(h.Key, v ?? "")))],
                body, (int)answer.StatusCode, [.. headers], kept.ToArray());
        }
    }

    private static async Task<byte[]> ReadBodyAsync(HttpRequest request)
    {
        if (request.Body.CanSeek)
        {
            request.Body.Position = 0; // buffered for a preview or a matcher
        }
        using var body = new MemoryStream();
        await request.Body.CopyToAsync(body, request.HttpContext.RequestAborted);
        return body.ToArray();
    }

    private static IResult Failure(Uri target, string kind, string error) =>
        Problems.Status(kind == "timeout" ? StatusCodes.Status504GatewayTimeout : StatusCodes.Status502BadGateway,
            $"the proxy target {target.GetLeftPart(UriPartial.Authority)} could not answer ({kind}): {error}",
            new Dictionary<string, object?> { ["cause"] = kind });
}
