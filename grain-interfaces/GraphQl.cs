using Orleans.Concurrency;

namespace OrleansMock.GrainInterfaces;

/// <summary>
/// A response that is a GraphQL API: its schema (SDL) and the values its fields answer, a JSON object keyed
/// <c>"Type.field"</c> (<c>{"Query.user": {"id": "1", "name": "Ada"}}</c>); every other field answers data generated
/// from its type, the same for the same query.
/// </summary>
[GenerateSerializer, Immutable, Alias("om.GraphQlSpec")]
public sealed record GraphQlSpec([property: Id(0)] string Schema, [property: Id(1)] string? ValuesJson = null);

/// <summary>One GraphQL-over-HTTP request as the front end read it: the method, the operation and its variables.</summary>
[GenerateSerializer, Immutable, Alias("om.GraphQlRequest")]
public sealed record GraphQlRequest(
    [property: Id(0)] string HttpMethod,
    [property: Id(1)] string Query,
    [property: Id(2)] string? OperationName,
    [property: Id(3)] string? VariablesJson,
    [property: Id(4)] bool GraphQlResponseType);

/// <summary>What a GraphQL request is answered with: the HTTP status, the media type and the GraphQL response (JSON).</summary>
[GenerateSerializer, Immutable, Alias("om.GraphQlAnswer")]
public sealed record GraphQlAnswer([property: Id(0)] int Status, [property: Id(1)] string ContentType, [property: Id(2)] string Body, [property: Id(3)] string[]? Allow = null);

/// <summary>
/// Runs GraphQL operations against a mocked schema: stateless, one per core of each silo, so GraphQL traffic does not
/// queue behind a project's grain. The compiled schemas are kept (bounded) by their text.
/// </summary>
[Alias("om.IGraphQlGrain")]
public interface IGraphQlGrain : IGrainWithIntegerKey
{
    [Alias("Execute")]
    Task<GraphQlAnswer> ExecuteAsync(GraphQlSpec spec, GraphQlRequest request, CancellationToken cancellation = default);
}
