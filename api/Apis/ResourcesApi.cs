using System.Security.Claims;
using System.Text.Json;
using Microsoft.Extensions.Options;
using OrleansMock.Api.Auth;
using OrleansMock.Api.Http;
using OrleansMock.Api.MockTraffic;
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
        var group = app.MapProjectArea("/resources", "Resources");
        group.MapPost("/", CreateAsync).WithName("CreateResource").WithSummary("Define a resource, optionally with a JSON Schema and seed records")
            .Accepts<ResourceRequestBody>("application/json").Produces<ResourceResponse>(StatusCodes.Status201Created)
            .ProducesProblem(StatusCodes.Status400BadRequest).ProducesProblem(StatusCodes.Status409Conflict);
        group.MapGet("/", ListAsync).WithName("ListResources").WithSummary("List a project's resources")
            .Produces<ResourceListResponse>();
        group.MapGet("/{name}", GetAsync).WithName("GetResource").WithSummary("Get a resource definition")
            .Produces<ResourceResponse>();
        group.MapPut("/{name}", UpdateAsync).WithName("UpdateResource").WithSummary("Change a resource's schema and seed")
            .Accepts<ResourceUpdateBody>("application/json").Produces<ResourceResponse>()
            .ProducesProblem(StatusCodes.Status400BadRequest);
        group.MapPost("/{name}/reset", ResetAsync).WithName("ResetResource").WithSummary("Replace a resource's records by its seed")
            .Produces<ResourceResponse>();
        group.MapDelete("/{name}", DeleteAsync).WithName("DeleteResource").WithSummary("Delete a resource and its records")
            .Produces(StatusCodes.Status204NoContent);
        // The owner's view of the records (the console's table): json-server's answers, as on the mock URL, but signed in,
        // and neither logged in the request journal nor counted against the mock rate limits. Not retried as a whole
        // (a write is not repeated; reads are retried inside).
        app.MapMethods($"/projects/{{{ProjectScope.RouteValue}}}/resources/{{name}}/records/{{**rest}}", ["GET", "HEAD", "POST", "PUT", "PATCH", "DELETE"], RecordsAsync)
            .WithTags("Resources").AddEndpointFilter(ProjectScope.Require).WithName("ResourceRecords")
            .WithSummary("Read and change a resource's records as the mock URL /m/{project}/{name}[/{id}] does (json-server's query, paging and bodies), without counting as mock traffic")
            .Produces(StatusCodes.Status200OK).ProducesProblem(StatusCodes.Status404NotFound).ProducesProblem(StatusCodes.Status405MethodNotAllowed);
        return group;
    }

    private static async Task<IResult> CreateAsync(ProjectScope project, HttpRequest request, IOptions<MockLimits> limits)
    {
        var body = await JsonBody.ReadAsync<ResourceRequestBody>(request, limits.Value.MaxRequestBodyBytes);
        if (body.Problem is not null)
        {
            return body.Problem;
        }
        var input = body.Value!;
        var outcome = await project.Grain.AddResourceAsync(project.Caller, new ResourceSpec(input.Name ?? "", Json(input.Schema), Json(input.Seed), input.IdField));
        return outcome.IsOk
            ? TypedResults.Created($"/api/v1/projects/{project.Id}/resources/{outcome.Value!.Name}", ResourceResponse.From(outcome.Value, await MockBaseAsync(request, project)))
            : Problems.From(outcome);
    }

    private static async Task<IResult> ListAsync(ProjectScope project, HttpRequest request)
    {
        var outcome = await project.Grain.ListResourcesAsync(project.Caller);
        if (!outcome.IsOk)
        {
            return Problems.From(outcome);
        }
        var mockBase = await MockBaseAsync(request, project);
        return TypedResults.Ok(new ResourceListResponse([.. outcome.Value!.Select(r => ResourceResponse.From(r, mockBase))]));
    }

    private static async Task<IResult> GetAsync(ProjectScope project, string name, HttpRequest request)
    {
        var outcome = await project.Grain.GetResourceAsync(project.Caller, name);
        return outcome.IsOk ? TypedResults.Ok(ResourceResponse.From(outcome.Value!, await MockBaseAsync(request, project))) : Problems.From(outcome);
    }

    private static async Task<IResult> UpdateAsync(
        ProjectScope project, string name, HttpRequest request, IOptions<MockLimits> limits)
    {
        var body = await JsonBody.ReadAsync<ResourceUpdateBody>(request, limits.Value.MaxRequestBodyBytes);
        if (body.Problem is not null)
        {
            return body.Problem;
        }
        var outcome = await project.Grain.UpdateResourceAsync(project.Caller, new ResourceSpec(name, Json(body.Value!.Schema), Json(body.Value.Seed), body.Value.IdField));
        return outcome.IsOk ? TypedResults.Ok(ResourceResponse.From(outcome.Value!, await MockBaseAsync(request, project))) : Problems.From(outcome);
    }

    private static async Task<IResult> ResetAsync(ProjectScope project, string name, HttpRequest request)
    {
        var outcome = await project.Grain.ResetResourceAsync(project.Caller, name);
        return outcome.IsOk ? TypedResults.Ok(ResourceResponse.From(outcome.Value!, await MockBaseAsync(request, project))) : Problems.From(outcome);
    }

    private static async Task<IResult> DeleteAsync(ProjectScope project, string name)
    {
        var outcome = await project.Grain.DeleteResourceAsync(project.Caller, name);
        return outcome.IsOk ? TypedResults.NoContent() : Problems.From(outcome);
    }

    private static async Task<IResult> RecordsAsync(ProjectScope project, string name, string? rest, HttpContext context, JsonServerResponder responder)
    {
        var route = await project.Grain.ResourceRouteAsync(project.Caller, rest is { Length: > 0 } ? $"/{name}/{rest}" : $"/{name}");
        if (!route.IsOk)
        {
            return Problems.From(route);
        }
        await responder.AnswerAsync(context, route.Value!, cors: false);
        return Results.Empty;
    }

    private static string? Json(JsonElement element) => element.ValueKind is JsonValueKind.Undefined or JsonValueKind.Null ? null : element.GetRawText();

    /// <summary>The project's mock base URL, as the caller's request reached this service.</summary>
    internal static async Task<string> MockBaseAsync(HttpRequest request, ProjectScope project)
    {
        var found = await project.Grain.GetAsync(project.Caller);
        return $"{request.Scheme}://{request.Host}{request.PathBase}{Paths.MockPrefix}/{found?.Slug ?? project.Id}";
    }
}
