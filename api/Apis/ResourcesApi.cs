using System.Security.Claims;
using System.Text.Json;
using Microsoft.Extensions.Options;
using OrleansMock.Api.Auth;
using OrleansMock.Api.Http;
using OrleansMock.GrainInterfaces;

namespace OrleansMock.Api.Apis;

/// <summary>
/// A resource definition: name, optional JSON Schema for its records, optional seed (a JSON array of records makes a
/// collection, one JSON object a singular resource) and, for a collection, the name of its id property (default
/// <c>id</c>, json-server's <c>--id</c>).
/// </summary>
public sealed record ResourceRequestBody(string? Name, JsonElement Schema, JsonElement Seed, string? IdField);

/// <summary>
/// A change of a resource: its schema and seed (records stay; reset them to the seed with POST .../reset). The kind
/// (collection or singular) and the id field stay as created; <c>idField</c> may be repeated, not changed.
/// </summary>
public sealed record ResourceUpdateBody(JsonElement Schema, JsonElement Seed, string? IdField);

/// <summary>A resource: <c>kind</c> is <c>collection</c> or <c>singular</c>; <c>idField</c> names a collection's id property.</summary>
public sealed record ResourceResponse(
    string Name, string Kind, string? IdField, JsonElement? Schema, JsonElement? Seed, DateTimeOffset CreatedAt, DateTimeOffset UpdatedAt, string MockUrl)
{
    public static ResourceResponse From(ResourceInfo resource, string mockBase) => new(
        resource.Name, resource.Singular ? "singular" : "collection", resource.Singular ? null : resource.IdProperty,
        Parse(resource.SchemaJson), Parse(resource.SeedJson), resource.CreatedAt, resource.UpdatedAt, $"{mockBase}/{resource.Name}");

    private static JsonElement? Parse(string? json) => json is null ? null : JsonDocument.Parse(json).RootElement.Clone();
}

public sealed record ResourceListResponse(ResourceResponse[] Items);

/// <summary>Resources: fake REST collections served under the mock URL with json-server 0.17 conventions.</summary>
public static class ResourcesApi
{
    public static RouteGroupBuilder MapResourcesApi(this IEndpointRouteBuilder app)
    {
        var group = app.MapGroup("/api/v1/projects/{projectId}/resources").WithTags("Resources").RequireAuthorization()
            .AddEndpointFilter(RateLimiter.ManagementFilter).AddEndpointFilter(Transient.RetryReadsAndUndeliveredWrites).ProducesProblem(StatusCodes.Status429TooManyRequests);
        group.MapPost("/", CreateAsync).WithName("CreateResource").WithSummary("Define a resource, optionally with a JSON Schema and seed records")
            .Accepts<ResourceRequestBody>("application/json").Produces<ResourceResponse>(StatusCodes.Status201Created)
            .ProducesProblem(StatusCodes.Status400BadRequest).ProducesProblem(StatusCodes.Status404NotFound).ProducesProblem(StatusCodes.Status409Conflict);
        group.MapGet("/", ListAsync).WithName("ListResources").WithSummary("List a project's resources")
            .Produces<ResourceListResponse>().ProducesProblem(StatusCodes.Status404NotFound);
        group.MapGet("/{name}", GetAsync).WithName("GetResource").WithSummary("Get a resource definition")
            .Produces<ResourceResponse>().ProducesProblem(StatusCodes.Status404NotFound);
        group.MapPut("/{name}", UpdateAsync).WithName("UpdateResource").WithSummary("Change a resource's schema and seed")
            .Accepts<ResourceUpdateBody>("application/json").Produces<ResourceResponse>()
            .ProducesProblem(StatusCodes.Status400BadRequest).ProducesProblem(StatusCodes.Status404NotFound);
        group.MapPost("/{name}/reset", ResetAsync).WithName("ResetResource").WithSummary("Replace a resource's records by its seed")
            .Produces<ResourceResponse>().ProducesProblem(StatusCodes.Status404NotFound);
        group.MapDelete("/{name}", DeleteAsync).WithName("DeleteResource").WithSummary("Delete a resource and its records")
            .Produces(StatusCodes.Status204NoContent).ProducesProblem(StatusCodes.Status404NotFound);
        return group;
    }

    private static async Task<IResult> CreateAsync(string projectId, HttpRequest request, ClaimsPrincipal user, ProjectResolver resolver, IGrainFactory grains, IOptions<MockLimits> limits)
    {
        var body = await JsonBody.ReadAsync<ResourceRequestBody>(request, limits.Value.MaxRequestBodyBytes);
        if (body.Problem is not null)
        {
            return body.Problem;
        }
        if (await resolver.ResolveAsync(projectId) is not { } id)
        {
            return ProjectsApi.ProjectNotFound(projectId);
        }
        var input = body.Value!;
        var outcome = await resolver.Project(id).AddResourceAsync(user.UserId(), new ResourceSpec(input.Name ?? "", Json(input.Schema), Json(input.Seed), input.IdField));
        return outcome.IsOk
            ? TypedResults.Created($"/api/v1/projects/{id}/resources/{outcome.Value!.Name}", ResourceResponse.From(outcome.Value, await MockBaseAsync(request, grains, id, user)))
            : Problems.From(outcome);
    }

    private static async Task<IResult> ListAsync(string projectId, HttpRequest request, ClaimsPrincipal user, ProjectResolver resolver, IGrainFactory grains)
    {
        if (await resolver.ResolveAsync(projectId) is not { } id)
        {
            return ProjectsApi.ProjectNotFound(projectId);
        }
        var outcome = await resolver.Project(id).ListResourcesAsync(user.UserId());
        if (!outcome.IsOk)
        {
            return Problems.From(outcome);
        }
        var mockBase = await MockBaseAsync(request, grains, id, user);
        return TypedResults.Ok(new ResourceListResponse([.. outcome.Value!.Select(r => ResourceResponse.From(r, mockBase))]));
    }

    private static async Task<IResult> GetAsync(string projectId, string name, HttpRequest request, ClaimsPrincipal user, ProjectResolver resolver, IGrainFactory grains)
    {
        if (await resolver.ResolveAsync(projectId) is not { } id)
        {
            return ProjectsApi.ProjectNotFound(projectId);
        }
        var outcome = await resolver.Project(id).GetResourceAsync(user.UserId(), name);
        return outcome.IsOk ? TypedResults.Ok(ResourceResponse.From(outcome.Value!, await MockBaseAsync(request, grains, id, user))) : Problems.From(outcome);
    }

    private static async Task<IResult> UpdateAsync(
        string projectId, string name, HttpRequest request, ClaimsPrincipal user, ProjectResolver resolver, IGrainFactory grains, IOptions<MockLimits> limits)
    {
        var body = await JsonBody.ReadAsync<ResourceUpdateBody>(request, limits.Value.MaxRequestBodyBytes);
        if (body.Problem is not null)
        {
            return body.Problem;
        }
        if (await resolver.ResolveAsync(projectId) is not { } id)
        {
            return ProjectsApi.ProjectNotFound(projectId);
        }
        var outcome = await resolver.Project(id).UpdateResourceAsync(user.UserId(), new ResourceSpec(name, Json(body.Value!.Schema), Json(body.Value.Seed), body.Value.IdField));
        return outcome.IsOk ? TypedResults.Ok(ResourceResponse.From(outcome.Value!, await MockBaseAsync(request, grains, id, user))) : Problems.From(outcome);
    }

    private static async Task<IResult> ResetAsync(string projectId, string name, HttpRequest request, ClaimsPrincipal user, ProjectResolver resolver, IGrainFactory grains)
    {
        if (await resolver.ResolveAsync(projectId) is not { } id)
        {
            return ProjectsApi.ProjectNotFound(projectId);
        }
        var outcome = await resolver.Project(id).ResetResourceAsync(user.UserId(), name);
        return outcome.IsOk ? TypedResults.Ok(ResourceResponse.From(outcome.Value!, await MockBaseAsync(request, grains, id, user))) : Problems.From(outcome);
    }

    private static async Task<IResult> DeleteAsync(string projectId, string name, ClaimsPrincipal user, ProjectResolver resolver)
    {
        if (await resolver.ResolveAsync(projectId) is not { } id)
        {
            return ProjectsApi.ProjectNotFound(projectId);
        }
        var outcome = await resolver.Project(id).DeleteResourceAsync(user.UserId(), name);
        return outcome.IsOk ? TypedResults.NoContent() : Problems.From(outcome);
    }

    private static string? Json(JsonElement element) => element.ValueKind is JsonValueKind.Undefined or JsonValueKind.Null ? null : element.GetRawText();

    private static async Task<string> MockBaseAsync(HttpRequest request, IGrainFactory grains, string projectId, ClaimsPrincipal user)
    {
        var project = await grains.GetGrain<IMockProjectGrain>(projectId).GetAsync(user.UserId());
        return $"{request.Scheme}://{request.Host}{request.PathBase}{MockTrafficApi.Prefix}/{project?.Slug ?? projectId}";
    }
}
