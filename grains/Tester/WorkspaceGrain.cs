using OrleansMock.GrainInterfaces;

namespace OrleansMock.Grains.Tester;

[GenerateSerializer, Alias("om.WorkspaceState")]
public sealed class WorkspaceState
{
    [Id(0)] public List<RequestCollection> Collections { get; set; } = [];
    [Id(1)] public List<TesterEnvironment> Environments { get; set; } = [];
}

/// <summary>
/// A user's saved collections and environments. Keyed by user id, so isolation between users is structural: a
/// caller only ever reaches their own workspace. Every change is persisted before it is acknowledged. Besides the
/// counts, the whole workspace has a byte budget (<see cref="TesterOptions.WorkspaceMaxBytes"/>): a change that would
/// grow it past the budget is refused, which also bounds what each change rewrites.
/// </summary>
[GrainType("workspace")]
public sealed class WorkspaceGrain(
    [PersistentState("workspace", StorageNames.Main)] IPersistentState<WorkspaceState> state,
    TimeProvider time, Microsoft.Extensions.Options.IOptions<TesterOptions> options) : Grain, IWorkspaceGrain
{
    public const int MaxCollections = 100;
    public const int MaxItemsPerCollection = 200;
    public const int MaxEnvironments = 50;
    public const int MaxVariables = 500;

    // Each collection's and environment's size as stored, computed once per (immutable) record.
    private static readonly System.Runtime.CompilerServices.ConditionalWeakTable<object, object> Sizes = new();

    public Task<RequestCollection[]> ListCollectionsAsync() => Task.FromResult(state.State.Collections.ToArray());

    public Task<RequestCollection?> GetCollectionAsync(string id) => Task.FromResult(state.State.Collections.Find(c => c.Id == id));

    public async Task<Outcome<RequestCollection>> CreateCollectionAsync(string name)
    {
        if (CheckName(name) is { } error)
        {
            return Outcome<RequestCollection>.Fail(OutcomeKind.Invalid, error);
        }
        if (state.State.Collections.Count >= MaxCollections)
        {
            return Outcome<RequestCollection>.Fail(OutcomeKind.LimitExceeded, $"at most {MaxCollections} collections; delete one first");
        }
        var now = time.GetUtcNow();
        var collection = new RequestCollection(NewId("c"), name.Trim(), [], now, now);
        return await SaveAsync(s => s.Collections.Add(collection), collection);
    }

    public async Task<Outcome<RequestCollection>> ImportCollectionAsync(string name, CollectionItem[] items, TesterEnvironment? environment)
    {
        var error = CheckName(name)
            ?? (state.State.Collections.Count >= MaxCollections ? $"at most {MaxCollections} collections; delete one first" : null)
            ?? (items.Length > MaxItemsPerCollection ? $"the collection has {items.Length} requests; a collection holds at most {MaxItemsPerCollection}" : null)
            ?? items.Select((item, i) => CheckItem(item) is { } invalid ? $"item {i} ('{item.Name}'): {invalid}" : null).FirstOrDefault(e => e is not null)
            ?? (environment is not null && state.State.Environments.Count >= MaxEnvironments ? $"at most {MaxEnvironments} environments; delete one first" : null)
            ?? (environment is null ? null : CheckName(environment.Name) ?? CheckVariables(environment));
        if (error is not null)
        {
            return Outcome<RequestCollection>.Fail(error.StartsWith("at most", StringComparison.Ordinal) ? OutcomeKind.LimitExceeded : OutcomeKind.Invalid, error);
        }
        var now = time.GetUtcNow();
        var collection = new RequestCollection(NewId("c"), name.Trim(), [.. items.Select(i => i with { Id = NewId("i") })], now, now);
        return await SaveAsync(s =>
        {
            s.Collections.Add(collection);
            if (environment is not null)
            {
                s.Environments.Add(environment with { Id = NewId("env") }); // the prefix every environment has
            }
        }, collection);
    }

    public async Task<Outcome<RequestCollection>> RenameCollectionAsync(string id, string name)
    {
        if (CheckName(name) is { } error)
        {
            return Outcome<RequestCollection>.Fail(OutcomeKind.Invalid, error);
        }
        return await ChangeAsync(id, c => Outcome<RequestCollection>.Ok(c with { Name = name.Trim() }));
    }

    public async Task<bool> DeleteCollectionAsync(string id)
    {
        if (!state.State.Collections.Exists(c => c.Id == id))
        {
            return false;
        }
        await SaveAsync(s => s.Collections.RemoveAll(c => c.Id == id), true); // shrinks: never over the budget
        return true;
    }

    public async Task<Outcome<CollectionItem>> PutItemAsync(string collectionId, CollectionItem item)
    {
        if (CheckItem(item) is { } error)
        {
            return Outcome<CollectionItem>.Fail(OutcomeKind.Invalid, error);
        }
        var stored = item with { Id = string.IsNullOrEmpty(item.Id) ? NewId("i") : item.Id };
        var outcome = await ChangeAsync(collectionId, c =>
        {
            var items = c.Items.ToList();
            var index = items.FindIndex(i => i.Id == stored.Id);
            if (index >= 0)
            {
                items[index] = stored;
            }
            else if (!string.IsNullOrEmpty(item.Id))
            {
                return Outcome<RequestCollection>.Fail(OutcomeKind.NotFound, $"item '{item.Id}' does not exist in collection {collectionId}");
            }
            else if (items.Count >= MaxItemsPerCollection)
            {
                return Outcome<RequestCollection>.Fail(OutcomeKind.LimitExceeded, $"a collection holds at most {MaxItemsPerCollection} items");
            }
            else
            {
                items.Add(stored);
            }
            return Outcome<RequestCollection>.Ok(c with { Items = [.. items] });
        });
        return outcome.IsOk ? Outcome<CollectionItem>.Ok(stored) : Outcome<CollectionItem>.Fail(outcome.Kind, outcome.Error!);
    }

    public async Task<Outcome<bool>> DeleteItemAsync(string collectionId, string itemId)
    {
        var outcome = await ChangeAsync(collectionId, c => c.Items.Any(i => i.Id == itemId)
            ? Outcome<RequestCollection>.Ok(c with { Items = c.Items.Where(i => i.Id != itemId).ToArray() })
            : Outcome<RequestCollection>.Fail(OutcomeKind.NotFound, $"item '{itemId}' does not exist in collection {collectionId}"));
        return outcome.IsOk ? Outcome<bool>.Ok(true) : Outcome<bool>.Fail(outcome.Kind, outcome.Error!);
    }

    public Task<Outcome<RequestCollection>> ReorderAsync(string collectionId, string[] itemIds) =>
        ChangeAsync(collectionId, c =>
        {
            if (itemIds.Length != c.Items.Length || itemIds.Distinct().Count() != itemIds.Length || itemIds.Any(id => c.Items.All(i => i.Id != id)))
            {
                return Outcome<RequestCollection>.Fail(OutcomeKind.Invalid, "itemIds must list every item of the collection exactly once, in the new order");
            }
            return Outcome<RequestCollection>.Ok(c with { Items = itemIds.Select(id => c.Items.First(i => i.Id == id)).ToArray() });
        });

    public Task<TesterEnvironment[]> ListEnvironmentsAsync() => Task.FromResult(state.State.Environments.ToArray());

    public Task<TesterEnvironment?> GetEnvironmentAsync(string id) => Task.FromResult(state.State.Environments.Find(e => e.Id == id));

    public async Task<Outcome<TesterEnvironment>> PutEnvironmentAsync(TesterEnvironment environment)
    {
        if (CheckName(environment.Name) is { } error)
        {
            return Outcome<TesterEnvironment>.Fail(OutcomeKind.Invalid, error);
        }
        if (CheckVariables(environment) is { } badName)
        {
            return Outcome<TesterEnvironment>.Fail(OutcomeKind.Invalid, badName);
        }
        var existing = string.IsNullOrEmpty(environment.Id) ? -1 : state.State.Environments.FindIndex(e => e.Id == environment.Id);
        if (!string.IsNullOrEmpty(environment.Id) && existing < 0)
        {
            return Outcome<TesterEnvironment>.Fail(OutcomeKind.NotFound, $"environment '{environment.Id}' does not exist");
        }
        if (existing < 0 && state.State.Environments.Count >= MaxEnvironments)
        {
            return Outcome<TesterEnvironment>.Fail(OutcomeKind.LimitExceeded, $"at most {MaxEnvironments} environments");
        }
        var stored = environment with { Id = existing < 0 ? NewId("env") : environment.Id, Name = environment.Name.Trim() };
        return await SaveAsync(s =>
        {
            if (existing < 0)
            {
                s.Environments.Add(stored);
            }
            else
            {
                s.Environments[existing] = stored;
            }
        }, stored);
    }

    public async Task<bool> DeleteEnvironmentAsync(string id)
    {
        if (!state.State.Environments.Exists(e => e.Id == id))
        {
            return false;
        }
        await SaveAsync(s => s.Environments.RemoveAll(e => e.Id == id), true); // shrinks: never over the budget
        return true;
    }

    private async Task<Outcome<RequestCollection>> ChangeAsync(string id, Func<RequestCollection, Outcome<RequestCollection>> change)
    {
        var index = state.State.Collections.FindIndex(c => c.Id == id);
        if (index < 0)
        {
            return Outcome<RequestCollection>.Fail(OutcomeKind.NotFound, $"collection '{id}' does not exist");
        }
        var outcome = change(state.State.Collections[index]);
        if (!outcome.IsOk)
        {
            return outcome;
        }
        var changed = outcome.Value! with { UpdatedAt = time.GetUtcNow() };
        return await SaveAsync(s => s.Collections[index] = changed, changed);
    }

    /// <summary>
    /// Applies a change to a copy of the state and persists it; memory changes only once storage has it. Answers
    /// <paramref name="value"/>, or LimitExceeded when the change would take the workspace past its bytes (nothing changed).
    /// </summary>
    private async Task<Outcome<T>> SaveAsync<T>(Action<WorkspaceState> change, T value)
    {
        var previous = state.State;
        var next = new WorkspaceState { Collections = [.. previous.Collections], Environments = [.. previous.Environments] };
        change(next);
        var bytes = Bytes(next);
        if (bytes > options.Value.WorkspaceMaxBytes && bytes > Bytes(previous))
        {
            return Outcome<T>.Fail(OutcomeKind.LimitExceeded,
                $"collections and environments would take {bytes} bytes, more than the {options.Value.WorkspaceMaxBytes} a workspace may hold (OrleansMock:Tester:WorkspaceMaxBytes); delete some first");
        }
        state.State = next;
        await state.WriteOrRollBackAsync(this, () => state.State = previous);
        return Outcome<T>.Ok(value);
    }

    private static long Bytes(WorkspaceState workspace) =>
        workspace.Collections.Sum(c => (long)Sizes.GetValue(c, Measure)) + workspace.Environments.Sum(e => (long)Sizes.GetValue(e, Measure));

    private static object Measure(object record) => (long)System.Text.Json.JsonSerializer.SerializeToUtf8Bytes(record, record.GetType()).Length;

    private static string? CheckName(string? name) =>
        string.IsNullOrWhiteSpace(name) || name.Trim().Length > 200 ? "name is required: 1-200 characters" : null;

    private static string? CheckVariables(TesterEnvironment environment) =>
        environment.Variables.Count > MaxVariables
            ? $"the environment has {environment.Variables.Count} variables; an environment holds at most {MaxVariables}"
            : environment.Variables.Keys.FirstOrDefault(k => k.Length == 0 || k.Length > 100 || k.Contains('}') || k.Contains('{')) is { } bad
                ? $"variable name '{bad}' must be 1-100 characters without braces"
                : null;

    private static string? CheckItem(CollectionItem item)
    {
        if (item.Kind is not ("rest" or "graphql"))
        {
            return "kind must be rest or graphql";
        }
        if (string.IsNullOrWhiteSpace(item.Url))
        {
            return "url is required";
        }
        if (item.Kind == "graphql" && string.IsNullOrWhiteSpace(item.Query))
        {
            return "a graphql item needs a query";
        }
        return CheckName(item.Name);
    }

    private static string NewId(string prefix) => $"{prefix}_{System.Security.Cryptography.RandomNumberGenerator.GetHexString(10, lowercase: true)}";
}
