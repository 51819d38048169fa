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
    private static readonly TimeSpan[] Backoff =
        [TimeSpan.FromMilliseconds(100), TimeSpan.FromMilliseconds(250), TimeSpan.FromMilliseconds(500), TimeSpan.FromSeconds(1), TimeSpan.FromSeconds(2)];

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

    /// <summary>
    /// Endpoint filter for management routes: reads are retried on every transient failure (as <see cref="RetryReads"/>);
    /// writes only when the failure says the grain never received them (<see cref="NeverDelivered"/>), so a write is
    /// never applied twice. The body is buffered so the handler can read it again. Not for routes with effects outside
    /// the cluster (the tester sends HTTP requests).
    /// </summary>
    public static async ValueTask<object?> RetryReadsAndUndeliveredWrites(EndpointFilterInvocationContext context, EndpointFilterDelegate next)
    {
        var http = context.HttpContext;
        if (HttpMethods.IsGet(http.Request.Method) || HttpMethods.IsHead(http.Request.Method))
        {
            return await RetryAsync(() => next(context), http.RequestAborted);
        }
        http.Request.EnableBuffering();
        return await RetryUndeliveredAsync(() =>
        {
            http.Request.Body.Position = 0; // each attempt reads the body from the start
            return next(context);
        }, http.RequestAborted);
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
