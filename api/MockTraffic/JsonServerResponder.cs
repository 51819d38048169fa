using System.Text.Json.Nodes;
using Microsoft.Net.Http.Headers;
using OrleansMock.Api.Http;
using OrleansMock.GrainInterfaces;

namespace OrleansMock.Api.MockTraffic;

/// <summary>
/// Answers a request the project grain handed to a resource (<see cref="MockResult.ToResource"/>) as json-server 0.17
/// does: the body read here, the resource grain does the rest, and its outcome is written with json-server's headers
/// (X-Total-Count, Link, Location, CORS for a credentialed browser app, JSONP).
/// </summary>
public sealed class JsonServerResponder(GrainReferences<IMockResourceGrain> resources, MockLimits limits)
{
    /// <summary>A multipart form's fields (as json-server takes a form: strings, a repeated one a list) and files; a file over <see cref="MockLimits.MaxUploadBytes"/> is a 413.</summary>
    private async Task<(string? Body, UploadedFile[]? Files, IResult? Problem)> UploadAsync(HttpContext context)
    {
        IFormCollection form;
        try
        {
            form = await context.Request.ReadFormAsync(context.RequestAborted);
        }
        catch (InvalidDataException exception)
        {
            return (null, null, Problems.BadRequest($"the multipart body cannot be read: {exception.Message}"));
        }
        var record = new JsonObject();
        foreach (var (field, values) in form)
        {
            record[field] = values.Count == 1 ? JsonValue.Create(values[0]) : new JsonArray([.. values.Select(v => (JsonNode?)JsonValue.Create(v))]);
        }
        var files = new List<UploadedFile>();
        foreach (var file in form.Files)
        {
            if (file.Length > limits.MaxUploadBytes)
            {
                return (null, null, Problems.Status(StatusCodes.Status413PayloadTooLarge,
                    $"file '{file.FileName}' ({file.Name}) is {file.Length} bytes; a file may have at most {limits.MaxUploadBytes} (OrleansMock:Limits:MaxUploadBytes)"));
            }
            using var bytes = new MemoryStream((int)file.Length);
            await file.CopyToAsync(bytes, context.RequestAborted);
            files.Add(new UploadedFile(file.Name, Path.GetFileName(file.FileName), file.ContentType ?? "application/octet-stream", bytes.ToArray()));
        }
        return (record.ToJsonString(), files.Count > 0 ? [.. files] : null, null);
    }

    /// <summary>The mock base URL a stored file is served under (with the request's test session, so its files are the session's).</summary>
    private static string FilesUrl(HttpRequest request)
    {
        var origin = $"{request.Scheme}://{request.Host}{request.PathBase}";
        var path = request.Path.Value ?? "";
        if (!Paths.IsUnder(path, Paths.MockPrefix))
        {
            return origin; // a project's own origin
        }
        var end = path.IndexOf('/', Paths.MockPrefix.Length + 1);
        var address = end < 0 ? path : path[..end];
        return request.Headers.TryGetValue(MockSessions.Header, out var session) && session.Count == 1 && !address.Contains(MockSessions.Separator)
            ? $"{origin}{address}{MockSessions.Separator}{session[0]}"
            : origin + address;
    }

    /// <summary>A resource request: the body (POST, PUT, PATCH) is read here, the resource grain does the rest.</summary>
    public async Task AnswerAsync(HttpContext context, ResourceRoute route, bool cors)
    {
        var method = context.Request.Method;
        var response = context.Response;
        // As json-server 0.17 answers every request: never cached, and CORS for a credentialed browser app.
        response.Headers.CacheControl = "no-cache";
        response.Headers.Pragma = "no-cache";
        response.Headers.Expires = "-1";
        if (cors)
        {
            Cors(context);
        }
        if (context.Request.Query["_delay"] is [{ } delayText] && int.TryParse(delayText, out var delay) && delay > 0)
        {
            try
            {
                await Task.Delay(Math.Min(delay, limits.MaxDelayMs), context.RequestAborted);
            }
            catch (OperationCanceledException)
            {
                return; // the client went away while we waited
            }
        }
        if (route.WholeDatabase)
        {
            await DatabaseAsync(context, route, method);
            return;
        }
        if (!route.AllowedMethods.Contains(method))
        {
            // Refused before its body is read: PUT on a collection is a 405, whatever the body's type.
            response.Headers.Allow = string.Join(", ", route.AllowedMethods);
            await Problems.Status(StatusCodes.Status405MethodNotAllowed, route.NotAllowed(method)).ExecuteAsync(context);
            return;
        }
        string? body = null;
        UploadedFile[]? files = null;
        if (method is "POST" or "PUT" or "PATCH" && context.Request.HasFormContentType && context.Request.ContentType!.StartsWith("multipart/", StringComparison.OrdinalIgnoreCase))
        {
            // A multipart form: its fields become string fields, its files are stored and named by their metadata.
            var upload = await UploadAsync(context);
            if (upload.Problem is not null)
            {
                await upload.Problem.ExecuteAsync(context);
                return;
            }
            (body, files) = (upload.Body, upload.Files);
        }
        else if (method is "POST" or "PUT" or "PATCH" && context.Request.HasFormContentType)
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
            var record = new JsonObject();
            foreach (var (field, values) in form)
            {
                record[field] = values.Count == 1
                    ? JsonValue.Create(values[0])
                    : new JsonArray([.. values.Select(v => (JsonNode?)JsonValue.Create(v))]);
            }
            body = record.ToJsonString();
        }
        else if (method is "POST" or "PUT" or "PATCH")
        {
            var read = await JsonBody.ReadAsync<JsonNode>(context.Request, limits.MaxRecordBytes);
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
        var resource = resources.Get(ResourceKeys.Grain(route.ProjectId, route.Resource));
        var message = new ResourceRequest(method, route, query, body, baseUrl, files, files is null ? null : FilesUrl(request));
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
            // A record's own URL; a singular resource's is its resource's (as json-server sets both). A nested POST's is
            // the request's URL and the id, /posts/1/comments/5, as json-server 0.17.4 sets it (getFullURL: originalUrl).
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
    private async Task DatabaseAsync(HttpContext context, ResourceRoute route, string method)
    {
        if (!HttpMethods.IsGet(method) && !HttpMethods.IsHead(method))
        {
            context.Response.Headers.Allow = string.Join(", ", route.AllowedMethods);
            await Problems.Status(StatusCodes.Status405MethodNotAllowed, route.NotAllowed(method)).ExecuteAsync(context);
            return;
        }
        var names = route.Defined ?? [];
        var answers = await Task.WhenAll(names.Select(name =>
        {
            var part = new ResourceRoute(route.ProjectId, name, null, null, null, route.Defined);
            var resource = resources.Get(ResourceKeys.Grain(route.ProjectId, name));
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
    public static void Cors(HttpContext context)
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
}
