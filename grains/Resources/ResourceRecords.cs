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
/// PATCH (top-level merge). Each change is applied to memory at once and returns the one <see cref="RecordWrite"/> that
/// stores it; a <paramref name="check"/> (size and schema) refuses a record before anything changes.
/// </summary>
public sealed class ResourceRecords(string name, Func<string, ResourceAnswer?> check)
{
    public const string IdField = "id";

    private readonly List<Record> _records = [];
    private readonly Dictionary<string, Record> _byId = new(StringComparer.Ordinal);
    private long _maxNumericId;
    private int _nonNumericIds;

    /// <summary>
    /// One record as its JSON text. The parsed tree is made on the first query that needs it and kept; writes and
    /// single-record reads use only the text, so a resource that is mostly written holds one string per record and
    /// not a tree of objects for the garbage collector to trace (that tracing was the p99 of durable writes in bench/).
    /// </summary>
    public sealed class Record
    {
        private JsonObject? _value;

        /// <param name="parsed">The record's tree when the caller has it, to read its id's kind without parsing again.</param>
        public Record(string id, long sort, string json, JsonObject? parsed = null)
        {
            Id = id;
            Sort = sort;
            Json = json;
            NumericId = (parsed ?? Parse(json))[IdField] is JsonValue value && value.GetValueKind() == JsonValueKind.Number
                ? (long)Math.Floor(double.Parse(value.ToJsonString(), CultureInfo.InvariantCulture))
                : null;
        }

        public string Id { get; }
        public long Sort { get; }

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
    public static string? IdOf(JsonObject record) => ResourceQuery.Text(record[IdField]);

    public int Count => _records.Count;

    public IEnumerable<JsonObject> Values => _records.Select(r => r.Value);

    public Record? Find(string id) => _byId.GetValueOrDefault(id);

    /// <summary>A stored record, as loaded on activation.</summary>
    public void Load(StoredRecord stored) => Add(new Record(stored.Id, stored.Sort, stored.Json));

    public void Clear()
    {
        _records.Clear();
        _byId.Clear();
        _maxNumericId = 0;
        _nonNumericIds = 0;
    }

    /// <summary>For each value, the JSON of the records whose <paramref name="field"/> equals it, in one pass.</summary>
    public string[][] FindByAll(string field, string[] values)
    {
        var wanted = values.Distinct().ToDictionary(v => v, _ => new List<string>(), StringComparer.Ordinal);
        foreach (var record in _records)
        {
            if (ResourceQuery.Text(ResourceQuery.At(record.Value, field)) is { } value && wanted.TryGetValue(value, out var list))
            {
                list.Add(record.Json);
            }
        }
        return [.. values.Select(v => wanted[v].ToArray())];
    }

    public RecordChange Create(string? bodyJson, string? parentField, string? parentId, int maxRecords)
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
        if (value[IdField] is { } given)
        {
            if (ResourceQuery.Text(given) is not { Length: > 0 } text || given is not JsonValue)
            {
                return Fail(OutcomeKind.Invalid, "id must be a string or a number");
            }
            if (_byId.ContainsKey(text))
            {
                return Fail(OutcomeKind.Conflict, $"{name}/{text} already exists; omit id to get a new one, or PUT to replace it");
            }
            id = text;
        }
        else
        {
            // Numeric and incrementing while every id is a number (as json-server does); otherwise a random string.
            JsonNode node = _nonNumericIds == 0
                ? JsonValue.Create(_maxNumericId + 1)
                : JsonValue.Create(RandomNumberGenerator.GetHexString(8, lowercase: true));
            var withId = new JsonObject { [IdField] = node };
            foreach (var (field, property) in value.ToList())
            {
                value.Remove(field);
                withId[field] = property;
            }
            value = withId;
            id = ResourceQuery.Text(node)!;
        }
        var json = value.ToJsonString();
        if (check(json) is { } refused)
        {
            return new(refused, null);
        }
        var sort = _records.Count == 0 ? 1 : _records[^1].Sort + 1;
        Add(new Record(id, sort, json, value));
        return new(ResourceAnswer.Created(json), RecordWrite.Store(new StoredRecord(id, sort, json)));
    }

    /// <summary>PUT replaces the record, PATCH (<paramref name="merge"/>) merges top-level fields, as json-server does; the id never changes.</summary>
    public RecordChange Replace(string id, string? bodyJson, bool merge)
    {
        if (!_byId.TryGetValue(id, out var record))
        {
            return Fail(OutcomeKind.NotFound, $"{name}/{id} does not exist");
        }
        if (ParseObject(bodyJson) is not { } body)
        {
            return Fail(OutcomeKind.Invalid, "the body must be a JSON object");
        }
        var value = merge ? (JsonObject)record.Value.DeepClone() : new JsonObject { [IdField] = record.Value[IdField]!.DeepClone() };
        foreach (var (field, property) in body.ToList())
        {
            if (field != IdField)
            {
                body.Remove(field);
                value[field] = property;
            }
        }
        var json = value.ToJsonString();
        if (check(json) is { } refused)
        {
            return new(refused, null);
        }
        record.Replace(json);
        return new(ResourceAnswer.Ok(json), RecordWrite.Store(new StoredRecord(id, record.Sort, json)));
    }

    /// <summary>The ids of the records whose <paramref name="field"/> reads <paramref name="value"/> (numbers as their JSON text).</summary>
    public string[] IdsWhere(string field, string value) =>
        [.. _records.Where(r => ResourceQuery.Text(ResourceQuery.At(r.Value, field)) == value).Select(r => r.Id)];

    public RecordChange Delete(string id)
    {
        if (!_byId.TryGetValue(id, out var record))
        {
            return Fail(OutcomeKind.NotFound, $"{name}/{id} does not exist");
        }
        _records.Remove(record);
        _byId.Remove(record.Id);
        if (record.NumericId is null)
        {
            _nonNumericIds--;
        }
        return new(ResourceAnswer.Ok("{}"), RecordWrite.Delete(id));
    }

    private void Add(Record record)
    {
        _records.Add(record);
        _byId[record.Id] = record;
        if (record.NumericId is { } id)
        {
            _maxNumericId = Math.Max(_maxNumericId, id);
        }
        else
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
