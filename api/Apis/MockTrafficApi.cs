using System.Diagnostics;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Diagnostics;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.Extensions.Options;
using Microsoft.Net.Http.Headers;
using OrleansMock.Api.Auth;
using OrleansMock.Api.Http;
using OrleansMock.Api.Tester;
using OrleansMock.GrainInterfaces;

namespace OrleansMock.Api.Apis;

/// <summary>
/// The hot path: <c>ANY /m/{project}/{**path}</c> is answered by the project grain from memory. One grain call per
/// request (plus the client's rate-limit bucket); the response bytes were built when the endpoint was saved. It is a
/// branch at the front of the pipeline, ahead of routing, status-code pages and authentication: credentials are
/// checked only when the request carries some (private projects).
/// </summary>
public static class MockTrafficApi
{
    public const string Prefix = Paths.MockPrefix;

    /// <summary>
    /// Serves <c>/m/...</c> ahead of the rest of the pipeline (call before routing and authentication are added). It is
    /// its own terminal middleware rather than a Map branch behind the exception handler and the metrics middleware:
    /// one async frame per request instead of four, so it catches, describes and times its requests itself.
    /// </summary>
    public static IApplicationBuilder UseMockTraffic(this IApplicationBuilder app)
    {
        // The services are singletons, taken once: asking HttpContext.RequestServices would create a DI scope per request.
        var services = app.ApplicationServices;
        var traffic = new Traffic(services.GetRequiredService<RateLimiter>(), services.GetRequiredService<ProjectResolver>(),
            new GrainReferences<IMockResourceGrain>(services.GetRequiredService<IGrainFactory>()),
            new GrainReferences<IMockProjectGrain>(services.GetRequiredService<IGrainFactory>()),
            services.GetRequiredService<IOptions<RateLimitOptions>>().Value.MockPerClient, services.GetRequiredService<IOptions<MockLimits>>().Value,
            new Redaction(services.GetRequiredService<IOptions<MockLimits>>().Value.RedactNames), services.GetRequiredService<MockProxy>(),
            services.GetRequiredService<OwnCredentials>());
        var mockDomain = services.GetRequiredService<IConfiguration>()[MockOrigin.DomainKey] is { Length: > 0 } domain ? "." + domain.Trim('.') : null;
        return app.Use(next => context =>
        {
            if (mockDomain is not null && MockOrigin.ProjectOfHost(context.Request.Host.Host, mockDomain) is { } hosted)
            {
                // A mock origin of its own: https://{project}.{domain}/{path}; nothing of the service lives there.
                return HandleAsync(context, traffic, hosted, context.Request.Path.Value is { Length: > 0 } p ? p : "/", ownOrigin: true);
            }
            if (!Paths.IsUnder(context.Request.Path.Value, Prefix))
            {
                return next(context);
            }
            // The path is "/m/{project}/{rest}".
            var remainder = context.Request.Path.Value!.AsSpan(Prefix.Length);
            var slash = remainder.Length > 1 ? remainder[1..].IndexOf('/') : -1;
            var project = slash < 0 ? remainder.TrimStart('/').ToString() : remainder[1..(slash + 1)].ToString();
            var path = slash < 0 ? "/" : remainder[(slash + 1)..].ToString();
            if (Paths.IsUnder(path, WireMockAdminApi.Segment))
            {
                return next(context); // the project's WireMock admin API: routed like the management API
            }
            return HandleAsync(context, traffic, project, path, ownOrigin: false);
        });
    }

    private sealed record Traffic(
        RateLimiter Limiter, ProjectResolver Projects, GrainReferences<IMockResourceGrain> Resources, GrainReferences<IMockProjectGrain> ProjectGrains,
        RateLimitPolicyOptions PerClient, MockLimits Limits,
        Redaction Redaction, MockProxy Proxy, OwnCredentials Credentials)
    {
        /// <summary>
        /// The request parts each project's matchers and templates read, as its grain last said: sent with the first
        /// call, so such a project costs one call per request too. Only projects that need something are kept.
        /// </summary>
        public System.Collections.Concurrent.ConcurrentDictionary<string, RequestParts> Needs { get; } = new(StringComparer.Ordinal);
    }

    private static async Task HandleAsync(HttpContext context, Traffic traffic, string project, string path, bool ownOrigin)
    {
        var started = Stopwatch.GetTimestamp();
        var method = context.Request.Method;
        try
        {
            if (project.Length == 0)
            {
                await Problems.NotFound($"a mock URL names its project: {Prefix}/{{project}}/{{path}}").ExecuteAsync(context);
                return;
            }
            var limit = await traffic.Limiter.CheckAsync(RateLimiter.MockPerClient, traffic.PerClient, ClientAddress.Of(context));
            if (limit.Refused)
            {
                await RateLimiter.Refusal(context.Response, limit, "this client").ExecuteAsync(context);
                return;
            }
            if (limit.Decision is { } decision)
            {
                RateLimiter.WriteHeaders(context.Response, decision);
            }
            var limits = traffic.Limits;
            if (context.Request.ContentLength > limits.MaxRequestBodyBytes)
            {
                await Problems.Status(StatusCodes.Status413PayloadTooLarge,
                    $"the request body is larger than {limits.MaxRequestBodyBytes} bytes (OrleansMock:Limits:MaxRequestBodyBytes)").ExecuteAsync(context);
                return;
            }
            if (context.Features.Get<IHttpMaxRequestBodySizeFeature>() is { IsReadOnly: false } bodySize)
            {
                bodySize.MaxRequestBodySize = limits.MaxRequestBodyBytes; // a chunked body that grows past it fails when read
            }
            if (!ownOrigin)
            {
                // On the service's origin, whatever a tenant serves renders in an opaque origin, never as the service's pages.
                context.Response.Headers.ContentSecurityPolicy = MockOrigin.SandboxPolicy;
            }
            // A slug is checked by the project grain against its own (see ProjectResolver); an id needs no check.
            var expectedSlug = ProjectIds.IsProjectId(project) ? null : project;
            var needs = traffic.Needs.GetValueOrDefault(project);
            // A project whose matchers read the body gets all of it (read once: the log's preview is its start).
            var body = needs.HasFlag(RequestParts.Body) ? await BodyAsync(context.Request) : null;
            var request = limits.RequestLogSize > 0
                ? new MockRequest(method, path, expectedSlug, await CallerAsync(context), traffic.Redaction.Query(context.Request.QueryString.Value),
                    LoggedHeaders(context.Request.Headers, traffic.Redaction, traffic.Credentials),
                    traffic.Redaction.Body(body is null ? await BodyPreviewAsync(context.Request, limits.RequestLogBodyBytes) : Preview(body, limits.RequestLogBodyBytes),
                        context.Request.ContentType))
                : new MockRequest(method, path, expectedSlug, await CallerAsync(context));
            var result = await traffic.Projects.HandleAsync(project,
                needs == RequestParts.None ? request : request with { Detail = Detail(context.Request, path, needs, body, traffic.Credentials) }, context.RequestAborted);
            if (result.Kind == MockResultKind.NeedsDetail)
            {
                traffic.Needs[project] = needs = result.Needs;
                body ??= needs.HasFlag(RequestParts.Body) ? await BodyAsync(context.Request) : null;
                result = await traffic.Projects.HandleAsync(project, request with { Detail = Detail(context.Request, path, needs, body, traffic.Credentials) }, context.RequestAborted);
            }
            if (result.Needs != needs)
            {
                if (result.Needs == RequestParts.None)
                {
                    traffic.Needs.TryRemove(project, out _);
                }
                else
                {
                    traffic.Needs[project] = result.Needs;
                }
            }

            switch (result.Kind)
            {
                case MockResultKind.Matched when result.Response!.Proxy is { } proxy:
                    await ProxyAsync(context, traffic, project, path, request, proxy, !result.CorsDisabled, record: false, result.Response.EndpointId, ownOrigin, started);
                    return;
                case MockResultKind.Matched:
                    await WriteAsync(context, result.Response!, !result.CorsDisabled, ownOrigin ? null : $"{Prefix}/{project}");
                    return;
                case MockResultKind.Proxy:
                    await ProxyAsync(context, traffic, project, path, request, result.Proxy!, !result.CorsDisabled, result.Record, null, ownOrigin, started);
                    return;
                case MockResultKind.Options:
                    WriteOptions(context, result.Allow!, !result.CorsDisabled);
                    if (result.Resource is not null && !result.CorsDisabled)
                    {
                        ResourceCors(context); // a resource's preflight: json-server's credentialed CORS
                    }
                    return;
                case MockResultKind.Resource:
                    try
                    {
                        await ResourceAsync(context, traffic, result.Resource!, method, !result.CorsDisabled);
                    }
                    finally
                    {
                        if (limits.RequestLogSize > 0)
                        {
                            _ = traffic.ProjectGrains.Get(result.Resource!.ProjectId)
                                .RecordResourceAnswerAsync(request, context.Response.StatusCode, Stopwatch.GetElapsedTime(started).TotalMilliseconds);
                        }
                    }
                    return;
                case MockResultKind.NoMatch:
                    await NoMatch(project, method, path, result.Closest).ExecuteAsync(context);
                    return;
                case MockResultKind.Invalid:
                    await Problems.Status(StatusCodes.Status400BadRequest, $"{method} {path} breaks the project's imported OpenAPI document: {result.Error}",
                        new Dictionary<string, object?> { ["errors"] = result.Error!.Split("; ") }).ExecuteAsync(context);
                    return;
                case MockResultKind.Failed:
                    await Problems.Status(StatusCodes.Status422UnprocessableEntity,
                        $"project '{project}' could not answer {method} {path}: {result.Error}").ExecuteAsync(context);
                    return;
                case MockResultKind.RateLimited:
                    // Counted by the project grain; the refusal is counted here, beside the other policies' (issue 33.7).
                    Telemetry.RateLimitRejections.Add(1, new KeyValuePair<string, object?>("policy", nameof(RateLimitOptions.MockPerProject)));
                    await RateLimiter.Refusal(context.Response, new RateLimiter.Check(result.RateLimit, false), $"project '{project}'").ExecuteAsync(context);
                    return;
                case MockResultKind.Unauthorized:
                    context.Response.Headers.WWWAuthenticate = $"{ApiKeyAuthentication.SchemeName} header=\"{ApiKeyAuthentication.Header}\", Bearer";
                    await Problems.Status(StatusCodes.Status401Unauthorized,
                        $"mock project '{project}' is private: send its owner's API key in {ApiKeyAuthentication.Header} (or a bearer token)").ExecuteAsync(context);
                    return;
                default:
                    await Problems.NotFound($"mock project '{project}' does not exist; check the slug or id in the URL").ExecuteAsync(context);
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
            Telemetry.RecordRequest(Telemetry.MockGroup, context.Response.StatusCode, Stopwatch.GetElapsedTime(started));
        }
    }

    private const int MaxLoggedHeaders = 30;
    private const int MaxLoggedHeaderValue = 256;

    private static KeyValuePair<string, string>[] LoggedHeaders(IHeaderDictionary headers, Redaction redaction, OwnCredentials credentials)
    {
        var logged = new KeyValuePair<string, string>[Math.Min(headers.Count, MaxLoggedHeaders)];
        var count = 0;
        foreach (var (name, values) in headers)
        {
            if (count == logged.Length)
            {
                break;
            }
            var value = credentials.AnyOwn(name, values) ? Redaction.Mask : redaction.Header(name, values);
            logged[count++] = new(name, value.Length > MaxLoggedHeaderValue ? value[..MaxLoggedHeaderValue] + "…" : value);
        }
        return count == logged.Length ? logged : logged[..count];
    }

    /// <summary>The first bytes of the body, for the request log; nothing is read when the request has no body.</summary>
    private static async ValueTask<string?> BodyPreviewAsync(HttpRequest request, int maxBytes)
    {
        if (maxBytes <= 0 || !HasBody(request))
        {
            return null;
        }
        // Buffered, so a resource can still read the whole body after the preview was taken.
        request.EnableBuffering();
        var buffer = new byte[maxBytes + 1];
        var read = 0;
        while (read < buffer.Length)
        {
            var n = await request.Body.ReadAsync(buffer.AsMemory(read), request.HttpContext.RequestAborted);
            if (n == 0)
            {
                break;
            }
            read += n;
        }
        request.Body.Position = 0;
        var text = System.Text.Encoding.UTF8.GetString(buffer, 0, Math.Min(read, maxBytes));
        return read > maxBytes ? text + "…" : text;
    }

    /// <summary>
    /// The parts of the request the project's matchers and templates read, unredacted (they compare real values), except
    /// this service's own credentials, which nothing a tenant defined may see.
    /// </summary>
    private static RequestDetail Detail(HttpRequest request, string path, RequestParts needs, string? body, OwnCredentials credentials)
    {
        var query = request.QueryString.Value;
        KeyValuePair<string, string>[]? headers = null;
        if (needs.HasFlag(RequestParts.Headers))
        {
            headers = new KeyValuePair<string, string>[request.Headers.Count];
            var count = 0;
            foreach (var (name, values) in request.Headers)
            {
                foreach (var value in values)
                {
                    if (credentials.IsOwn(name, value))
                    {
                        continue;
                    }
                    if (count == headers.Length)
                    {
                        Array.Resize(ref headers, count * 2);
                    }
                    headers[count++] = KeyValuePair.Create(name, value ?? ""); // a repeated header: one entry per value
                }
            }
            headers = count == headers.Length ? headers : headers[..count];
        }
        return new RequestDetail(needs.HasFlag(RequestParts.Query) ? query : null, headers, body, path + query, needs);
    }

    /// <summary>The whole body as text (bounded by MaxRequestBodySize); buffered, so a resource can read it again.</summary>
    private static async ValueTask<string?> BodyAsync(HttpRequest request)
    {
        if (!HasBody(request))
        {
            return null;
        }
        request.EnableBuffering();
        using var buffer = new MemoryStream(request.ContentLength is { } length and <= 1 << 20 ? (int)length : 4096);
        await request.Body.CopyToAsync(buffer, request.HttpContext.RequestAborted);
        request.Body.Position = 0;
        return System.Text.Encoding.UTF8.GetString(buffer.GetBuffer(), 0, (int)buffer.Length);
    }

    private static string? Preview(string body, int maxChars) =>
        maxChars <= 0 ? null : body.Length > maxChars ? body[..maxChars] + "…" : body;

    /// <summary>Whether the request carries a body (the server knows from Content-Length and Transfer-Encoding).</summary>
    private static bool HasBody(HttpRequest request) =>
        request.ContentLength is not 0 && (request.HttpContext.Features.Get<IHttpRequestBodyDetectionFeature>()?.CanHaveBody ?? request.ContentLength > 0);

    /// <summary>The authenticated user when the request carries credentials; mock traffic without any skips authentication.</summary>
    private static async ValueTask<string?> CallerAsync(HttpContext context)
    {
        var headers = context.Request.Headers;
        if (!headers.ContainsKey(HeaderNames.Authorization) && !headers.ContainsKey(ApiKeyAuthentication.Header))
        {
            return null;
        }
        var result = await context.AuthenticateAsync(AuthSetup.Scheme);
        return result.Succeeded ? result.Principal.UserIdOrNull() : null;
    }

    /// <summary>
    /// What goes to a real API (a proxy endpoint's answer, the project's proxy fallback, or everything while recording):
    /// forwarded, logged with the status the client got (the target's, or 502/504 when it could not be reached) and the
    /// endpoint that answered, and while recording handed back to the project grain to become an endpoint.
    /// </summary>
    private static async Task ProxyAsync(HttpContext context, Traffic traffic, string project, string path, MockRequest request, ProxySpec proxy,
        bool cors, bool record, string? endpointId, bool ownOrigin, long started)
    {
        var grain = traffic.ProjectGrains.Get(await traffic.Projects.ResolveAsync(project) ?? project);
        try
        {
            var exchange = await traffic.Proxy.ForwardAsync(context, proxy, path, request.Caller is not null, cors, ownOrigin ? null : $"{Prefix}/{project}", record);
            if (exchange is not null)
            {
                await grain.RecordAsync(exchange); // before the response completes: once the client has it, so does the recording
            }
        }
        finally
        {
            if (traffic.Limits.RequestLogSize > 0)
            {
                _ = grain.RecordResourceAnswerAsync(request, context.Response.StatusCode, Stopwatch.GetElapsedTime(started).TotalMilliseconds, endpointId);
            }
        }
    }

    /// <summary>A resource request: the body (POST, PUT, PATCH) is read here, the resource grain does the rest.</summary>
    private static async Task ResourceAsync(HttpContext context, Traffic traffic, ResourceRoute route, string method, bool cors)
    {
        var response = context.Response;
        // As json-server 0.17 answers every request: never cached, and CORS for a credentialed browser app.
        response.Headers.CacheControl = "no-cache";
        response.Headers.Pragma = "no-cache";
        response.Headers.Expires = "-1";
        if (cors)
        {
            ResourceCors(context);
        }
        if (context.Request.Query["_delay"] is [{ } delayText] && int.TryParse(delayText, out var delay) && delay > 0)
        {
            try
            {
                await Task.Delay(Math.Min(delay, traffic.Limits.MaxDelayMs), context.RequestAborted);
            }
            catch (OperationCanceledException)
            {
                return; // the client went away while we waited
            }
        }
        if (route.WholeDatabase)
        {
            await DatabaseAsync(context, traffic, route, method);
            return;
        }
        string? body = null;
        if (method is "POST" or "PUT" or "PATCH" && context.Request.HasFormContentType && !context.Request.ContentType!.StartsWith("multipart/", StringComparison.OrdinalIgnoreCase))
        {
            // A form, as json-server takes it: each field a string (a repeated one, an array of strings).
            IFormCollection form;
            try
            {
                form = await context.Request.ReadFormAsync(context.RequestAborted);
            }
            catch (InvalidDataException exception)
            {
                await Problems.BadRequest($"the form body cannot be read: {exception.Message}").ExecuteAsync(context);
                return;
            }
            var record = new System.Text.Json.Nodes.JsonObject();
            foreach (var (field, values) in form)
            {
                record[field] = values.Count == 1
                    ? System.Text.Json.Nodes.JsonValue.Create(values[0])
                    : new System.Text.Json.Nodes.JsonArray([.. values.Select(v => (System.Text.Json.Nodes.JsonNode?)System.Text.Json.Nodes.JsonValue.Create(v))]);
            }
            body = record.ToJsonString();
        }
        else if (method is "POST" or "PUT" or "PATCH")
        {
            var read = await JsonBody.ReadAsync<System.Text.Json.Nodes.JsonNode>(context.Request, traffic.Limits.MaxRecordBytes);
            if (read.Problem is not null)
            {
                await read.Problem.ExecuteAsync(context);
                return;
            }
            body = read.Value!.ToJsonString();
        }
        var request = context.Request;
        var query = request.Query.SelectMany(p => p.Value.Select(v => new KeyValuePair<string, string>(p.Key, v ?? ""))).ToArray();
        var baseUrl = $"{request.Scheme}://{request.Host}{request.PathBase}{request.Path}";
        var resource = traffic.Resources.Get(ResourceKeys.Grain(route.ProjectId, route.Resource));
        var message = new ResourceRequest(method, route, query, body, baseUrl);
        // Reads are retried across a failover and run interleaved in the grain; writes are not retried.
        var answer = HttpMethods.IsGet(method) || HttpMethods.IsHead(method)
            ? await Transient.RetryAsync(() => new ValueTask<ResourceAnswer>(resource.ReadAsync(message, context.RequestAborted)), context.RequestAborted)
            : await Transient.RetryUndeliveredAsync(() => new ValueTask<ResourceAnswer>(resource.HandleAsync(message, context.RequestAborted)), context.RequestAborted);

        // The grain answered with an outcome kind and paging; statuses and headers are the front end's business.
        if (answer.Page is { } page)
        {
            response.Headers["X-Total-Count"] = page.Total.ToString(System.Globalization.CultureInfo.InvariantCulture);
            response.Headers.AccessControlExposeHeaders = page.Page is null ? "X-Total-Count" : "X-Total-Count, Link";
            if (page.Page is { } number)
            {
                response.Headers.Link = ResourceLinks.Build(baseUrl, query, number, page.LastPage ?? 1);
            }
        }
        if (answer.Kind == OutcomeKind.Created && answer.CreatedId is { } createdId)
        {
            // A record's own URL; a singular resource's is its resource's (as json-server sets both).
            response.Headers.Location = createdId.Length == 0 ? baseUrl : $"{baseUrl}/{Uri.EscapeDataString(createdId)}";
            response.Headers.AccessControlExposeHeaders = "Location";
        }
        if (answer.Allow is { } allow)
        {
            response.Headers.Allow = string.Join(", ", allow);
        }
        var status = Problems.StatusOf(answer.Kind);
        if (!answer.IsOk)
        {
            if (answer.Kind == OutcomeKind.Unavailable)
            {
                response.Headers.RetryAfter = "1";
            }
            var extensions = answer.Failures is { Length: > 0 } failures
                ? new Dictionary<string, object?> { ["errors"] = failures.Select(f => new { path = f.Path, rule = f.Rule, message = f.Message }).ToArray() }
                : null;
            var detail = answer.Failures is { Length: > 0 } all ? $"{answer.Error}: {string.Join("; ", all.Select(f => $"{f.Path} {f.Rule}: {f.Message}"))}" : answer.Error;
            await Problems.Status(status, detail ?? answer.Kind.ToString(), extensions).ExecuteAsync(context);
            return;
        }
        response.StatusCode = status;
        var json = answer.BodyJson ?? "";
        if (HttpMethods.IsGet(method) && request.Query["callback"] is [{ } callback] && JsonpName(callback) is { Length: > 0 } name)
        {
            // JSONP, as Express's res.jsonp writes it for json-server.
            var script = System.Text.Encoding.UTF8.GetBytes($"/**/ typeof {name} === 'function' && {name}({json});");
            response.ContentType = "text/javascript; charset=utf-8";
            response.Headers.XContentTypeOptions = "nosniff";
            response.ContentLength = script.Length;
            await response.Body.WriteAsync(script, context.RequestAborted);
            return;
        }
        var bytes = System.Text.Encoding.UTF8.GetBytes(json);
        response.ContentType = "application/json; charset=utf-8";
        response.ContentLength = bytes.Length;
        if (!HttpMethods.IsHead(method))
        {
            await response.Body.WriteAsync(bytes, context.RequestAborted);
        }
    }

    /// <summary>json-server's <c>GET /db</c>: every resource of the project by name, with all its records.</summary>
    private static async Task DatabaseAsync(HttpContext context, Traffic traffic, ResourceRoute route, string method)
    {
        if (!HttpMethods.IsGet(method) && !HttpMethods.IsHead(method))
        {
            context.Response.Headers.Allow = "GET, HEAD, OPTIONS";
            await Problems.Status(StatusCodes.Status405MethodNotAllowed, $"{method} is not supported on /db, the whole data set; use GET").ExecuteAsync(context);
            return;
        }
        var names = route.Defined ?? [];
        var answers = await Task.WhenAll(names.Select(name =>
        {
            var part = new ResourceRoute(route.ProjectId, name, null, null, null, route.Defined);
            var resource = traffic.Resources.Get(ResourceKeys.Grain(route.ProjectId, name));
            return Transient.RetryAsync(() => new ValueTask<ResourceAnswer>(resource.ReadAsync(new ResourceRequest("GET", part, [], null, ""), context.RequestAborted)),
                context.RequestAborted).AsTask();
        }));
        var json = new System.Text.StringBuilder("{");
        for (var i = 0; i < names.Length; i++)
        {
            json.Append(i == 0 ? "" : ",").Append(System.Text.Json.JsonSerializer.Serialize(names[i])).Append(':')
                .Append(answers[i].IsOk ? answers[i].BodyJson ?? "[]" : "[]");
        }
        var bytes = System.Text.Encoding.UTF8.GetBytes(json.Append('}').ToString());
        context.Response.ContentType = "application/json; charset=utf-8";
        context.Response.ContentLength = bytes.Length;
        if (!HttpMethods.IsHead(method))
        {
            await context.Response.Body.WriteAsync(bytes, context.RequestAborted);
        }
    }

    /// <summary>json-server's CORS: the request's origin echoed, credentials allowed (a browser app sending cookies works).</summary>
    private static void ResourceCors(HttpContext context)
    {
        var origin = context.Request.Headers.Origin;
        if (origin.Count == 0)
        {
            return;
        }
        var headers = context.Response.Headers;
        headers.AccessControlAllowOrigin = origin;
        headers.AccessControlAllowCredentials = "true";
        headers.Append(HeaderNames.Vary, "Origin");
    }

    /// <summary>A JSONP callback name as Express keeps it: letters, digits, _, $, ., [ and ].</summary>
    private static string JsonpName(string callback) =>
        new(callback.Where(c => char.IsAsciiLetterOrDigit(c) || c is '_' or '$' or '.' or '[' or ']').ToArray());

    /// <summary>Writes an endpoint's response; <paramref name="cookieScope"/> (on the shared origin) confines its cookies.</summary>
    private static async Task WriteAsync(HttpContext context, MockResponse mock, bool cors, string? cookieScope)
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
        foreach (var (name, value) in mock.Headers)
        {
            response.Headers.Append(name, cookieScope is not null && name.Equals(HeaderNames.SetCookie, StringComparison.OrdinalIgnoreCase) ? MockOrigin.ScopeCookie(value, cookieScope) : value);
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
        await response.Body.WriteAsync(mock.Body, context.RequestAborted);
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
