using System.Text;
using System.Text.Json.Nodes;
using Microsoft.Extensions.Options;
using Orleans.Concurrency;
using OrleansMock.GrainInterfaces;
using OrleansMock.Grains.Safety;
using OrleansMock.Grains.Schemas;
using OrleansMock.Grains.Storage;

namespace OrleansMock.Grains.Resources;

[GenerateSerializer, Alias("om.ResourceState")]
public sealed class ResourceState
{
    [Id(0)] public string? SchemaJson { get; set; }
    [Id(1)] public bool Configured { get; set; }
    [Id(2)] public string? IdField { get; set; }
    [Id(3)] public bool Singular { get; set; }
}

/// <summary>
/// The records of one resource: a thin shell over <see cref="ResourceRecords"/> (the records and json-server's rules),
/// <see cref="ResourceSchema"/> (the checks) and <see cref="RecordBatchWriter"/> (storage). Reads never touch storage;
/// each write stores the one record it changes before it is acknowledged, so a write costs the same whether the
/// resource holds ten records or ten thousand. Each write is validated and applied to memory in one grain turn (no
/// await in between), so concurrent POSTs get distinct ids and concurrent PATCHes never lose a field; the grain is
/// reentrant only so that writes waiting for their commit can be batched. If a batch fails, its writes fail (503) and
/// the grain reloads from storage.
/// </summary>
[GrainType("mockresource")]
[Reentrant]
public sealed class MockResourceGrain : Grain, IMockResourceGrain
{
    private static readonly RecordCollection Collection = RecordCollection.Resources;

    /// <summary>Schema-check time a whole seed may use.</summary>
    private static readonly TimeSpan SeedBudget = TimeSpan.FromSeconds(2);

    private readonly IPersistentState<ResourceState> _state;
    private readonly IRecordStore _store;
    private readonly IOptions<MockLimits> _limits;
    private readonly string _projectId;
    private readonly string _name;
    private ResourceRecords _records;
    private readonly RecordBatchWriter _writer;
    private readonly RecordCheck _check;
    private bool _reconfiguring;

    public MockResourceGrain([PersistentState("resource", StorageNames.Main)] IPersistentState<ResourceState> state, IRecordStore store, IOptions<MockLimits> limits)
    {
        (_state, _store, _limits) = (state, store, limits);
        var key = this.GetPrimaryKeyString();
        var slash = key.IndexOf('/');
        (_projectId, _name) = (key[..slash], key[(slash + 1)..]);
        _check = new RecordCheck(_name, limits.Value.MaxRecordBytes);
        _records = Records(null);
        _writer = new RecordBatchWriter(writes => _store.ApplyAsync(Collection, _projectId, _name, writes), DeactivateOnIdle);
        _account = new AccountBytes(key, AccountAsync, limits.Value.MaxAccountBytes);
    }

    // The records' share of the project owner's MaxAccountBytes. The owner is asked each time (only when the records
    // outgrow what is reserved, or shrink far below it): a project moved to a team counts against the team from then on.
    private readonly AccountBytes _account;

    private async Task<IProjectCatalogGrain?> AccountAsync() =>
        await GrainFactory.GetGrain<IMockProjectGrain>(MockSessions.ProjectOf(_projectId)).GetOwnerAsync() is { } owner
            ? GrainFactory.GetGrain<IProjectCatalogGrain>(owner) : null;

    /// <summary>
    /// Null when the owner's account has room for a write of <paramref name="bodyChars"/> more characters of JSON (the
    /// record it makes is at most about that, and at most MaxRecordBytes); else the refusal. Asked before the write's
    /// turn: when it had to wait for the catalog, writes that landed meanwhile are counted and it asks again.
    /// </summary>
    private async Task<ResourceAnswer?> MakeRoomAsync(long bodyChars)
    {
        var bound = Math.Min(6 * bodyChars + 64, _limits.Value.MaxRecordBytes + 64L);
        while (Used + bound > _account.Reserved)
        {
            if (await _account.MakeRoomAsync(Used + bound) is { } refused)
            {
                return ResourceAnswer.Fail(OutcomeKind.LimitExceeded, refused);
            }
        }
        return null;
    }

    /// <summary>What the resource holds against the owner's account: its records and its files.</summary>
    private long Used => _records.Bytes + _files.Bytes;

    // The files the records carry: their bytes in storage (read when served), their sizes here.
    private readonly ResourceFiles _files = new();

    private ResourceRecords Records(string? idField) => new(_name, _check.Check, idField ?? ResourceInfo.DefaultIdField, _limits.Value.MaxResourceBytes);

    public override async Task OnActivateAsync(CancellationToken cancellationToken)
    {
        _check.UseSchema(_state.State.SchemaJson);
        _records = Records(_state.State.IdField);
        long? afterSort = null;
        string? afterId = null;
        while (true)
        {
            var page = await _store.ListAsync(Collection, _projectId, _name, new RecordQuery(1000, false, afterSort, afterId));
            foreach (var stored in page)
            {
                _records.Load(stored);
            }
            if (page.Count < 1000)
            {
                break;
            }
            (afterSort, afterId) = (page[^1].Sort, page[^1].Id);
        }
        await _files.LoadAsync(_store, _projectId, _name);
    }

    // A test session's copy (keyed by the session's scope) starts from the project's seed on its first use; until then
    // (and after it is dropped) nothing of it is stored.
    private Task? _seeding;

    private Task SeededAsync()
    {
        if (_state.State.Configured || MockSessions.SessionOf(_projectId) is null)
        {
            return Task.CompletedTask;
        }
        return _seeding ??= SeedSessionCopyAsync();
    }

    private async Task SeedSessionCopyAsync()
    {
        try
        {
            if (await GrainFactory.GetGrain<IMockProjectGrain>(MockSessions.ProjectOf(_projectId)).GetResourceDefinitionAsync(_name) is { } info)
            {
                await ConfigureAsync(info, reseed: true);
            }
        }
        finally
        {
            _seeding = null;
        }
    }

    public async Task<ResourceAnswer> ConfigureAsync(ResourceInfo info, bool reseed)
    {
        _reconfiguring = true;
        try
        {
            await _writer.DrainAsync();
            _check.UseSchema(info.SchemaJson);
            if (reseed)
            {
                await _files.DropAsync(_store, _projectId, _name);
                await _store.DeleteGroupAsync(Collection, _projectId, _name);
                _records = Records(info.IdField);
                if (await MakeRoomAsync(info.SeedJson?.Length ?? 0) is { } full)
                {
                    return full;
                }
                // One budget for the whole seed: a costly pattern cannot multiply its cost by the number of records.
                _check.SharedBudget = new WorkBudget(SeedBudget);
                foreach (var seed in Seeds(info.SeedJson, info.Singular))
                {
                    var created = await WriteAsync(info.Singular
                        ? _records.SetSingular(seed, merge: false, created: false)
                        : _records.Create(seed, null, null, _limits.Value.MaxRecordsPerResource, seed: true));
                    if (!created.IsOk)
                    {
                        return created;
                    }
                }
            }
            _state.State = new ResourceState { SchemaJson = info.SchemaJson, Configured = true, IdField = info.IdField, Singular = info.Singular };
            await _state.WriteStateAsync();
            return ResourceAnswer.Ok(null);
        }
        finally
        {
            _reconfiguring = false;
            _check.SharedBudget = null;
        }
    }

    public async Task DropAsync()
    {
        _reconfiguring = true;
        try
        {
            await _writer.DrainAsync();
            await _store.DeleteGroupAsync(Collection, _projectId, _name);
            await _files.DropAsync(_store, _projectId, _name);
            _records.Clear();
            await _account.ReleaseAsync();
            await _state.ClearStateAsync();
        }
        finally
        {
            _reconfiguring = false; // unconfigured now: "does not exist", or for a session's copy the seed again on its next use
        }
        DeactivateOnIdle();
    }

    public async Task<int> CountAsync()
    {
        await SeededAsync();
        return _records.Count;
    }

    public async Task<string[][]> FindByAllAsync(string field, string[] values)
    {
        await SeededAsync();
        return _state.State.Singular ? [.. values.Select(_ => Array.Empty<string>())] : _records.FindByAll(field, values);
    }

    public async Task<string?[]> FindAllAsync(string[] ids)
    {
        await SeededAsync();
        return ids.Select(id => _records.Find(id)?.Json).ToArray();
    }

    public async Task<ResourceAnswer> ReadAsync(ResourceRequest request, CancellationToken cancellation = default)
    {
        await SeededAsync();
        return await GetAsync(request, cancellation);
    }

    public Task<ResourceUsage> GetUsageAsync() => Task.FromResult(new ResourceUsage(_records.Count, Used));

    public async Task<StoredFile?> GetFileAsync(string fileId)
    {
        await SeededAsync();
        return await _files.GetAsync(_store, _projectId, _name, fileId);
    }

    /// <summary>
    /// A write, with the files it uploads stored first (their metadata becomes the record's fields) and dropped again
    /// when the write is refused; a file a record no longer names (replaced, or the record deleted) is deleted.
    /// </summary>
    public async Task<ResourceAnswer> HandleAsync(ResourceRequest request, CancellationToken cancellation = default)
    {
        await SeededAsync();
        var before = request.Route.RecordId is { } id ? _records.Find(id)?.Json : _state.State.Singular && _records.Count > 0 ? _records.JsonOf(_records.Values.First()) : null;
        string[] uploaded = [];
        if (request.Files is { Length: > 0 } files)
        {
            if (Unavailable() is { } unavailable)
            {
                return unavailable;
            }
            var bytes = files.Sum(f => (long)f.Bytes.Length);
            if (Used + bytes > _limits.Value.MaxResourceBytes)
            {
                return ResourceAnswer.Fail(OutcomeKind.TooLarge,
                    $"resource '{_name}' would hold more than {_limits.Value.MaxResourceBytes} bytes of records and files (OrleansMock:Limits:MaxResourceBytes)");
            }
            while (Used + bytes + 64 > _account.Reserved)
            {
                if (await _account.MakeRoomAsync(Used + bytes + 64) is { } refused)
                {
                    return ResourceAnswer.Fail(OutcomeKind.LimitExceeded, refused);
                }
            }
            var (body, ids) = await _files.StoreAsync(_store, _projectId, _name, files, request.BodyJson, request.FilesUrl ?? "");
            (request, uploaded) = (request with { BodyJson = body, Files = null }, ids);
        }
        var answer = await HandleRecordAsync(request, cancellation);
        var write = request.Method is "POST" or "PUT" or "PATCH" or "DELETE";
        if (!answer.IsOk)
        {
            await _files.DeleteAsync(_store, _projectId, _name, uploaded); // the write was refused: its files go with it
        }
        else if (write && before is not null && ResourceFiles.Named(before, _name) is { Length: > 0 } named)
        {
            var after = request.Route.RecordId is { } written ? _records.Find(written)?.Json : _state.State.Singular && _records.Count > 0 ? _records.JsonOf(_records.Values.First()) : null;
            await _files.DeleteAsync(_store, _projectId, _name, [.. named.Except(after is null ? [] : ResourceFiles.Named(after, _name))]);
        }
        if (uploaded.Length > 0 || (write && before is not null))
        {
            await _account.SettleAsync(Used);
        }
        return answer;
    }

    private async Task<ResourceAnswer> HandleRecordAsync(ResourceRequest request, CancellationToken cancellation)
    {
        if (Unavailable() is { } unavailable)
        {
            return unavailable;
        }
        if (request.Method is "POST" or "PUT" or "PATCH" && await MakeRoomAsync(request.BodyJson?.Length ?? 0) is { } full)
        {
            return full;
        }
        if (Unavailable() is { } meanwhile) // asked again: making room may have waited, and a reset may have begun
        {
            return meanwhile;
        }
        var route = request.Route;
        var maxRecords = _limits.Value.MaxRecordsPerResource;
        // Read by the check in this same turn (validation and the change to memory run without an await in between).
        _check.Cancellation = cancellation;
        if (_state.State.Singular)
        {
            return request.Method switch
            {
                "GET" or "HEAD" => await GetAsync(request, cancellation),
                "POST" => await WriteAsync(_records.SetSingular(request.BodyJson, merge: false, created: true)),
                "PUT" => await WriteAsync(_records.SetSingular(request.BodyJson, merge: false, created: false)),
                "PATCH" => await WriteAsync(_records.SetSingular(request.BodyJson, merge: true, created: false)),
                _ => NotAllowed(request.Method, route with { Singular = true }),
            };
        }
        return request.Method switch
        {
            "GET" or "HEAD" => await GetAsync(request, cancellation),
            "POST" when route.RecordId is null => await WriteAsync(_records.Create(request.BodyJson, route.ParentField, route.ParentId, maxRecords)),
            "PUT" when route.RecordId is not null => await WriteAsync(_records.Replace(route.RecordId, request.BodyJson, merge: false)),
            "PATCH" when route.RecordId is not null => await WriteAsync(_records.Replace(route.RecordId, request.BodyJson, merge: true)),
            "DELETE" when route.RecordId is not null => await DeleteAsync(route),
            _ => NotAllowed(request.Method, route with { Singular = false }),
        };
    }

    private ResourceAnswer? Unavailable() =>
        !_state.State.Configured ? ResourceAnswer.Fail(OutcomeKind.NotFound, $"resource '{_name}' does not exist")
        : _reconfiguring || _writer.Broken ? ResourceAnswer.Fail(OutcomeKind.Unavailable, $"resource '{_name}' is being reset or reloaded; retry shortly")
        : null;

    /// <summary>
    /// Deletes a record, then its dependents in the project's other resources (<c>postId</c> for posts, by the project's
    /// foreign-key suffix), as json-server does.
    /// </summary>
    private async Task<ResourceAnswer> DeleteAsync(ResourceRoute route)
    {
        var deleted = await WriteAsync(_records.Delete(route.RecordId!));
        await _account.SettleAsync(Used);
        if (deleted.IsOk)
        {
            var field = route.ForeignKey(ResourceNames.Singular(_name));
            await Task.WhenAll((route.Defined ?? []).Where(other => other != _name).Select(other =>
                GrainFactory.GetGrain<IMockResourceGrain>(ResourceKeys.Grain(_projectId, other)).DeleteDependentsAsync(field, route.RecordId!)));
        }
        return deleted;
    }

    public async Task<int> DeleteDependentsAsync(string field, string value)
    {
        await SeededAsync();
        if (!_state.State.Configured || _state.State.Singular || _reconfiguring)
        {
            return 0;
        }
        var keys = _records.KeysWhere(field, value);
        foreach (var key in keys)
        {
            await WriteAsync(_records.DeleteKey(key));
        }
        await _account.SettleAsync(Used);
        return keys.Length;
    }

    /// <summary>Acknowledges a change once its write is stored.</summary>
    private async Task<ResourceAnswer> WriteAsync(RecordChange change)
    {
        if (change.Write is { } write)
        {
            await _writer.CommitAsync(write);
        }
        return change.Result;
    }

    private static ResourceAnswer NotAllowed(string method, ResourceRoute route) =>
        new(OutcomeKind.NotAllowed, null, route.NotAllowed(method), Allow: route.AllowedMethods);

    private async Task<ResourceAnswer> GetAsync(ResourceRequest request, CancellationToken cancellation)
    {
        if (!_state.State.Configured)
        {
            return ResourceAnswer.Fail(OutcomeKind.NotFound, $"resource '{_name}' does not exist");
        }
        var route = request.Route;
        if (_state.State.Singular)
        {
            // json-server answers a singular resource as it is, whatever the query.
            return ResourceAnswer.Ok(_records.Count == 0 ? "{}" : _records.JsonOf(_records.Values.First()));
        }
        var (query, error) = ResourceQuery.Parse(request.Query,
            route.ParentField is null ? null : new KeyValuePair<string, string>(route.ParentField, route.ParentId!));
        if (query is null)
        {
            return ResourceAnswer.Fail(OutcomeKind.Invalid, error!);
        }
        if (route.RecordId is not null)
        {
            if (_records.Find(route.RecordId) is not { } one)
            {
                return ResourceAnswer.Fail(OutcomeKind.NotFound, $"{_name}/{route.RecordId} does not exist");
            }
            var single = await ResourceRelations.EnrichAsync(GrainFactory, route, _name, _records, [one.Value], query);
            return ResourceAnswer.Ok(single is null ? one.Json : single[0].ToJsonString(JsonText.Options));
        }

        ResourceQuery.Page page;
        try
        {
            page = query.Apply(_records.Values, new WorkBudget(ResourceQuery.Budget, cancellation));
        }
        catch (WorkBudgetExceededException exception)
        {
            return ResourceAnswer.Fail(OutcomeKind.Unprocessable, exception.Message);
        }
        var items = await ResourceRelations.EnrichAsync(GrainFactory, route, _name, _records, page.Items, query) ?? page.Items;
        var paging = page.Paginated ? new ResourcePage(page.Total, page.PageNumber, page.LastPage)
            : page.Sliced ? new ResourcePage(page.Total)
            : null;
        var json = new StringBuilder("[");
        for (var i = 0; i < items.Count; i++)
        {
            json.Append(i == 0 ? "" : ",").Append(ReferenceEquals(items, page.Items) ? _records.JsonOf(items[i]) : items[i].ToJsonString(JsonText.Options));
        }
        return ResourceAnswer.Ok(json.Append(']').ToString(), paging);
    }

    /// <summary>The seed's records, or a singular resource's one object (an empty object when it has no seed).</summary>
    private static IEnumerable<string> Seeds(string? seedJson, bool singular) =>
        string.IsNullOrWhiteSpace(seedJson) ? singular ? ["{}"] : []
        : singular ? [JsonNode.Parse(seedJson)!.ToJsonString(JsonText.Options)]
        : JsonNode.Parse(seedJson)!.AsArray().Select(item => item!.ToJsonString(JsonText.Options)).ToArray();
}
