using System.Security.Claims;
using OrleansMock.Api.Auth;
using OrleansMock.Api.Http;
using OrleansMock.GrainInterfaces;

namespace OrleansMock.Api.Apis;

/// <summary>A page of the journal, newest first; pass <c>nextCursor</c> as <c>before</c> for the next page.</summary>
public sealed record RequestLogResponse(RequestLogEntryResponse[] Items, string? NextCursor = null);

public sealed record RequestLogEntryResponse(
    DateTimeOffset At, string Method, string Path, string? Query, Dictionary<string, string> Headers, string? BodyPreview,
    int Status, string? EndpointId, string? Miss, double ServedMs, int? ResponseIndex, string Id, string? ContractViolation = null,
    string? Session = null)
{
    public static RequestLogEntryResponse From(RequestLogEntry entry)
    {
        var headers = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase);
        foreach (var (name, value) in entry.Headers)
        {
            headers.TryAdd(name, value);
        }
        return new(entry.At, entry.Method, entry.Path, entry.Query, headers, entry.BodyPreview, entry.Status, entry.EndpointId, entry.Miss,
            Math.Round(entry.ServedMs, 3), entry.ResponseIndex, entry.Seq.ToString(System.Globalization.CultureInfo.InvariantCulture), entry.ContractViolation,
            entry.Session);
    }
}

/// <summary>A project's webhooks: waiting (soonest first) and attempted (newest first); <c>requestId</c> is the triggering journal entry's id.</summary>
public sealed record WebhookLogResponse(PendingWebhookResponse[] Pending, WebhookAttemptResponse[] Items);

public sealed record PendingWebhookResponse(string Id, DateTimeOffset Due, string Method, string Url, string EndpointId, string RequestId);

/// <summary>One attempt: the request as sent (secret header values masked, the body cut to the journal's preview), and the target's answer or the error.</summary>
public sealed record WebhookAttemptResponse(string Id, DateTimeOffset At, string EndpointId, string RequestId, string Method, string Url,
    Dictionary<string, string> Headers, string? BodyPreview, int? Status, string? Error, double DurationMs, Dictionary<string, string>? ResponseHeaders,
    string? ResponseBodyPreview);

/// <summary>
/// A project's request journal: its mock requests and what answered them (retention by count and age), kept by the
/// project grain and stored in batches, so it survives restarts.
/// </summary>
public static class RequestLogApi
{
    private const int DefaultLimit = 50;

    public static RouteGroupBuilder MapRequestLogApi(this IEndpointRouteBuilder app)
    {
        var group = app.MapProjectArea("/requests", "Request log");
        group.MapGet("/", GetAsync)
            .WithName("GetRequestLog")
            .WithSummary("The project's mock requests, newest first; filters: method, pathPrefix, status, matched, from, to; paging: limit, before; "
                + "session: a test session's requests instead of the project's own")
            .Produces<RequestLogResponse>().ProducesProblem(StatusCodes.Status400BadRequest);
        // Not retried as a whole (the filter above would run it again after it has started writing).
        app.MapGet($"/projects/{{{ProjectScope.RouteValue}}}/requests/stream", StreamAsync).WithTags("Request log").AddEndpointFilter(ProjectScope.Require).ProducesProblem(StatusCodes.Status404NotFound)
            .WithName("StreamRequestLog")
            .WithSummary("The project's new mock requests as server-sent events (event: request, data: one entry as JSON), as they are logged")
            .Produces(StatusCodes.Status200OK, contentType: "text/event-stream");
        app.MapGet($"/projects/{{{ProjectScope.RouteValue}}}/webhooks", WebhooksAsync).WithTags("Request log").AddEndpointFilter(ProjectScope.Require)
            .WithName("GetWebhookLog")
            .WithSummary("The project's webhooks: those waiting to be sent (soonest first) and the latest attempts (newest first), each naming the request that triggered it")
            .Produces<WebhookLogResponse>().ProducesProblem(StatusCodes.Status404NotFound);
        group.MapDelete("/", ClearAsync)
            .WithName("ClearRequestLog").WithSummary("Empty the project's request log (its own requests; with session, that test session's)")
            .Produces(StatusCodes.Status204NoContent);
        return group;
    }

    private static async Task<IResult> GetAsync(ProjectScope project, string? limit, string? method, string? pathPrefix, string? status, string? matched,
        string? from, string? to, string? before, string? session)
    {
        if (SessionsApi.Refused(session) is { } wrongSession)
        {
            return wrongSession;
        }
        var size = DefaultLimit;
        if (limit is not null && (!int.TryParse(limit, out size) || size < 1 || size > 10_000))
        {
            return Problems.BadRequest("limit must be an integer from 1 to 10000");
        }
        int? statusCode = null;
        if (status is not null)
        {
            if (!int.TryParse(status, out var code) || code is < 100 or > 599)
            {
                return Problems.BadRequest("status must be an HTTP status from 100 to 599");
            }
            statusCode = code;
        }
        if (matched is not (null or "true" or "false"))
        {
            return Problems.BadRequest("matched must be true or false");
        }
        bool? wasMatched = matched is null ? null : matched == "true";
        if (Time(from, "from", out var fromTime) is { } fromError)
        {
            return fromError;
        }
        if (Time(to, "to", out var toTime) is { } toError)
        {
            return toError;
        }
        long? cursor = null;
        if (before is not null)
        {
            if (!long.TryParse(before, out var parsed))
            {
                return Problems.BadRequest("before must be a cursor from an earlier page (nextCursor)");
            }
            cursor = parsed;
        }
        var outcome = await project.Grain.QueryRequestLogAsync(project.Caller,
            new RequestLogQuery(size, method?.ToUpperInvariant(), pathPrefix, statusCode, wasMatched, fromTime, toTime, cursor, Session: session));
        if (!outcome.IsOk)
        {
            return ProjectScope.NotFound(project.Name);
        }
        var items = outcome.Value!;
        var next = items.Length == size ? items[^1].Seq.ToString(System.Globalization.CultureInfo.InvariantCulture) : null;
        return TypedResults.Ok(new RequestLogResponse([.. items.Select(RequestLogEntryResponse.From)], next));
    }

    /// <summary>How often an open stream asks the project grain for entries newer than the last it sent (from memory).</summary>
    public static readonly TimeSpan StreamPollInterval = TimeSpan.FromMilliseconds(400);

    private static readonly TimeSpan StreamHeartbeat = TimeSpan.FromSeconds(15);

    private static readonly TimeSpan StreamLifetime = TimeSpan.FromMinutes(30);

    /// <summary>How often an open stream checks that the credential that opened it still holds (a revoked key, an expired token end it).</summary>
    public static readonly TimeSpan StreamCredentialCheck = TimeSpan.FromSeconds(5);

    /// <summary>
    /// Server-sent events of the entries logged from now on (or after <c>Last-Event-ID</c>, which a reconnecting
    /// client sends). The front end asks the project grain a few times a second for what is newer than the last entry
    /// it sent: a read from the grain's memory, while mock traffic pays nothing for open streams. A comment line every
    /// 15 s keeps proxies from closing an idle stream; after 30 minutes the stream ends and the client reconnects.
    /// </summary>
    private static async Task StreamAsync(ProjectScope project, HttpContext context, ClaimsPrincipal user,
        TimeProvider time, Microsoft.Extensions.Options.IOptions<Microsoft.AspNetCore.Http.Json.JsonOptions> jsonOptions,
        Microsoft.Extensions.Options.IOptions<MockLimits> limits, IGrainFactory grains, LogStreamSlots slots, string? session)
    {
        if (SessionsApi.Refused(session) is { } wrongSession)
        {
            await wrongSession.ExecuteAsync(context);
            return;
        }
        var userId = user.UserId();
        if (slots.TryTake(userId, limits.Value.MaxLogStreamsPerUser, limits.Value.MaxLogStreams) is { } refused)
        {
            context.Response.Headers.RetryAfter = "30";
            await Problems.Status(StatusCodes.Status429TooManyRequests, refused).ExecuteAsync(context);
            return;
        }
        try
        {
            await StreamOpenedAsync(project, context, user, time, jsonOptions, grains, session);
        }
        finally
        {
            slots.Release(userId);
        }
    }

    /// <summary>
    /// Whether the credential that opened the stream still holds: an API key its user has not revoked, a bearer token
    /// that has not expired.
    /// </summary>
    private static async Task<bool> CredentialHoldsAsync(HttpContext context, ClaimsPrincipal user, IGrainFactory grains, TimeProvider time)
    {
        if (Auth.ApiKeyAuthentication.KeyOf(context.Request) is { Length: > 0 } key)
        {
            return await grains.GetGrain<IUserGrain>(user.UserId()).AuthenticateApiKeyAsync(key) is not null;
        }
        return !long.TryParse(user.FindFirst("exp")?.Value, out var expires) || time.GetUtcNow().ToUnixTimeSeconds() < expires;
    }

    private static async Task StreamOpenedAsync(ProjectScope project, HttpContext context, ClaimsPrincipal user,
        TimeProvider time, Microsoft.Extensions.Options.IOptions<Microsoft.AspNetCore.Http.Json.JsonOptions> jsonOptions, IGrainFactory grains, string? session)
    {
        var grain = project.Grain;
        // The owner check comes first, whether or not the client resumes an earlier stream.
        var newest = await grain.QueryRequestLogAsync(project.Caller, new RequestLogQuery(1, Session: session));
        if (!newest.IsOk)
        {
            await ProjectScope.NotFound(project.Name).ExecuteAsync(context);
            return;
        }
        var after = long.TryParse(context.Request.Headers["Last-Event-ID"], out var resumed) ? resumed : newest.Value!.FirstOrDefault()?.Seq ?? 0;
        var response = context.Response;
        response.ContentType = "text/event-stream";
        response.Headers.CacheControl = "no-store";
        response.Headers["X-Accel-Buffering"] = "no";
        var aborted = context.RequestAborted;
        var started = time.GetTimestamp();
        var quietSince = started;
        var checkedAt = started;
        await response.WriteAsync(": stream of new requests\n\n", aborted);
        await response.Body.FlushAsync(aborted);
        try
        {
            while (!aborted.IsCancellationRequested && time.GetElapsedTime(started) < StreamLifetime)
            {
                if (time.GetElapsedTime(checkedAt) >= StreamCredentialCheck)
                {
                    checkedAt = time.GetTimestamp();
                    if (!await CredentialHoldsAsync(context, user, grains, time))
                    {
                        await response.WriteAsync("event: end\ndata: {\"reason\":\"the credential that opened this stream was revoked or expired\"}\n\n", aborted);
                        return;
                    }
                }
                var page = await grain.QueryRequestLogAsync(project.Caller, new RequestLogQuery(200, After: after, Session: session));
                if (page is not { IsOk: true, Value: { } entries })
                {
                    return; // the project was deleted meanwhile
                }
                foreach (var entry in entries.Reverse())
                {
                    var data = System.Text.Json.JsonSerializer.Serialize(RequestLogEntryResponse.From(entry), jsonOptions.Value.SerializerOptions);
                    await response.WriteAsync($"id: {entry.Seq}\nevent: request\ndata: {data}\n\n", aborted);
                    after = entry.Seq;
                }
                if (entries.Length > 0 || time.GetElapsedTime(quietSince) >= StreamHeartbeat)
                {
                    if (entries.Length == 0)
                    {
                        await response.WriteAsync(": still here\n\n", aborted);
                    }
                    await response.Body.FlushAsync(aborted);
                    quietSince = time.GetTimestamp();
                }
                await Task.Delay(StreamPollInterval, time, aborted);
            }
        }
        catch (OperationCanceledException) when (aborted.IsCancellationRequested)
        {
            // The client went away.
        }
    }

    private static IResult? Time(string? text, string name, out DateTimeOffset? value)
    {
        value = null;
        if (text is null)
        {
            return null;
        }
        if (!DateTimeOffset.TryParse(text, System.Globalization.CultureInfo.InvariantCulture, System.Globalization.DateTimeStyles.AssumeUniversal, out var parsed))
        {
            return Problems.BadRequest($"{name} must be a date and time such as 2026-12-01T10:00:00Z");
        }
        value = parsed;
        return null;
    }

    private static async Task<IResult> WebhooksAsync(ProjectScope project, ProjectResolver resolver, Microsoft.Extensions.Options.IOptions<MockLimits> limits)
    {
        if (await project.Grain.GetAsync(project.Caller) is null)
        {
            return ProjectScope.NotFound(project.Name);
        }
        var log = await resolver.Webhooks(project.Id).GetLogAsync(limits.Value.WebhookLogSize);
        static string Seq(long seq) => seq.ToString(System.Globalization.CultureInfo.InvariantCulture);
        static Dictionary<string, string> Headers(KeyValuePair<string, string>[]? headers) =>
            (headers ?? []).GroupBy(h => h.Key, StringComparer.OrdinalIgnoreCase).ToDictionary(g => g.Key, g => string.Join(", ", g.Select(h => h.Value)));
        return TypedResults.Ok(new WebhookLogResponse(
            [.. log.Pending.Select(p => new PendingWebhookResponse(p.Id, p.Due, p.Method, p.Url, p.EndpointId, Seq(p.RequestSeq)))],
            [.. log.Attempts.Select(a => new WebhookAttemptResponse(a.Id, a.At, a.EndpointId, Seq(a.RequestSeq), a.Method, a.Url, Headers(a.Headers), a.BodyPreview,
                a.Status, a.Error, a.DurationMs, a.ResponseHeaders is null ? null : Headers(a.ResponseHeaders), a.ResponseBodyPreview))]));
    }

    private static async Task<IResult> ClearAsync(ProjectScope project, string? session)
    {
        if (SessionsApi.Refused(session) is { } wrongSession)
        {
            return wrongSession;
        }
        var outcome = await project.Grain.ClearRequestLogAsync(project.Caller, session);
        return outcome.IsOk ? TypedResults.NoContent() : ProjectScope.NotFound(project.Name);
    }
}
