using System.Security.Claims;
using System.Text.Json;
using System.Text.Json.Nodes;
using Microsoft.Extensions.Options;
using OrleansMock.Api.Auth;
using OrleansMock.Api.Http;
using OrleansMock.Api.WireMock;
using OrleansMock.GrainInterfaces;

namespace OrleansMock.Api.Apis;

/// <summary>
/// WireMock's admin API, one per project, at <c>/m/{project}/__admin/</c>: a WireMock client pointed at
/// <c>http://host/m/{project}/</c> stubs, verifies and resets that project. Mappings are the project's endpoints
/// (<see cref="WireMockMappings"/>); requests come from the project's request journal. The owner's credentials are
/// needed: <c>Authorization: Basic</c> with the API key as password (as WireMock's own admin auth), <c>X-Api-Key</c>, or
/// a bearer token.
/// </summary>
public static class WireMockAdminApi
{
    public const string Segment = Paths.WireMockAdminSegment;

    public static void MapWireMockAdminApi(this IEndpointRouteBuilder app)
    {
        var admin = app.MapGroup(Paths.MockPrefix + "/{project}" + Segment).WithTags("WireMock admin API").RequireAuthorization()
            .AddEndpointFilter(RateLimiter.ManagementFilter).AddEndpointFilter(Transient.RetryReadsAndUndeliveredWrites).AddEndpointFilter(ViewersOnlyRead)
            .ProducesProblem(StatusCodes.Status401Unauthorized).ProducesProblem(StatusCodes.Status404NotFound).ProducesProblem(StatusCodes.Status403Forbidden);
        admin.MapGet("/mappings", ListAsync).WithName("WireMockListMappings").WithSummary("Every mapping (endpoint) of the project");
        admin.MapPost("/mappings", CreateAsync).WithName("WireMockCreateMapping").WithSummary("Add a mapping; 422 names a field we cannot represent");
        admin.MapGet("/mappings/{id}", GetAsync).WithName("WireMockGetMapping");
        admin.MapPost("/mappings/find-by-metadata", FindByMetadataAsync).WithName("WireMockFindMappingsByMetadata").WithSummary("The mappings whose metadata matches a content pattern");
        admin.MapPost("/mappings/remove-by-metadata", RemoveByMetadataAsync).WithName("WireMockRemoveMappingsByMetadata").WithSummary("Delete the mappings whose metadata matches a content pattern");
        admin.MapPut("/mappings/{id}", ReplaceAsync).WithName("WireMockEditMapping");
        admin.MapDelete("/mappings/{id}", DeleteAsync).WithName("WireMockDeleteMapping");
        admin.MapDelete("/mappings", DeleteAllAsync).WithName("WireMockDeleteMappings");
        admin.MapPost("/mappings/reset", DeleteAllAsync).WithName("WireMockResetMappings").WithSummary("Delete every mapping (none is file-backed here)");
        admin.MapPost("/mappings/import", ImportAsync).WithName("WireMockImportMappings").WithSummary("Add or replace many mappings in one change");
        admin.MapPost("/reset", ResetAsync).WithName("WireMockReset").WithSummary("Delete mappings, clear the request log, reset scenarios");
        admin.MapGet("/scenarios", ScenariosAsync).WithName("WireMockScenarios");
        admin.MapPost("/scenarios/reset", ResetScenariosAsync).WithName("WireMockResetScenarios");
        admin.MapPut("/scenarios/{name}/state", SetScenarioAsync).WithName("WireMockSetScenarioState");
        admin.MapGet("/requests", RequestsAsync).WithName("WireMockRequests").WithSummary("The project's logged requests, newest first");
        admin.MapDelete("/requests", ClearRequestsAsync).WithName("WireMockClearRequests");
        admin.MapPost("/requests/reset", ClearRequestsAsync).WithName("WireMockResetRequests");
        admin.MapPost("/requests/count", CountAsync).WithName("WireMockCountRequests").WithSummary("How many logged requests match a request pattern");
        admin.MapPost("/requests/find", FindAsync).WithName("WireMockFindRequests");
        admin.MapPost("/requests/remove", RemoveAsync).WithName("WireMockRemoveRequests");
        admin.MapGet("/requests/unmatched", UnmatchedAsync).WithName("WireMockUnmatchedRequests");
        admin.MapGet("/requests/unmatched/near-misses", UnmatchedNearMissesAsync).WithName("WireMockUnmatchedNearMisses")
            .WithSummary("Each unmatched request with the mapping nearest to it");
        admin.MapPost("/near-misses/request", NearMissesForRequestAsync).WithName("WireMockNearMissesForRequest")
            .WithSummary("The mapping nearest to a logged request");
        admin.MapPost("/near-misses/request-pattern", NearMissesForPatternAsync).WithName("WireMockNearMissesForPattern")
            .WithSummary("The logged requests nearest to a request pattern (what a failed verification shows)");
        admin.MapPost("/recordings/start", StartRecordingAsync).WithName("WireMockStartRecording").WithSummary("Record a real API into this project");
        admin.MapPost("/recordings/stop", StopRecordingAsync).WithName("WireMockStopRecording").WithSummary("Stop recording; answers the mappings made");
        admin.MapGet("/recordings/status", RecordingStatusAsync).WithName("WireMockRecordingStatus");
    }

    /// <summary>
    /// WireMock's record spec: <c>targetBaseUrl</c>, <c>captureHeaders</c> (names to match on), <c>requestBodyPattern</c>
    /// (<c>equalToJson</c> or <c>equalTo</c>), <c>repeatsAsScenarios</c> (a repeated request's other answers in turn).
    /// </summary>
    private static Task<IResult> StartRecordingAsync(string project, HttpRequest request, ClaimsPrincipal user, ProjectResolver resolver,
        IOptions<MockLimits> limits) =>
        WithBodyAsync(project, request, user, resolver, limits, async (c, json) =>
        {
            var spec = json as JsonObject ?? throw new UnsupportedFieldException("$", "a record spec is a JSON object with targetBaseUrl");
            var target = spec["targetBaseUrl"] is JsonValue url && url.GetValueKind() == JsonValueKind.String ? url.GetValue<string>()
                : throw new UnsupportedFieldException("targetBaseUrl", "is required: the API to record");
            var headers = spec["captureHeaders"] is { } capture ? ImportedJson.Object(capture, "captureHeaders").Select(h => h.Key).ToArray() : null;
            var pattern = spec["requestBodyPattern"] is { } given ? ImportedJson.Object(given, "requestBodyPattern") : null;
            var body = ImportedJson.Text(pattern?["matcher"], "requestBodyPattern.matcher") switch
            {
                null => null,
                "equalToJson" => "json",
                "equalTo" => "text",
                var other => throw new UnsupportedFieldException("requestBodyPattern.matcher", $"'{other}' is not supported; equalToJson and equalTo are"),
            };
            var started = await c.Grain.StartRecordingAsync(c.Caller,
                new RecordingSpec(target, new RecordMatch(headers, true, body), ImportedJson.Bool(spec["repeatsAsScenarios"], "repeatsAsScenarios") == true));
            return started.IsOk ? Json(new JsonObject()) : Failure(started);
        });

    private static Task<IResult> StopRecordingAsync(string project, ClaimsPrincipal user, ProjectResolver resolver, IOptions<MockLimits> limits) =>
        WithProjectAsync(project, user, resolver, limits, async c =>
        {
            var stopped = await c.Grain.StopRecordingAsync(c.Caller);
            if (!stopped.IsOk)
            {
                return Problems.From(stopped);
            }
            var listed = await c.Grain.ListEndpointsAsync(c.Caller);
            var made = stopped.Value!.Created.Concat(stopped.Value.Updated).ToHashSet(StringComparer.Ordinal);
            return Json(new JsonObject
            {
                ["mappings"] = new JsonArray([.. (listed.Value ?? []).Where(e => made.Contains(e.Id)).Select(e => (JsonNode?)WireMockMappings.ToMapping(e))]),
            });
        });

    private static Task<IResult> RecordingStatusAsync(string project, ClaimsPrincipal user, ProjectResolver resolver, IOptions<MockLimits> limits) =>
        WithProjectAsync(project, user, resolver, limits, async c =>
        {
            var status = await c.Grain.GetRecordingAsync(c.Caller);
            return status.IsOk
                ? Json(new JsonObject { ["status"] = status.Value!.Recording ? "Recording" : status.Value.EverStarted ? "Stopped" : "NeverStarted" })
                : Problems.From(status);
        });

    // The admin API's POSTs that only read (WireMock puts a request pattern in their body).
    private static readonly string[] ReadingPosts = ["/requests/count", "/requests/find", "/near-misses/request", "/near-misses/request-pattern", "/mappings/find-by-metadata"];

    /// <summary>A team viewer reads through the admin API (lists, counts, finds) and changes nothing: a 403 naming the role.</summary>
    private static async ValueTask<object?> ViewersOnlyRead(EndpointFilterInvocationContext context, EndpointFilterDelegate next)
    {
        var http = context.HttpContext;
        var path = http.Request.Path.Value ?? "";
        var reads = HttpMethods.IsGet(http.Request.Method) || HttpMethods.IsHead(http.Request.Method)
            || (HttpMethods.IsPost(http.Request.Method) && ReadingPosts.Any(p => path.EndsWith(p, StringComparison.Ordinal)));
        if (http.Request.RouteValues["project"] is string project
            && await http.RequestServices.GetRequiredService<ProjectResolver>().ResolveAsync(project) is { } id)
        {
            var held = await http.RequestServices.GetRequiredService<ProjectResolver>().Project(id).RoleOfAsync(http.User.UserId());
            var role = http.User.WithinGrants(id, held);
            if (role is null && held is not null)
            {
                return ProjectScope.NotFound(project); // a team key limited to another project
            }
            if (!reads && role is not null && !TeamRoles.Allows(role, TeamRoles.Editor))
            {
                return ProjectScope.Forbidden(project, role);
            }
        }
        return await next(context);
    }

    /// <summary>What an admin call works on; <see cref="Session"/>: the test session its X-Mock-Session header names, if any.</summary>
    private sealed record Context(IMockProjectGrain Grain, string Caller, MockLimits Limits, IWebhookOutboxGrain Webhooks, string? Session = null,
        IMockSessionGrain? SessionGrain = null);

    /// <summary>Runs <paramref name="action"/> for the project's owner: a project not theirs is a 404, an unrepresentable mapping a 422.</summary>
    private static Task<IResult> WithProjectAsync(string project, ClaimsPrincipal user, ProjectResolver resolver,
        IOptions<MockLimits> limits, Func<Context, Task<IResult>> action) =>
        WithProjectAsync(project, null, user, resolver, limits, action);

    /// <summary>
    /// As <see cref="WithProjectAsync(string, ClaimsPrincipal, ProjectResolver, IOptions{MockLimits}, Func{Context, Task{IResult}})"/>,
    /// honouring the request's X-Mock-Session header: the journal and scenario calls then work on that test session.
    /// </summary>
    private static async Task<IResult> WithProjectAsync(string project, HttpRequest? request, ClaimsPrincipal user, ProjectResolver resolver,
        IOptions<MockLimits> limits, Func<Context, Task<IResult>> action)
    {
        string? session = null;
        if (request is not null && request.Headers.TryGetValue(MockSessions.Header, out var header))
        {
            if (header.Count != 1 || !MockSessions.IsValid(header[0]))
            {
                return Problems.BadRequest(MockSessions.Rule($"the {MockSessions.Header} header"));
            }
            session = header[0];
        }
        if (await resolver.ResolveAsync(project) is not { } id)
        {
            return ProjectScope.NotFound(project);
        }
        try
        {
            return await action(new Context(resolver.Project(id), user.UserId(), limits.Value, resolver.Webhooks(id), session,
                session is null ? null : resolver.Session(id, session)));
        }
        catch (UnsupportedFieldException exception)
        {
            return Problems.Status(StatusCodes.Status422UnprocessableEntity, exception.Message, new Dictionary<string, object?> { ["field"] = exception.Field });
        }
    }

    /// <summary>
    /// As <see cref="WithProjectAsync"/>, with the request's JSON body read first (a bad body is a 400 naming why), whatever
    /// its Content-Type: WireMock reads its admin bodies as JSON, and its users' curl lines often send none.
    /// </summary>
    private static Task<IResult> WithBodyAsync(string project, HttpRequest request, ClaimsPrincipal user, ProjectResolver resolver,
        IOptions<MockLimits> limits, Func<Context, JsonNode?, Task<IResult>> action) =>
        WithProjectAsync(project, request, user, resolver, limits, async c =>
        {
            var read = await JsonBody.ReadAsync<JsonNode>(request, c.Limits.MaxRequestBodyBytes * 4, anyContentType: true);
            return read.Problem ?? await action(c, read.Value);
        });

    private static IResult Json(JsonNode node, int status = StatusCodes.Status200OK) =>
        Results.Text(node.ToJsonString(), "application/json", statusCode: status);

    /// <summary>The mappings, newest first as WireMock lists them, a page of them with <c>limit</c> and <c>offset</c>.</summary>
    private static Task<IResult> ListAsync(string project, int? limit, int? offset, ClaimsPrincipal user, ProjectResolver resolver, IOptions<MockLimits> limits) =>
        WithProjectAsync(project, user, resolver, limits, async c =>
        {
            if (limit < 0 || offset < 0)
            {
                return Problems.Status(StatusCodes.Status400BadRequest, limit < 0 ? "limit may not be negative" : "offset may not be negative");
            }
            var listed = await c.Grain.ListEndpointsAsync(c.Caller);
            return listed.IsOk ? Mappings(listed.Value!.Reverse().Skip(offset ?? 0).Take(limit ?? int.MaxValue), listed.Value!.Length) : Problems.From(listed);
        });

    private static IResult Mappings(IEnumerable<EndpointInfo> endpoints, int total) => Json(new JsonObject
    {
        ["mappings"] = new JsonArray([.. endpoints.Select(e => (JsonNode?)WireMockMappings.ToMapping(e))]),
        ["meta"] = new JsonObject { ["total"] = total },
    });

    private static Task<IResult> FindByMetadataAsync(string project, HttpRequest request, ClaimsPrincipal user, ProjectResolver resolver, IOptions<MockLimits> limits) =>
        WithBodyAsync(project, request, user, resolver, limits, async (c, json) =>
        {
            var found = await c.Grain.FindEndpointsByMetadataAsync(c.Caller, WireMockMappings.ToPattern(json, "pattern"));
            return found.IsOk ? Mappings(found.Value!.Reverse(), found.Value!.Length) : Failure(found);
        });

    private static Task<IResult> RemoveByMetadataAsync(string project, HttpRequest request, ClaimsPrincipal user, ProjectResolver resolver, IOptions<MockLimits> limits) =>
        WithBodyAsync(project, request, user, resolver, limits, async (c, json) =>
        {
            var found = await c.Grain.FindEndpointsByMetadataAsync(c.Caller, WireMockMappings.ToPattern(json, "pattern"));
            if (!found.IsOk)
            {
                return Failure(found);
            }
            var removed = await c.Grain.ImportEndpointsAsync(c.Caller, [], replaceAll: false, deleteIds: [.. found.Value!.Select(e => e.Id)]);
            return removed.IsOk ? Results.Ok() : Failure(removed);
        });

    private static Task<IResult> CreateAsync(string project, HttpRequest request, ClaimsPrincipal user, ProjectResolver resolver, IOptions<MockLimits> limits) =>
        WithBodyAsync(project, request, user, resolver, limits, async (c, json) =>
        {
            var imported = await c.Grain.ImportEndpointsAsync(c.Caller, [WireMockMappings.ToEndpoint(json)], replaceAll: false);
            return imported.IsOk ? Json(WireMockMappings.ToMapping(imported.Value![0]), StatusCodes.Status201Created) : Failure(imported);
        });

    private static Task<IResult> GetAsync(string project, string id, ClaimsPrincipal user, ProjectResolver resolver, IOptions<MockLimits> limits) =>
        WithProjectAsync(project, user, resolver, limits, async c =>
        {
            var endpoint = await c.Grain.GetEndpointAsync(c.Caller, id);
            return endpoint.IsOk ? Json(WireMockMappings.ToMapping(endpoint.Value!)) : Problems.From(endpoint);
        });

    private static Task<IResult> ReplaceAsync(string project, string id, HttpRequest request, ClaimsPrincipal user, ProjectResolver resolver,
        IOptions<MockLimits> limits) =>
        WithBodyAsync(project, request, user, resolver, limits, async (c, json) =>
        {
            var mapping = WireMockMappings.ToEndpoint(json);
            var replaced = await c.Grain.ReplaceEndpointAsync(c.Caller, id, mapping.Spec, null);
            return replaced.IsOk ? Json(WireMockMappings.ToMapping(replaced.Value!)) : Failure(replaced);
        });

    private static Task<IResult> DeleteAsync(string project, string id, ClaimsPrincipal user, ProjectResolver resolver, IOptions<MockLimits> limits) =>
        WithProjectAsync(project, user, resolver, limits, async c =>
        {
            var deleted = await c.Grain.DeleteEndpointAsync(c.Caller, id);
            return deleted.IsOk ? Json(new JsonObject()) : Problems.From(deleted);
        });

    private static Task<IResult> DeleteAllAsync(string project, ClaimsPrincipal user, ProjectResolver resolver, IOptions<MockLimits> limits) =>
        WithProjectAsync(project, user, resolver, limits, async c =>
        {
            var deleted = await c.Grain.ImportEndpointsAsync(c.Caller, [], replaceAll: true);
            return deleted.IsOk ? Json(new JsonObject()) : Problems.From(deleted);
        });

    private static Task<IResult> ImportAsync(string project, HttpRequest request, ClaimsPrincipal user, ProjectResolver resolver, IOptions<MockLimits> limits) =>
        WithBodyAsync(project, request, user, resolver, limits, async (c, json) =>
        {
            var mappings = (json as JsonObject)?["mappings"] as JsonArray ?? throw new UnsupportedFieldException("mappings", "an import is {\"mappings\":[...], \"importOptions\":{...}}");
            var options = (json as JsonObject)?["importOptions"] is { } given ? ImportedJson.Object(given, "importOptions") : null;
            var policy = ImportedJson.Text(options?["duplicatePolicy"], "importOptions.duplicatePolicy") ?? "OVERWRITE";
            if (policy is not ("OVERWRITE" or "IGNORE"))
            {
                throw new UnsupportedFieldException("importOptions.duplicatePolicy", $"'{policy}' is not one of OVERWRITE, IGNORE");
            }
            var items = mappings.Select((m, i) => WireMockMappings.ToEndpoint(m, $"mappings[{i}]")).ToArray();
            if (policy == "IGNORE" && (await c.Grain.ListEndpointsAsync(c.Caller)).Value is { } existing)
            {
                var ids = existing.Select(e => e.Id).ToHashSet(StringComparer.Ordinal);
                items = [.. items.Where(item => item.Id is null || !ids.Contains(item.Id))];
            }
            var imported = await c.Grain.ImportEndpointsAsync(c.Caller, items, replaceAll: ImportedJson.Bool(options?["deleteAllNotInImport"], "importOptions.deleteAllNotInImport") == true);
            return imported.IsOk ? Json(new JsonObject()) : Failure(imported);
        });

    private static Task<IResult> ResetAsync(string project, HttpRequest request, ClaimsPrincipal user, ProjectResolver resolver, IOptions<MockLimits> limits) =>
        WithProjectAsync(project, request, user, resolver, limits, async c =>
        {
            if (c.Session is { } session)
            {
                // A test session's reset: its state and journal go; the mappings are the project's, shared by every session.
                var ended = await c.Grain.DeleteSessionAsync(c.Caller, session);
                return ended.IsOk ? Json(new JsonObject()) : Problems.From(ended);
            }
            var deleted = await c.Grain.ImportEndpointsAsync(c.Caller, [], replaceAll: true);
            if (!deleted.IsOk)
            {
                return Problems.From(deleted);
            }
            await c.Grain.ClearRequestLogAsync(c.Caller);
            await c.Grain.ResetScenariosAsync(c.Caller);
            return Json(new JsonObject());
        });

    private static Task<IResult> ScenariosAsync(string project, HttpRequest request, ClaimsPrincipal user, ProjectResolver resolver, IOptions<MockLimits> limits) =>
        WithProjectAsync(project, request, user, resolver, limits, async c =>
        {
            var scenarios = c.SessionGrain is { } session ? await session.GetScenariosAsync(c.Caller) : await c.Grain.GetScenariosAsync(c.Caller);
            var endpoints = await c.Grain.ListEndpointsAsync(c.Caller);
            if (!scenarios.IsOk || !endpoints.IsOk)
            {
                return scenarios.IsOk ? Problems.From(endpoints) : Problems.From(scenarios);
            }
            return Json(new JsonObject
            {
                ["scenarios"] = new JsonArray([.. scenarios.Value!.Select(s => (JsonNode?)new JsonObject
                {
                    ["id"] = s.Name, ["name"] = s.Name, ["state"] = s.State,
                    ["possibleStates"] = new JsonArray([.. s.PossibleStates.Select(p => (JsonNode?)p)]),
                    // the scenario's mappings, as WireMock lists them with it
                    ["mappings"] = new JsonArray([.. endpoints.Value!.Where(e => e.Spec.AllResponses.Any(r => r.Scenario?.Name == s.Name))
                        .Select(e => (JsonNode?)WireMockMappings.ToMapping(e))]),
                })]),
            });
        });

    private static Task<IResult> ResetScenariosAsync(string project, HttpRequest request, ClaimsPrincipal user, ProjectResolver resolver, IOptions<MockLimits> limits) =>
        WithProjectAsync(project, request, user, resolver, limits, async c =>
        {
            var reset = c.SessionGrain is { } session ? await session.ResetScenariosAsync(c.Caller) : await c.Grain.ResetScenariosAsync(c.Caller);
            return reset.IsOk ? Json(new JsonObject()) : Problems.From(reset);
        });

    private static Task<IResult> SetScenarioAsync(string project, string name, HttpRequest request, ClaimsPrincipal user, ProjectResolver resolver,
        IOptions<MockLimits> limits) =>
        WithBodyAsync(project, request, user, resolver, limits, async (c, json) =>
        {
            var state = (json as JsonObject)?["state"] is JsonValue value && value.GetValueKind() == JsonValueKind.String
                ? value.GetValue<string>()
                : throw new UnsupportedFieldException("state", "give the new state: {\"state\":\"...\"}");
            var set = c.SessionGrain is { } session
                ? await session.SetScenarioStateAsync(c.Caller, name, state)
                : await c.Grain.SetScenarioStateAsync(c.Caller, name, state);
            return set.IsOk ? Json(new JsonObject()) : Problems.From(set);
        });

    private static Task<IResult> RequestsAsync(string project, HttpRequest request, ClaimsPrincipal user, ProjectResolver resolver, IOptions<MockLimits> limits) =>
        QueryLogAsync(project, request, user, resolver, limits, pattern: false, unmatched: false, remove: false, count: false);

    private static Task<IResult> UnmatchedAsync(string project, HttpRequest request, ClaimsPrincipal user, ProjectResolver resolver, IOptions<MockLimits> limits) =>
        QueryLogAsync(project, request, user, resolver, limits, pattern: false, unmatched: true, remove: false, count: false);

    private static Task<IResult> CountAsync(string project, HttpRequest request, ClaimsPrincipal user, ProjectResolver resolver, IOptions<MockLimits> limits) =>
        QueryLogAsync(project, request, user, resolver, limits, pattern: true, unmatched: false, remove: false, count: true);

    private static Task<IResult> FindAsync(string project, HttpRequest request, ClaimsPrincipal user, ProjectResolver resolver, IOptions<MockLimits> limits) =>
        QueryLogAsync(project, request, user, resolver, limits, pattern: true, unmatched: false, remove: false, count: false);

    private static Task<IResult> RemoveAsync(string project, HttpRequest request, ClaimsPrincipal user, ProjectResolver resolver, IOptions<MockLimits> limits) =>
        QueryLogAsync(project, request, user, resolver, limits, pattern: true, unmatched: false, remove: true, count: false);

    private static Task<IResult> ClearRequestsAsync(string project, HttpRequest request, ClaimsPrincipal user, ProjectResolver resolver, IOptions<MockLimits> limits) =>
        WithProjectAsync(project, request, user, resolver, limits, async c =>
        {
            var cleared = await c.Grain.ClearRequestLogAsync(c.Caller, c.Session);
            return cleared.IsOk ? Json(new JsonObject()) : Problems.From(cleared);
        });

    /// <summary>The request log through a WireMock request pattern (a body with method, url..., headers, queryParameters, bodyPatterns).</summary>
    private static Task<IResult> QueryLogAsync(string project, HttpRequest request, ClaimsPrincipal user, ProjectResolver resolver,
        IOptions<MockLimits> limits, bool pattern, bool unmatched, bool remove, bool count) =>
        WithProjectAsync(project, request, user, resolver, limits, async c =>
        {
            EndpointSpec? spec = null;
            if (pattern)
            {
                var read = await JsonBody.ReadAsync<JsonNode>(request, c.Limits.MaxRequestBodyBytes * 4, anyContentType: true);
                if (read.Problem is not null)
                {
                    return read.Problem;
                }
                var (method, path, pathPattern, match) = WireMockMappings.ToRequest(read.Value, "request");
                spec = new EndpointSpec(method, path, new ResponseDefinition(200, [], null, null, 0), pathPattern, Request: match);
            }
            var found = await c.Grain.FindRequestsAsync(c.Caller, spec, unmatched, remove, c.Session);
            if (!found.IsOk)
            {
                return found.Kind == OutcomeKind.Invalid
                    ? Problems.Status(StatusCodes.Status422UnprocessableEntity, $"the request pattern cannot be used: {found.Error}")
                    : Problems.From(found);
            }
            if (count)
            {
                return Json(new JsonObject { ["count"] = found.Value!.Length, ["requestJournalDisabled"] = false });
            }
            var (origin, baseUrl) = Bases(request, project);
            if (remove)
            {
                return Json(new JsonObject { ["serveEvents"] = new JsonArray([.. found.Value!.Select(e => (JsonNode?)ServeEvent(e, origin, baseUrl))]) });
            }
            // find answers logged requests oldest first, unmatched newest first; the whole log answers serve events,
            // newest first (WireMock's shapes and orders, checked against its jar).
            var requests = pattern || unmatched
                ? new JsonArray([.. (pattern ? found.Value!.Reverse() : found.Value!).Select(e => (JsonNode?)LoggedRequest(e, origin, baseUrl))])
                : new JsonArray([.. found.Value!.Select(e => (JsonNode?)ServeEvent(e, origin, baseUrl))]);
            if (!pattern && !unmatched)
            {
                await AddWebhookEventsAsync(c.Webhooks, requests, c.Limits);
            }
            return Json(pattern || unmatched ? new JsonObject { ["requests"] = requests, ["requestJournalDisabled"] = false }
                : new JsonObject { ["requests"] = requests, ["meta"] = new JsonObject { ["total"] = found.Value!.Length }, ["requestJournalDisabled"] = false });
        });

    private static Task<IResult> UnmatchedNearMissesAsync(string project, HttpRequest request, ClaimsPrincipal user, ProjectResolver resolver,
        IOptions<MockLimits> limits) =>
        WithProjectAsync(project, request, user, resolver, limits, async c =>
        {
            var unmatched = await c.Grain.FindRequestsAsync(c.Caller, null, unmatchedOnly: true, remove: false, c.Session);
            if (!unmatched.IsOk)
            {
                return Problems.From(unmatched);
            }
            var entries = unmatched.Value!; // newest first, as WireMock lists them
            var (origin, baseUrl) = Bases(request, project);
            return await NearMissesAsync(c, [.. entries.Select(ToMockRequest)], [.. entries.Select(e => (JsonNode)LoggedRequest(e, origin, baseUrl))]);
        });

    private static Task<IResult> NearMissesForRequestAsync(string project, HttpRequest request, ClaimsPrincipal user, ProjectResolver resolver,
        IOptions<MockLimits> limits) =>
        WithBodyAsync(project, request, user, resolver, limits, async (c, json) =>
        {
            if (json is not JsonObject logged || logged["url"]?.GetValue<string>() is not { } url)
            {
                return Problems.Status(StatusCodes.Status400BadRequest, "the body must be a logged request with at least url and method");
            }
            var question = url.IndexOf('?');
            var headers = (logged["headers"] as JsonObject ?? []).Select(h => KeyValuePair.Create(h.Key, h.Value?.ToString() ?? "")).ToArray();
            var body = logged["body"]?.GetValue<string>();
            var mock = new MockRequest(logged["method"]?.GetValue<string>() ?? "GET", question < 0 ? url : url[..question], null,
                Detail: new RequestDetail(question < 0 ? null : url[question..], headers, body, url, RequestParts.Query | RequestParts.Headers | RequestParts.Body));
            return await NearMissesAsync(c, [mock], [logged]);
        });

    /// <summary>The mapping nearest to each request (none where one answers it now), in WireMock's near-miss shape.</summary>
    private static async Task<IResult> NearMissesAsync(Context c, MockRequest[] requests, JsonNode[] shown)
    {
        var near = await c.Grain.NearMissesAsync(c.Caller, requests);
        var endpoints = await c.Grain.ListEndpointsAsync(c.Caller);
        if (!near.IsOk || !endpoints.IsOk)
        {
            return near.IsOk ? Problems.From(endpoints) : Problems.From(near);
        }
        var byId = endpoints.Value!.ToDictionary(e => e.Id);
        var misses = new JsonArray();
        for (var i = 0; i < near.Value!.Length; i++)
        {
            if (near.Value[i] is { } miss && byId.TryGetValue(miss.EndpointId, out var endpoint))
            {
                misses.Add(new JsonObject
                {
                    ["request"] = shown[i].DeepClone(),
                    ["stubMapping"] = WireMockMappings.ToMapping(endpoint),
                    // Our distance is not WireMock's formula: 0.5 names a near miss; diffDescriptions say why it missed.
                    ["matchResult"] = new JsonObject { ["subEvents"] = new JsonArray(), ["diffDescriptions"] = new JsonArray(miss.Reason), ["distance"] = 0.5 },
                });
            }
        }
        return Json(new JsonObject { ["nearMisses"] = misses });
    }

    /// <summary>
    /// The logged requests nearest to a pattern none of them matches well enough: those on the pattern's path and method
    /// first, then its path, then its method (at most three, as WireMock gives), oldest first within each.
    /// </summary>
    private static Task<IResult> NearMissesForPatternAsync(string project, HttpRequest request, ClaimsPrincipal user, ProjectResolver resolver,
        IOptions<MockLimits> limits) =>
        WithBodyAsync(project, request, user, resolver, limits, async (c, json) =>
        {
            var (method, path, pathPattern, match) = WireMockMappings.ToRequest(json, "requestPattern");
            var spec = new EndpointSpec(method, path, new ResponseDefinition(200, [], null, null, 0), pathPattern, Request: match);
            var all = await c.Grain.FindRequestsAsync(c.Caller, null, unmatchedOnly: false, remove: false, c.Session);
            var matched = await c.Grain.FindRequestsAsync(c.Caller, spec, unmatchedOnly: false, remove: false, c.Session);
            if (!all.IsOk || !matched.IsOk)
            {
                return all.IsOk ? Failure(matched) : Problems.From(all);
            }
            var hits = matched.Value!.Select(e => e.Seq).ToHashSet();
            var (origin, baseUrl) = Bases(request, project);
            int Rank(RequestLogEntry e) => (e.Path == path ? 0 : 2) + (method == "ANY" || e.Method == method ? 0 : 1);
            var nearest = all.Value!.Where(e => !hits.Contains(e.Seq)).Reverse().OrderBy(Rank).Take(3);
            return Json(new JsonObject
            {
                ["nearMisses"] = new JsonArray([.. nearest.Select(e => (JsonNode?)new JsonObject
                {
                    ["request"] = LoggedRequest(e, origin, baseUrl), ["requestPattern"] = json?.DeepClone(),
                    ["matchResult"] = new JsonObject { ["subEvents"] = new JsonArray(), ["diffDescriptions"] = new JsonArray(), ["distance"] = 0.25 * (1 + Rank(e)) },
                })]),
            });
        });

    private static (Uri Origin, string BaseUrl) Bases(HttpRequest request, string project) =>
        (new Uri($"{request.Scheme}://{request.Host}"), $"{request.Scheme}://{request.Host}{request.PathBase}{Paths.MockPrefix}/{project}");

    /// <summary>A journal entry as the request the mock saw (what the journal kept of it), to match again.</summary>
    private static MockRequest ToMockRequest(RequestLogEntry entry) =>
        new(entry.Method, entry.Path, null, Detail: new RequestDetail(entry.Query, entry.Headers, entry.BodyPreview,
            entry.Path + (entry.Query is { Length: > 0 } q ? (q.StartsWith('?') ? q : "?" + q) : ""), RequestParts.Query | RequestParts.Headers | RequestParts.Body));

    /// <summary>
    /// The webhooks each serve event sent, as WireMock 3.7+ logs them: a <c>WEBHOOK_REQUEST</c> sub-event with the request
    /// in its logged-request shape, then a <c>WEBHOOK_RESPONSE</c> with the target's answer, or an <c>ERROR</c> saying why
    /// there is none (the address guard refused it, the connection failed, the template failed).
    /// </summary>
    private static async Task AddWebhookEventsAsync(IWebhookOutboxGrain webhooks, JsonArray serveEvents, MockLimits limits)
    {
        var log = await webhooks.GetLogAsync(limits.WebhookLogSize);
        if (log.Attempts.Length == 0)
        {
            return;
        }
        var bySeq = log.Attempts.GroupBy(a => a.RequestSeq).ToDictionary(g => g.Key.ToString(System.Globalization.CultureInfo.InvariantCulture), g => g.Reverse().ToArray());
        foreach (var serveEvent in serveEvents.OfType<JsonObject>())
        {
            if (serveEvent["id"]?.GetValue<string>() is not { } id || !bySeq.TryGetValue(id, out var attempts))
            {
                continue;
            }
            var subEvents = new JsonArray();
            foreach (var attempt in attempts)
            {
                if (attempt.Status is { } status)
                {
                    var url = new Uri(attempt.Url);
                    var sent = new RequestLogEntry(attempt.At, attempt.Method, url.AbsolutePath, url.Query, attempt.Headers, attempt.BodyPreview, 0, null, null, 0);
                    subEvents.Add(new JsonObject { ["type"] = "WEBHOOK_REQUEST", ["timeOffsetNanos"] = 0, ["data"] = LoggedRequest(sent, url, url.GetLeftPart(UriPartial.Authority)) });
                    var headers = new JsonObject();
                    foreach (var (name, value) in attempt.ResponseHeaders ?? [])
                    {
                        headers[name] = value;
                    }
                    var body = attempt.ResponseBodyPreview ?? "";
                    subEvents.Add(new JsonObject
                    {
                        ["type"] = "WEBHOOK_RESPONSE", ["timeOffsetNanos"] = 0,
                        ["data"] = new JsonObject
                        {
                            ["status"] = status, ["headers"] = headers, ["bodyAsBase64"] = Convert.ToBase64String(System.Text.Encoding.UTF8.GetBytes(body)), ["body"] = body,
                        },
                    });
                }
                else
                {
                    subEvents.Add(new JsonObject { ["type"] = "ERROR", ["timeOffsetNanos"] = 0, ["data"] = new JsonObject { ["message"] = $"Failed to fire webhook {attempt.Method} {attempt.Url}: {attempt.Error}" } });
                }
            }
            serveEvent["subEvents"] = subEvents;
        }
    }

    /// <summary>A journal entry as WireMock's serve event: an id, the logged request, the response's status, matched or not.</summary>
    private static JsonObject ServeEvent(RequestLogEntry entry, Uri origin, string baseUrl) => new()
    {
        ["id"] = entry.Seq.ToString(System.Globalization.CultureInfo.InvariantCulture),
        ["request"] = LoggedRequest(entry, origin, baseUrl),
        ["responseDefinition"] = new JsonObject { ["status"] = entry.Status },
        ["wasMatched"] = entry.Miss is null,
    };

    /// <summary>
    /// A journal entry as WireMock's logged request (its field names and shapes, checked against its jar): the URL as the
    /// project sees it, headers (redacted as the journal keeps them), cookies, query and form parameters as
    /// <c>{"key","values"}</c>, the body (the journal's preview) and its base64, dates in milliseconds and ISO 8601.
    /// </summary>
    private static JsonObject LoggedRequest(RequestLogEntry entry, Uri origin, string baseUrl)
    {
        var url = entry.Path + (entry.Query is { Length: > 0 } query ? (query.StartsWith('?') ? query : "?" + query) : "");
        var headers = new JsonObject();
        var cookies = new JsonObject();
        foreach (var group in entry.Headers.GroupBy(h => h.Key, StringComparer.OrdinalIgnoreCase))
        {
            headers[group.Key] = string.Join(", ", group.Select(h => h.Value));
        }
        foreach (var cookie in entry.Headers.Where(h => h.Key.Equals("Cookie", StringComparison.OrdinalIgnoreCase) && h.Value != MockTraffic.Redaction.Mask)
                     .SelectMany(h => h.Value.Split(';', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)))
        {
            var at = cookie.IndexOf('=');
            cookies[at < 0 ? cookie : cookie[..at]] = at < 0 ? "" : cookie[(at + 1)..];
        }
        var body = entry.BodyPreview ?? "";
        var form = entry.Headers.Any(h => h.Key.Equals("Content-Type", StringComparison.OrdinalIgnoreCase) && h.Value.StartsWith("application/x-www-form-urlencoded", StringComparison.OrdinalIgnoreCase))
            ? body : "";
        return new JsonObject
        {
            ["url"] = url, ["absoluteUrl"] = baseUrl + url, ["method"] = entry.Method, ["headers"] = headers, ["cookies"] = cookies,
            ["browserProxyRequest"] = false, ["loggedDate"] = entry.At.ToUnixTimeMilliseconds(),
            ["bodyAsBase64"] = Convert.ToBase64String(System.Text.Encoding.UTF8.GetBytes(body)), ["body"] = body,
            ["protocol"] = "HTTP/1.1", ["scheme"] = origin.Scheme, ["host"] = origin.Host, ["port"] = origin.Port,
            ["loggedDateString"] = entry.At.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss.fff'Z'", System.Globalization.CultureInfo.InvariantCulture),
            ["queryParams"] = Parameters(entry.Query), ["formParams"] = Parameters(form),
        };
    }

    /// <summary>Parameters in WireMock's shape: <c>{"name": {"key": "name", "values": [...]}}</c>.</summary>
    private static JsonObject Parameters(string? encoded)
    {
        var parameters = new JsonObject();
        foreach (var pair in (encoded ?? "").TrimStart('?').Split('&', StringSplitOptions.RemoveEmptyEntries))
        {
            var at = pair.IndexOf('=');
            var name = Uri.UnescapeDataString((at < 0 ? pair : pair[..at]).Replace('+', ' '));
            var value = at < 0 ? "" : Uri.UnescapeDataString(pair[(at + 1)..].Replace('+', ' '));
            if (parameters[name] is not JsonObject known)
            {
                parameters[name] = known = new JsonObject { ["key"] = name, ["values"] = new JsonArray() };
            }
            known["values"]!.AsArray().Add(value);
        }
        return parameters;
    }

    private static IResult Failure<T>(Outcome<T> outcome) =>
        outcome.Kind == OutcomeKind.Invalid ? Problems.Status(StatusCodes.Status422UnprocessableEntity, outcome.Error ?? "invalid mapping") : Problems.From(outcome);
}
