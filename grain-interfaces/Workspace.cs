using Orleans.Concurrency;

namespace OrleansMock.GrainInterfaces;

/// <summary>A saved request: kind "rest" (method, url, headers, body) or "graphql" (url, query, variables, operationName, headers).</summary>
[GenerateSerializer, Immutable, Alias("om.CollectionItem")]
public sealed record CollectionItem(
    [property: Id(0)] string Id,
    [property: Id(1)] string Kind,
    [property: Id(2)] string Name,
    [property: Id(3)] string? Method,
    [property: Id(4)] string Url,
    [property: Id(5)] Dictionary<string, string> Headers,
    [property: Id(6)] string? Body,
    [property: Id(7)] string? Query,
    [property: Id(8)] string? VariablesJson,
    [property: Id(9)] string? OperationName);

[GenerateSerializer, Immutable, Alias("om.RequestCollection")]
public sealed record RequestCollection(
    [property: Id(0)] string Id,
    [property: Id(1)] string Name,
    [property: Id(2)] CollectionItem[] Items,
    [property: Id(3)] DateTimeOffset CreatedAt,
    [property: Id(4)] DateTimeOffset UpdatedAt);

/// <summary>
/// Named variables substituted into url, headers and body as <c>{{name}}</c> at send time. Variables named in
/// <see cref="Secrets"/> are sent but never stored in the tester history (it keeps their <c>{{name}}</c>).
/// </summary>
[GenerateSerializer, Immutable, Alias("om.TesterEnvironment")]
public sealed record TesterEnvironment(
    [property: Id(0)] string Id,
    [property: Id(1)] string Name,
    [property: Id(2)] Dictionary<string, string> Variables,
    [property: Id(3)] string[]? Secrets = null);

/// <summary>One user's saved collections and environments, keyed by user id (so nobody else can reach them).</summary>
[Alias("om.IWorkspaceGrain")]
public interface IWorkspaceGrain : IGrainWithStringKey
{
    [ReadOnly, Alias("ListCollections")] Task<RequestCollection[]> ListCollectionsAsync();
    [ReadOnly, Alias("GetCollection")] Task<RequestCollection?> GetCollectionAsync(string id);
    [Alias("CreateCollection")] Task<Outcome<RequestCollection>> CreateCollectionAsync(string name);

    /// <summary>A new collection with its items in one change (all checked first: none is stored if one is invalid); and, when given, an environment of its variables.</summary>
    [Alias("ImportCollection")] Task<Outcome<RequestCollection>> ImportCollectionAsync(string name, CollectionItem[] items, TesterEnvironment? environment);
    [Alias("RenameCollection")] Task<Outcome<RequestCollection>> RenameCollectionAsync(string id, string name);
    [Alias("DeleteCollection")] Task<bool> DeleteCollectionAsync(string id);
    [Alias("PutItem")] Task<Outcome<CollectionItem>> PutItemAsync(string collectionId, CollectionItem item);
    [Alias("DeleteItem")] Task<Outcome<bool>> DeleteItemAsync(string collectionId, string itemId);
    [Alias("Reorder")] Task<Outcome<RequestCollection>> ReorderAsync(string collectionId, string[] itemIds);
    [ReadOnly, Alias("ListEnvironments")] Task<TesterEnvironment[]> ListEnvironmentsAsync();
    [ReadOnly, Alias("GetEnvironment")] Task<TesterEnvironment?> GetEnvironmentAsync(string id);
    [Alias("PutEnvironment")] Task<Outcome<TesterEnvironment>> PutEnvironmentAsync(TesterEnvironment environment);
    [Alias("DeleteEnvironment")] Task<bool> DeleteEnvironmentAsync(string id);
}
