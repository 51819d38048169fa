using Orleans.Runtime;
using Orleans.Runtime.Messaging;

namespace OrleansMock.Api.Http;

/// <summary>
/// Failures that mean "a silo or gateway went away", not "the request was wrong". Idempotent calls are retried
/// across a failover (about 4 s in all, the time the cluster needs to declare a crashed silo dead); anything else
/// surfaces as 503 with Retry-After through <see cref="ExceptionHandling"/>.
/// </summary>
public static class Transient
{
    // About 8 s of waiting in all: longer than the cluster needs to vote a crashed silo dead (probes of 1 s, two missed).
    private static readonly TimeSpan[] Backoff =
        [TimeSpan.FromMilliseconds(100), TimeSpan.FromMilliseconds(250), TimeSpan.FromMilliseconds(500), TimeSpan.FromSeconds(1), TimeSpan.FromSeconds(2), TimeSpan.FromSeconds(2),
            TimeSpan.FromSeconds(2)];

    public static bool Is(Exception exception) =>
        exception is SiloUnavailableException or OrleansMessageRejectionException or ConnectionFailedException or TimeoutException
            or GatewayTooBusyException
        || IsNotConnectedYet(exception);

    /// <summary>
    /// A front end whose Orleans client has not reached a gateway yet knows no grain types at all, and says so with
    /// an ArgumentException naming the interface. That is "the cluster is not reachable", not a bad request.
    /// </summary>
    public static bool IsNotConnectedYet(Exception exception) =>
        exception is ArgumentException && exception.Message.StartsWith("Could not find an implementation for interface", StringComparison.Ordinal);

    /// <summary>Runs an idempotent call, retrying it while it fails transiently.</summary>
    public static ValueTask<T> RetryAsync<T>(Func<ValueTask<T>> call, CancellationToken cancellationToken) =>
        RetryWhileAsync(call, Is, cancellationToken);

    private static async ValueTask<T> RetryWhileAsync<T>(Func<ValueTask<T>> call, Func<Exception, bool> retryable, CancellationToken cancellationToken)
    {
        for (var attempt = 0; ; attempt++)
        {
            try
            {
                return await call();
            }
            catch (Exception exception) when (retryable(exception) && attempt < Backoff.Length && !cancellationToken.IsCancellationRequested)
            {
                await Task.Delay(Backoff[attempt], cancellationToken);
            }
        }
    }

    /// <summary>
    /// A call that certainly never reached its grain: the message was rejected before it ran (the target silo is stopping,
    /// the activation moved) or no connection could be made. Such a call may be sent again even when it writes.
    /// </summary>
    public static bool NeverDelivered(Exception exception) => exception is OrleansMessageRejectionException or ConnectionFailedException;

    /// <summary>Runs a call that writes, sending it again only while it fails without having reached its grain.</summary>
    public static ValueTask<T> RetryUndeliveredAsync<T>(Func<ValueTask<T>> call, CancellationToken cancellationToken) =>
        RetryWhileAsync(call, NeverDelivered, cancellationToken);

    /// <summary>Marks a POST route whose handler is idempotent (it names what it creates once per request: <see cref="OncePerRequest"/>).</summary>
    public sealed class IdempotentWrite
    {
        public static readonly IdempotentWrite Instance = new();
    }

    /// <summary>A value made once per HTTP request and kept across the retries of its handler (the id of what it creates).</summary>
    public static string OncePerRequest(HttpContext http, string name, Func<string> make) =>
        http.Items.TryGetValue(name, out var made) && made is string value ? value : (string)(http.Items[name] = make());

    /// <summary>
    /// Endpoint filter for management routes: reads are retried on every transient failure (as <see cref="RetryReads"/>),
    /// and so are writes that are idempotent: PUT and DELETE (a DELETE retried after its first attempt landed answers
    /// 204, not the 404 the second attempt finds) and POST routes marked <see cref="IdempotentWrite"/>. Other writes only
    /// when the failure says the grain never received them (<see cref="NeverDelivered"/>), so a write is never applied
    /// twice. The body is buffered so the handler can read it again. Not for routes with effects outside the cluster
    /// (the tester sends HTTP requests).
    /// </summary>
    public static async ValueTask<object?> RetryReadsAndUndeliveredWrites(EndpointFilterInvocationContext context, EndpointFilterDelegate next)
    {
        var http = context.HttpContext;
        var method = http.Request.Method;
        if (HttpMethods.IsGet(method) || HttpMethods.IsHead(method))
        {
            return await RetryAsync(() => next(context), http.RequestAborted);
        }
        http.Request.EnableBuffering();
        var idempotent = HttpMethods.IsPut(method) || HttpMethods.IsDelete(method) || http.GetEndpoint()?.Metadata.GetMetadata<IdempotentWrite>() is not null;
        var attempts = 0;
        return await RetryWhileAsync(async () =>
        {
            http.Request.Body.Position = 0; // each attempt reads the body from the start
            var retried = attempts++ > 0;
            var result = await next(context);
            return retried && HttpMethods.IsDelete(method) && result is IStatusCodeHttpResult { StatusCode: StatusCodes.Status404NotFound }
                ? Results.NoContent() : result;
        }, idempotent ? Is : NeverDelivered, http.RequestAborted);
    }

    /// <summary>Endpoint filter: GET and HEAD handlers read no body, so the whole handler can run again.</summary>
    public static async ValueTask<object?> RetryReads(EndpointFilterInvocationContext context, EndpointFilterDelegate next)
    {
        var method = context.HttpContext.Request.Method;
        return HttpMethods.IsGet(method) || HttpMethods.IsHead(method)
            ? await RetryAsync(() => next(context), context.HttpContext.RequestAborted)
            : await next(context);
    }
}
