using Orleans.Concurrency;

namespace OrleansMock.GrainInterfaces;

/// <summary>
/// A resource of a project, served with json-server 0.17 conventions: a collection of records (its seed a JSON array),
/// or with <see cref="Singular"/> one object (its seed a JSON object, json-server's <c>"profile": {...}</c>).
/// <see cref="IdField"/> names the records' id property (json-server's <c>--id</c>); null means <c>id</c>.
/// </summary>
[GenerateSerializer, Immutable, Alias("om.ResourceInfo")]
public sealed record ResourceInfo(
    [property: Id(0)] string Name,
    [property: Id(1)] string? SchemaJson,
    [property: Id(2)] string? SeedJson,
    [property: Id(3)] DateTimeOffset CreatedAt,
    [property: Id(4)] DateTimeOffset UpdatedAt,
    [property: Id(5)] string? IdField = null,
    [property: Id(6)] bool Singular = false)
{
    public const string DefaultIdField = "id";

    public string IdProperty => IdField ?? DefaultIdField;
}

/// <summary>
/// Defines or changes a resource: its JSON Schema (optional), its seed (a JSON array of records, or one object for a
/// singular resource; optional) and, for a collection, the name of its id property (fixed once created).
/// </summary>
[GenerateSerializer, Immutable, Alias("om.ResourceSpec")]
public sealed record ResourceSpec(
    [property: Id(0)] string Name,
    [property: Id(1)] string? SchemaJson,
    [property: Id(2)] string? SeedJson,
    [property: Id(3)] string? IdField = null);

/// <summary>
/// Where a mock request lands in a resource: the collection, one record, or a parent's children; a
/// <see cref="Singular"/> resource (one object); or, with <see cref="WholeDatabase"/>, json-server's <c>/db</c> (every
/// resource's records). <see cref="Defined"/> names every resource of the project, so <c>_embed</c>/<c>_expand</c>
/// never reach a resource that does not exist. <see cref="ForeignKeySuffix"/> is the project's (json-server's
/// <c>--fks</c>; null means <c>Id</c>): <c>postId</c> links a comment to its post.
/// </summary>
[GenerateSerializer, Immutable, Alias("om.ResourceRoute")]
public sealed record ResourceRoute(
    [property: Id(0)] string ProjectId,
    [property: Id(1)] string Resource,
    [property: Id(2)] string? RecordId,
    [property: Id(3)] string? ParentField,
    [property: Id(4)] string? ParentId,
    [property: Id(5)] string[]? Defined = null,
    [property: Id(6)] bool WholeDatabase = false,
    [property: Id(7)] string? ForeignKeySuffix = null,
    [property: Id(8)] bool Singular = false)
{
    public const string DefaultForeignKeySuffix = "Id";

    /// <summary>The field that links a record to a record of <paramref name="singularName"/> (<c>post</c> -> <c>postId</c>).</summary>
    public string ForeignKey(string singularName) => singularName + (ForeignKeySuffix ?? DefaultForeignKeySuffix);

    private static readonly string[] DatabaseMethods = ["GET", "HEAD", "OPTIONS"];
    private static readonly string[] SingularMethods = ["GET", "HEAD", "POST", "PUT", "PATCH", "OPTIONS"];
    private static readonly string[] CollectionMethods = ["GET", "HEAD", "POST", "OPTIONS"];
    private static readonly string[] RecordMethods = ["GET", "HEAD", "PUT", "PATCH", "DELETE", "OPTIONS"];

    /// <summary>The methods this place answers: the one list an OPTIONS answer, a 405's Allow and its message share.</summary>
    public string[] AllowedMethods => WholeDatabase ? DatabaseMethods : Singular ? SingularMethods : RecordId is null ? CollectionMethods : RecordMethods;

    /// <summary>What this place is, for messages: "a collection", "a record", ...</summary>
    public string Place => WholeDatabase ? "/db, the whole data set" : Singular ? "a singular resource" : RecordId is null ? "a collection" : "a record";

    /// <summary>The 405 message for a method this place does not answer.</summary>
    public string NotAllowed(string method) => $"{method} is not supported on {Place}; use {string.Join(", ", AllowedMethods)}";
}

/// <summary>
/// A request to a resource, as the front end forwards it. <see cref="BaseUrl"/> is no longer read (the front end builds
/// the Link header itself); it stays so the serialized shape does not change.
/// </summary>
[GenerateSerializer, Immutable, Alias("om.ResourceRequest")]
public sealed record ResourceRequest(
    [property: Id(0)] string Method,
    [property: Id(1)] ResourceRoute Route,
    [property: Id(2)] KeyValuePair<string, string>[] Query,
    [property: Id(3)] string? BodyJson,
    [property: Id(4)] string BaseUrl,
    [property: Id(5)] UploadedFile[]? Files = null,
    [property: Id(6)] string? FilesUrl = null);

/// <summary>A file sent in a multipart write to a resource: the form field it came in, its name, media type and bytes.</summary>
[GenerateSerializer, Immutable, Alias("om.UploadedFile")]
public sealed record UploadedFile([property: Id(0)] string Field, [property: Id(1)] string Filename, [property: Id(2)] string ContentType, [property: Id(3)] byte[] Bytes);

/// <summary>A stored file, as it is served back.</summary>
[GenerateSerializer, Immutable, Alias("om.StoredFile")]
public sealed record StoredFile([property: Id(0)] string Filename, [property: Id(1)] string ContentType, [property: Id(2)] byte[] Bytes);

/// <summary>One failed JSON Schema rule: where, which keyword, why.</summary>
[GenerateSerializer, Immutable, Alias("om.SchemaFailure")]
public sealed record SchemaFailure(
    [property: Id(0)] string Path,
    [property: Id(1)] string Rule,
    [property: Id(2)] string Message);

/// <summary>
/// Where a collection read's items sit in the whole: the total (X-Total-Count), and for <c>_page</c> the page and the
/// last page (the front end builds the Link header from them).
/// </summary>
[GenerateSerializer, Immutable, Alias("om.ResourcePage")]
public sealed record ResourcePage(
    [property: Id(0)] int Total,
    [property: Id(1)] int? Page = null,
    [property: Id(2)] int? LastPage = null);

/// <summary>
/// A resource's answer: an outcome kind (only the front end knows HTTP statuses and headers), the JSON body, paging,
/// the methods allowed when the kind is <see cref="OutcomeKind.NotAllowed"/>, or an error with the schema rules broken.
/// <see cref="CreatedId"/> is the id of a created record (its Location); empty when a singular resource was replaced.
/// </summary>
[GenerateSerializer, Immutable, Alias("om.ResourceAnswer")]
public sealed record ResourceAnswer(
    [property: Id(0)] OutcomeKind Kind,
    [property: Id(1)] string? BodyJson,
    [property: Id(2)] string? Error = null,
    [property: Id(3)] SchemaFailure[]? Failures = null,
    [property: Id(4)] ResourcePage? Page = null,
    [property: Id(5)] string[]? Allow = null,
    [property: Id(6)] string? CreatedId = null)
{
    public bool IsOk => Kind is OutcomeKind.Ok or OutcomeKind.Created;

    public static ResourceAnswer Ok(string? bodyJson, ResourcePage? page = null) => new(OutcomeKind.Ok, bodyJson, Page: page);

    public static ResourceAnswer Created(string bodyJson, string createdId) => new(OutcomeKind.Created, bodyJson, CreatedId: createdId);

    public static ResourceAnswer Fail(OutcomeKind kind, string error, SchemaFailure[]? failures = null) => new(kind, null, error, failures);
}

/// <summary>
/// The records of one resource, keyed <c>{projectId}/{name}</c>: held in memory, every change persisted as one record
/// before it is acknowledged.
/// </summary>
[Alias("om.IMockResourceGrain")]
public interface IMockResourceGrain : IGrainWithStringKey
{
    /// <summary>The records held and their bytes (against <see cref="MockLimits.MaxRecordsPerResource"/> and <see cref="MockLimits.MaxResourceBytes"/>).</summary>
    [ReadOnly, Alias("GetResourceUsage")]
    Task<ResourceUsage> GetUsageAsync();

    /// <summary>Sets the schema; with <paramref name="reseed"/>, replaces every record by the seed.</summary>
    [Alias("ConfigureResource")]
    Task<ResourceAnswer> ConfigureAsync(ResourceInfo info, bool reseed);

    /// <summary>Removes every record and the resource's own state.</summary>
    [Alias("Drop")]
    Task DropAsync();

    [ReadOnly, Alias("Count")]
    Task<int> CountAsync();

    /// <summary>A file a record of this resource carries (uploaded with a multipart write), read from storage; null when there is none.</summary>
    [ReadOnly, Alias("GetFile")]
    Task<StoredFile?> GetFileAsync(string fileId);

    /// <summary>A write (or any request); <paramref name="cancellation"/> (the client went away) stops a costly schema check.</summary>
    [Alias("HandleRequest")]
    Task<ResourceAnswer> HandleAsync(ResourceRequest request, CancellationToken cancellation = default);

    /// <summary>
    /// Reads (GET and HEAD) run interleaved with each other, so embeds across resources cannot deadlock.
    /// <paramref name="cancellation"/> (the client went away) stops a costly query.
    /// </summary>
    [ReadOnly, Alias("ReadRequest")]
    Task<ResourceAnswer> ReadAsync(ResourceRequest request, CancellationToken cancellation = default);

    /// <summary>
    /// For each of <paramref name="values"/> (values with their kind, as <c>ResourceRecords.StrictKey</c> writes them: the
    /// number 2 is not the string "2"), the records whose <paramref name="field"/> equals it (for _embed), as JSON texts.
    /// </summary>
    [ReadOnly, Alias("FindByAll")]
    Task<string[][]> FindByAllAsync(string field, string[] values);

    /// <summary>For each of <paramref name="ids"/>, that record's JSON or null (for _expand).</summary>
    [ReadOnly, Alias("FindAll")]
    Task<string?[]> FindAllAsync(string[] ids);

    /// <summary>
    /// Deletes the records whose <paramref name="field"/> is <paramref name="value"/> (compared as json-server does:
    /// 1 and "1" alike): a parent's dependents, when the parent is deleted. Returns how many were deleted.
    /// </summary>
    [Alias("DeleteDependents")]
    Task<int> DeleteDependentsAsync(string field, string value);
}

public static class ResourceKeys
{
    public static string Grain(string projectId, string resource) => $"{projectId}/{resource}";
}

[GenerateSerializer, Immutable, Alias("om.ResourceUsage")]
public sealed record ResourceUsage([property: Id(0)] int Records, [property: Id(1)] long Bytes);
