using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using OrleansMock.GrainInterfaces;
using OrleansMock.Grains.RateLimiting;
using OrleansMock.Grains.Resources;

namespace OrleansMock.Grains.Projects;

/// <summary>
/// One mock project: a thin shell over <see cref="ProjectDefinition"/>. It loads the definition, checks the caller
/// once (<see cref="ChangeAsync{T}"/>, <see cref="Read{T}"/>), lets the definition compute a change and commits what it
/// returns in one write; mock traffic is answered from memory by the definition without touching storage. The slug
/// index, the owner's catalog and the resource grains are kept in step here (<c>MockProjectGrain.Lifecycle.cs</c>).
/// </summary>
[GrainType("mockproject")]
public sealed partial class MockProjectGrain(
    [PersistentState("project", StorageNames.Main)] IPersistentState<ProjectState> state,
    IOptions<MockLimits> limits,
    IOptions<RateLimitOptions> rateLimits,
    TimeProvider time,
    ILogger<MockProjectGrain> logger,
    Storage.IRecordStore store) : Grain, IMockProjectGrain
{
    private ProjectDefinition? _definition;

    // What storage holds of the endpoints, one record each.
    private EndpointRecords _endpointRecords = new();

    // What storage holds: the definition before a change's write has completed, for GetAsync, which interleaves with
    // changes in flight (their new definition is in _definition before it is durable).
    private ProjectDefinition? _stored;


    private string ProjectId => this.GetPrimaryKeyString();

    private ProjectDefinition Definition => _definition ??= ProjectDefinition.From(state.State, state.State.Endpoints);

    // ---- one ownership guard, one commit ----------------------------------------------------------------------------

    /// <summary>A read for the owner; to anyone else the project does not exist.</summary>
    private Task<Outcome<T>> Read<T>(string caller, Func<ProjectDefinition, Outcome<T>> read) =>
        Task.FromResult(Definition.OwnedBy(caller) is null ? NotFound<T>() : read(Definition));

    public Task<Outcome<ProjectUsage>> GetUsageAsync(string caller) =>
        Read(caller, d => Outcome<ProjectUsage>.Ok(new ProjectUsage(d.Endpoints.Count, d.EndpointBytes, [.. d.Resources.Select(r => r.Name)])));

    /// <summary>A change for the owner: the definition computes it, the grain commits what it returns.</summary>
    private Task<Outcome<T>> ChangeAsync<T>(string caller, Func<ProjectDefinition, Change<T>> change) =>
        ChangeAsync(caller, definition => Task.FromResult(change(definition)));

    /// <summary>
    /// Makes <paramref name="next"/> the definition and persists it: the endpoints it changes as their own records, then
    /// the project's state if anything else changed. On failure memory goes back to what storage holds.
    /// </summary>
    private async Task CommitAsync(ProjectDefinition next)
    {
        var (previousState, previousDefinition) = (state.State, _definition);
        var previous = Definition;
        // Endpoints kept in the state (stored before they had records) move to records with this change.
        var moving = state.State.Endpoints.Count > 0;
        var endpointWrites = moving || !ReferenceEquals(previous.Endpoints, next.Endpoints) ? _endpointRecords.Changes(next.Endpoints) : [];
        var stateChanges = moving || !previous.SameStateAs(next);
        _stored ??= previous;
        (state.State, _definition) = (stateChanges ? Carried(next.ToState(), previousState, next) : state.State, next);
        try
        {
            if (endpointWrites.Count > 0)
            {
                await store.ApplyAsync(Storage.RecordCollection.Endpoints, ProjectId, EndpointRecords.Group, endpointWrites);
                _endpointRecords.Stored();
            }
            if (stateChanges)
            {
                await state.WriteStateAsync();
            }
            _stored = next;
            _ = await InvalidateAnswersAsync(); // no front end answers from what it cached of the old definition after this

        }
        catch (Exception exception)
        {
            // The write may have landed even though it reported failure: the next call reloads from storage.
            (state.State, _definition) = (previousState, previousDefinition);
            DeactivateOnIdle();
            LogWriteFailed(logger, exception, ProjectId);
            throw;
        }
    }

    /// <summary>What the state keeps beside the definition: whether the project ever recorded.</summary>
    private static ProjectState Carried(ProjectState state, ProjectState previous, ProjectDefinition next)
    {
        state.RecordedBefore = previous.RecordedBefore || next.Recording is not null;
        state.AnswersLeasedUntil = previous.AnswersLeasedUntil;
        return state;
    }

    public override async Task OnActivateAsync(CancellationToken cancellationToken)
    {
        if (state.State.Project is not null)
        {
            var (records, endpoints) = await EndpointRecords.LoadAsync(store, ProjectId);
            _endpointRecords = records;
            var inState = state.State.Endpoints.Where(e => !records.Holds(e.Id));
            _definition = ProjectDefinition.From(state.State, [.. inState, .. endpoints]);
            NoteEarlierLeases();
        }
        await base.OnActivateAsync(cancellationToken);
    }

    private Outcome<T> NotFound<T>() => Outcome<T>.Fail(OutcomeKind.NotFound, $"project {ProjectId} does not exist");

    /// <summary>Null when the caller's role allows what <paramref name="needed"/> may do; else a 404 (no role) or a 403 naming their role.</summary>
    private Outcome<T>? Refused<T>(string caller, string needed) => Definition.RoleOf(caller) switch
    {
        null => NotFound<T>(),
        var role when !TeamRoles.Allows(role, needed) =>
            Outcome<T>.Fail(OutcomeKind.Forbidden, $"your role in the team that owns project {ProjectId} is {role}; this needs {needed} or more"),
        _ => null,
    };

    public Task<string?> RoleOfAsync(string caller) => Task.FromResult(Definition.RoleOf(caller));

    public async Task<Outcome<bool>> SetMembersAsync(string teamId, Dictionary<string, string> members)
    {
        if (Definition.Project is not { } project || project.Owner != teamId)
        {
            return NotFound<bool>();
        }
        var updated = project with { Members = members };
        await CommitAsync(Definition.With(updated));
        await Catalog(updated.Owner).UpsertAsync(updated);
        return Outcome<bool>.Ok(true);
    }

    // ---- endpoints ----------------------------------------------------------------------------------------------------

    public Task<Outcome<EndpointInfo[]>> ListEndpointsAsync(string caller) => Read(caller, d => Outcome<EndpointInfo[]>.Ok([.. d.Endpoints]));

    public Task<Outcome<EndpointInfo>> GetEndpointAsync(string caller, string endpointId) => Read(caller, d => d.GetEndpoint(endpointId));

    public Task<Outcome<EndpointInfo[]>> FindEndpointsByMetadataAsync(string caller, BodyMatcher pattern) => Read(caller, d =>
    {
        if (!Matching.BodyCondition.TryCompile(pattern, "pattern", out var condition, out var error))
        {
            return Outcome<EndpointInfo[]>.Fail(OutcomeKind.Invalid, error);
        }
        var budget = new Safety.WorkBudget(TimeSpan.FromMilliseconds(500));
        try
        {
            return Outcome<EndpointInfo[]>.Ok([.. d.Endpoints.Where(e => condition.Check(new Matching.RequestView(new MockRequest("GET", "/", null,
                Detail: new RequestDetail(null, null, e.Spec.MetadataJson ?? "{}", "/", RequestParts.Body))), budget) is null)]);
        }
        catch (Safety.WorkBudgetExceededException exception)
        {
            return Outcome<EndpointInfo[]>.Fail(OutcomeKind.Invalid, $"pattern: {exception.Message}");
        }
    });

    public Task<Outcome<EndpointInfo>> AddEndpointAsync(string caller, EndpointSpec spec, string? endpointId = null) =>
        ChangeAsync(caller, d => d.AddEndpoint(spec, limits.Value, endpointId ?? ProjectIds.NewEndpointId(), time.GetUtcNow()));

    public Task<Outcome<EndpointInfo>> ReplaceEndpointAsync(string caller, string endpointId, EndpointSpec spec, int? expectedRevision) =>
        ChangeAsync(caller, d => d.ReplaceEndpoint(endpointId, spec, expectedRevision, limits.Value, time.GetUtcNow()));

    public Task<Outcome<bool>> DeleteEndpointAsync(string caller, string endpointId) => ChangeAsync(caller, d => d.DeleteEndpoint(endpointId));

    public Task<Outcome<EndpointInfo[]>> ImportEndpointsAsync(string caller, EndpointImport[] items, bool replaceAll, string[]? deleteIds = null, bool newestWins = true) =>
        ChangeAsync(caller, d => d.ImportEndpoints(items, replaceAll, deleteIds ?? [], newestWins, limits.Value, ProjectIds.NewEndpointId, time.GetUtcNow()));

    // ---- resources: the definitions here, the records in one grain per resource ------------------------------------

    public Task<Outcome<ResourceInfo[]>> ListResourcesAsync(string caller) => Read(caller, d => Outcome<ResourceInfo[]>.Ok([.. d.Resources]));

    public Task<Outcome<ResourceInfo>> GetResourceAsync(string caller, string name) =>
        Read(caller, d => d.FindResource(name) is { } resource ? Outcome<ResourceInfo>.Ok(resource) : d.ResourceNotFound(name));

    public Task<Outcome<ResourceRoute>> ResourceRouteAsync(string caller, string path) =>
        Read(caller, d => d.RouteToResource(path) is { } route ? Outcome<ResourceRoute>.Ok(route)
            : Outcome<ResourceRoute>.Fail(OutcomeKind.NotFound, $"no resource of project {ProjectId} answers {path}"));

    public Task<Outcome<ResourceInfo>> AddResourceAsync(string caller, ResourceSpec spec) => ChangeAsync(caller, async d =>
    {
        var change = d.AddResource(spec, limits.Value, time.GetUtcNow());
        if (change.Next is null)
        {
            return change;
        }
        // Seeded before the definition is committed: a seed the schema refuses defines nothing.
        var resource = change.Outcome.Value!;
        if (await Resource(spec.Name).ConfigureAsync(resource, reseed: true) is { IsOk: false } seeded)
        {
            await Resource(spec.Name).DropAsync();
            return Change<ResourceInfo>.Fail(OutcomeKind.Invalid, $"seed record rejected: {seeded.Error}{Describe(seeded.Failures)}");
        }
        return change;
    });

    public Task<Outcome<ResourceInfo>> UpdateResourceAsync(string caller, ResourceSpec spec) => ChangeAsync(caller, async d =>
    {
        var change = d.UpdateResource(spec, limits.Value, time.GetUtcNow());
        if (change.Next is not null)
        {
            await Resource(spec.Name).ConfigureAsync(change.Outcome.Value!, reseed: false);
        }
        return change;
    });

    public async Task<Outcome<ResourceInfo>> ResetResourceAsync(string caller, string name)
    {
        if (Definition.OwnedBy(caller) is null)
        {
            return NotFound<ResourceInfo>();
        }
        if (Definition.FindResource(name) is not { } resource)
        {
            return Definition.ResourceNotFound(name);
        }
        var reset = await Resource(name).ConfigureAsync(resource, reseed: true);
        return reset.IsOk ? Outcome<ResourceInfo>.Ok(resource) : Outcome<ResourceInfo>.Fail(OutcomeKind.Invalid, reset.Error ?? "reset failed");
    }

    public async Task<Outcome<bool>> DeleteResourceAsync(string caller, string name)
    {
        var deleted = await ChangeAsync(caller, d => d.DeleteResource(name));
        if (deleted.IsOk)
        {
            await Resource(name).DropAsync();
            await DropSessionCopiesAsync(name);
        }
        return deleted;
    }

    /// <summary>A change that may need other grains before it is committed (seeding a resource, say).</summary>
    private async Task<Outcome<T>> ChangeAsync<T>(string caller, Func<ProjectDefinition, Task<Change<T>>> change)
    {
        if (Refused<T>(caller, TeamRoles.Editor) is { } refused)
        {
            return refused;
        }
        var (outcome, next) = await change(Definition);
        if (next is null)
        {
            return outcome;
        }
        var (before, after) = (Definition.EndpointBytes, next.EndpointBytes);
        if ((Definition.OverBudget(next, limits.Value) ?? (after > before ? await Account.MakeRoomAsync(after) : null)) is { } overBudget)
        {
            return Outcome<T>.Fail(OutcomeKind.LimitExceeded, overBudget);
        }
        var previous = Definition;
        await CommitAsync(next);
        RecordHistory(caller, previous, next);
        if (after < before)
        {
            await Account.SettleAsync(after);
        }
        return outcome;
    }

    // The project's endpoints' share of the owner's MaxAccountBytes (each resource grain keeps its records' share).
    private Safety.AccountBytes? _account;

    private Safety.AccountBytes Account => _account ??= new(ProjectId,
        () => Task.FromResult(Definition.Project is { } project ? Catalog(project.Owner) : null), limits.Value.MaxAccountBytes);

    public Task<string?> GetOwnerAsync() => Task.FromResult(Definition.Project?.Owner);

    private IMockResourceGrain Resource(string name) => GrainFactory.GetGrain<IMockResourceGrain>(ResourceKeys.Grain(ProjectId, name));

    private static string Describe(SchemaFailure[]? failures) =>
        failures is { Length: > 0 } ? ": " + string.Join("; ", failures.Select(f => $"{f.Path} {f.Rule}: {f.Message}")) : "";

    [LoggerMessage(Level = LogLevel.Warning, Message = "Persisting project {ProjectId} failed; the change was not acknowledged")]
    private static partial void LogWriteFailed(ILogger logger, Exception exception, string projectId);
}
