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
        var group = app.MapGroup("/api/v1/projects/{projectId}/endpoints").WithTags("Endpoints").RequireAuthorization()
            .AddEndpointFilter(RateLimiter.ManagementFilter).AddEndpointFilter(Transient.RetryReadsAndUndeliveredWrites).ProducesProblem(StatusCodes.Status429TooManyRequests);

        group.MapPost("/", CreateAsync)
            .WithName("CreateEndpoint").WithSummary("Define a mock endpoint")
            .Accepts<EndpointRequest>("application/json")
            .Produces<EndpointResponse>(StatusCodes.Status201Created)
            .ProducesProblem(StatusCodes.Status400BadRequest).ProducesProblem(StatusCodes.Status404NotFound)
            .ProducesProblem(StatusCodes.Status409Conflict).ProducesProblem(StatusCodes.Status413PayloadTooLarge)
            .ProducesProblem(StatusCodes.Status415UnsupportedMediaType).ProducesProblem(StatusCodes.Status422UnprocessableEntity);
        group.MapGet("/", ListAsync)
            .WithName("ListEndpoints").WithSummary("List a project's endpoints in creation order")
            .Produces<EndpointListResponse>().ProducesProblem(StatusCodes.Status404NotFound);
        group.MapGet("/{endpointId}", GetAsync)
            .WithName("GetEndpoint").WithSummary("Get one endpoint")
            .Produces<EndpointResponse>().ProducesProblem(StatusCodes.Status404NotFound);
        group.MapPut("/{endpointId}", ReplaceAsync)
            .WithName("ReplaceEndpoint").WithSummary("Replace an endpoint's method, path and response")
            .Accepts<EndpointRequest>("application/json")
            .Produces<EndpointResponse>().ProducesProblem(StatusCodes.Status400BadRequest)
            .ProducesProblem(StatusCodes.Status404NotFound).ProducesProblem(StatusCodes.Status409Conflict);
        group.MapPatch("/{endpointId}", PatchAsync)
            .WithName("PatchEndpoint").WithSummary("Change part of an endpoint (JSON Merge Patch, RFC 7396)")
            .Accepts<EndpointRequest>("application/merge-patch+json", "application/json")
            .Produces<EndpointResponse>().ProducesProblem(StatusCodes.Status400BadRequest)
            .ProducesProblem(StatusCodes.Status404NotFound).ProducesProblem(StatusCodes.Status409Conflict);
        group.MapDelete("/{endpointId}", DeleteAsync)
            .WithName("DeleteEndpoint").WithSummary("Delete an endpoint")
            .Produces(StatusCodes.Status204NoContent).ProducesProblem(StatusCodes.Status404NotFound);
        return group;
    }

    private static async Task<IResult> CreateAsync(string projectId, HttpRequest request, ClaimsPrincipal user, ProjectResolver resolver, IOptions<MockLimits> limits)
    {
        var body = await ReadSpecAsync(request, limits.Value);
        if (body.Problem is not null)
        {
            return body.Problem;
        }
        if (await resolver.ResolveAsync(projectId) is not { } id)
        {
            return ProjectsApi.ProjectNotFound(projectId);
        }
        var outcome = await resolver.Project(id).AddEndpointAsync(user.UserId(), body.Value!);
        return outcome.IsOk
            ? TypedResults.Created($"/api/v1/projects/{id}/endpoints/{outcome.Value!.Id}", EndpointResponse.From(outcome.Value))
            : Problems.From(outcome);
    }

    private static async Task<IResult> ListAsync(string projectId, ClaimsPrincipal user, ProjectResolver resolver)
    {
        if (await resolver.ResolveAsync(projectId) is not { } id)
        {
            return ProjectsApi.ProjectNotFound(projectId);
        }
        var outcome = await resolver.Project(id).ListEndpointsAsync(user.UserId());
        return outcome.IsOk
            ? TypedResults.Ok(new EndpointListResponse([.. outcome.Value!.Select(EndpointResponse.From)]))
            : Problems.From(outcome);
    }

    private static async Task<IResult> GetAsync(string projectId, string endpointId, ClaimsPrincipal user, ProjectResolver resolver)
    {
        if (await resolver.ResolveAsync(projectId) is not { } id)
        {
            return ProjectsApi.ProjectNotFound(projectId);
        }
        var outcome = await resolver.Project(id).GetEndpointAsync(user.UserId(), endpointId);
        return outcome.IsOk ? TypedResults.Ok(EndpointResponse.From(outcome.Value!)) : Problems.From(outcome);
    }

    private static async Task<IResult> ReplaceAsync(
        string projectId, string endpointId, HttpRequest request, ClaimsPrincipal user, ProjectResolver resolver, IOptions<MockLimits> limits)
    {
        var body = await ReadSpecAsync(request, limits.Value);
        if (body.Problem is not null)
        {
            return body.Problem;
        }
        if (await resolver.ResolveAsync(projectId) is not { } id)
        {
            return ProjectsApi.ProjectNotFound(projectId);
        }
        var outcome = await resolver.Project(id).ReplaceEndpointAsync(user.UserId(), endpointId, body.Value!, null);
        return outcome.IsOk ? TypedResults.Ok(EndpointResponse.From(outcome.Value!)) : Problems.From(outcome);
    }

    private static async Task<IResult> PatchAsync(
        string projectId, string endpointId, HttpRequest request, ClaimsPrincipal user, ProjectResolver resolver, IOptions<MockLimits> limits)
    {
        var body = await JsonBody.ReadAsync<JsonObject>(request, limits.Value.MaxRequestBodyBytes);
        if (body.Problem is not null)
        {
            return body.Problem;
        }
        if (await resolver.ResolveAsync(projectId) is not { } id)
        {
            return ProjectsApi.ProjectNotFound(projectId);
        }
        var grain = resolver.Project(id);
        for (var attempt = 1; ; attempt++)
        {
            var current = await grain.GetEndpointAsync(user.UserId(), endpointId);
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
            var outcome = await grain.ReplaceEndpointAsync(user.UserId(), endpointId, spec.Value!, current.Value.Revision);
            if (outcome.Kind != OutcomeKind.PreconditionFailed || attempt == PatchAttempts)
            {
                return outcome.IsOk ? TypedResults.Ok(EndpointResponse.From(outcome.Value!)) : Problems.From(outcome);
            }
        }
    }

    private static async Task<IResult> DeleteAsync(string projectId, string endpointId, ClaimsPrincipal user, ProjectResolver resolver)
    {
        if (await resolver.ResolveAsync(projectId) is not { } id)
        {
            return ProjectsApi.ProjectNotFound(projectId);
        }
        var outcome = await resolver.Project(id).DeleteEndpointAsync(user.UserId(), endpointId);
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
        var group = app.MapGroup("/api/v1/projects/{projectId}/scenarios").WithTags("Scenarios").RequireAuthorization()
            .AddEndpointFilter(RateLimiter.ManagementFilter).AddEndpointFilter(Transient.RetryReadsAndUndeliveredWrites).ProducesProblem(StatusCodes.Status429TooManyRequests);
        group.MapGet("/", async (string projectId, ClaimsPrincipal user, ProjectResolver resolver, IGrainFactory grains) =>
                await resolver.ResolveAsync(projectId) is { } id
                    ? ToResult(await resolver.Project(id).GetScenariosAsync(user.UserId()), items => TypedResults.Ok(new { items }))
                    : ProjectsApi.ProjectNotFound(projectId))
            .WithName("ListScenarios").WithSummary("The project's scenarios and the state each is in (every scenario starts in \"Started\")")
            .Produces<ScenarioInfo[]>().ProducesProblem(StatusCodes.Status404NotFound);
        group.MapPost("/reset", async (string projectId, ClaimsPrincipal user, ProjectResolver resolver, IGrainFactory grains) =>
                await resolver.ResolveAsync(projectId) is { } id
                    ? ToResult(await resolver.Project(id).ResetScenariosAsync(user.UserId()), _ => TypedResults.NoContent())
                    : ProjectsApi.ProjectNotFound(projectId))
            .WithName("ResetScenarios").WithSummary("Put every scenario back in \"Started\" and every sequence at its first response")
            .Produces(StatusCodes.Status204NoContent).ProducesProblem(StatusCodes.Status404NotFound);
        group.MapPut("/{name}/state", async (string projectId, string name, HttpRequest request, ClaimsPrincipal user, ProjectResolver resolver, IGrainFactory grains) =>
            {
                var body = await JsonBody.ReadAsync<ScenarioStateRequest>(request, 4096);
                if (body.Problem is not null)
                {
                    return body.Problem;
                }
                if (string.IsNullOrEmpty(body.Value!.State))
                {
                    return Problems.BadRequest("state is required, for example {\"state\":\"Started\"}");
                }
                return await resolver.ResolveAsync(projectId) is { } id
                    ? ToResult(await resolver.Project(id).SetScenarioStateAsync(user.UserId(), name, body.Value.State), TypedResults.Ok)
                    : ProjectsApi.ProjectNotFound(projectId);
            })
            .WithName("SetScenarioState").WithSummary("Move a scenario to one of its states")
            .Accepts<ScenarioStateRequest>("application/json")
            .Produces<ScenarioInfo>().ProducesProblem(StatusCodes.Status400BadRequest).ProducesProblem(StatusCodes.Status404NotFound);
        return group;
    }

    private static IResult ToResult<T>(Outcome<T> outcome, Func<T, IResult> ok) => outcome.IsOk ? ok(outcome.Value!) : Problems.From(outcome);
}
