namespace OrleansMock.GrainInterfaces;

/// <summary>
/// What a mock endpoint answers. <see cref="BodyJson"/> is the body exactly as the user wrote it, as JSON text
/// (null for no body). When a content type is given (here or as a Content-Type header) and the body is a JSON
/// string, the string itself is served; otherwise the JSON text is served.
/// </summary>
[GenerateSerializer, Immutable, Alias("om.ResponseDefinition")]
public sealed record ResponseDefinition(
    [property: Id(0)] int Status,
    [property: Id(1)] Dictionary<string, string> Headers,
    [property: Id(2)] string? BodyJson,
    [property: Id(3)] string? ContentType,
    [property: Id(4)] int DelayMs);

/// <summary>The user-editable part of an endpoint: method (or ANY), path template, response.</summary>
[GenerateSerializer, Immutable, Alias("om.EndpointSpec")]
public sealed record EndpointSpec(
    [property: Id(0)] string Method,
    [property: Id(1)] string Path,
    [property: Id(2)] ResponseDefinition Response);

/// <summary>A stored endpoint. <see cref="Revision"/> grows on every change, for optimistic updates.</summary>
[GenerateSerializer, Immutable, Alias("om.EndpointInfo")]
public sealed record EndpointInfo(
    [property: Id(0)] string Id,
    [property: Id(1)] EndpointSpec Spec,
    [property: Id(2)] int Revision,
    [property: Id(3)] DateTimeOffset CreatedAt,
    [property: Id(4)] DateTimeOffset UpdatedAt);
