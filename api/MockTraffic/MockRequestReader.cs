using System.Collections.Concurrent;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.Net.Http.Headers;
using OrleansMock.Api.Auth;
using OrleansMock.Api.Http;
using OrleansMock.GrainInterfaces;

namespace OrleansMock.Api.MockTraffic;

/// <summary>
/// Reads an HTTP request into the <see cref="MockRequest"/> the project grain answers: method, path and caller always;
/// for the request journal the query, headers and the body's start, redacted; and the unredacted parts the project's
/// matchers and templates read (<see cref="RequestDetail"/>), as its grain last said (<see cref="Remember"/>), so such a
/// project costs one grain call per request too. This service's own credentials never reach anything a tenant defined.
/// </summary>
public sealed class MockRequestReader(MockLimits limits, Redaction redaction, OwnCredentials credentials)
{
    private const int MaxLoggedHeaders = 30;
    private const int MaxLoggedHeaderValue = 256;

    /// <summary>The request parts each project's matchers and templates read. Only projects that need something are kept.</summary>
    private readonly ConcurrentDictionary<string, RequestParts> _needs = new(StringComparer.Ordinal);

    /// <summary>A read request: <see cref="Logged"/> is what the journal keeps, <see cref="Request"/> what the grain is sent.</summary>
    public readonly record struct Read(MockRequest Logged, MockRequest Request, string? Body, RequestParts Needs);

    public async ValueTask<Read> ReadAsync(HttpContext context, string project, string path, string? expectedSlug, string? session = null)
    {
        var needs = _needs.GetValueOrDefault(project);
        // A project whose matchers read the body gets all of it (read once: the log's preview is its start).
        var body = needs.HasFlag(RequestParts.Body) ? await BodyAsync(context.Request) : null;
        var http = context.Request;
        var (caller, only) = await CallerAsync(context);
        var kept = await LogAsync(http, body);
        var logged = new MockRequest(http.Method, path, expectedSlug, caller, kept.Query, kept.Headers, kept.BodyPreview, Session: session, CallerOnly: only);
        return new Read(logged, needs == RequestParts.None ? logged : logged with { Detail = Detail(http, path, needs, body) }, body, needs);
    }

    /// <summary>What the journal keeps of a request: its query, headers and body's start, redacted.</summary>
    public readonly record struct Logged(string? Query, KeyValuePair<string, string>[]? Headers, string? BodyPreview);

    /// <summary>
    /// What the journal keeps of the request (nothing while the journal is off). Alone, for one answered without a grain
    /// call (<see cref="AnswerCache"/>: such a project's matchers read nothing and it is public, so neither the detail nor
    /// the caller is needed); a <paramref name="body"/> already read gives the preview, else its first bytes are read.
    /// Without a body to read nothing is awaited.
    /// </summary>
    public ValueTask<Logged> LogAsync(HttpRequest http, string? body = null)
    {
        if (limits.RequestLogSize <= 0)
        {
            return default;
        }
        var query = redaction.Query(http.QueryString.Value);
        var headers = LoggedHeaders(http.Headers);
        return body is not null ? new(new Logged(query, headers, redaction.Body(Preview(body, limits.RequestLogBodyBytes), http.ContentType)))
            : limits.RequestLogBodyBytes <= 0 || !HasBody(http) ? new(new Logged(query, headers, null))
            : WithPreviewAsync(http, query, headers);
    }

    private async ValueTask<Logged> WithPreviewAsync(HttpRequest http, string? query, KeyValuePair<string, string>[] headers) =>
        new(query, headers, redaction.Body(await BodyPreviewAsync(http, limits.RequestLogBodyBytes), http.ContentType));

    /// <summary>The same request again, with the parts its project's grain asked for (<see cref="MockResult.NeedsDetail"/>).</summary>
    public async ValueTask<Read> WithDetailAsync(HttpContext context, string project, string path, Read read, RequestParts needs)
    {
        _needs[project] = needs;
        var body = read.Body ?? (needs.HasFlag(RequestParts.Body) ? await BodyAsync(context.Request) : null);
        return new Read(read.Logged, read.Logged with { Detail = Detail(context.Request, path, needs, body) }, body, needs);
    }

    /// <summary>Keeps what the project's grain said its matchers read (it changes when its endpoints do).</summary>
    public void Remember(string project, Read read, RequestParts needs)
    {
        if (needs == read.Needs)
        {
            return; // the hot path: nothing changed, nothing locked
        }
        if (needs == RequestParts.None)
        {
            _needs.TryRemove(project, out _);
        }
        else
        {
            _needs[project] = needs;
        }
    }

    private KeyValuePair<string, string>[] LoggedHeaders(IHeaderDictionary headers)
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

    /// <summary>
    /// The parts of the request the project's matchers and templates read, unredacted (they compare real values), except
    /// this service's own credentials, which nothing a tenant defined may see.
    /// </summary>
    private RequestDetail Detail(HttpRequest request, string path, RequestParts needs, string? body)
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

    /// <summary>
    /// The authenticated user when the request carries credentials, and the one project a team key is limited to;
    /// mock traffic without any skips authentication.
    /// </summary>
    private static async ValueTask<(string? Caller, string? Only)> CallerAsync(HttpContext context)
    {
        var headers = context.Request.Headers;
        if (!headers.ContainsKey(HeaderNames.Authorization) && !headers.ContainsKey(ApiKeyAuthentication.Header))
        {
            return (null, null);
        }
        var result = await context.AuthenticateAsync(AuthSetup.Scheme);
        return result.Succeeded ? (result.Principal.UserIdOrNull(), result.Principal.FindFirst(Claims.KeyProject)?.Value) : (null, null);
    }
}
