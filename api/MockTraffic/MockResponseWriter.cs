using Microsoft.Net.Http.Headers;
using OrleansMock.Api.Auth;
using OrleansMock.Api.Http;
using OrleansMock.GrainInterfaces;

namespace OrleansMock.Api.MockTraffic;

/// <summary>
/// Writes what the project grain answered itself: an endpoint's response (delay, fault, headers, body), an OPTIONS
/// answer, or a problem for each kind of refusal. The status of each comes from the result (<see cref="MockResult.Status"/>).
/// </summary>
public static class MockResponseWriter
{
    /// <param name="ownOrigin">The project is served on an origin of its own; on the shared one its cookies are confined to <c>/m/{project}</c>.</param>
    public static Task WriteAsync(HttpContext context, MockResult result, string project, string path, bool ownOrigin)
    {
        var method = context.Request.Method;
        var status = result.Status ?? StatusCodes.Status404NotFound;
        switch (result)
        {
            case MockResult.Answered answered:
                return AnswerAsync(context, answered.Response, !result.CorsDisabled, ownOrigin ? null : project);
            case MockResult.Options options:
                WriteOptions(context, options.Allow, !result.CorsDisabled);
                if (options.ForResource && !result.CorsDisabled)
                {
                    JsonServerResponder.Cors(context); // a resource's preflight: json-server's credentialed CORS
                }
                return Task.CompletedTask;
            case MockResult.NoMatch miss:
                return NoMatch(project, method, path, miss.Closest).ExecuteAsync(context);
            case MockResult.Invalid invalid:
                if (invalid.Allow is { Length: > 0 } allow)
                {
                    context.Response.Headers.Allow = string.Join(", ", allow);
                }
                return Problems.Status(status, $"{method} {path} breaks the project's imported OpenAPI document: {string.Join("; ", invalid.Violations)}",
                    new Dictionary<string, object?> { ["errors"] = invalid.Violations }).ExecuteAsync(context);
            case MockResult.Failed failed:
                return Problems.Status(status, $"project '{project}' could not answer {method} {path}: {failed.Error}").ExecuteAsync(context);
            case MockResult.ClientGone:
                context.Abort(); // nobody is left to read an answer (the grain stopped because the client went away)
                return Task.CompletedTask;
            case MockResult.RateLimited limited:
                // Counted by the project grain; the refusal is counted here, beside the other policies' (issue 33.7).
                Telemetry.RateLimitRejections.Add(1, new KeyValuePair<string, object?>("policy", nameof(RateLimitOptions.MockPerProject)));
                return RateLimiter.Refusal(context.Response, new RateLimiter.Check(limited.Decision, false), $"project '{project}'").ExecuteAsync(context);
            case MockResult.TooManySessions full:
                return Problems.Status(status, $"project '{project}' has {full.Limit} live test sessions, as many as it may keep "
                    + $"(OrleansMock:Limits:MaxSessionsPerProject): delete one (DELETE /api/v1/projects/{{id}}/sessions/{{session}}) or wait until one is idle for "
                    + "OrleansMock:Limits:SessionIdleMinutes").ExecuteAsync(context);
            case MockResult.Private:
                context.Response.Headers.WWWAuthenticate = $"{ApiKeyAuthentication.SchemeName} header=\"{ApiKeyAuthentication.Header}\", Bearer";
                return Problems.Status(status,
                    $"mock project '{project}' is private: send its owner's API key in {ApiKeyAuthentication.Header} (or a bearer token)").ExecuteAsync(context);
            default:
                return Problems.NotFound($"mock project '{project}' does not exist; check the slug or id in the URL").ExecuteAsync(context);
        }
    }

    /// <summary>Writes an endpoint's response; on the shared origin (<paramref name="sharedOriginProject"/> set) its cookies are confined to the project's path.</summary>
    private static async Task AnswerAsync(HttpContext context, MockResponse mock, bool cors, string? sharedOriginProject)
    {
        if (mock.DelayMs > 0)
        {
            try
            {
                await Task.Delay(mock.DelayMs, context.RequestAborted);
            }
            catch (OperationCanceledException)
            {
                return; // the client went away while we waited
            }
        }
        if (mock.Fault != Fault.None)
        {
            await MockFaults.ApplyAsync(context, mock.Fault);
            return;
        }
        var response = context.Response;
        response.StatusCode = mock.Status;
        if (mock.StatusMessage is not null && context.Features.Get<Microsoft.AspNetCore.Http.Features.IHttpResponseFeature>() is { } status)
        {
            status.ReasonPhrase = mock.StatusMessage;
        }
        foreach (var (name, value) in mock.Headers)
        {
            // The scope is built only for a response that sets a cookie: the hot path allocates nothing for it.
            response.Headers.Append(name, sharedOriginProject is not null && name.Equals(HeaderNames.SetCookie, StringComparison.OrdinalIgnoreCase)
                ? MockOrigin.ScopeCookie(value, MockOrigin.CookieScope(sharedOriginProject)) : value);
        }
        if (cors && context.Request.Headers.Origin.Count > 0 && !response.Headers.ContainsKey("Access-Control-Allow-Origin"))
        {
            response.Headers.AccessControlAllowOrigin = "*";
        }
        if (mock.ContentType is not null)
        {
            response.ContentType = mock.ContentType;
        }
        if (mock.Body.Length == 0)
        {
            if (mock.Status is not (204 or 304))
            {
                response.ContentLength = 0;
            }
            return;
        }
        if (mock.ChunkedDribble is { } dribble && !HttpMethods.IsHead(context.Request.Method))
        {
            // Chunked, without Content-Length, as WireMock sends it (checked against its jar): the client reads to the
            // end of the answer, so it takes the whole total duration.
            await MockFaults.DribbleAsync(response, mock.Body, dribble, context.RequestAborted);
            return;
        }
        response.ContentLength = mock.Body.Length;
        if (HttpMethods.IsHead(context.Request.Method))
        {
            return;
        }
        // No cancellation token: a client that leaves ends the write with its connection, and asking Kestrel for
        // RequestAborted costs a lock and a cancellation source per connection, reset after every request.
        await response.Body.WriteAsync(mock.Body);
    }

    /// <summary>OPTIONS on a path whose endpoints define no OPTIONS of their own: Allow, plus a CORS preflight answer.</summary>
    private static void WriteOptions(HttpContext context, string[] allow, bool cors)
    {
        var response = context.Response;
        response.StatusCode = StatusCodes.Status204NoContent;
        var methods = string.Join(", ", allow);
        response.Headers.Allow = methods;
        var request = context.Request.Headers;
        if (cors && request.Origin.Count > 0)
        {
            response.Headers.AccessControlAllowOrigin = "*";
            response.Headers.AccessControlAllowMethods = methods;
            if (request.AccessControlRequestHeaders.Count > 0)
            {
                response.Headers.AccessControlAllowHeaders = request.AccessControlRequestHeaders;
            }
            response.Headers.AccessControlMaxAge = "600";
        }
    }

    private static IResult NoMatch(string project, string method, string path, NearMiss? closest)
    {
        var extensions = new Dictionary<string, object?> { ["project"] = project, ["method"] = method, ["path"] = path };
        string detail;
        if (closest is null)
        {
            detail = $"no endpoint matches {method} {path}: project '{project}' has no endpoints yet";
        }
        else
        {
            extensions["closestEndpoint"] = new { id = closest.EndpointId, method = closest.Method, path = closest.Path };
            extensions["reason"] = closest.Reason;
            detail = $"no endpoint matches {method} {path}; the closest is {closest.Method} {closest.Path} ({closest.EndpointId}): {closest.Reason}";
        }
        return Problems.Status(StatusCodes.Status404NotFound, detail, extensions);
    }
}
