using Microsoft.AspNetCore.Diagnostics;
using Orleans.Runtime;
using Orleans.Storage;

namespace OrleansMock.Api.Http;

/// <summary>
/// The last line of defence: no exception leaves as a bare 500. Unavailable cluster or storage becomes 503 with
/// Retry-After (the change was not acknowledged, so retrying is safe); a malformed request becomes its 4xx.
/// </summary>
public sealed partial class ExceptionHandling(IProblemDetailsService problems, ILogger<ExceptionHandling> logger) : IExceptionHandler
{
    public async ValueTask<bool> TryHandleAsync(HttpContext context, Exception exception, CancellationToken cancellationToken)
    {
        var (status, detail) = exception switch
        {
            BadHttpRequestException bad => (bad.StatusCode, bad.Message),
            InconsistentStateException => (StatusCodes.Status503ServiceUnavailable,
                "the change was not saved because the stored data changed underneath; retry the request"),
            TimeoutException or OrleansException or IOException => (StatusCodes.Status503ServiceUnavailable,
                "the service is temporarily unavailable and the request was not completed; retry shortly"),
            _ when Transient.IsNotConnectedYet(exception) => (StatusCodes.Status503ServiceUnavailable,
                "this front end has not reached the cluster yet; retry shortly"),
            _ => (StatusCodes.Status500InternalServerError, "an unexpected error occurred; it has been logged"),
        };
        if (status >= 500)
        {
            LogFailure(logger, exception, context.Request.Method, context.Request.Path);
        }
        if (status == StatusCodes.Status503ServiceUnavailable)
        {
            context.Response.Headers.RetryAfter = "1";
        }
        context.Response.StatusCode = status;
        return await problems.TryWriteAsync(new ProblemDetailsContext
        {
            HttpContext = context,
            Exception = exception,
            ProblemDetails = { Status = status, Detail = detail },
        });
    }

    [LoggerMessage(Level = LogLevel.Error, Message = "Request {Method} {Path} failed")]
    private static partial void LogFailure(ILogger logger, Exception exception, string method, string path);
}
