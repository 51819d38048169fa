using System.Diagnostics;
using Microsoft.AspNetCore.Diagnostics;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.Extensions.Options;
using OrleansMock.Api.Auth;
using OrleansMock.Api.Http;
using OrleansMock.GrainInterfaces;

namespace OrleansMock.Api.MockTraffic;

/// <summary>
/// The hot path: <c>ANY /m/{project}/{**path}</c> (or <c>https://{project}.{domain}/{path}</c>) is answered by the
/// project grain from memory. Read top to bottom: the client's rate limit and the body's size are checked, the
/// request is read (<see cref="MockRequestReader"/>), a static answer this front end holds is written at once
/// (<see cref="AnswerCache"/>), else the project grain answers with a <see cref="MockResult"/>, and
/// that is written (<see cref="MockResponseWriter"/>), forwarded to a real API (<see cref="MockProxy"/>) or handed to a
/// resource grain (<see cref="JsonServerResponder"/>). It is a branch at the front of the pipeline, ahead of routing,
/// status-code pages and authentication: credentials are checked only when the request carries some (private projects).
/// </summary>
public static class MockTrafficMiddleware
{
    private const string Prefix = Paths.MockPrefix;

    /// <summary>
    /// Serves <c>/m/...</c> ahead of the rest of the pipeline (call before routing and authentication are added). It is
    /// its own terminal middleware rather than a Map branch behind the exception handler and the metrics middleware:
    /// one async frame per request instead of four, so it catches, describes and times its requests itself.
    /// </summary>
    public static IApplicationBuilder UseMockTraffic(this IApplicationBuilder app)
    {
        var traffic = app.ApplicationServices.GetRequiredService<Handler>();
        return app.Use(next => context => traffic.InvokeAsync(context, next));
    }

    /// <summary>
    /// The mock engine's HTTP face, one per process: the middleware runs it, and so does the tester for this service's
    /// own mock URLs (<see cref="LocalMocks"/>). The services are singletons, taken once: asking
    /// HttpContext.RequestServices would create a DI scope per request.
    /// </summary>
    public sealed class Handler
    {
        private readonly Traffic _traffic;
        private readonly string? _mockDomain;

        public Handler(IServiceProvider services)
        {
            var limits = services.GetRequiredService<IOptions<MockLimits>>().Value;
            var grains = services.GetRequiredService<IGrainFactory>();
            _traffic = new Traffic(services.GetRequiredService<RateLimiter>(), services.GetRequiredService<ProjectResolver>(),
                new GrainReferences<IMockProjectGrain>(grains), services.GetRequiredService<IOptions<RateLimitOptions>>().Value.MockPerClient, limits,
                new MockRequestReader(limits, new Redaction(limits.RedactNames), services.GetRequiredService<OwnCredentials>()),
                services.GetRequiredService<MockProxy>(), services.GetRequiredService<JsonServerResponder>(), services.GetRequiredService<GraphQlResponder>(),
                new GrainReferences<IMockResourceGrain>(grains), limits.AnswerCache ? services.GetRequiredService<AnswerCache>() : null);
            _mockDomain = services.GetRequiredService<IConfiguration>()[MockOrigin.DomainKey] is { Length: > 0 } domain ? "." + domain.Trim('.') : null;
        }

        /// <summary>The project a request on a mock origin of its own (<c>{project}.{domain}</c>) addresses; null elsewhere.</summary>
        public string? HostedProject(string host) => _mockDomain is null ? null : MockOrigin.ProjectOfHost(host, _mockDomain);

        /// <summary>Answers a mock request, or passes anything else (and the WireMock admin API) to <paramref name="next"/>.</summary>
        public Task InvokeAsync(HttpContext context, RequestDelegate next)
        {
            if (_mockDomain is not null && HostedProject(context.Request.Host.Host) is { } hosted) // Host.Host makes a string: only when asked
            {
                // A mock origin of its own: https://{project}.{domain}/{path}; nothing of the service lives there.
                return HandleAsync(context, _traffic, hosted, context.Request.Path.Value is { Length: > 0 } p ? p : "/", ownOrigin: true, requestPath: null, known: null);
            }
            var requestPath = context.Request.Path.Value;
            if (!Paths.IsUnder(requestPath, Prefix))
            {
                return next(context);
            }
            if (_traffic.Cache?.Find(requestPath!, context.Request.Method) is { } known)
            {
                // A URL this front end has a static answer for: its project and path as that answer's request named them.
                return HandleAsync(context, _traffic, known.Address, known.Path, ownOrigin: false, requestPath, known);
            }
            // The path is "/m/{project}/{rest}".
            var remainder = requestPath.AsSpan(Prefix.Length);
            var slash = remainder.Length > 1 ? remainder[1..].IndexOf('/') : -1;
            var project = slash < 0 ? remainder.TrimStart('/').ToString() : remainder[1..(slash + 1)].ToString();
            var path = slash < 0 ? "/" : remainder[(slash + 1)..].ToString();
            if (Paths.IsUnder(path, Paths.WireMockAdminSegment))
            {
                return next(context); // the project's WireMock admin API: routed like the management API
            }
            return HandleAsync(context, _traffic, project, path, ownOrigin: false, requestPath, known: null);
        }
    }

    private sealed record Traffic(
        RateLimiter Limiter, ProjectResolver Projects, GrainReferences<IMockProjectGrain> ProjectGrains, RateLimitPolicyOptions PerClient,
        MockLimits Limits, MockRequestReader Reader, MockProxy Proxy, JsonServerResponder Resources, GraphQlResponder GraphQl,
        GrainReferences<IMockResourceGrain> Files, AnswerCache? Cache);

    /// <summary>
    /// <paramref name="requestPath"/>: the request's whole path on the service's origin (null on a project's own);
    /// <paramref name="known"/>: the cached answer that URL has, when <see cref="Handler.InvokeAsync"/> found one.
    /// </summary>
    private static async Task HandleAsync(HttpContext context, Traffic traffic, string address, string path, bool ownOrigin, string? requestPath,
        AnswerCache.Entry? known)
    {
        var started = Stopwatch.GetTimestamp();
        var client = default(ClientLink);
        try
        {
            if (!SessionOf(context, address, out var project, out var session, out var wrongSession))
            {
                await Problems.BadRequest(wrongSession!).ExecuteAsync(context);
                return;
            }
            if (await RefusedAsync(context, traffic, project))
            {
                return;
            }
            if (!ownOrigin)
            {
                // On the service's origin, whatever a tenant serves renders in an opaque origin, never as the service's pages.
                context.Response.Headers.ContentSecurityPolicy = MockOrigin.SandboxPolicy;
            }
            if (Paths.IsUnder(path, FilesSegment))
            {
                await FileAsync(context, traffic, project, session, path);
                return;
            }
            var cached = session is null ? traffic.Cache?.Of(project) : null;
            var method = context.Request.Method;
            if (cached is not null && traffic.Cache!.EntryOf(requestPath, project, path, method, known) is { } entry
                && traffic.Cache.TryAnswer(cached, entry) is { } hit)
            {
                // A static answer this front end holds under the project's lease: no grain call, and of the request only
                // what the journal keeps is read (AnswerCache).
                var logged = await traffic.Reader.LogAsync(context.Request);
                await MockResponseWriter.WriteAsync(context, hit, address, path, ownOrigin);
                traffic.Cache.Record(cached, new CachedAnswer(method, path, logged.Query, logged.Headers, logged.BodyPreview, DateTimeOffset.UtcNow,
                    hit.Response.Status, hit.Response.EndpointId, hit.Response.ResponseIndex, Stopwatch.GetElapsedTime(started).TotalMilliseconds));
                return;
            }
            // A slug is checked by the project grain against its own (see ProjectResolver); an id needs no check.
            var read = await traffic.Reader.ReadAsync(context, project, path, ProjectIds.IsProjectId(project) ? null : project, session);
            var versionBefore = AnswerCache.VersionBefore(cached);
            if (cached is not null && traffic.Cache!.TakePermit(cached))
            {
                read = read with { Request = read.Request with { Prepaid = true } }; // counted when this front end leased it
            }
            client = ClientAborts.Register(context.RequestAborted);
            var result = await AnswerAsync(traffic, project, session, read.Request, client, context.RequestAborted);
            if (result is MockResult.NeedsDetail)
            {
                // The project's matchers read more of the request than this front end knew: once per project and front end.
                read = await traffic.Reader.WithDetailAsync(context, project, path, read, result.Needs);
                result = await AnswerAsync(traffic, project, session, read.Request, client, context.RequestAborted);
            }
            traffic.Reader.Remember(project, read, result.Needs);

            switch (result)
            {
                case MockResult.Forward forward:
                    await ForwardAsync(context, traffic, project, path, read.Logged, forward, ownOrigin ? null : MockOrigin.CookieScope(address), started);
                    return;
                case MockResult.ToResource resource:
                    try
                    {
                        await traffic.Resources.AnswerAsync(context, resource.Route, !result.CorsDisabled);
                    }
                    finally
                    {
                        Journal(traffic, MockSessions.ProjectOf(resource.Route.ProjectId), read.Logged, context, started);
                    }
                    return;
                case MockResult.GraphQl graphQl:
                    try
                    {
                        await traffic.GraphQl.AnswerAsync(context, graphQl, !result.CorsDisabled);
                    }
                    finally
                    {
                        Journal(traffic, await traffic.Projects.IdOfAnsweredAsync(project) ?? project, read.Logged, context, started, graphQl.EndpointId);
                    }
                    return;
                case MockResult.Answered { Cacheable: true } cacheable when session is null && traffic.Cache is { } cache:
                    await MockResponseWriter.WriteAsync(context, result, address, path, ownOrigin);
                    if (traffic.Projects.KnownId(project) is { } projectId) // the answer refreshed it; no call that could fail after the answer
                    {
                        cache.Offer(project, AnswerCache.KeyOf(requestPath, project, path), projectId, read.Request.Method, path, cacheable, cached, versionBefore);
                    }
                    return;
                default:
                    await MockResponseWriter.WriteAsync(context, result, address, path, ownOrigin);
                    return;
            }
        }
        catch (Exception exception) when (!context.Response.HasStarted && !context.RequestAborted.IsCancellationRequested)
        {
            context.Response.Clear();
            if (!await context.RequestServices.GetRequiredService<IExceptionHandler>().TryHandleAsync(context, exception, context.RequestAborted))
            {
                throw;
            }
        }
        finally
        {
            ClientAborts.Release(client);
            Telemetry.RecordRequest(Telemetry.MockGroup, context.Response.StatusCode, Stopwatch.GetElapsedTime(started));
        }
    }

    private const string FilesSegment = "/__files";

    /// <summary>
    /// A file a resource's record carries (<c>/__files/{resource}/{fileId}</c>, the <c>url</c> of its metadata): its bytes
    /// as uploaded, from the resource's (or the test session's) storage. The file id is the capability: unguessable, and
    /// given only to whoever reads the record.
    /// </summary>
    private static async Task FileAsync(HttpContext context, Traffic traffic, string project, string? session, string path)
    {
        var parts = path.Length > FilesSegment.Length + 1 ? path[(FilesSegment.Length + 1)..].Split('/') : [];
        var id = parts.Length == 2 && (HttpMethods.IsGet(context.Request.Method) || HttpMethods.IsHead(context.Request.Method))
            ? await traffic.Projects.ResolveAsync(project) : null;
        var file = id is null || parts.Length != 2 ? null
            : await traffic.Files.Get(ResourceKeys.Grain(session is null ? id : MockSessions.Scope(id, session), Uri.UnescapeDataString(parts[0])))
                .GetFileAsync(parts[1]);
        if (file is null)
        {
            await Problems.NotFound($"no file {path} in project '{project}'").ExecuteAsync(context);
            return;
        }
        context.Response.ContentType = file.ContentType;
        var disposition = new Microsoft.Net.Http.Headers.ContentDispositionHeaderValue("inline");
        disposition.SetHttpFileName(file.Filename); // quoted, and RFC 5987-encoded when it is not ASCII
        context.Response.Headers.ContentDisposition = disposition.ToString();
        context.Response.Headers.XContentTypeOptions = "nosniff";
        context.Response.ContentLength = file.Bytes.Length;
        if (!HttpMethods.IsHead(context.Request.Method))
        {
            await context.Response.Body.WriteAsync(file.Bytes, context.RequestAborted);
        }
    }

    /// <summary>The project's own state, or a test session's (<see cref="MockSessions"/>).</summary>
    private static ValueTask<MockResult> AnswerAsync(Traffic traffic, string project, string? session, MockRequest request, ClientLink client, CancellationToken cancellation) =>
        session is null
            ? traffic.Projects.HandleAsync(project, request, client, cancellation)
            : traffic.Projects.HandleInSessionAsync(project, session, request, client, cancellation);

    /// <summary>
    /// The project and the test session a request names: <c>{project}~{session}</c> in the URL, or the
    /// <c>X-Mock-Session</c> header (both may be given when they agree). False, with the reason, for a malformed session.
    /// </summary>
    private static bool SessionOf(HttpContext context, string address, out string project, out string? session, out string? error)
    {
        (project, session, error) = (address, null, null);
        var separator = address.IndexOf(MockSessions.Separator);
        if (separator >= 0)
        {
            (project, session) = (address[..separator], address[(separator + 1)..]);
            if (!MockSessions.IsValid(session))
            {
                error = MockSessions.Rule($"the URL's '{MockSessions.Separator}{session}'");
                return false;
            }
        }
        if (context.Request.Headers.TryGetValue(MockSessions.Header, out var header))
        {
            if (header.Count != 1 || !MockSessions.IsValid(header[0]))
            {
                error = MockSessions.Rule($"the {MockSessions.Header} header");
                return false;
            }
            if (session is not null && session != header[0])
            {
                error = $"the URL names test session '{session}' and the {MockSessions.Header} header '{header[0]}': give one, or the same in both";
                return false;
            }
            session = header[0];
        }
        return true;
    }

    /// <summary>
    /// What is refused before any grain is asked: no project in the URL, the client's rate limit, a body too large.
    /// Without an async frame when the limiter answers from what it holds and nothing is refused (the common case).
    /// </summary>
    private static ValueTask<bool> RefusedAsync(HttpContext context, Traffic traffic, string project)
    {
        if (project.Length == 0)
        {
            return RefuseAsync(context, Problems.NotFound($"a mock URL names its project: {Prefix}/{{project}}/{{path}}"));
        }
        var checking = traffic.Limiter.CheckAsync(RateLimiter.MockPerClient, traffic.PerClient, ClientAddress.Of(context));
        return checking.IsCompletedSuccessfully ? Refused(context, traffic, checking.Result) : RefusedAfterCheckAsync(context, traffic, checking);
    }

    private static async ValueTask<bool> RefusedAfterCheckAsync(HttpContext context, Traffic traffic, ValueTask<RateLimiter.Check> checking) =>
        await Refused(context, traffic, await checking);

    private static ValueTask<bool> Refused(HttpContext context, Traffic traffic, RateLimiter.Check limit)
    {
        if (limit.Refused)
        {
            return RefuseAsync(context, RateLimiter.Refusal(context.Response, limit, "this client"));
        }
        var maxBody = traffic.Limits.MaxRequestBodyBytes;
        if (context.Request.ContentLength > maxBody)
        {
            return RefuseAsync(context, Problems.Status(StatusCodes.Status413PayloadTooLarge,
                $"the request body is larger than {maxBody} bytes (OrleansMock:Limits:MaxRequestBodyBytes)"));
        }
        if (context.Features.Get<IHttpMaxRequestBodySizeFeature>() is { IsReadOnly: false } bodySize)
        {
            bodySize.MaxRequestBodySize = maxBody; // a chunked body that grows past it fails when read
        }
        return new(false);
    }

    private static async ValueTask<bool> RefuseAsync(HttpContext context, IResult refusal)
    {
        await refusal.ExecuteAsync(context);
        return true;
    }

    /// <summary>
    /// What goes to a real API (a proxy endpoint's answer, the project's proxy fallback, or everything while recording):
    /// forwarded, logged with the status the client got (the target's, or 502/504 when it could not be reached) and the
    /// endpoint that answered, and while recording handed back to the project grain to become an endpoint.
    /// </summary>
    private static async Task ForwardAsync(HttpContext context, Traffic traffic, string project, string path, MockRequest request,
        MockResult.Forward forward, string? cookieScope, long started)
    {
        var projectId = await traffic.Projects.IdOfAnsweredAsync(project) ?? project;
        try
        {
            var exchange = await traffic.Proxy.ForwardAsync(context, forward.Proxy, path, request.Caller is not null, !forward.CorsDisabled, cookieScope, forward.Record);
            if (exchange is not null)
            {
                await traffic.ProjectGrains.Get(projectId).RecordAsync(exchange); // before the response completes: once the client has it, so does the recording
            }
        }
        finally
        {
            Journal(traffic, projectId, request, context, started, forward.EndpointId);
        }
    }

    /// <summary>Logs an answer the project grain did not give itself (a resource's, a proxy target's) once it is known.</summary>
    private static void Journal(Traffic traffic, string projectId, MockRequest request, HttpContext context, long started, string? endpointId = null)
    {
        if (traffic.Limits.RequestLogSize > 0)
        {
            _ = traffic.ProjectGrains.Get(projectId)
                .RecordResourceAnswerAsync(request, context.Response.StatusCode, Stopwatch.GetElapsedTime(started).TotalMilliseconds, endpointId);
        }
    }
}
