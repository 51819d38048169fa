using System.Globalization;
using System.Security.Cryptography;
using System.Text.Json;
using System.Text.Json.Nodes;
using OrleansMock.GrainInterfaces;
using OrleansMock.Grains.Storage;

namespace OrleansMock.Grains.Resources;

/// <summary>What a record change produced: the answer and, when it changed anything, the one write to store.</summary>
public readonly record struct RecordChange(ResourceAnswer Result, RecordWrite? Write);

/// <summary>
/// The records of one resource in insertion order, with json-server's rules for ids (numeric and incrementing while
/// every id is a number, otherwise random strings; a client-given id is kept if free), PUT (replace, the id stays) and
/// PATCH (top-level merge); <paramref name="idField"/> names the id property (json-server's <c>--id</c>). A singular
/// resource is the one object stored under <see cref="SingularKey"/> (<see cref="SetSingular"/>). Each change is
/// applied to memory at once and returns the one <see cref="RecordWrite"/> that stores it; a <paramref name="check"/>
/// (size and schema) refuses a record before anything changes, and so does the resource's byte budget
/// (<paramref name="maxBytes"/>: the records' JSON in all, as stored and held in memory).
/// </summary>
public sealed class ResourceRecords(string name, Func<string, ResourceAnswer?> check, string idField = ResourceInfo.DefaultIdField,
    long maxBytes = long.MaxValue)
{
    /// <summary>Where a singular resource's object is stored.</summary>
    public const string SingularKey = "singular";

    public string IdField => idField;

    private readonly List<Record> _records = [];
    // Every record by its storage key: its id's text, or for a seed record without an id a key of our own.
    private readonly Dictionary<string, Record> _byKey = new(StringComparer.Ordinal);
    private long _maxNumericId;
    private int _nonNumericIds;
    private long _bytes;

    /// <summary>The records' JSON text in all, in characters.</summary>
    public long Bytes => _bytes;

    /// <summary>Why replacing <paramref name="oldChars"/> of JSON by <paramref name="newChars"/> would take the resource past its budget, or null.</summary>
    private string? OverBudget(long oldChars, long newChars) =>
        newChars > oldChars && _bytes - oldChars + newChars > maxBytes
            ? $"resource '{name}' would hold {_bytes - oldChars + newChars} bytes of records, more than the {maxBytes} a resource may hold (OrleansMock:Limits:MaxResourceBytes); delete some first"
            : null;

    /// <summary>
    /// One record as its JSON text. The parsed tree is made on the first query that needs it and kept; writes and
    /// single-record reads use only the text, so a resource that is mostly written holds one string per record and
    /// not a tree of objects for the garbage collector to trace (that tracing was the p99 of durable writes in bench/).
    /// </summary>
    public sealed class Record
    {
        private JsonObject? _value;

        /// <param name="parsed">The record's tree when the caller has it, to read its id's kind without parsing again.</param>
        public Record(string id, long sort, string json, string idField, JsonObject? parsed = null)
        {
            Id = id;
            Sort = sort;
            Json = json;
            var idNode = (parsed ?? Parse(json))[idField];
            HasId = idNode is not null;
            NumericId = idNode is JsonValue value && value.GetValueKind() == JsonValueKind.Number
                ? (long)Math.Floor(double.Parse(value.ToJsonString(), CultureInfo.InvariantCulture))
                : null;
        }

        /// <summary>The storage key: the id's text (or, for a seed record served without an id, a key of our own).</summary>
        public string Id { get; }
        public long Sort { get; }

        /// <summary>False for a seed record without an id: served as given, but no URL reaches it.</summary>
        public bool HasId { get; }

        /// <summary>The id when it is a JSON number (rounded down), else null.</summary>
        public long? NumericId { get; }

        public string Json { get; private set; }

        public JsonObject Value => _value ??= Parse(Json);

        /// <summary>New content for the same id.</summary>
        public void Replace(string json)
        {
            Json = json;
            _value = null;
        }

        private static JsonObject Parse(string json) => (JsonObject)JsonNode.Parse(json)!;
    }

    /// <summary>A record's id as json-server compares it (numbers as their text), or null.</summary>
    public string? IdOf(JsonObject record) => ResourceQuery.Text(record[idField]);

    public int Count => _records.Count;

    public IEnumerable<JsonObject> Values => _records.Select(r => r.Value);

    /// <summary>The record whose id reads <paramref name="id"/>.</summary>
    public Record? Find(string id) => _byKey.GetValueOrDefault(id) is { HasId: true } record ? record : null;

    /// <summary>The stored text of a record as the query returned it (records with an id are found by it, the rare others by reference).</summary>
    public string JsonOf(JsonObject value) =>
        (IdOf(value) is { } id && Find(id) is { } record && ReferenceEquals(record.Value, value)
            ? record
            : _records.First(r => ReferenceEquals(r.Value, value))).Json;

    /// <summary>A stored record, as loaded on activation.</summary>
    public void Load(StoredRecord stored) => Add(new Record(stored.Id, stored.Sort, stored.Json, idField));

    public void Clear()
    {
        _bytes = 0;
        _records.Clear();
        _byKey.Clear();
        _maxNumericId = 0;
        _nonNumericIds = 0;
    }

    /// <summary>For each value, the JSON of the records whose <paramref name="field"/> equals it, in one pass.</summary>
    public string[][] FindByAll(string field, string[] values)
    {
        var wanted = values.Distinct().ToDictionary(v => v, _ => new List<string>(), StringComparer.Ordinal);
        foreach (var record in _records)
        {
            if (StrictKey(ResourceQuery.At(record.Value, field)) is { } value && wanted.TryGetValue(value, out var list))
            {
                list.Add(record.Json);
            }
        }
        return [.. values.Select(v => wanted[v].ToArray())];
    }

    /// <summary>
    /// A JSON value as a key that keeps its kind: the number 2 and the string "2" differ (json-server's <c>_embed</c>
    /// filters with lodash's strict equality), 2 and 2.0 do not. Null for a missing value, null or a container.
    /// </summary>
    public static string? StrictKey(JsonNode? node) => node is JsonValue value
        ? value.GetValueKind() switch
        {
            JsonValueKind.Number => "n:" + value.GetValue<double>().ToString("R", CultureInfo.InvariantCulture),
            JsonValueKind.String => "s:" + value.GetValue<string>(),
            JsonValueKind.True => "b:true",
            JsonValueKind.False => "b:false",
            _ => null,
        }
        : null;

    /// <param name="seed">A seed record: one without an id is kept as given (json-server serves seed records as they are).</param>
    public RecordChange Create(string? bodyJson, string? parentField, string? parentId, int maxRecords, bool seed = false)
    {
        if (ParseObject(bodyJson) is not { } value)
        {
            return Fail(OutcomeKind.Invalid, "the body must be a JSON object");
        }
        if (_records.Count >= maxRecords)
        {
            return Fail(OutcomeKind.LimitExceeded, $"resource '{name}' already holds {_records.Count} records, the limit; delete some first");
        }
        if (parentField is not null)
        {
            value[parentField] = JsonValue.Create(parentId); // the URL's text, as json-server 0.17 stores it ("1", not 1)
        }
        string id;
        var sort = _records.Count == 0 ? 1 : _records[^1].Sort + 1;
        if (seed && value[IdField] is null)
        {
            id = $"~seed-{sort}";
        }
        else if (value[IdField] is { } given)
        {
            if (ResourceQuery.Text(given) is not { Length: > 0 } text || given is not JsonValue)
            {
                return Fail(OutcomeKind.Invalid, "id must be a string or a number");
            }
            if (_byKey.ContainsKey(text))
            {
                return Fail(OutcomeKind.Conflict, $"{name}/{text} already exists; omit id to get a new one, or PUT to replace it");
            }
            id = text;
        }
        else
        {
            // Numeric and incrementing while every id is a number (as json-server does); otherwise a random string. Added
            // last, where json-server 0.17 puts it.
            JsonNode node = _nonNumericIds == 0
                ? JsonValue.Create(_maxNumericId + 1)
                : JsonValue.Create(RandomNumberGenerator.GetHexString(8, lowercase: true));
            value[IdField] = node;
            id = ResourceQuery.Text(node)!;
        }
        var json = value.ToJsonString(JsonText.Options);
        if (check(json) is { } refused)
        {
            return new(refused, null);
        }
        if (OverBudget(0, json.Length) is { } over)
        {
            return Fail(OutcomeKind.LimitExceeded, over);
        }
        Add(new Record(id, sort, json, idField, value));
        return new(ResourceAnswer.Created(json, id), RecordWrite.Store(new StoredRecord(id, sort, json)));
    }

    /// <summary>PUT replaces the record, PATCH (<paramref name="merge"/>) merges top-level fields, as json-server does; the id never changes.</summary>
    public RecordChange Replace(string id, string? bodyJson, bool merge)
    {
        if (Find(id) is not { } record)
        {
            return Fail(OutcomeKind.NotFound, $"{name}/{id} does not exist");
        }
        if (ParseObject(bodyJson) is not { } body)
        {
            return Fail(OutcomeKind.Invalid, "the body must be a JSON object");
        }
        // PATCH keeps the record's field order; PUT takes the body's, the id where the body has it or last (as json-server).
        var value = merge ? (JsonObject)record.Value.DeepClone() : [];
        foreach (var (field, property) in body.ToList())
        {
            body.Remove(field);
            value[field] = field == IdField ? record.Value[IdField]!.DeepClone() : property;
        }
        value[IdField] = record.Value[IdField]!.DeepClone();
        var json = value.ToJsonString(JsonText.Options);
        if (check(json) is { } refused)
        {
            return new(refused, null);
        }
        if (OverBudget(record.Json.Length, json.Length) is { } over)
        {
            return Fail(OutcomeKind.LimitExceeded, over);
        }
        _bytes += json.Length - record.Json.Length;
        record.Replace(json);
        return new(ResourceAnswer.Ok(json), RecordWrite.Store(new StoredRecord(id, record.Sort, json)));
    }

    /// <summary>
    /// A singular resource's new object, as json-server sets it: POST and PUT replace it (<paramref name="merge"/>
    /// false), PATCH merges top-level fields; POST answers 201 (<paramref name="created"/>).
    /// </summary>
    public RecordChange SetSingular(string? bodyJson, bool merge, bool created)
    {
        if (ParseObject(bodyJson) is not { } body)
        {
            return Fail(OutcomeKind.Invalid, "the body must be a JSON object");
        }
        var value = merge && _byKey.GetValueOrDefault(SingularKey) is { } current ? (JsonObject)current.Value.DeepClone() : [];
        foreach (var (field, property) in body.ToList())
        {
            body.Remove(field);
            value[field] = property;
        }
        var json = value.ToJsonString(JsonText.Options);
        if (check(json) is { } refused)
        {
            return new(refused, null);
        }
        if (OverBudget(_byKey.GetValueOrDefault(SingularKey)?.Json.Length ?? 0, json.Length) is { } over)
        {
            return Fail(OutcomeKind.LimitExceeded, over);
        }
        if (_byKey.GetValueOrDefault(SingularKey) is { } record)
        {
            _bytes += json.Length - record.Json.Length;
            record.Replace(json);
        }
        else
        {
            Add(new Record(SingularKey, 1, json, idField, value));
        }
        return new(created ? ResourceAnswer.Created(json, "") : ResourceAnswer.Ok(json), RecordWrite.Store(new StoredRecord(SingularKey, 1, json)));
    }

    /// <summary>The storage keys of the records whose <paramref name="field"/> reads <paramref name="value"/> (numbers as their JSON text).</summary>
    public string[] KeysWhere(string field, string value) =>
        [.. _records.Where(r => ResourceQuery.Text(ResourceQuery.At(r.Value, field)) == value).Select(r => r.Id)];

    /// <summary>Deletes the record whose id reads <paramref name="id"/>.</summary>
    public RecordChange Delete(string id) =>
        Find(id) is { } record ? Remove(record) : Fail(OutcomeKind.NotFound, $"{name}/{id} does not exist");

    /// <summary>Deletes the record stored under <paramref name="key"/> (a dependent, which may have no id).</summary>
    public RecordChange DeleteKey(string key) =>
        _byKey.GetValueOrDefault(key) is { } record ? Remove(record) : Fail(OutcomeKind.NotFound, $"{name}/{key} does not exist");

    private RecordChange Remove(Record record)
    {
        _bytes -= record.Json.Length;
        _records.Remove(record);
        _byKey.Remove(record.Id);
        if (record is { HasId: true, NumericId: null })
        {
            _nonNumericIds--;
        }
        return new(ResourceAnswer.Ok("{}"), RecordWrite.Delete(record.Id));
    }

    private void Add(Record record)
    {
        _bytes += record.Json.Length;
        _records.Add(record);
        _byKey[record.Id] = record;
        if (record.NumericId is { } id)
        {
            _maxNumericId = Math.Max(_maxNumericId, id);
        }
        else if (record.HasId)
        {
            _nonNumericIds++;
        }
    }

    private static RecordChange Fail(OutcomeKind kind, string error) => new(ResourceAnswer.Fail(kind, error), null);

    private static JsonObject? ParseObject(string? json)
    {
        try
        {
            return json is null ? null : JsonNode.Parse(json) as JsonObject;
        }
        catch (JsonException)
        {
            return null;
        }
    }
}
