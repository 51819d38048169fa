namespace OrleansMock.Grains.Storage;

/// <summary>
/// A family of records stored one per row or document. The field names say how the MongoDB backend names its
/// fields, so the indexes of the original scalability guide serve the queries we run.
/// </summary>
public sealed record RecordCollection(string Name, string ScopeField, string GroupField, string SortField)
{
    /// <summary>Resource records: scope = project id, group = resource name, sort = insertion sequence.</summary>
    public static readonly RecordCollection Resources = new("mockserverdata", "projectId", "endpointId", "seq");

    /// <summary>Request journal: scope = project id, group = "requests", sort = batch sequence; one record per batch of entries.</summary>
    public static readonly RecordCollection Journal = new("requestjournal", "projectId", "journal", "seq");

    /// <summary>Tester history: scope = user id, group = history kind, sort = timestamp (ticks).</summary>
    public static readonly RecordCollection TesterHistory = new("apitesterhistory", "user", "kind", "timestamp");

    /// <summary>A project's endpoints: scope = project id, group = "endpoints", sort = the endpoint's place in the project.</summary>
    public static readonly RecordCollection Endpoints = new("mockendpoints", "projectId", "group", "seq");

    /// <summary>Every collection, for backends that prepare them (indexes).</summary>
    public static readonly IReadOnlyList<RecordCollection> All = [Resources, Journal, TesterHistory, Endpoints];
}

/// <summary>
/// One record: its id within its group, its sort key, and its JSON — as text, or as the UTF-8 bytes its writer made
/// (the request journal's batches: a store that takes bytes never makes the text, which was a quarter of what the
/// process allocated under mock traffic on many projects).
/// </summary>
public sealed class StoredRecord
{
    private string? _json;

    public StoredRecord(string id, long sort, string json) => (Id, Sort, _json) = (id, sort, json);

    public StoredRecord(string id, long sort, byte[] utf8Json) => (Id, Sort, Utf8Json) = (id, sort, utf8Json);

    public string Id { get; }

    public long Sort { get; }

    /// <summary>The JSON text (made from <see cref="Utf8Json"/> the first time it is asked for).</summary>
    public string Json => _json ??= System.Text.Encoding.UTF8.GetString(Utf8Json!);

    /// <summary>The JSON as UTF-8 when the writer gave it so; null when it gave text.</summary>
    public byte[]? Utf8Json { get; }
}

/// <summary>A page request: records after (<see cref="AfterSort"/>, <see cref="AfterId"/>) in sort order.</summary>
public sealed record RecordQuery(int Limit, bool Descending = false, long? AfterSort = null, string? AfterId = null);

/// <summary>One change of a batch: store (insert or overwrite) a record, or delete one by id.</summary>
public sealed record RecordWrite(StoredRecord? Upsert, string? DeleteId)
{
    public static RecordWrite Store(StoredRecord record) => new(record, null);

    public static RecordWrite Delete(string id) => new(null, id);
}

/// <summary>
/// Record-level storage for data that grows (resource records, tester history): a write costs the size of one
/// record, not of the whole collection. Every backend implements it and passes the same contract tests.
/// </summary>
public interface IRecordStore
{
    Task<StoredRecord?> GetAsync(RecordCollection collection, string scope, string group, string id);

    /// <summary>Adds a record; false when the id is already taken in the group.</summary>
    Task<bool> InsertAsync(RecordCollection collection, string scope, string group, StoredRecord record);

    /// <summary>Replaces a record's sort key and JSON; false when there is no such record.</summary>
    Task<bool> ReplaceAsync(RecordCollection collection, string scope, string group, StoredRecord record);

    /// <summary>Deletes a record; false when there was none.</summary>
    Task<bool> DeleteAsync(RecordCollection collection, string scope, string group, string id);

    /// <summary>Records of a group ordered by (sort, id), ascending or descending, after the given position.</summary>
    Task<IReadOnlyList<StoredRecord>> ListAsync(RecordCollection collection, string scope, string group, RecordQuery query);

    /// <summary>
    /// Applies changes in order, atomically and durably: one transaction (one flush) for the whole batch, so a grain
    /// that queues its writes while one commit is in flight pays one flush for many writes.
    /// </summary>
    Task ApplyAsync(RecordCollection collection, string scope, string group, IReadOnlyList<RecordWrite> writes);

    /// <summary>Deletes every record of a group and returns how many there were.</summary>
    Task<long> DeleteGroupAsync(RecordCollection collection, string scope, string group);
}
