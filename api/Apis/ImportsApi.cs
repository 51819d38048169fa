using System.Security.Claims;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using Microsoft.Extensions.Options;
using OrleansMock.Api.Auth;
using OrleansMock.Api.Http;
using OrleansMock.Api.OpenApiImport;
using OrleansMock.Api.Tester;
using OrleansMock.GrainInterfaces;

namespace OrleansMock.Api.Apis;

/// <summary>One endpoint an import would create, update, leave or delete.</summary>
public sealed record ImportPlanItem(string Id, string Method, string Path, string? Name);

public sealed record ImportPlan(ImportPlanItem[] Create, ImportPlanItem[] Update, ImportPlanItem[] Unchanged, ImportPlanItem[] Delete);

public sealed record OpenApiImportResponse(string Title, string Version, bool DryRun, ImportPlan Plan);

/// <summary>Imports into a project: an OpenAPI (or Swagger 2.0) document becomes endpoints.</summary>
public static class ImportsApi
{
    /// <summary>A document may be this large (YAML or JSON text).</summary>
    public const int MaxDocumentBytes = 4 * 1024 * 1024;

    public static void MapImportsApi(this IEndpointRouteBuilder app)
    {
        // Not retried as a whole: a document fetched by URL is fetched once.
        app.MapPost($"/projects/{{{ProjectScope.RouteValue}}}/imports/openapi", OpenApiAsync).WithTags("Imports")
            .AddEndpointFilter(ProjectScope.Require).ProducesProblem(StatusCodes.Status404NotFound)
            .WithName("ImportOpenApi")
            .WithSummary("Import an OpenAPI 3.0/3.1 or Swagger 2.0 document (JSON or YAML, or {\"url\":...}) as endpoints; ?dryRun=true only plans; ?validate=true makes them refuse requests that break it")
            // JSON or YAML is recognised by the content, whatever the Content-Type says or leaves out (curl --data-binary
            // sends application/x-www-form-urlencoded): */* keeps routing from refusing it with a 415.
            .Accepts<string>("application/json", "application/yaml", "text/yaml", "text/plain", "*/*")
            .Produces<OpenApiImportResponse>().ProducesProblem(StatusCodes.Status400BadRequest)
            .ProducesProblem(StatusCodes.Status409Conflict).ProducesProblem(StatusCodes.Status413PayloadTooLarge).ProducesProblem(StatusCodes.Status422UnprocessableEntity)
            .ProducesProblem(StatusCodes.Status502BadGateway);
    }

    private static async Task<IResult> OpenApiAsync(ProjectScope project, bool? dryRun, bool? validate, HttpRequest request,
        TesterClient client, IOptions<TesterOptions> tester, IOptions<MockLimits> limits)
    {
        if (request.ContentLength > MaxDocumentBytes)
        {
            return Problems.Status(StatusCodes.Status413PayloadTooLarge, $"the document is larger than {MaxDocumentBytes} bytes");
        }
        using var buffer = new MemoryStream();
        await request.Body.CopyToAsync(buffer, request.HttpContext.RequestAborted);
        if (buffer.Length > MaxDocumentBytes)
        {
            return Problems.Status(StatusCodes.Status413PayloadTooLarge, $"the document is larger than {MaxDocumentBytes} bytes");
        }
        var text = Encoding.UTF8.GetString(buffer.GetBuffer(), 0, (int)buffer.Length);
        if (text.Trim().Length == 0)
        {
            return Problems.BadRequest("send the OpenAPI document (JSON or YAML) as the body, or {\"url\":\"https://...\"} to fetch it");
        }
        // The project is the caller's before anything is fetched for it.
        var grain = project.Grain;
        var existing = await grain.ListEndpointsAsync(project.Caller);
        if (!existing.IsOk)
        {
            return Problems.From(existing);
        }
        if (UrlOf(text) is { } url)
        {
            if (TargetGuard.ParseHttpUrl(url, out var urlProblem) is null)
            {
                return Problems.BadRequest(urlProblem!);
            }
            using var slot = TesterApi.TakeSlot(project.Caller, tester.Value);
            if (slot is null)
            {
                return TesterApi.AllSlotsTaken(request.HttpContext, tester.Value); // a fetch is an outbound request like a tester send
            }
            var (fetched, error) = await FetchAsync(client, url, tester.Value, request.HttpContext.RequestAborted);
            if (fetched is null)
            {
                return Problems.Status(StatusCodes.Status502BadGateway, $"the document at {url} could not be fetched: {error}");
            }
            text = fetched;
        }
        var (document, problem) = OpenApiImporter.Read(text, validate == true, limits.Value.MaxProjectBytes);
        if (document is null)
        {
            return Problems.Status(StatusCodes.Status422UnprocessableEntity, $"the OpenAPI document cannot be imported: {problem}");
        }
        var plan = Plan(document.Endpoints, existing.Value!);
        if (dryRun != true)
        {
            var changes = document.Endpoints.Where(e => !plan.Unchanged.Any(u => u.Id == e.Id)).ToArray();
            var imported = await grain.ImportEndpointsAsync(project.Caller, changes, replaceAll: false, [.. plan.Delete.Select(d => d.Id)], newestWins: false);
            if (!imported.IsOk)
            {
                return imported.Kind == OutcomeKind.Invalid
                    ? Problems.Status(StatusCodes.Status422UnprocessableEntity, $"the OpenAPI document cannot be imported: {imported.Error}")
                    : Problems.From(imported);
            }
        }
        return TypedResults.Ok(new OpenApiImportResponse(document.Title, document.Version, dryRun == true, plan));
    }

    /// <summary>What the import changes: endpoints it made before (ids <c>oas-...</c>) are updated or deleted; others stay.</summary>
    private static ImportPlan Plan(EndpointImport[] imported, EndpointInfo[] existing)
    {
        static ImportPlanItem Item(string id, EndpointSpec spec) => new(id, spec.Method, spec.Path, spec.Name);
        static string Shape(EndpointSpec spec) =>
            JsonSerializer.Serialize(EndpointRequest.From(spec), JsonBody.Options) + JsonSerializer.Serialize(spec.Contract, JsonBody.Options);
        var byId = existing.ToDictionary(e => e.Id, StringComparer.Ordinal);
        var (create, update, unchanged) = (new List<ImportPlanItem>(), new List<ImportPlanItem>(), new List<ImportPlanItem>());
        foreach (var endpoint in imported)
        {
            var list = !byId.TryGetValue(endpoint.Id!, out var current) ? create : Shape(current.Spec) == Shape(endpoint.Spec) ? unchanged : update;
            list.Add(Item(endpoint.Id!, endpoint.Spec));
        }
        var ids = imported.Select(e => e.Id!).ToHashSet(StringComparer.Ordinal);
        var delete = existing.Where(e => e.Id.StartsWith(OpenApiImporter.IdPrefix, StringComparison.Ordinal) && !ids.Contains(e.Id)).Select(e => Item(e.Id, e.Spec));
        return new ImportPlan([.. create], [.. update], [.. unchanged], [.. delete]);
    }

    /// <summary>The URL of a <c>{"url": "..."}</c> body; null for a document.</summary>
    private static string? UrlOf(string text)
    {
        if (!text.TrimStart().StartsWith('{'))
        {
            return null;
        }
        try
        {
            return JsonNode.Parse(text, documentOptions: new JsonDocumentOptions { AllowDuplicateProperties = false }) is JsonObject { Count: 1 } json && json["url"] is JsonValue url && url.GetValueKind() == JsonValueKind.String ? url.GetValue<string>() : null;
        }
        catch (JsonException)
        {
            return null;
        }
    }

    /// <summary>Fetches a document through the tester's guarded client (the same address checks, timeout and size limit).</summary>
    private static async Task<(string? Text, string? Error)> FetchAsync(TesterClient client, string url, TesterOptions options, CancellationToken cancellation)
    {
        if (TargetGuard.ParseHttpUrl(url, out var problem) is not { } uri)
        {
            return (null, problem);
        }
        var outcome = await client.SendAsync(new TesterSend("GET", uri, [KeyValuePair.Create("Accept", "application/json, application/yaml, text/yaml, */*")], null, null,
            Math.Min(10_000, options.MaxTimeoutMs), FollowRedirects: true), cancellation);
        if (outcome.ErrorKind is { } kind)
        {
            return (null, $"{kind}: {outcome.Error}");
        }
        if (outcome.Status is not (>= 200 and < 300))
        {
            return (null, $"the server answered {outcome.Status}");
        }
        if (outcome.Truncated || outcome.BodyEncoding != "utf8")
        {
            return (null, outcome.Truncated ? $"it is larger than {options.MaxResponseBodyBytes} bytes" : "it is not text");
        }
        return (outcome.Body, null);
    }
}
