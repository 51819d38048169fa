using System.Text.Json;
using System.Text.Json.Serialization;
using OrleansMock.GrainInterfaces;

namespace OrleansMock.Api.Apis;

// The wire contract of the management API. Domain rules are checked behind the grain interface; these types only
// fix the JSON shape, so a field of the wrong type or an unknown field is rejected before any grain is called.

/// <summary>Creates a project. The slug is derived from the name when omitted; a private project's mock traffic needs its owner's credentials.</summary>
public sealed record CreateProjectRequest(string? Name, string? Slug, string? Description, bool? Private);

/// <summary>
/// Changes a project; omitted fields stay as they are, an empty description clears it. <c>rateLimit</c> sets the
/// project's own mock-traffic limit per window (up to the configured maximum); 0 restores the default.
/// </summary>
public sealed record UpdateProjectRequest(string? Name, string? Slug, string? Description, bool? Private, int? RateLimit, bool? Cors);

public sealed record ProjectResponse(
    string Id, string Slug, string Name, string? Description, bool Private, int? RateLimit, bool Cors, DateTimeOffset CreatedAt, DateTimeOffset UpdatedAt, string MockUrl)
{
    public static ProjectResponse From(ProjectInfo project, HttpRequest request) => new(
        project.Id, project.Slug, project.Name, project.Description, project.Private, project.RateLimit, project.Cors, project.CreatedAt, project.UpdatedAt,
        $"{request.Scheme}://{request.Host}{request.PathBase}/m/{project.Slug}");
}

public sealed record ProjectListResponse(ProjectResponse[] Items, string? NextCursor);

/// <summary>An endpoint as the user defines it: method (or ANY), path template, response.</summary>
public sealed record EndpointRequest(string? Method, string? Path, ResponseRequest? Response)
{
    public static EndpointRequest From(EndpointSpec spec) => new(spec.Method, spec.Path, ResponseRequest.From(spec.Response));

    public EndpointSpec ToSpec() => new(Method ?? "", Path ?? "", Response!.ToDefinition());
}

/// <summary>
/// What the endpoint answers. <c>body</c> is any JSON value, served as application/json; a string body with a
/// <c>contentType</c> (or a Content-Type header) is served as that text.
/// </summary>
public sealed record ResponseRequest(
    int? Status,
    Dictionary<string, string>? Headers,
    [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingDefault)] JsonElement Body,
    string? ContentType,
    int? DelayMs)
{
    public static ResponseRequest From(ResponseDefinition response) => new(
        response.Status,
        response.Headers,
        response.BodyJson is null ? default : JsonDocument.Parse(response.BodyJson).RootElement.Clone(),
        response.ContentType,
        response.DelayMs);

    public ResponseDefinition ToDefinition() => new(
        Status ?? 200,
        Headers ?? [],
        Body.ValueKind is JsonValueKind.Undefined or JsonValueKind.Null ? null : Body.GetRawText(),
        ContentType,
        DelayMs ?? 0);
}

public sealed record EndpointResponse(
    string Id, string Method, string Path, ResponseRequest Response, int Revision, DateTimeOffset CreatedAt, DateTimeOffset UpdatedAt)
{
    public static EndpointResponse From(EndpointInfo endpoint) => new(
        endpoint.Id, endpoint.Spec.Method, endpoint.Spec.Path, ResponseRequest.From(endpoint.Spec.Response),
        endpoint.Revision, endpoint.CreatedAt, endpoint.UpdatedAt);
}

public sealed record EndpointListResponse(EndpointResponse[] Items);
