using System.Security.Claims;
using System.Text.Json;
using System.Text.Json.Nodes;
using Microsoft.Extensions.Options;
using OrleansMock.Api.Auth;
using OrleansMock.Api.Http;
using OrleansMock.GrainInterfaces;

namespace OrleansMock.Api.Apis;

/// <summary>The endpoints of a project: define, list, get, replace, patch (JSON Merge Patch), delete.</summary>
public static class EndpointsApi
{
    // A concurrent change between reading and writing a patched endpoint is retried this many times.
    private const int PatchAttempts = 3;

    public static RouteGroupBuilder MapEndpointsApi(this IEndpointRouteBuilder app)
    {
        var group = app.MapProjectArea("/endpoints", "Endpoints");

        group.MapPost("/", CreateAsync).WithMetadata(Transient.IdempotentWrite.Instance)
            .WithName("CreateEndpoint").WithSummary("Define a mock endpoint")
            .Accepts<EndpointRequest>("application/json")
            .Produces<EndpointResponse>(StatusCodes.Status201Created)
            .ProducesProblem(StatusCodes.Status400BadRequest)
            .ProducesProblem(StatusCodes.Status409Conflict).ProducesProblem(StatusCodes.Status413PayloadTooLarge)
            .ProducesProblem(StatusCodes.Status415UnsupportedMediaType).ProducesProblem(StatusCodes.Status422UnprocessableEntity);
        group.MapGet("/", ListAsync)
            .WithName("ListEndpoints").WithSummary("List a project's endpoints in creation order")
            .Produces<EndpointListResponse>();
        group.MapGet("/{endpointId}", GetAsync)
            .WithName("GetEndpoint").WithSummary("Get one endpoint")
            .Produces<EndpointResponse>();
        group.MapPut("/{endpointId}", ReplaceAsync)
            .WithName("ReplaceEndpoint").WithSummary("Replace an endpoint's method, path and response")
            .Accepts<EndpointRequest>("application/json")
            .Produces<EndpointResponse>().ProducesProblem(StatusCodes.Status400BadRequest)
            .ProducesProblem(StatusCodes.Status409Conflict);
        group.MapPatch("/{endpointId}", PatchAsync)
            .WithName("PatchEndpoint").WithSummary("Change part of an endpoint (JSON Merge Patch, RFC 7396)")
            .Accepts<EndpointRequest>("application/merge-patch+json", "application/json")
            .Produces<EndpointResponse>().ProducesProblem(StatusCodes.Status400BadRequest)
            .ProducesProblem(StatusCodes.Status409Conflict);
        group.MapDelete("/{endpointId}", DeleteAsync)
            .WithName("DeleteEndpoint").WithSummary("Delete an endpoint")
            .Produces(StatusCodes.Status204NoContent);
        return group;
    }

    private static async Task<IResult> CreateAsync(ProjectScope project, HttpRequest request, IOptions<MockLimits> limits)
    {
        var body = await ReadSpecAsync(request, limits.Value);
        if (body.Problem is not null)
        {
            return body.Problem;
        }
        // The endpoint's id is chosen here, once per request: a retry after a failover cannot create it twice.
        var outcome = await project.Grain.AddEndpointAsync(project.Caller, body.Value!, Transient.OncePerRequest(request.HttpContext, "om.endpoint-id", ProjectIds.NewEndpointId));
        return outcome.IsOk
            ? TypedResults.Created($"/api/v1/projects/{project.Id}/endpoints/{outcome.Value!.Id}", EndpointResponse.From(outcome.Value))
            : Problems.From(outcome);
    }

    private static async Task<IResult> ListAsync(ProjectScope project)
    {
        var outcome = await project.Grain.ListEndpointsAsync(project.Caller);
        return outcome.IsOk
            ? TypedResults.Ok(new EndpointListResponse([.. outcome.Value!.Select(EndpointResponse.From)]))
            : Problems.From(outcome);
    }

    private static async Task<IResult> GetAsync(ProjectScope project, string endpointId)
    {
        var outcome = await project.Grain.GetEndpointAsync(project.Caller, endpointId);
        return outcome.IsOk ? TypedResults.Ok(EndpointResponse.From(outcome.Value!)) : Problems.From(outcome);
    }

    private static async Task<IResult> ReplaceAsync(
        ProjectScope project, string endpointId, HttpRequest request, IOptions<MockLimits> limits)
    {
        var body = await ReadSpecAsync(request, limits.Value);
        if (body.Problem is not null)
        {
            return body.Problem;
        }
        var outcome = await project.Grain.ReplaceEndpointAsync(project.Caller, endpointId, body.Value!, null);
        return outcome.IsOk ? TypedResults.Ok(EndpointResponse.From(outcome.Value!)) : Problems.From(outcome);
    }

    private static async Task<IResult> PatchAsync(
        ProjectScope project, string endpointId, HttpRequest request, IOptions<MockLimits> limits)
    {
        var body = await JsonBody.ReadAsync<JsonObject>(request, limits.Value.MaxRequestBodyBytes);
        if (body.Problem is not null)
        {
            return body.Problem;
        }
        var grain = project.Grain;
        for (var attempt = 1; ; attempt++)
        {
            var current = await grain.GetEndpointAsync(project.Caller, endpointId);
            if (!current.IsOk)
            {
                return Problems.From(current);
            }
            var merged = MergePatch.Apply(JsonSerializer.SerializeToNode(EndpointRequest.From(current.Value!.Spec), JsonBody.Options), body.Value);
            var spec = ToSpec(merged);
            if (spec.Problem is not null)
            {
                return spec.Problem;
            }
            var outcome = await grain.ReplaceEndpointAsync(project.Caller, endpointId, spec.Value!, current.Value.Revision);
            if (outcome.Kind != OutcomeKind.PreconditionFailed || attempt == PatchAttempts)
            {
                return outcome.IsOk ? TypedResults.Ok(EndpointResponse.From(outcome.Value!)) : Problems.From(outcome);
            }
        }
    }

    private static async Task<IResult> DeleteAsync(ProjectScope project, string endpointId)
    {
        var outcome = await project.Grain.DeleteEndpointAsync(project.Caller, endpointId);
        return outcome.IsOk ? TypedResults.NoContent() : Problems.From(outcome);
    }

    private static async Task<JsonBody.Result<EndpointSpec>> ReadSpecAsync(HttpRequest request, MockLimits limits)
    {
        var body = await JsonBody.ReadAsync<EndpointRequest>(request, limits.MaxRequestBodyBytes);
        return body.Problem is not null ? new(null, body.Problem) : Validate(body.Value!);
    }

    private static JsonBody.Result<EndpointSpec> ToSpec(JsonNode? merged)
    {
        try
        {
            var request = merged.Deserialize<EndpointRequest>(JsonBody.Options);
            return request is null ? new(null, Problems.BadRequest("the patched endpoint is empty")) : Validate(request);
        }
        catch (JsonException exception)
        {
            return new(null, Problems.BadRequest(JsonBody.Describe(exception)));
        }
    }

    private static JsonBody.Result<EndpointSpec> Validate(EndpointRequest request)
    {
        try
        {
            return new(request.ToSpec(), null);
        }
        catch (ContractException exception)
        {
            return new(null, Problems.BadRequest(exception.Message));
        }
    }

    // ---- scenarios ---------------------------------------------------------------------------------------------------

    public static RouteGroupBuilder MapScenariosApi(this IEndpointRouteBuilder app)
    {
        var group = app.MapProjectArea("/scenarios", "Scenarios");
        // Each takes ?session=: a test session's states instead of the project's own.
        group.MapGet("/", async (ProjectScope project, string? session) =>
                SessionsApi.Refused(session) ?? ToResult(session is null ? await project.Grain.GetScenariosAsync(project.Caller)
                    : await project.Session(session).GetScenariosAsync(project.Caller), items => TypedResults.Ok(new { items })))
            .WithName("ListScenarios").WithSummary("The project's scenarios and the state each is in (every scenario starts in \"Started\"); session: a test session's")
            .Produces<ScenarioInfo[]>();
        group.MapPost("/reset", async (ProjectScope project, string? session) =>
                SessionsApi.Refused(session) ?? ToResult(session is null ? await project.Grain.ResetScenariosAsync(project.Caller)
                    : await project.Session(session).ResetScenariosAsync(project.Caller), _ => TypedResults.NoContent()))
            .WithName("ResetScenarios").WithSummary("Put every scenario back in \"Started\" and every sequence at its first response; session: a test session's")
            .Produces(StatusCodes.Status204NoContent);
        group.MapPut("/{name}/state", async (ProjectScope project, string name, HttpRequest request, string? session) =>
            {
                if (SessionsApi.Refused(session) is { } wrongSession)
                {
                    return wrongSession;
                }
                var body = await JsonBody.ReadAsync<ScenarioStateRequest>(request, 4096);
                if (body.Problem is not null)
                {
                    return body.Problem;
                }
                if (string.IsNullOrEmpty(body.Value!.State))
                {
                    return Problems.BadRequest("state is required, for example {\"state\":\"Started\"}");
                }
                return ToResult(session is null ? await project.Grain.SetScenarioStateAsync(project.Caller, name, body.Value.State)
                    : await project.Session(session).SetScenarioStateAsync(project.Caller, name, body.Value.State), TypedResults.Ok);
            })
            .WithName("SetScenarioState").WithSummary("Move a scenario to one of its states")
            .Accepts<ScenarioStateRequest>("application/json")
            .Produces<ScenarioInfo>().ProducesProblem(StatusCodes.Status400BadRequest);
        return group;
    }

    private static IResult ToResult<T>(Outcome<T> outcome, Func<T, IResult> ok) => outcome.IsOk ? ok(outcome.Value!) : Problems.From(outcome);
}
