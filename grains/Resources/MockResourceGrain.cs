using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using OrleansMock.Grains.Safety;
using Microsoft.Extensions.Options;
using Orleans.Concurrency;
using OrleansMock.GrainInterfaces;
using OrleansMock.Grains.Storage;

namespace OrleansMock.Grains.Resources;

[GenerateSerializer, Alias("om.ResourceState")]
public sealed class ResourceState
{
    [Id(0)] public string? SchemaJson { get; set; }
    [Id(1)] public bool Configured { get; set; }
}

/// <summary>
/// The records of one resource, in memory in insertion order. Reads never touch storage; each write stores the one
/// record it changes (<see cref="IRecordStore"/>) before it is acknowledged, so a write costs the same whether the
/// resource holds ten records or ten thousand. Each write is validated and applied to memory in one grain turn (no
/// await in between), so concurrent POSTs get distinct ids and concurrent PATCHes never lose a field; the grain is
/// reentrant only so that writes waiting for their commit can be batched: while one commit is in flight the next
/// writes queue up and go to storage together in one transaction (one flush). A write is acknowledged only after
/// its batch committed; if a commit fails, its writes fail (503) and the grain reloads from storage.
/// </summary>
[GrainType("mockresource")]
[Reentrant]
public sealed class MockResourceGrain(
    [PersistentState("resource", StorageNames.Main)] IPersistentState<ResourceState> state,
    IRecordStore store,
    IOptions<MockLimits> limits) : Grain, IMockResourceGrain
{
    private const string IdField = "id";
    private static readonly RecordCollection Collection = RecordCollection.Resources;

    private readonly List<Record> _records = [];
    private readonly Dictionary<string, Record> _byId = new(StringComparer.Ordinal);
    private readonly List<(RecordWrite Write, TaskCompletionSource Done)> _pending = [];
    private ResourceSchema? _schema;
    private string? _schemaError;
    private WorkBudget? _seedBudget;
    private string _projectId = "";
    private string _name = "";
    private bool _flushing;
    private bool _broken;
    private bool _reconfiguring;
    private long _maxNumericId;
    private int _nonNumericIds;

    /// <summary>
    /// One record as its JSON text. The parsed tree is made on the first query that needs it and kept; writes and
    /// single-record reads use only the text, so a resource that is mostly written holds one string per record and
    /// not a tree of objects for the garbage collector to trace (that tracing was the p99 of durable writes in bench/).
    /// </summary>
    private sealed class Record
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

    public override async Task OnActivateAsync(CancellationToken cancellationToken)
    {
        var key = this.GetPrimaryKeyString();
        var slash = key.IndexOf('/');
        (_projectId, _name) = (key[..slash], key[(slash + 1)..]);
        UseSchema(state.State.SchemaJson);
        long? afterSort = null;
        string? afterId = null;
        while (true)
        {
            var page = await store.ListAsync(Collection, _projectId, _name, new RecordQuery(1000, false, afterSort, afterId));
            foreach (var stored in page)
            {
                Add(new Record(stored.Id, stored.Sort, stored.Json));
            }
            if (page.Count < 1000)
            {
                break;
            }
            (afterSort, afterId) = (page[^1].Sort, page[^1].Id);
        }
    }

    public async Task<ResourceResult> ConfigureAsync(ResourceInfo info, bool reseed)
    {
        _reconfiguring = true;
        try
        {
            await DrainAsync();
            UseSchema(info.SchemaJson);
            if (reseed)
            {
                await store.DeleteGroupAsync(Collection, _projectId, _name);
                Clear();
                // One budget for the whole seed: a costly pattern cannot multiply its cost by the number of records.
                _seedBudget = new WorkBudget(SeedBudget);
                foreach (var seed in Seeds(info.SeedJson))
                {
                    var created = await CreateAsync(seed, null, null);
                    if (created.Status != 201)
                    {
                        return created;
                    }
                }
            }
            state.State = new ResourceState { SchemaJson = info.SchemaJson, Configured = true };
            await state.WriteStateAsync();
            return new ResourceResult(200, null, [], null);
        }
        finally
        {
            _reconfiguring = false;
            _seedBudget = null;
        }
    }

    public async Task DropAsync()
    {
        _reconfiguring = true;
        await DrainAsync();
        await store.DeleteGroupAsync(Collection, _projectId, _name);
        Clear();
        await state.ClearStateAsync();
        DeactivateOnIdle();
    }

    public Task<int> CountAsync() => Task.FromResult(_records.Count);

    public Task<string[][]> FindByAllAsync(string field, string[] values)
    {
        // One pass over the records for all values: _embed costs one call per embedded resource, not one per record.
        var wanted = values.Distinct().ToDictionary(v => v, _ => new List<string>(), StringComparer.Ordinal);
        foreach (var record in _records)
        {
            if (ResourceQuery.Text(ResourceQuery.At(record.Value, field)) is { } value && wanted.TryGetValue(value, out var list))
            {
                list.Add(record.Json);
            }
        }
        return Task.FromResult(values.Select(v => wanted[v].ToArray()).ToArray());
    }

    public Task<string?[]> FindAllAsync(string[] ids) => Task.FromResult(ids.Select(id => _byId.GetValueOrDefault(id)?.Json).ToArray());

    public Task<ResourceResult> ReadAsync(ResourceRequest request) => GetAsync(request);

    public async Task<ResourceResult> HandleAsync(ResourceRequest request)
    {
        if (!state.State.Configured)
        {
            return ResourceResult.Fail(404, $"resource '{_name}' does not exist");
        }
        if (_reconfiguring || _broken)
        {
            return ResourceResult.Fail(503, $"resource '{_name}' is being reset or reloaded; retry shortly");
        }
        var route = request.Route;
        switch (request.Method)
        {
            case "GET" or "HEAD":
                return await GetAsync(request);
            case "POST" when route.RecordId is null:
                return await CreateAsync(request.BodyJson, route.ParentField, route.ParentId);
            case "PUT" when route.RecordId is not null:
                return await ReplaceAsync(route.RecordId, request.BodyJson, merge: false);
            case "PATCH" when route.RecordId is not null:
                return await ReplaceAsync(route.RecordId, request.BodyJson, merge: true);
            case "DELETE" when route.RecordId is not null:
                return await DeleteAsync(route.RecordId);
            default:
                var allowed = route.RecordId is null ? "GET, HEAD, POST, OPTIONS" : "GET, HEAD, PUT, PATCH, DELETE, OPTIONS";
                return new ResourceResult(405, null, [new("Allow", allowed)],
                    $"{request.Method} is not supported on {(route.RecordId is null ? "a collection" : "a record")}; use {allowed}");
        }
    }

    private async Task<ResourceResult> GetAsync(ResourceRequest request)
    {
        if (!state.State.Configured)
        {
            return ResourceResult.Fail(404, $"resource '{_name}' does not exist");
        }
        var route = request.Route;
        var parameters = request.Query.AsEnumerable();
        if (route.ParentField is not null)
        {
            parameters = parameters.Append(new(route.ParentField, route.ParentId!));
        }
        var (query, error) = ResourceQuery.Parse(parameters);
        if (query is null)
        {
            return ResourceResult.Fail(400, error!);
        }
        if (route.RecordId is not null)
        {
            if (!_byId.TryGetValue(route.RecordId, out var one))
            {
                return ResourceResult.Fail(404, $"{_name}/{route.RecordId} does not exist");
            }
            var single = await EnrichAsync([one.Value], query, route.Defined);
            return new ResourceResult(200, single is null ? one.Json : single[0].ToJsonString(), [], null);
        }

        ResourceQuery.Page page;
        try
        {
            page = query.Apply(_records.Select(r => r.Value), new WorkBudget(ResourceQuery.Budget));
        }
        catch (WorkBudgetExceededException exception)
        {
            return ResourceResult.Fail(422, exception.Message);
        }
        var items = await EnrichAsync(page.Items, query, route.Defined) ?? page.Items;
        var headers = new List<KeyValuePair<string, string>>();
        if (page.Paginated || page.Sliced)
        {
            headers.Add(new("X-Total-Count", page.Total.ToString(CultureInfo.InvariantCulture)));
            headers.Add(new("Access-Control-Expose-Headers", "X-Total-Count, Link"));
        }
        if (page.Paginated)
        {
            headers.Add(new("Link", ResourceQuery.Links(page, number => PageUrl(request, number))));
        }
        var json = new StringBuilder("[");
        for (var i = 0; i < items.Count; i++)
        {
            json.Append(i == 0 ? "" : ",").Append(ReferenceEquals(items, page.Items) ? _byId[IdOf(items[i])!].Json : items[i].ToJsonString());
        }
        return new ResourceResult(200, json.Append(']').ToString(), [.. headers], null);
    }

    /// <summary>
    /// Applies _embed (children by the <c>{singular}Id</c> convention) and _expand (parents); null when neither is asked.
    /// One grain call per named resource; names the project does not define are answered here (json-server embeds
    /// an empty list and expands nothing) without activating anything.
    /// </summary>
    private async Task<List<JsonObject>?> EnrichAsync(IReadOnlyList<JsonObject> items, ResourceQuery query, string[]? defined)
    {
        if (query.Embed.Length == 0 && query.Expand.Length == 0)
        {
            return null;
        }
        bool Defined(string name) => defined is null || defined.Contains(name, StringComparer.Ordinal);
        var enriched = items.Select(item => (JsonObject)item.DeepClone()).ToList();
        var ids = enriched.Select(item => IdOf(item) ?? "").ToArray();
        foreach (var child in query.Embed)
        {
            var children = Defined(child)
                ? await GrainFactory.GetGrain<IMockResourceGrain>(ResourceKeys.Grain(_projectId, child)).FindByAllAsync(Singular(_name) + "Id", ids)
                : ids.Select(_ => Array.Empty<string>()).ToArray();
            for (var i = 0; i < enriched.Count; i++)
            {
                enriched[i][child] = new JsonArray(children[i].Select(c => JsonNode.Parse(c)).ToArray());
            }
        }
        foreach (var parent in query.Expand.Where(p => Defined(Plural(p))))
        {
            var parentIds = enriched.Select(item => ResourceQuery.Text(item[parent + "Id"])).ToArray();
            var found = await GrainFactory.GetGrain<IMockResourceGrain>(ResourceKeys.Grain(_projectId, Plural(parent)))
                .FindAllAsync(parentIds.Select(id => id ?? "").ToArray());
            for (var i = 0; i < enriched.Count; i++)
            {
                if (parentIds[i] is not null && found[i] is { } json)
                {
                    enriched[i][parent] = JsonNode.Parse(json);
                }
            }
        }
        return enriched;
    }

    private async Task<ResourceResult> CreateAsync(string? bodyJson, string? parentField, string? parentId)
    {
        if (ParseObject(bodyJson) is not { } value)
        {
            return ResourceResult.Fail(400, "the body must be a JSON object");
        }
        if (_records.Count >= limits.Value.MaxRecordsPerResource)
        {
            return ResourceResult.Fail(422, $"resource '{_name}' already holds {_records.Count} records, the limit; delete some first");
        }
        if (parentField is not null)
        {
            value[parentField] = long.TryParse(parentId, NumberStyles.None, CultureInfo.InvariantCulture, out var number) ? JsonValue.Create(number) : JsonValue.Create(parentId);
        }
        string id;
        if (value[IdField] is { } given)
        {
            if (ResourceQuery.Text(given) is not { Length: > 0 } text || given is not JsonValue)
            {
                return ResourceResult.Fail(400, "id must be a string or a number");
            }
            if (_byId.ContainsKey(text))
            {
                return ResourceResult.Fail(409, $"{_name}/{text} already exists; omit id to get a new one, or PUT to replace it");
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
            foreach (var (name, property) in value.ToList())
            {
                value.Remove(name);
                withId[name] = property;
            }
            value = withId;
            id = ResourceQuery.Text(node)!;
        }
        var json = value.ToJsonString();
        if (Check(json) is { } failure)
        {
            return failure;
        }
        var sort = _records.Count == 0 ? 1 : _records[^1].Sort + 1;
        Add(new Record(id, sort, json, value));
        await CommitAsync(RecordWrite.Store(new StoredRecord(id, sort, json)));
        return new ResourceResult(201, json, [], null);
    }

    private async Task<ResourceResult> ReplaceAsync(string id, string? bodyJson, bool merge)
    {
        if (!_byId.TryGetValue(id, out var record))
        {
            return ResourceResult.Fail(404, $"{_name}/{id} does not exist");
        }
        if (ParseObject(bodyJson) is not { } body)
        {
            return ResourceResult.Fail(400, "the body must be a JSON object");
        }
        // PUT replaces the record, PATCH merges top-level fields (as json-server does); the id never changes.
        var value = merge ? (JsonObject)record.Value.DeepClone() : new JsonObject { [IdField] = record.Value[IdField]!.DeepClone() };
        foreach (var (name, property) in body.ToList())
        {
            if (name != IdField)
            {
                body.Remove(name);
                value[name] = property;
            }
        }
        var json = value.ToJsonString();
        if (Check(json) is { } failure)
        {
            return failure;
        }
        record.Replace(json);
        await CommitAsync(RecordWrite.Store(new StoredRecord(id, record.Sort, json)));
        return new ResourceResult(200, json, [], null);
    }

    private async Task<ResourceResult> DeleteAsync(string id)
    {
        if (!_byId.TryGetValue(id, out var record))
        {
            return ResourceResult.Fail(404, $"{_name}/{id} does not exist");
        }
        Remove(record);
        await CommitAsync(RecordWrite.Delete(id));
        return new ResourceResult(200, "{}", [], null);
    }

    private ResourceResult? Check(string json)
    {
        if (Encoding.UTF8.GetByteCount(json) > limits.Value.MaxRecordBytes)
        {
            return ResourceResult.Fail(413, $"the record is larger than {limits.Value.MaxRecordBytes} bytes");
        }
        if (_schemaError is not null)
        {
            return ResourceResult.Fail(422, $"the schema of '{_name}' cannot be used ({_schemaError}); define the resource again with a corrected schema");
        }
        if (_schema is null)
        {
            return null;
        }
        SchemaFailure[] failures;
        try
        {
            failures = _schema.Validate(json, _seedBudget ?? new WorkBudget(ResourceSchema.RecordBudget));
        }
        catch (WorkBudgetExceededException exception)
        {
            return ResourceResult.Fail(422, $"the record could not be checked against the schema of '{_name}': {exception.Message}");
        }
        return failures.Length == 0
            ? null
            : ResourceResult.Fail(422, $"the record does not match the schema of '{_name}': {failures.Length} rule(s) failed", failures);
    }

    /// <summary>Schema-check time a whole seed may use.</summary>
    private static readonly TimeSpan SeedBudget = TimeSpan.FromSeconds(2);

    /// <summary>
    /// A schema stored before schemas were checked completely may no longer compile: the resource then refuses writes
    /// with the reason instead of failing to activate.
    /// </summary>
    private void UseSchema(string? schemaJson)
    {
        try
        {
            _schema = ResourceSchema.Compile(schemaJson);
            _schemaError = null;
        }
        catch (ResourceSchemaException exception)
        {
            _schema = null;
            _schemaError = exception.Message;
        }
    }

    /// <summary>Queues a change for the next batch commit and completes when that batch is durable.</summary>
    private Task CommitAsync(RecordWrite write)
    {
        var done = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        _pending.Add((write, done));
        if (!_flushing)
        {
            _ = FlushAsync();
        }
        return done.Task;
    }

    private async Task FlushAsync()
    {
        _flushing = true;
        try
        {
            while (_pending.Count > 0)
            {
                var batch = _pending.ToArray();
                _pending.Clear();
                try
                {
                    await store.ApplyAsync(Collection, _projectId, _name, batch.Select(b => b.Write).ToArray());
                    foreach (var (_, done) in batch)
                    {
                        done.SetResult();
                    }
                }
                catch (Exception exception)
                {
                    // Memory is now ahead of storage: fail everything in flight and reload from storage.
                    _broken = true;
                    foreach (var (_, done) in batch.Concat(_pending))
                    {
                        done.SetException(exception);
                    }
                    _pending.Clear();
                    DeactivateOnIdle();
                }
            }
        }
        finally
        {
            _flushing = false;
        }
    }

    private async Task DrainAsync()
    {
        while (_flushing || _pending.Count > 0)
        {
            await Task.Delay(5);
        }
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

    private void Remove(Record record)
    {
        _records.Remove(record);
        _byId.Remove(record.Id);
        if (record.NumericId is null)
        {
            _nonNumericIds--;
        }
    }

    private void Clear()
    {
        _records.Clear();
        _byId.Clear();
        _maxNumericId = 0;
        _nonNumericIds = 0;
    }

    private static IEnumerable<string> Seeds(string? seedJson) =>
        string.IsNullOrWhiteSpace(seedJson) ? [] : JsonNode.Parse(seedJson)!.AsArray().Select(item => item!.ToJsonString()).ToArray();

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

    private static string? IdOf(JsonObject value) => ResourceQuery.Text(value[IdField]);

    private static string PageUrl(ResourceRequest request, int page)
    {
        var query = request.Query.Where(p => p.Key != "_page").Append(new("_page", page.ToString(CultureInfo.InvariantCulture)));
        return request.BaseUrl + "?" + string.Join("&", query.Select(p => $"{Uri.EscapeDataString(p.Key)}={Uri.EscapeDataString(p.Value)}"));
    }

    /// <summary>json-server's naming convention for relations: posts -> post, categories -> category.</summary>
    public static string Singular(string plural) =>
        plural.EndsWith("ies", StringComparison.Ordinal) ? plural[..^3] + "y" : plural.EndsWith('s') ? plural[..^1] : plural;

    public static string Plural(string singular) =>
        singular.EndsWith('y') && singular.Length > 1 && !"aeiou".Contains(singular[^2]) ? singular[..^1] + "ies" : singular + "s";
}
