using System.Text.Json.Serialization;
using System.Collections.Concurrent;
using System.Security.Claims;
using System.Text;
using System.Text.Json;
using Microsoft.Extensions.Options;
using OrleansMock.Api.Auth;
using OrleansMock.Api.Http;
using OrleansMock.Api.Tester;
using OrleansMock.GrainInterfaces;

namespace OrleansMock.Api.Apis;

/// <summary>A request for the tester to send. <c>body</c> is text, or base64 with <c>bodyEncoding: "base64"</c>.</summary>
/// <summary>
/// A request for the tester to send. <see cref="SecretHeaders"/> names headers to treat as credentials besides the
/// standard ones: never sent after a redirect leaves the origin, and stored as <c>[redacted]</c> in the history.
/// </summary>
public sealed record TesterSendRequest(
    string? Method, string? Url, Dictionary<string, string>? Headers, string? Body, string? BodyEncoding, int? TimeoutMs, bool? FollowRedirects,
    string? Environment = null, string[]? SecretHeaders = null,
    [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] TesterPart[]? Multipart = null);

/// <summary>
/// One part of a <c>multipart/form-data</c> body the tester sends: a field (<c>name</c>, <c>value</c>) or a file
/// (<c>name</c>, <c>filename</c>, <c>contentType</c>, <c>data</c> in base64).
/// </summary>
public sealed record TesterPart(
    string? Name,
    [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] string? Value = null,
    [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] string? Filename = null,
    [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] string? ContentType = null,
    [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] string? Data = null);

public sealed record TesterError(string Kind, string Message);

/// <summary>One shape for every send: <c>status</c>, <c>body</c> and <c>error</c> are always present (null when they do not apply).</summary>
public sealed record TesterSendResponse(
    string HistoryId,
    [property: JsonIgnore(Condition = JsonIgnoreCondition.Never)] int? Status,
    Dictionary<string, string> Headers,
    [property: JsonIgnore(Condition = JsonIgnoreCondition.Never)] string? Body,
    string BodyEncoding, long Size, bool Truncated, TesterTimings Timings, string[] Redirects,
    [property: JsonIgnore(Condition = JsonIgnoreCondition.Never)] TesterError? Error);

public sealed record TesterHistoryItem(string Id, DateTimeOffset At, string Method, string Url, int? Status, double TotalMs);

public sealed record TesterHistoryResponse(TesterHistoryItem[] Items, string? NextCursor);

/// <summary>The API tester: a guarded proxy to real APIs, with a per-user history shared across the cluster.</summary>
public static class TesterApi
{
    private static readonly ConcurrentDictionary<string, SemaphoreSlim> InFlight = new();

    public static RouteGroupBuilder MapTesterApi(this IEndpointRouteBuilder app)
    {
        var group = app.MapGroup("/tester").WithTags("Tester"); // not retried: a request sent to a real API is sent once
        group.MapPost("/send", SendAsync).WithName("TesterSend")
            .WithSummary("Send a request to an API; target failures (DNS, refused, TLS, timeout, forbidden address) come back as 'error'")
            .Accepts<TesterSendRequest>("application/json").Produces<TesterSendResponse>()
            .ProducesProblem(StatusCodes.Status400BadRequest).ProducesProblem(StatusCodes.Status413PayloadTooLarge);
        group.MapGet("/history", ListAsync).WithName("TesterHistory").WithSummary("Sent requests, newest first; pass nextCursor as before")
            .Produces<TesterHistoryResponse>().ProducesProblem(StatusCodes.Status400BadRequest);
        group.MapGet("/history/{id}", GetAsync).WithName("TesterHistoryEntry").WithSummary("One sent request with its full request and response")
            .Produces<JsonElement>().ProducesProblem(StatusCodes.Status404NotFound);
        group.MapDelete("/history/{id}", DeleteAsync).WithName("DeleteTesterHistoryEntry").WithSummary("Forget one sent request")
            .Produces(StatusCodes.Status204NoContent).ProducesProblem(StatusCodes.Status404NotFound);
        group.MapDelete("/history", ClearAsync).WithName("ClearTesterHistory").WithSummary("Forget every sent request")
            .Produces(StatusCodes.Status204NoContent);
        return group;
    }

    private static async Task<IResult> SendAsync(HttpContext context, ClaimsPrincipal user, TesterClient client, IGrainFactory grains, IOptions<TesterOptions> options)
    {
        var read = await JsonBody.ReadAsync<TesterSendRequest>(context.Request, options.Value.MaxRequestBodyBytes * 2);
        return read.Problem ?? await ExecuteAsync(context, user.UserId(), read.Value!, client, grains, options.Value);
    }

    /// <summary>
    /// Validates, substitutes the environment's <c>{{variables}}</c> into url, headers and body, sends through the
    /// guarded client and records the send in the user's history. Shared by /tester/send and collection runs.
    /// </summary>
    public static async Task<IResult> ExecuteAsync(HttpContext context, string userId, TesterSendRequest input, TesterClient client, IGrainFactory grains, TesterOptions limits)
    {
        // What the history keeps: secret variables stay {{name}}, every other variable is filled in as sent.
        var recorded = input;
        if (input.Environment is { Length: > 0 } environmentId)
        {
            if (await grains.GetGrain<IWorkspaceGrain>(userId).GetEnvironmentAsync(environmentId) is not { } environment)
            {
                return Problems.NotFound($"environment '{environmentId}' does not exist");
            }
            var secrets = environment.Secrets ?? [];
            recorded = Substitute(input, environment.Variables.Where(v => !secrets.Contains(v.Key, StringComparer.Ordinal)).ToDictionary());
            input = Substitute(input, environment.Variables);
        }
        if (Validate(input, limits, out var send) is { } error)
        {
            return error;
        }
        send = send! with { ServiceHost = context.Request.Host.Value, Client = context.Connection.RemoteIpAddress };
        TesterOutcome outcome;
        using (var slot = TakeSlot(userId, limits))
        {
            if (slot is null)
            {
                return AllSlotsTaken(context, limits);
            }
            outcome = await client.SendAsync(send!, context.RequestAborted);
        }
        var error2 = outcome.ErrorKind is null ? null : new TesterError(outcome.ErrorKind, outcome.Error!);
        var record = JsonSerializer.Serialize(new
        {
            request = new
            {
                method = send!.Method, url = recorded.Url, body = recorded.Body, bodyEncoding = input.BodyEncoding ?? "utf8",
                headers = recorded.Headers?.ToDictionary(h => h.Key, h => send.IsMarkedSecret(h.Key) ? "[redacted]" : h.Value),
                multipart = HistoryParts(recorded.Multipart),
            },
            response = new { outcome.Status, outcome.Headers, outcome.Body, outcome.BodyEncoding, outcome.Size, outcome.Truncated, outcome.Timings, outcome.Redirects, error = error2 },
        }, JsonBody.Options);
        var entry = await grains.GetGrain<ITesterHistoryGrain>(userId).AddAsync(send.Method, recorded.Url ?? send.Url.ToString(), outcome.Status, outcome.Timings.TotalMs, record);
        return TypedResults.Ok(new TesterSendResponse(entry.Id, outcome.Status, outcome.Headers, outcome.Body, outcome.BodyEncoding, outcome.Size,
            outcome.Truncated, outcome.Timings, outcome.Redirects, error2));
    }

    /// <summary>
    /// One of the user's outbound slots (<see cref="TesterOptions.MaxConcurrentPerUser"/>, shared by the tester, collection
    /// runs and imports by URL), released when disposed; null when every slot is in use.
    /// </summary>
    public static IDisposable? TakeSlot(string userId, TesterOptions limits)
    {
        if (InFlight.Count > 100_000)
        {
            InFlight.Clear(); // bounded memory; at worst a user briefly gets a fresh allowance
        }
        var gate = InFlight.GetOrAdd(userId, _ => new SemaphoreSlim(limits.MaxConcurrentPerUser));
        return gate.Wait(0) ? new Slot(gate) : null;
    }

    /// <summary>The 429 when every outbound slot of the user is in use.</summary>
    public static IResult AllSlotsTaken(HttpContext context, TesterOptions limits)
    {
        context.Response.Headers.RetryAfter = "1";
        return Problems.Status(StatusCodes.Status429TooManyRequests,
            $"at most {limits.MaxConcurrentPerUser} outbound requests (tester sends, collection runs, imports by URL) may be in flight per user");
    }

    private sealed class Slot(SemaphoreSlim gate) : IDisposable
    {
        private int _released;

        public void Dispose()
        {
            if (Interlocked.Exchange(ref _released, 1) == 0)
            {
                gate.Release();
            }
        }
    }

    private static TesterSendRequest Substitute(TesterSendRequest input, Dictionary<string, string> variables)
    {
        string? Apply(string? text) => text is null ? null : variables.Aggregate(text, (current, v) => current.Replace("{{" + v.Key + "}}", v.Value, StringComparison.Ordinal));
        return input with
        {
            Url = Apply(input.Url),
            Body = Apply(input.Body),
            Headers = input.Headers?.ToDictionary(h => Apply(h.Key)!, h => Apply(h.Value)!),
            Multipart = input.Multipart?.Select(p => p with { Name = Apply(p.Name), Value = Apply(p.Value) }).ToArray(),
        };
    }

    private static IResult? Validate(TesterSendRequest input, TesterOptions limits, out TesterSend? send)
    {
        send = null;
        var method = (input.Method ?? "GET").Trim().ToUpperInvariant();
        if (method.Length is 0 or > 32 || !method.All(c => char.IsAsciiLetter(c) || c == '-'))
        {
            return Problems.BadRequest($"method '{input.Method}' is not an HTTP method");
        }
        if (TargetGuard.ParseHttpUrl(input.Url, out var urlProblem) is not { } url)
        {
            return Problems.BadRequest(urlProblem!);
        }
        var timeout = input.TimeoutMs ?? Math.Min(10_000, limits.MaxTimeoutMs); // the default never exceeds a lower configured maximum
        if (timeout < 1 || timeout > limits.MaxTimeoutMs)
        {
            return Problems.BadRequest($"timeoutMs must be between 1 and {limits.MaxTimeoutMs}");
        }
        byte[]? body = null;
        var headers = (input.Headers ?? []).ToArray();
        if (input.Multipart is not null)
        {
            if (input.Body is not null)
            {
                return Problems.BadRequest("give body or multipart, not both");
            }
            if (Multipart(input.Multipart, out var contentType) is not { } multipart)
            {
                return Problems.BadRequest(contentType);
            }
            if (multipart.Length > limits.MaxRequestBodyBytes)
            {
                return Problems.Status(StatusCodes.Status413PayloadTooLarge, $"the multipart body is larger than {limits.MaxRequestBodyBytes} bytes");
            }
            body = multipart;
            headers = [.. headers.Where(h => !h.Key.Equals("Content-Type", StringComparison.OrdinalIgnoreCase)), KeyValuePair.Create("Content-Type", contentType)];
        }
        else if (input.Body is not null)
        {
            switch (input.BodyEncoding ?? "utf8")
            {
                case "utf8":
                    body = Encoding.UTF8.GetBytes(input.Body);
                    break;
                case "base64":
                    try
                    {
                        body = Convert.FromBase64String(input.Body);
                    }
                    catch (FormatException)
                    {
                        return Problems.BadRequest("body is not valid base64");
                    }
                    break;
                default:
                    return Problems.BadRequest("bodyEncoding must be utf8 or base64");
            }
            if (body.Length > limits.MaxRequestBodyBytes)
            {
                return Problems.Status(StatusCodes.Status413PayloadTooLarge, $"body is larger than {limits.MaxRequestBodyBytes} bytes");
            }
        }
        if (headers.FirstOrDefault(h => h.Key.Length == 0 || h.Value.Any(c => c is '\r' or '\n')) is { Key: not null } bad)
        {
            return Problems.BadRequest($"header '{bad.Key}' has an empty name or a line break");
        }
        if (headers.FirstOrDefault(h => h.Key.Any(char.IsControl) || h.Value.Any(c => char.IsControl(c) && c != '\t')) is { Key: not null } control)
        {
            return Problems.BadRequest($"header '{control.Key}' contains a control character (such as NUL); header values are sent as written, so they must be printable");
        }
        send = new TesterSend(method, url, headers, body, null, timeout, input.FollowRedirects ?? true, input.SecretHeaders ?? []);
        return null;
    }

    /// <summary>Files up to this many bytes in all are kept in the history with their bytes; larger, by name, type and size.</summary>
    public const int HistoryFileBytes = 256 * 1024;

    /// <summary>A multipart/form-data body of <paramref name="parts"/>, or null with why not in <paramref name="contentType"/>.</summary>
    private static byte[]? Multipart(TesterPart[] parts, out string contentType)
    {
        var boundary = "----OrleansMockTester" + Guid.NewGuid().ToString("N");
        using var body = new MemoryStream();
        void Write(string text) => body.Write(Encoding.UTF8.GetBytes(text));
        for (var i = 0; i < parts.Length; i++)
        {
            var part = parts[i];
            if (string.IsNullOrEmpty(part.Name) || part.Name.Any(c => c is '"' or '\r' or '\n'))
            {
                contentType = $"multipart[{i}].name is required, without quotes or line breaks";
                return null;
            }
            Write($"--{boundary}\r\nContent-Disposition: form-data; name=\"{part.Name}\"");
            if (part.Data is not null || part.Filename is not null)
            {
                byte[] data;
                try
                {
                    data = Convert.FromBase64String(part.Data ?? "");
                }
                catch (FormatException)
                {
                    contentType = $"multipart[{i}].data is not valid base64";
                    return null;
                }
                var filename = (part.Filename ?? "file").Replace("\"", "", StringComparison.Ordinal).ReplaceLineEndings("");
                Write($"; filename=\"{filename}\"\r\nContent-Type: {(string.IsNullOrWhiteSpace(part.ContentType) ? "application/octet-stream" : part.ContentType.ReplaceLineEndings(""))}\r\n\r\n");
                body.Write(data);
            }
            else
            {
                Write(part.ContentType is { Length: > 0 } type ? $"\r\nContent-Type: {type.ReplaceLineEndings("")}\r\n\r\n" : "\r\n\r\n");
                Write(part.Value ?? "");
            }
            Write("\r\n");
        }
        Write($"--{boundary}--\r\n");
        contentType = $"multipart/form-data; boundary={boundary}";
        return body.ToArray();
    }

    /// <summary>The parts as the history keeps them: fields as sent, files with their bytes while they are small (<see cref="HistoryFileBytes"/> in all).</summary>
    private static object[]? HistoryParts(TesterPart[]? parts)
    {
        if (parts is null)
        {
            return null;
        }
        static long Size(string? base64) => base64 is null ? 0 : base64.Length * 3L / 4 - (base64.EndsWith("==", StringComparison.Ordinal) ? 2 : base64.EndsWith('=') ? 1 : 0);
        var fileBytes = parts.Sum(p => Size(p.Data));
        return [.. parts.Select(p => p.Data is null && p.Filename is null
            ? (object)new { name = p.Name, value = p.Value, contentType = p.ContentType }
            : new { name = p.Name, filename = p.Filename, contentType = p.ContentType, size = Size(p.Data), data = fileBytes <= HistoryFileBytes ? p.Data : null })];
    }

    private static async Task<IResult> ListAsync(ClaimsPrincipal user, IGrainFactory grains, string? before, string? limit)
    {
        var size = 50;
        if (limit is not null && (!int.TryParse(limit, out size) || size is < 1 or > 500))
        {
            return Problems.BadRequest("limit must be an integer from 1 to 500");
        }
        var outcome = await grains.GetGrain<ITesterHistoryGrain>(user.UserId()).ListAsync(before, size);
        return outcome.IsOk
            ? TypedResults.Ok(new TesterHistoryResponse([.. outcome.Value!.Items.Select(e => new TesterHistoryItem(e.Id, e.At, e.Method, e.Url, e.Status, e.TotalMs))], outcome.Value.NextCursor))
            : Problems.From(outcome);
    }

    private static async Task<IResult> GetAsync(string id, ClaimsPrincipal user, IGrainFactory grains) =>
        await grains.GetGrain<ITesterHistoryGrain>(user.UserId()).GetAsync(id) is { } entry
            ? TypedResults.Text(entry.Json, "application/json")
            : Problems.NotFound($"history entry '{id}' does not exist");

    private static async Task<IResult> DeleteAsync(string id, ClaimsPrincipal user, IGrainFactory grains) =>
        await grains.GetGrain<ITesterHistoryGrain>(user.UserId()).DeleteAsync(id)
            ? TypedResults.NoContent()
            : Problems.NotFound($"history entry '{id}' does not exist");

    private static async Task<IResult> ClearAsync(ClaimsPrincipal user, IGrainFactory grains)
    {
        await grains.GetGrain<ITesterHistoryGrain>(user.UserId()).ClearAsync();
        return TypedResults.NoContent();
    }
}
