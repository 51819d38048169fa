using System.Net;

namespace OrleansMock.Tests.Http;

/// <summary>
/// What a well-behaved client does when the service's own rate limiter refuses it: waits the Retry-After it was given and
/// sends the request again. Only the limiter's refusals are retried (a 429 carrying the RateLimit-Limit header the
/// limiter writes), never a 429 a mock was defined to answer. For suites that run the product with the settings a user
/// gets (the management API's 600 calls a minute) and send more than that.
/// </summary>
public sealed class RateLimitRetryHandler(HttpMessageHandler inner, int attempts = 3) : DelegatingHandler(inner)
{
    private static readonly TimeSpan LongestWait = TimeSpan.FromSeconds(61);

    protected override async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
    {
        var body = request.Content is null ? null : await request.Content.ReadAsByteArrayAsync(cancellationToken);
        for (var attempt = 1; ; attempt++)
        {
            var response = await base.SendAsync(attempt == 1 ? request : Copy(request, body), cancellationToken);
            if (response.StatusCode != HttpStatusCode.TooManyRequests || attempt == attempts || !response.Headers.Contains("RateLimit-Limit")
                || response.Headers.RetryAfter?.Delta is not { } wait || wait > LongestWait)
            {
                return response;
            }
            response.Dispose();
            await Task.Delay(wait, cancellationToken);
        }
    }

    private static HttpRequestMessage Copy(HttpRequestMessage request, byte[]? body)
    {
        var copy = new HttpRequestMessage(request.Method, request.RequestUri) { Version = request.Version, VersionPolicy = request.VersionPolicy };
        foreach (var (name, values) in request.Headers)
        {
            copy.Headers.TryAddWithoutValidation(name, values);
        }
        if (body is not null)
        {
            copy.Content = new ByteArrayContent(body);
            foreach (var (name, values) in request.Content!.Headers)
            {
                copy.Content.Headers.TryAddWithoutValidation(name, values);
            }
        }
        return copy;
    }
}
