namespace OrleansMock.GrainInterfaces;

/// <summary>
/// What a mock endpoint answers. <see cref="BodyJson"/> is the body exactly as the user wrote it, as JSON text
/// (null for no body). When a content type is given (here or as a Content-Type header) and the body is a JSON
/// string, the string itself is served; otherwise the JSON text is served. With <see cref="Base64Body"/> the body is a
/// JSON string of base64 and its bytes are served (a recorded binary answer). A <see cref="Proxy"/> response forwards
/// the request to a real API instead; a <see cref="Graphql"/> response is a GraphQL API (its schema and values).
/// <see cref="Webhooks"/> are sent after this response answers.
/// </summary>
[GenerateSerializer, Immutable, Alias("om.ResponseDefinition")]
public sealed record ResponseDefinition(
    [property: Id(0)] int Status,
    [property: Id(1)] Dictionary<string, string> Headers,
    [property: Id(2)] string? BodyJson,
    [property: Id(3)] string? ContentType,
    [property: Id(4)] int DelayMs,
    [property: Id(5)] RequestMatch? When = null,
    [property: Id(6)] ScenarioStep? Scenario = null,
    [property: Id(7)] bool Template = false,
    [property: Id(8)] DelaySpec? Delay = null,
    [property: Id(9)] Fault Fault = Fault.None,
    [property: Id(10)] ChunkedDribble? ChunkedDribbleDelay = null,
    [property: Id(11)] int Weight = 1,
    [property: Id(12)] ProxySpec? Proxy = null,
    [property: Id(13)] bool Base64Body = false,
    [property: Id(14)] bool NoContentType = false,
    [property: Id(15)] KeyValuePair<string, string>[]? MoreHeaderValues = null,
    [property: Id(16)] string? StatusMessage = null,
    [property: Id(17)] WebhookSpec[]? Webhooks = null,
    [property: Id(18)] GraphQlSpec? Graphql = null);

/// <summary>
/// The user-editable part of an endpoint: method (or ANY), a path template (or a regular expression in
/// <see cref="PathPattern"/>, with <see cref="Path"/> empty), extra conditions, and its responses. <see cref="Response"/>
/// is the first of <see cref="Responses"/> (an endpoint stored before several responses existed has only it).
/// <see cref="Name"/> and <see cref="MetadataJson"/> (a JSON object) are the user's labels, as WireMock's mappings have.
/// <see cref="SourceJson"/> is the WireMock mapping the endpoint was made from, as it was given (without its id): the
/// WireMock admin API answers it back while the endpoint is unchanged (an edit through our own API drops it).
/// </summary>
[GenerateSerializer, Immutable, Alias("om.EndpointSpec")]
public sealed record EndpointSpec(
    [property: Id(0)] string Method,
    [property: Id(1)] string Path,
    [property: Id(2)] ResponseDefinition Response,
    [property: Id(3)] string? PathPattern = null,
    [property: Id(4)] int Priority = EndpointSpec.DefaultPriority,
    [property: Id(5)] RequestMatch? Request = null,
    [property: Id(6)] ResponseMode ResponseMode = ResponseMode.First,
    [property: Id(7)] ResponseDefinition[]? Responses = null,
    [property: Id(8)] string? Name = null,
    [property: Id(9)] string? MetadataJson = null,
    [property: Id(10)] RequestContract? Contract = null,
    [property: Id(11)] string? SourceJson = null)
{
    /// <summary>WireMock's default priority; lower wins.</summary>
    public const int DefaultPriority = 5;

    /// <summary>Every response, in order.</summary>
    /// <summary>
    /// About how many bytes the definition takes (its texts: path, bodies, headers, schemas, metadata), counted against
    /// the project's <see cref="MockLimits.MaxProjectBytes"/>.
    /// </summary>
    public long SizeBytes()
    {
        static long Text(string? text) => text?.Length ?? 0;
        var size = 256L + Text(Method) + Text(Path) + Text(PathPattern) + Text(Name) + Text(MetadataJson) + Text(SourceJson);
        foreach (var response in AllResponses)
        {
            size += 64 + Text(response.BodyJson) + Text(response.ContentType) + response.Headers.Sum(h => h.Key.Length + h.Value.Length)
                + Text(response.Graphql?.Schema) + Text(response.Graphql?.ValuesJson)
                + (response.Webhooks ?? []).Sum(w => w.SizeBytes());
        }
        if (Contract is { } contract)
        {
            size += Text(contract.BodySchemaJson) + contract.Parameters.Sum(p => p.Name.Length + Text(p.SchemaJson))
                + (contract.Responses ?? []).Sum(r => r.Status.Length + Text(r.SchemaJson));
        }
        return size;
    }

    public ResponseDefinition[] AllResponses => Responses is { Length: > 0 } responses ? responses : [Response];

    /// <summary>
    /// What is saved but can never happen, said back on save: in <c>first</c> mode a response without a <c>when</c>
    /// condition and without a scenario state always answers, so every response after it never does.
    /// </summary>
    public string[] Warnings()
    {
        var responses = AllResponses;
        if (ResponseMode != ResponseMode.First || responses.Length < 2)
        {
            return [];
        }
        var always = Array.FindIndex(responses, r => r.When is null && r.Scenario?.RequiredState is null);
        return always < 0 || always == responses.Length - 1
            ? []
            : [$"responses[{always + 1}..{responses.Length - 1}] can never answer: in responseMode first, responses[{always}] has no when condition and no scenario state, so it answers every request; give it a condition, or use responseMode sequence or random"];
    }
}

/// <summary>A stored endpoint. <see cref="Revision"/> grows on every change, for optimistic updates.</summary>
[GenerateSerializer, Immutable, Alias("om.EndpointInfo")]
public sealed record EndpointInfo(
    [property: Id(0)] string Id,
    [property: Id(1)] EndpointSpec Spec,
    [property: Id(2)] int Revision,
    [property: Id(3)] DateTimeOffset CreatedAt,
    [property: Id(4)] DateTimeOffset UpdatedAt);

/// <summary>One endpoint of an import: with an <see cref="Id"/> that exists, it replaces that endpoint; otherwise it is added (under that id if given).</summary>
[GenerateSerializer, Immutable, Alias("om.EndpointImport")]
public sealed record EndpointImport(
    [property: Id(0)] string? Id,
    [property: Id(1)] EndpointSpec Spec);

/// <summary>
/// What a request must be to reach an endpoint made from an OpenAPI operation with validation on: its parameters and
/// its body (JSON Schema texts; a form body's fields are read as the schema's types, and those its <c>encoding</c> lists
/// without <c>allowReserved: true</c> (<see cref="FormFieldsWithoutReserved"/>) must not carry reserved characters
/// unencoded, as Prism checks them), sent as one of the documented
/// <see cref="BodyMediaTypes"/>. A request that breaks it is answered as Prism answers: the documented 422, else 400, else
/// <c>default</c> response (415 for a media type the operation does not take), else a 422/415 problem listing each
/// violation. The documented <see cref="Responses"/> are what the endpoint's answers should be: one that is not is
/// served as defined and flagged in the request journal.
/// </summary>
[GenerateSerializer, Immutable, Alias("om.RequestContract")]
public sealed record RequestContract(
    [property: Id(0)] ParameterRule[] Parameters,
    [property: Id(1)] string? BodySchemaJson,
    [property: Id(2)] bool BodyRequired,
    [property: Id(3)] ResponseRule[]? Responses = null,
    [property: Id(4)] string[]? BodyMediaTypes = null,
    [property: Id(5)] bool BodyIsForm = false,
    [property: Id(6)] SecurityRule[][]? Security = null,
    [property: Id(7)] ExampleRule[]? Examples = null,
    [property: Id(8)] string[]? FormFieldsWithoutReserved = null);

/// <summary>A documented response's named example (<see cref="Status"/> as documented) and which of the endpoint's responses serves it.</summary>
[GenerateSerializer, Immutable, Alias("om.ExampleRule")]
public sealed record ExampleRule(
    [property: Id(0)] string Status,
    [property: Id(1)] string Name,
    [property: Id(2)] int ResponseIndex);

/// <summary>
/// One credential an OpenAPI security requirement asks for: <see cref="Kind"/> <c>basic</c>, <c>bearer</c> (also OAuth2 and
/// OpenID Connect), <c>digest</c>, or an API key <c>header</c>/<c>query</c>/<c>cookie</c> named <see cref="Name"/>. A
/// contract's security lists alternatives; a request must carry every credential of one of them (an empty one: none).
/// </summary>
[GenerateSerializer, Immutable, Alias("om.SecurityRule")]
public sealed record SecurityRule(
    [property: Id(0)] string Kind,
    [property: Id(1)] string? Name = null);

/// <summary>
/// A documented response: its status (<c>200</c>, <c>2XX</c> or <c>default</c>), its JSON body's schema (null: any body),
/// and which of the endpoint's responses serves it (<see cref="ResponseIndex"/>, for <c>Prefer: code=</c> and refusals).
/// <see cref="Media"/> are its media types in the document's order, each with the response that serves it, which the
/// request's <c>Accept</c> chooses among (none: a response without content).
/// </summary>
[GenerateSerializer, Immutable, Alias("om.ResponseRule")]
public sealed record ResponseRule(
    [property: Id(0)] string Status,
    [property: Id(1)] string? SchemaJson,
    [property: Id(2)] int? ResponseIndex = null,
    [property: Id(3)] MediaRule[]? Media = null);

/// <summary>One media type a documented response offers, and which of the endpoint's responses serves it.</summary>
[GenerateSerializer, Immutable, Alias("om.MediaRule")]
public sealed record MediaRule(
    [property: Id(0)] string Type,
    [property: Id(1)] int ResponseIndex);

/// <summary>
/// A path or query parameter or header (<see cref="In"/>) the operation documents: required or not, its schema, and how
/// it is written: its OpenAPI <see cref="Style"/> (<c>form</c>, <c>spaceDelimited</c>, <c>pipeDelimited</c>,
/// <c>deepObject</c>, <c>simple</c>; null: the location's default) and whether an array or object is spread over
/// repeated parameters (<see cref="Explode"/>, OpenAPI's default for form) or written in one.
/// </summary>
[GenerateSerializer, Immutable, Alias("om.ParameterRule")]
public sealed record ParameterRule(
    [property: Id(0)] string In,
    [property: Id(1)] string Name,
    [property: Id(2)] bool Required,
    [property: Id(3)] string? SchemaJson,
    [property: Id(4)] bool Explode = true,
    [property: Id(5)] string? Style = null);
