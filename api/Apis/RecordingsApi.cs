using System.Security.Claims;
using System.Text;
using System.Text.Json;
using Microsoft.AspNetCore.WebUtilities;
using Microsoft.Extensions.Options;
using OrleansMock.Api.Auth;
using OrleansMock.Api.Http;
using OrleansMock.GrainInterfaces;

namespace OrleansMock.Api.Apis;

/// <summary>
/// Which parts of a recorded request its endpoint matches on: <c>headers</c> (names), <c>query</c> (default true),
/// <c>body</c> (<c>json</c>: equalToJson, <c>text</c>: equalTo; omitted: bodies are not matched).
/// </summary>
public sealed record RecordMatchRequest(string[]? Headers, bool? Query, string? Body)
{
    public RecordMatch ToMatch() => new(Headers, Query ?? true, Body);
}

/// <summary>
/// Starts a recording: every mock call to the project is forwarded to <c>targetBaseUrl</c> and each distinct request
/// becomes an endpoint. <c>sequence</c>: a repeated request with a different answer adds a response served in
/// sequence. <c>keepHeaders</c>: sensitive response headers (Set-Cookie, Authorization, API keys) to store anyway.
/// </summary>
public sealed record RecordingRequest(string? TargetBaseUrl, RecordMatchRequest? Match, bool? Sequence, string[]? KeepHeaders);

/// <summary>An endpoint from one tester history entry: what to match on and which sensitive headers to keep.</summary>
public sealed record FromHistoryRequest(RecordMatchRequest? Match, string[]? KeepHeaders);

/// <summary>Proxy, record and replay: recordings of a real API, and endpoints from the tester's history.</summary>
public static class RecordingsApi
{
    public static void MapRecordingsApi(this IEndpointRouteBuilder app)
    {
        var group = app.MapProjectArea("", "Recordings");
        group.MapPost("/recordings", StartAsync).WithName("StartRecording")
            .WithSummary("Record a real API: mock calls go to the target and each distinct request becomes an endpoint")
            .Accepts<RecordingRequest>("application/json").Produces<RecordingStatus>(StatusCodes.Status201Created)
            .ProducesProblem(StatusCodes.Status400BadRequest).ProducesProblem(StatusCodes.Status409Conflict);
        group.MapPost("/recordings/stop", StopAsync).WithName("StopRecording").WithSummary("End the recording and report the endpoints it made")
            .Produces<RecordingStatus>().ProducesProblem(StatusCodes.Status409Conflict);
        group.MapGet("/recordings/status", StatusAsync).WithName("RecordingStatus").WithSummary("Whether the project is recording, and what so far")
            .Produces<RecordingStatus>();
        group.MapPost("/endpoints/from-history/{historyId}", FromHistoryAsync).WithName("EndpointFromHistory")
            .WithSummary("Turn one API tester history entry (a real request and its real answer) into an endpoint")
            .Accepts<FromHistoryRequest>("application/json").Produces<EndpointResponse>(StatusCodes.Status201Created)
            .ProducesProblem(StatusCodes.Status400BadRequest)
            .ProducesProblem(StatusCodes.Status409Conflict).ProducesProblem(StatusCodes.Status422UnprocessableEntity);
    }

    private static async Task<IResult> StartAsync(ProjectScope project, HttpRequest request, IOptions<MockLimits> limits)
    {
        var body = await JsonBody.ReadAsync<RecordingRequest>(request, limits.Value.MaxRequestBodyBytes);
        if (body.Problem is not null)
        {
            return body.Problem;
        }
        var input = body.Value!;
        var spec = new RecordingSpec(input.TargetBaseUrl ?? "", input.Match?.ToMatch() ?? new RecordMatch(), input.Sequence ?? false, input.KeepHeaders);
        var outcome = await project.Grain.StartRecordingAsync(project.Caller, spec);
        return outcome.IsOk ? TypedResults.Created($"/api/v1/projects/{project.Id}/recordings/status", outcome.Value) : Problems.From(outcome);
    }

    private static async Task<IResult> StopAsync(ProjectScope project) => OkOr(await project.Grain.StopRecordingAsync(project.Caller));

    private static async Task<IResult> StatusAsync(ProjectScope project) => OkOr(await project.Grain.GetRecordingAsync(project.Caller));

    private static async Task<IResult> FromHistoryAsync(ProjectScope project, string historyId, HttpRequest request,
        IGrainFactory grains, IOptions<MockLimits> limits, Tester.IOwnMocks ownMocks)
    {
        var options = new FromHistoryRequest(null, null);
        if (request.ContentLength > 0 || request.Headers.TransferEncoding.Count > 0)
        {
            var body = await JsonBody.ReadAsync<FromHistoryRequest>(request, limits.Value.MaxRequestBodyBytes);
            if (body.Problem is not null)
            {
                return body.Problem;
            }
            options = body.Value!;
        }
        if (await grains.GetGrain<ITesterHistoryGrain>(project.Caller).GetAsync(historyId) is not { } entry)
        {
            return Problems.NotFound($"tester history entry {historyId} does not exist (or was cleared)");
        }
        // A request the tester sent to one of this service's own mocks becomes an endpoint for the path it asked that
        // mock for (/m/shop/users/7 → /users/7), not for the mock URL's own path.
        var (exchange, error) = Exchange(entry, url => ownMocks.PathInProject(url, request.Host.Value));
        if (exchange is null)
        {
            return Problems.Status(StatusCodes.Status422UnprocessableEntity, $"tester history entry {historyId} cannot become an endpoint: {error}");
        }
        var outcome = await project.Grain
            .AddFromExchangeAsync(project.Caller, exchange, options.Match?.ToMatch() ?? new RecordMatch(), options.KeepHeaders);
        return outcome.IsOk
            ? TypedResults.Created($"/api/v1/projects/{project.Id}/endpoints/{outcome.Value!.Id}", EndpointResponse.From(outcome.Value))
            : Problems.From(outcome);
    }

    private static IResult OkOr(Outcome<RecordingStatus> outcome) => outcome.IsOk ? TypedResults.Ok(outcome.Value) : Problems.From(outcome);

    /// <summary>A history entry's request and answer (as the tester stored them) as one exchange; or why it cannot be one.</summary>
    private static (RecordedExchange? Exchange, string? Error) Exchange(TesterHistoryEntry entry, Func<Uri, string?> ownMockPath)
    {
        using var document = JsonDocument.Parse(entry.Json);
        var root = document.RootElement;
        var sent = root.GetProperty("request");
        var got = root.GetProperty("response");
        if (got.GetProperty("status").ValueKind != JsonValueKind.Number)
        {
            var error = got.TryGetProperty("error", out var e) && e.ValueKind == JsonValueKind.Object ? e.GetProperty("message").GetString() : "no answer";
            return (null, $"the request got no answer ({error})");
        }
        if (got.GetProperty("truncated").GetBoolean())
        {
            return (null, "its answer was larger than the tester keeps, so the stored body is cut short");
        }
        if (!Uri.TryCreate(entry.Url, UriKind.Absolute, out var url))
        {
            return (null, $"its URL '{entry.Url}' is not absolute");
        }
        var query = QueryHelpers.ParseQuery(url.Query).SelectMany(q => q.Value.Select(v => KeyValuePair.Create(q.Key, v ?? ""))).ToArray();
        return (new RecordedExchange(entry.Method, ownMockPath(url) ?? Uri.UnescapeDataString(url.AbsolutePath), query, Headers(sent), Bytes(sent),
            got.GetProperty("status").GetInt32(), Headers(got), Bytes(got) ?? []), null);
    }

    private static KeyValuePair<string, string>[] Headers(JsonElement part) =>
        part.TryGetProperty("headers", out var headers) && headers.ValueKind == JsonValueKind.Object
            ? [.. headers.EnumerateObject().Select(h => KeyValuePair.Create(h.Name, h.Value.GetString() ?? ""))]
            : [];

    private static byte[]? Bytes(JsonElement part)
    {
        if (!part.TryGetProperty("body", out var body) || body.ValueKind != JsonValueKind.String)
        {
            return null;
        }
        return part.TryGetProperty("bodyEncoding", out var encoding) && encoding.GetString() == "base64"
            ? Convert.FromBase64String(body.GetString()!)
            : Encoding.UTF8.GetBytes(body.GetString()!);
    }
}
