using System.Security.Claims;
using System.Text;
using System.Text.Json;
using Microsoft.Extensions.Options;
using OrleansMock.Api.Auth;
using OrleansMock.Api.Http;
using OrleansMock.Api.Tester;
using OrleansMock.GrainInterfaces;

namespace OrleansMock.Api.Apis;

public sealed record CollectionRequest(string? Name);

/// <summary>A saved request. <c>kind</c> "rest" uses method, url, headers, body; "graphql" uses url, query, variables, operationName, headers.</summary>
public sealed record CollectionItemRequest(
    string? Kind, string? Name, string? Method, string? Url, Dictionary<string, string>? Headers, string? Body, string? Query, JsonElement Variables, string? OperationName)
{
    public CollectionItem ToItem(string id) => new(id, Kind ?? "", Name ?? "", Method, Url ?? "", Headers ?? [], Body, Query,
        Variables.ValueKind is JsonValueKind.Undefined or JsonValueKind.Null ? null : Variables.GetRawText(), OperationName);
}

public sealed record ReorderRequest(string[]? ItemIds);

public sealed record EnvironmentRequest(string? Name, Dictionary<string, string>? Variables, string[]? Secrets);

public sealed record CollectionListResponse(RequestCollection[] Items);

/// <summary>An imported collection, and the environment made of its variables (if it had any).</summary>
public sealed record CollectionImportResponse(RequestCollection Collection, TesterEnvironment? Environment);

public sealed record EnvironmentListResponse(TesterEnvironment[] Items);

/// <summary>Saved REST and GraphQL requests in collections, run through the tester; environments of variables.</summary>
public static class CollectionsApi
{
    public static void MapCollectionsApi(this IEndpointRouteBuilder app)
    {
        var collections = app.MapGroup("/collections").WithTags("Collections").AddEndpointFilter(Transient.RetryReads)
            .ProducesProblem(StatusCodes.Status404NotFound);
        collections.MapPost("/", CreateAsync).WithName("CreateCollection").WithSummary("Create a collection")
            .Accepts<CollectionRequest>("application/json").Produces<RequestCollection>(StatusCodes.Status201Created).ProducesProblem(StatusCodes.Status400BadRequest);
        collections.MapGet("/", async (ClaimsPrincipal user, IGrainFactory grains) =>
                TypedResults.Ok(new CollectionListResponse(await Workspace(grains, user).ListCollectionsAsync())))
            .WithName("ListCollections").WithSummary("List your collections").Produces<CollectionListResponse>();
        collections.MapGet("/{id}", async (string id, ClaimsPrincipal user, IGrainFactory grains) =>
                await Workspace(grains, user).GetCollectionAsync(id) is { } found ? Results.Ok(found) : NotFound(id))
            .WithName("GetCollection").WithSummary("Get a collection with its items").Produces<RequestCollection>();
        collections.MapPost("/import", ImportAsync).WithName("ImportCollection")
            .WithSummary("Import a Postman Collection v2.1 (folders flattened; its variables become an environment)")
            .Accepts<JsonElement>("application/json").Produces<CollectionImportResponse>(StatusCodes.Status201Created)
            .ProducesProblem(StatusCodes.Status400BadRequest).ProducesProblem(StatusCodes.Status422UnprocessableEntity);
        collections.MapGet("/{id}/export", ExportAsync).WithName("ExportCollection")
            .WithSummary("Export a collection (format=postman: Postman Collection v2.1, which newman runs)")
            .Produces<JsonElement>().ProducesProblem(StatusCodes.Status400BadRequest);
        collections.MapPatch("/{id}", RenameAsync).WithName("RenameCollection").WithSummary("Rename a collection")
            .Accepts<CollectionRequest>("application/json").Produces<RequestCollection>().ProducesProblem(StatusCodes.Status400BadRequest);
        collections.MapDelete("/{id}", async (string id, ClaimsPrincipal user, IGrainFactory grains) =>
                await Workspace(grains, user).DeleteCollectionAsync(id) ? Results.NoContent() : NotFound(id))
            .WithName("DeleteCollection").WithSummary("Delete a collection").Produces(StatusCodes.Status204NoContent);
        collections.MapPost("/{id}/items", (string id, HttpRequest request, ClaimsPrincipal user, IGrainFactory grains, IOptions<MockLimits> limits) =>
                PutItemAsync(id, "", request, user, grains, limits, created: true))
            .WithName("AddCollectionItem").WithSummary("Add a REST or GraphQL request to a collection")
            .Accepts<CollectionItemRequest>("application/json").Produces<CollectionItem>(StatusCodes.Status201Created).ProducesProblem(StatusCodes.Status400BadRequest);
        collections.MapPut("/{id}/items/{itemId}", (string id, string itemId, HttpRequest request, ClaimsPrincipal user, IGrainFactory grains, IOptions<MockLimits> limits) =>
                PutItemAsync(id, itemId, request, user, grains, limits, created: false))
            .WithName("EditCollectionItem").WithSummary("Replace an item").Accepts<CollectionItemRequest>("application/json").Produces<CollectionItem>();
        collections.MapDelete("/{id}/items/{itemId}", async (string id, string itemId, ClaimsPrincipal user, IGrainFactory grains) =>
            {
                var outcome = await Workspace(grains, user).DeleteItemAsync(id, itemId);
                return outcome.IsOk ? Results.NoContent() : Problems.From(outcome);
            })
            .WithName("RemoveCollectionItem").WithSummary("Remove an item").Produces(StatusCodes.Status204NoContent);
        collections.MapPost("/{id}/reorder", ReorderAsync).WithName("ReorderCollection").WithSummary("Put the items in a new order")
            .Accepts<ReorderRequest>("application/json").Produces<RequestCollection>().ProducesProblem(StatusCodes.Status400BadRequest);
        collections.MapPost("/{id}/items/{itemId}/run", RunAsync).WithName("RunCollectionItem")
            .WithSummary("Send an item through the tester (GraphQL as a standard GraphQL-over-HTTP POST); ?environment= substitutes variables")
            .Produces<TesterSendResponse>();

        var environments = app.MapGroup("/environments").WithTags("Collections").AddEndpointFilter(Transient.RetryReads)
            .ProducesProblem(StatusCodes.Status404NotFound);
        environments.MapPost("/", (HttpRequest request, ClaimsPrincipal user, IGrainFactory grains, IOptions<MockLimits> limits) =>
                PutEnvironmentAsync("", request, user, grains, limits))
            .WithName("CreateEnvironment").WithSummary("Create an environment of {{variables}}")
            .Accepts<EnvironmentRequest>("application/json").Produces<TesterEnvironment>(StatusCodes.Status201Created);
        environments.MapGet("/", async (ClaimsPrincipal user, IGrainFactory grains) =>
                TypedResults.Ok(new EnvironmentListResponse(await Workspace(grains, user).ListEnvironmentsAsync())))
            .WithName("ListEnvironments").WithSummary("List your environments").Produces<EnvironmentListResponse>();
        environments.MapGet("/{id}", async (string id, ClaimsPrincipal user, IGrainFactory grains) =>
                await Workspace(grains, user).GetEnvironmentAsync(id) is { } found ? Results.Ok(found) : Problems.NotFound($"environment '{id}' does not exist"))
            .WithName("GetEnvironment").WithSummary("Get an environment").Produces<TesterEnvironment>();
        environments.MapPut("/{id}", (string id, HttpRequest request, ClaimsPrincipal user, IGrainFactory grains, IOptions<MockLimits> limits) =>
                PutEnvironmentAsync(id, request, user, grains, limits))
            .WithName("ReplaceEnvironment").WithSummary("Replace an environment's name and variables").Accepts<EnvironmentRequest>("application/json").Produces<TesterEnvironment>();
        environments.MapDelete("/{id}", async (string id, ClaimsPrincipal user, IGrainFactory grains) =>
                await Workspace(grains, user).DeleteEnvironmentAsync(id) ? Results.NoContent() : Problems.NotFound($"environment '{id}' does not exist"))
            .WithName("DeleteEnvironment").WithSummary("Delete an environment").Produces(StatusCodes.Status204NoContent);
    }

    private static IWorkspaceGrain Workspace(IGrainFactory grains, ClaimsPrincipal user) => grains.GetGrain<IWorkspaceGrain>(user.UserId());

    private static IResult NotFound(string id) => Problems.NotFound($"collection '{id}' does not exist; list yours with GET /api/v1/collections");

    private static async Task<IResult> CreateAsync(HttpRequest request, ClaimsPrincipal user, IGrainFactory grains, IOptions<MockLimits> limits)
    {
        var body = await JsonBody.ReadAsync<CollectionRequest>(request, limits.Value.MaxRequestBodyBytes);
        if (body.Problem is not null)
        {
            return body.Problem;
        }
        var outcome = await Workspace(grains, user).CreateCollectionAsync(body.Value!.Name ?? "");
        return outcome.IsOk ? TypedResults.Created($"/api/v1/collections/{outcome.Value!.Id}", outcome.Value) : Problems.From(outcome);
    }

    private static async Task<IResult> ImportAsync(HttpRequest request, ClaimsPrincipal user, IGrainFactory grains, IOptions<MockLimits> limits)
    {
        var body = await JsonBody.ReadAsync<System.Text.Json.Nodes.JsonNode>(request, limits.Value.MaxRequestBodyBytes * 4);
        if (body.Problem is not null)
        {
            return body.Problem;
        }
        Postman.PostmanCollections.Imported imported;
        try
        {
            imported = Postman.PostmanCollections.Import(body.Value);
        }
        catch (UnsupportedFieldException exception)
        {
            return Problems.Status(StatusCodes.Status422UnprocessableEntity, $"the Postman collection cannot be imported: {exception.Message}",
                new Dictionary<string, object?> { ["field"] = exception.Field });
        }
        var outcome = await Workspace(grains, user).ImportCollectionAsync(imported.Name, imported.Items, imported.Environment);
        if (!outcome.IsOk)
        {
            return outcome.Kind == OutcomeKind.Invalid
                ? Problems.Status(StatusCodes.Status422UnprocessableEntity, $"the Postman collection cannot be imported: {outcome.Error}")
                : Problems.From(outcome);
        }
        var environment = imported.Environment is null ? null
            : (await Workspace(grains, user).ListEnvironmentsAsync()).LastOrDefault(e => e.Name == imported.Environment.Name);
        return TypedResults.Created($"/api/v1/collections/{outcome.Value!.Id}", new CollectionImportResponse(outcome.Value, environment));
    }

    private static async Task<IResult> ExportAsync(string id, string? format, HttpResponse response, ClaimsPrincipal user, IGrainFactory grains)
    {
        if (format is not "postman")
        {
            return Problems.BadRequest($"format '{format}' is not supported; use format=postman (Postman Collection v2.1)");
        }
        if (await Workspace(grains, user).GetCollectionAsync(id) is not { } collection)
        {
            return NotFound(id);
        }
        var fileName = new string(collection.Name.Select(c => char.IsAsciiLetterOrDigit(c) ? c : '-').ToArray()).Trim('-');
        response.Headers.ContentDisposition = $"attachment; filename=\"{(fileName.Length > 0 ? fileName : "collection")}.postman_collection.json\"";
        return Results.Text(Postman.PostmanCollections.Export(collection).ToJsonString(), "application/json", Encoding.UTF8);
    }

    private static async Task<IResult> RenameAsync(string id, HttpRequest request, ClaimsPrincipal user, IGrainFactory grains, IOptions<MockLimits> limits)
    {
        var body = await JsonBody.ReadAsync<CollectionRequest>(request, limits.Value.MaxRequestBodyBytes);
        if (body.Problem is not null)
        {
            return body.Problem;
        }
        var outcome = await Workspace(grains, user).RenameCollectionAsync(id, body.Value!.Name ?? "");
        return outcome.IsOk ? TypedResults.Ok(outcome.Value) : Problems.From(outcome);
    }

    private static async Task<IResult> PutItemAsync(string id, string itemId, HttpRequest request, ClaimsPrincipal user, IGrainFactory grains, IOptions<MockLimits> limits, bool created)
    {
        var body = await JsonBody.ReadAsync<CollectionItemRequest>(request, limits.Value.MaxRequestBodyBytes);
        if (body.Problem is not null)
        {
            return body.Problem;
        }
        var outcome = await Workspace(grains, user).PutItemAsync(id, body.Value!.ToItem(itemId));
        if (!outcome.IsOk)
        {
            return Problems.From(outcome);
        }
        return created ? TypedResults.Created($"/api/v1/collections/{id}/items/{outcome.Value!.Id}", outcome.Value) : TypedResults.Ok(outcome.Value);
    }

    private static async Task<IResult> ReorderAsync(string id, HttpRequest request, ClaimsPrincipal user, IGrainFactory grains, IOptions<MockLimits> limits)
    {
        var body = await JsonBody.ReadAsync<ReorderRequest>(request, limits.Value.MaxRequestBodyBytes);
        if (body.Problem is not null)
        {
            return body.Problem;
        }
        var outcome = await Workspace(grains, user).ReorderAsync(id, body.Value!.ItemIds ?? []);
        return outcome.IsOk ? TypedResults.Ok(outcome.Value) : Problems.From(outcome);
    }

    private static async Task<IResult> RunAsync(
        string id, string itemId, string? environment, HttpContext context, ClaimsPrincipal user, IGrainFactory grains, TesterClient client, IOptions<TesterOptions> options)
    {
        if (await Workspace(grains, user).GetCollectionAsync(id) is not { } collection)
        {
            return NotFound(id);
        }
        if (collection.Items.FirstOrDefault(i => i.Id == itemId) is not { } item)
        {
            return Problems.NotFound($"item '{itemId}' does not exist in collection {id}");
        }
        var send = item.Kind == "graphql"
            ? new TesterSendRequest("POST", item.Url,
                new Dictionary<string, string>(item.Headers) { ["Content-Type"] = "application/json", ["Accept"] = "application/graphql-response+json, application/json" },
                JsonSerializer.Serialize(new
                {
                    query = item.Query,
                    variables = item.VariablesJson is null ? (JsonElement?)null : JsonDocument.Parse(item.VariablesJson).RootElement,
                    operationName = item.OperationName,
                }), "utf8", null, true, environment)
            : new TesterSendRequest(item.Method ?? "GET", item.Url, item.Headers, item.Body, "utf8", null, true, environment);
        return await TesterApi.ExecuteAsync(context, user.UserId(), send, client, grains, options.Value);
    }

    private static async Task<IResult> PutEnvironmentAsync(string id, HttpRequest request, ClaimsPrincipal user, IGrainFactory grains, IOptions<MockLimits> limits)
    {
        var body = await JsonBody.ReadAsync<EnvironmentRequest>(request, limits.Value.MaxRequestBodyBytes);
        if (body.Problem is not null)
        {
            return body.Problem;
        }
        var outcome = await Workspace(grains, user).PutEnvironmentAsync(new TesterEnvironment(id, body.Value!.Name ?? "", body.Value.Variables ?? [], body.Value.Secrets));
        if (!outcome.IsOk)
        {
            return Problems.From(outcome);
        }
        return id.Length == 0 ? TypedResults.Created($"/api/v1/environments/{outcome.Value!.Id}", outcome.Value) : TypedResults.Ok(outcome.Value);
    }
}
