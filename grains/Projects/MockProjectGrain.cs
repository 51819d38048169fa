using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using OrleansMock.GrainInterfaces;
using OrleansMock.Grains.RateLimiting;
using OrleansMock.Grains.Resources;
using OrleansMock.Grains.Routing;

namespace OrleansMock.Grains.Projects;

/// <summary>
/// One mock project. Definitions live in memory and are persisted before a change is acknowledged; mock traffic
/// is answered from the compiled <see cref="RouteTable"/> without touching storage.
/// </summary>
[GrainType("mockproject")]
public sealed partial class MockProjectGrain(
    [PersistentState("project", StorageNames.Main)] IPersistentState<ProjectState> state,
    IOptions<MockLimits> limits,
    IOptions<RateLimitOptions> rateLimits,
    TimeProvider time,
    ILogger<MockProjectGrain> logger) : Grain, IMockProjectGrain
{
    private RouteTable? _routes;

    // The per-project rate limit is counted here, in the grain every request of the project reaches anyway: no
    // extra call. Kept in memory only; a restart of the activation starts a fresh window.
    private readonly SlidingWindowCounter _traffic = new();

    // The request log lives here, shared by every front end; it costs no storage write per request.
    private RequestLog? _requestLog;

    private RequestLog Log => _requestLog ??= new RequestLog(limits.Value.RequestLogSize);

    // The slug this activation is claiming but has not persisted yet. The slug index asks OwnsSlugAsync before it
    // takes a claim over, and must hear "yes" while a create or rename is between claiming and committing.
    private string? _pendingSlug;

    private string ProjectId => this.GetPrimaryKeyString();

    private ProjectInfo? Project => state.State.Project;

    /// <summary>The project when <paramref name="caller"/> owns it; to anyone else it does not exist.</summary>
    private ProjectInfo? OwnedBy(string caller) => Project is { } project && project.Owner == caller ? project : null;

    private RouteTable Routes => _routes ??= new RouteTable(state.State.Endpoints);

    public async Task<Outcome<ProjectInfo>> CreateAsync(CreateProject command)
    {
        if (Project is not null)
        {
            return Outcome<ProjectInfo>.Fail(OutcomeKind.Conflict, $"project {ProjectId} already exists");
        }
        var error = ProjectRules.CheckName(command.Name) ?? ProjectRules.CheckDescription(command.Description)
            ?? (command.Slug is null ? null : ProjectRules.CheckSlug(command.Slug));
        if (error is not null)
        {
            return Outcome<ProjectInfo>.Fail(OutcomeKind.Invalid, error);
        }
        // Checked before anything is claimed; creations in flight at the same moment may each pass it.
        if (await Catalog(command.Owner).CountAsync() >= limits.Value.MaxProjectsPerUser)
        {
            return Outcome<ProjectInfo>.Fail(OutcomeKind.LimitExceeded,
                $"an account may own at most {limits.Value.MaxProjectsPerUser} projects (OrleansMock:Limits:MaxProjectsPerUser); delete one first");
        }

        try
        {
            return await CreateWithSlugAsync(command);
        }
        finally
        {
            _pendingSlug = null;
        }
    }

    private async Task<Outcome<ProjectInfo>> CreateWithSlugAsync(CreateProject command)
    {
        var slug = await ClaimSlugAsync(command);
        if (slug is null)
        {
            return Outcome<ProjectInfo>.Fail(OutcomeKind.Conflict, command.Slug is null
                ? "no free slug could be derived from the name; give a slug"
                : $"slug '{command.Slug}' is already used by another project; choose another slug");
        }

        var now = time.GetUtcNow();
        var project = new ProjectInfo(ProjectId, slug, command.Name.Trim(), Blank(command.Description), now, now, command.Owner, command.Private);
        try
        {
            await CommitAsync(new ProjectState { Project = project });
        }
        catch
        {
            await Slug(slug).ReleaseAsync(ProjectId);
            throw;
        }
        await Catalog(project.Owner).UpsertAsync(project);
        return Outcome<ProjectInfo>.Ok(project);
    }

    public Task<ProjectInfo?> GetAsync(string caller) => Task.FromResult(OwnedBy(caller));

    public async Task<Outcome<ProjectInfo>> UpdateAsync(string caller, UpdateProject command)
    {
        if (OwnedBy(caller) is not { } current)
        {
            return NotFound<ProjectInfo>();
        }
        var maxRateLimit = rateLimits.Value.MockPerProject.MaxLimit;
        var error = (command.Name is null ? null : ProjectRules.CheckName(command.Name))
            ?? ProjectRules.CheckDescription(command.Description)
            ?? (command.Slug is null ? null : ProjectRules.CheckSlug(command.Slug))
            ?? (command.RateLimit is < 0 || command.RateLimit > maxRateLimit
                ? $"rateLimit must be from 1 to {maxRateLimit} requests per {rateLimits.Value.MockPerProject.WindowSeconds} s (0 restores the default)"
                : null);
        if (error is not null)
        {
            return Outcome<ProjectInfo>.Fail(OutcomeKind.Invalid, error);
        }

        try
        {
            return await UpdateWithSlugAsync(current, command);
        }
        finally
        {
            _pendingSlug = null;
        }
    }

    private async Task<Outcome<ProjectInfo>> UpdateWithSlugAsync(ProjectInfo current, UpdateProject command)
    {
        var slugChanges = command.Slug is not null && command.Slug != current.Slug;
        if (slugChanges && !await ClaimAsync(command.Slug!))
        {
            return Outcome<ProjectInfo>.Fail(OutcomeKind.Conflict, $"slug '{command.Slug}' is already used by another project; choose another slug");
        }

        var updated = current with
        {
            Name = command.Name?.Trim() ?? current.Name,
            Slug = command.Slug ?? current.Slug,
            Description = command.Description is null ? current.Description : Blank(command.Description),
            Private = command.Private ?? current.Private,
            Cors = command.Cors ?? current.Cors,
            RateLimit = command.RateLimit switch { null => current.RateLimit, 0 => null, var limit => limit },
            UpdatedAt = time.GetUtcNow(),
        };
        try
        {
            await CommitAsync(new ProjectState { Project = updated, Endpoints = state.State.Endpoints, Resources = state.State.Resources });
        }
        catch
        {
            if (slugChanges)
            {
                await Slug(command.Slug!).ReleaseAsync(ProjectId);
            }
            throw;
        }
        if (slugChanges)
        {
            await Slug(current.Slug).ReleaseAsync(ProjectId);
        }
        await Catalog(updated.Owner).UpsertAsync(updated);
        return Outcome<ProjectInfo>.Ok(updated);
    }

    public async Task<bool> DeleteAsync(string caller)
    {
        if (OwnedBy(caller) is not { } current)
        {
            return false;
        }
        var resources = state.State.Resources;
        await state.ClearStateAsync();
        state.State = new ProjectState();
        _routes = null;
        foreach (var resource in resources)
        {
            await Resource(resource.Name).DropAsync();
        }
        await Slug(current.Slug).ReleaseAsync(ProjectId);
        await Catalog(current.Owner).RemoveAsync(ProjectId);
        LogDeleted(logger, ProjectId);
        DeactivateOnIdle();
        return true;
    }

    public Task<bool> HoldsKeyAsync(string key) =>
        Task.FromResult((Project is { } project && UniqueKeys.Slug(project.Slug) == key) || (_pendingSlug is { } pending && UniqueKeys.Slug(pending) == key));

    public Task<Outcome<EndpointInfo[]>> ListEndpointsAsync(string caller) =>
        Task.FromResult(OwnedBy(caller) is null ? NotFound<EndpointInfo[]>() : Outcome<EndpointInfo[]>.Ok([.. state.State.Endpoints]));

    public Task<Outcome<EndpointInfo>> GetEndpointAsync(string caller, string endpointId)
    {
        if (OwnedBy(caller) is null)
        {
            return Task.FromResult(NotFound<EndpointInfo>());
        }
        var endpoint = state.State.Endpoints.Find(e => e.Id == endpointId);
        return Task.FromResult(endpoint is null ? EndpointNotFound(endpointId) : Outcome<EndpointInfo>.Ok(endpoint));
    }

    public async Task<Outcome<EndpointInfo>> AddEndpointAsync(string caller, EndpointSpec spec)
    {
        if (OwnedBy(caller) is null)
        {
            return NotFound<EndpointInfo>();
        }
        if (state.State.Endpoints.Count >= limits.Value.MaxEndpointsPerProject)
        {
            return Outcome<EndpointInfo>.Fail(OutcomeKind.LimitExceeded,
                $"project already has {state.State.Endpoints.Count} endpoints, the limit per project; delete some first");
        }
        if (CheckSpec(spec, exceptId: null, out var normalized) is { } failure)
        {
            return failure;
        }
        var now = time.GetUtcNow();
        var endpoint = new EndpointInfo(ProjectIds.NewEndpointId(), normalized, 1, now, now);
        await CommitAsync(new ProjectState { Project = Project, Endpoints = [.. state.State.Endpoints, endpoint], Resources = state.State.Resources });
        return Outcome<EndpointInfo>.Ok(endpoint);
    }

    public async Task<Outcome<EndpointInfo>> ReplaceEndpointAsync(string caller, string endpointId, EndpointSpec spec, int? expectedRevision)
    {
        if (OwnedBy(caller) is null)
        {
            return NotFound<EndpointInfo>();
        }
        var index = state.State.Endpoints.FindIndex(e => e.Id == endpointId);
        if (index < 0)
        {
            return EndpointNotFound(endpointId);
        }
        var current = state.State.Endpoints[index];
        if (expectedRevision is { } expected && expected != current.Revision)
        {
            return Outcome<EndpointInfo>.Fail(OutcomeKind.PreconditionFailed,
                $"endpoint {endpointId} is at revision {current.Revision}, not {expected}; it was changed meanwhile");
        }
        if (CheckSpec(spec, exceptId: endpointId, out var normalized) is { } failure)
        {
            return failure;
        }
        var replaced = current with { Spec = normalized, Revision = current.Revision + 1, UpdatedAt = time.GetUtcNow() };
        var endpoints = new List<EndpointInfo>(state.State.Endpoints) { [index] = replaced };
        await CommitAsync(new ProjectState { Project = Project, Endpoints = endpoints, Resources = state.State.Resources });
        return Outcome<EndpointInfo>.Ok(replaced);
    }

    public async Task<Outcome<bool>> DeleteEndpointAsync(string caller, string endpointId)
    {
        if (OwnedBy(caller) is null)
        {
            return NotFound<bool>();
        }
        var endpoints = state.State.Endpoints.Where(e => e.Id != endpointId).ToList();
        if (endpoints.Count == state.State.Endpoints.Count)
        {
            return Outcome<bool>.Fail(OutcomeKind.NotFound, $"endpoint {endpointId} does not exist in project {ProjectId}");
        }
        await CommitAsync(new ProjectState { Project = Project, Endpoints = endpoints, Resources = state.State.Resources });
        return Outcome<bool>.Ok(true);
    }

    public ValueTask<MockResult> HandleAsync(MockRequest request)
    {
        if (Project is not { } project)
        {
            return ValueTask.FromResult(MockResult.ProjectNotFound);
        }
        if (request.ExpectedSlug is not null && request.ExpectedSlug != project.Slug)
        {
            return ValueTask.FromResult(MockResult.SlugMismatch);
        }
        var started = time.GetTimestamp();
        var result = Answer(project, request);
        Record(request, result, started);
        return ValueTask.FromResult(result);
    }

    public Task<Outcome<RequestLogEntry[]>> GetRequestLogAsync(string caller, int limit) =>
        Task.FromResult(OwnedBy(caller) is null ? NotFound<RequestLogEntry[]>() : Outcome<RequestLogEntry[]>.Ok(Log.Newest(limit)));

    public Task<Outcome<bool>> ClearRequestLogAsync(string caller)
    {
        if (OwnedBy(caller) is null)
        {
            return Task.FromResult(NotFound<bool>());
        }
        Log.Clear();
        return Task.FromResult(Outcome<bool>.Ok(true));
    }

    private MockResult Answer(ProjectInfo project, MockRequest request)
    {
        if (project.Private && request.Caller != project.Owner)
        {
            return MockResult.Unauthorized;
        }
        var policy = rateLimits.Value.MockPerProject;
        if (policy.Enabled)
        {
            var decision = _traffic.TryAcquire(time.GetUtcNow(), new RateLimitRule(project.RateLimit ?? policy.Limit, policy.WindowSeconds));
            if (!decision.Allowed)
            {
                return new MockResult(MockResultKind.RateLimited, null, null, null, decision);
            }
        }
        var match = Routes.Match(request.Method, request.Path);
        if (match.Kind is MockResultKind.Matched or MockResultKind.Options || state.State.Resources.Count == 0)
        {
            return project.Cors ? match : match with { CorsDisabled = true };
        }
        // Defined endpoints win; what they leave unanswered may belong to a resource.
        var resourceRoute = ResourceRules.Find(ProjectId, state.State.Resources, request.Path);
        if (resourceRoute is null)
        {
            return project.Cors ? match : match with { CorsDisabled = true };
        }
        return request.Method == "OPTIONS"
            ? new MockResult(MockResultKind.Options, null, null,
                resourceRoute.RecordId is null ? ["GET", "HEAD", "OPTIONS", "POST"] : ["DELETE", "GET", "HEAD", "OPTIONS", "PATCH", "PUT"], CorsDisabled: !project.Cors)
            : new MockResult(MockResultKind.Resource, null, null, null, Resource: resourceRoute, CorsDisabled: !project.Cors);
    }

    public Task<Outcome<ResourceInfo[]>> ListResourcesAsync(string caller) =>
        Task.FromResult(OwnedBy(caller) is null ? NotFound<ResourceInfo[]>() : Outcome<ResourceInfo[]>.Ok([.. state.State.Resources]));

    public Task<Outcome<ResourceInfo>> GetResourceAsync(string caller, string name) =>
        Task.FromResult(OwnedBy(caller) is null ? NotFound<ResourceInfo>()
            : state.State.Resources.Find(r => r.Name == name) is { } resource ? Outcome<ResourceInfo>.Ok(resource) : ResourceNotFound(name));

    public async Task<Outcome<ResourceInfo>> AddResourceAsync(string caller, ResourceSpec spec)
    {
        if (OwnedBy(caller) is null)
        {
            return NotFound<ResourceInfo>();
        }
        if (ResourceRules.Check(spec, limits.Value) is { } error)
        {
            return Outcome<ResourceInfo>.Fail(OutcomeKind.Invalid, error);
        }
        if (state.State.Resources.Exists(r => r.Name == spec.Name))
        {
            return Outcome<ResourceInfo>.Fail(OutcomeKind.Conflict, $"resource '{spec.Name}' already exists; change it with PUT or choose another name");
        }
        if (state.State.Resources.Count >= limits.Value.MaxResourcesPerProject)
        {
            return Outcome<ResourceInfo>.Fail(OutcomeKind.LimitExceeded, $"a project may define {limits.Value.MaxResourcesPerProject} resources; delete one first");
        }
        var now = time.GetUtcNow();
        var resource = new ResourceInfo(spec.Name, spec.SchemaJson, spec.SeedJson, now, now);
        if (await Resource(spec.Name).ConfigureAsync(resource, reseed: true) is { Status: not 200 } seeded)
        {
            await Resource(spec.Name).DropAsync();
            return Outcome<ResourceInfo>.Fail(seeded.Status == 422 ? OutcomeKind.Invalid : OutcomeKind.Invalid,
                $"seed record rejected: {seeded.Error}{Describe(seeded.Failures)}");
        }
        await CommitAsync(new ProjectState { Project = Project, Endpoints = state.State.Endpoints, Resources = [.. state.State.Resources, resource] });
        return Outcome<ResourceInfo>.Ok(resource);
    }

    public async Task<Outcome<ResourceInfo>> UpdateResourceAsync(string caller, ResourceSpec spec)
    {
        if (OwnedBy(caller) is null)
        {
            return NotFound<ResourceInfo>();
        }
        var index = state.State.Resources.FindIndex(r => r.Name == spec.Name);
        if (index < 0)
        {
            return ResourceNotFound(spec.Name);
        }
        if (ResourceRules.Check(spec, limits.Value) is { } error)
        {
            return Outcome<ResourceInfo>.Fail(OutcomeKind.Invalid, error);
        }
        var updated = state.State.Resources[index] with { SchemaJson = spec.SchemaJson, SeedJson = spec.SeedJson, UpdatedAt = time.GetUtcNow() };
        await Resource(spec.Name).ConfigureAsync(updated, reseed: false);
        var resources = new List<ResourceInfo>(state.State.Resources) { [index] = updated };
        await CommitAsync(new ProjectState { Project = Project, Endpoints = state.State.Endpoints, Resources = resources });
        return Outcome<ResourceInfo>.Ok(updated);
    }

    public async Task<Outcome<ResourceInfo>> ResetResourceAsync(string caller, string name)
    {
        if (OwnedBy(caller) is null)
        {
            return NotFound<ResourceInfo>();
        }
        if (state.State.Resources.Find(r => r.Name == name) is not { } resource)
        {
            return ResourceNotFound(name);
        }
        var reset = await Resource(name).ConfigureAsync(resource, reseed: true);
        return reset.Status == 200 ? Outcome<ResourceInfo>.Ok(resource) : Outcome<ResourceInfo>.Fail(OutcomeKind.Invalid, reset.Error ?? "reset failed");
    }

    public async Task<Outcome<bool>> DeleteResourceAsync(string caller, string name)
    {
        if (OwnedBy(caller) is null)
        {
            return NotFound<bool>();
        }
        if (!state.State.Resources.Exists(r => r.Name == name))
        {
            return Outcome<bool>.Fail(OutcomeKind.NotFound, $"resource '{name}' does not exist in project {ProjectId}");
        }
        await CommitAsync(new ProjectState { Project = Project, Endpoints = state.State.Endpoints, Resources = state.State.Resources.Where(r => r.Name != name).ToList() });
        await Resource(name).DropAsync();
        return Outcome<bool>.Ok(true);
    }

    private IMockResourceGrain Resource(string name) => GrainFactory.GetGrain<IMockResourceGrain>(ResourceKeys.Grain(ProjectId, name));

    private Outcome<ResourceInfo> ResourceNotFound(string name) =>
        Outcome<ResourceInfo>.Fail(OutcomeKind.NotFound, $"resource '{name}' does not exist in project {ProjectId}");

    private static string Describe(SchemaFailure[]? failures) =>
        failures is { Length: > 0 } ? ": " + string.Join("; ", failures.Select(f => $"{f.Path} {f.Rule}: {f.Message}")) : "";

    public Task RecordResourceAnswerAsync(MockRequest request, int status, double servedMs)
    {
        if (limits.Value.RequestLogSize > 0 && Project is not null)
        {
            Log.Add(new RequestLogEntry(time.GetUtcNow(), request.Method, request.Path, request.Query, request.Headers ?? [],
                request.BodyPreview, status, null, null, servedMs));
        }
        return Task.CompletedTask;
    }

    private void Record(MockRequest request, MockResult result, long started)
    {
        // A resource's answer is logged when it is known (RecordResourceAnswerAsync), not here.
        if (limits.Value.RequestLogSize <= 0 || result.Kind == MockResultKind.Resource)
        {
            return;
        }
        var (status, miss) = result.Kind switch
        {
            MockResultKind.Matched => (result.Response!.Status, null),
            MockResultKind.Options => (204, null),
            MockResultKind.Unauthorized => (401, "the project is private"),
            MockResultKind.RateLimited => (429, "the project's rate limit"),
            _ => (404, result.Closest is { } closest ? $"closest: {closest.Method} {closest.Path} ({closest.EndpointId}): {closest.Reason}" : "no endpoints"),
        };
        var served = time.GetElapsedTime(started).TotalMilliseconds + (result.Response?.DelayMs ?? 0);
        Log.Add(new RequestLogEntry(time.GetUtcNow(), request.Method, request.Path, request.Query, request.Headers ?? [],
            request.BodyPreview, status, result.Response?.EndpointId, miss, served));
    }

    /// <summary>Validates and normalizes a spec, and checks that no other endpoint has the same method and path shape.</summary>
    private Outcome<EndpointInfo>? CheckSpec(EndpointSpec spec, string? exceptId, out EndpointSpec normalized)
    {
        if (!EndpointValidator.TryNormalize(spec, limits.Value, out normalized, out var error))
        {
            return Outcome<EndpointInfo>.Fail(OutcomeKind.Invalid, error);
        }
        RouteTemplate.TryParse(normalized.Path, int.MaxValue, out var template, out _);
        var method = normalized.Method;
        foreach (var other in state.State.Endpoints)
        {
            if (other.Id == exceptId || other.Spec.Method != method)
            {
                continue;
            }
            RouteTemplate.TryParse(other.Spec.Path, int.MaxValue, out var otherTemplate, out _);
            if (otherTemplate.Shape == template.Shape)
            {
                return Outcome<EndpointInfo>.Fail(OutcomeKind.Conflict,
                    $"endpoint {other.Id} already answers {other.Spec.Method} {other.Spec.Path}; change that endpoint instead or use another method or path");
            }
        }
        return null;
    }

    /// <summary>Makes <paramref name="next"/> the state and persists it; on failure memory goes back to what storage holds.</summary>
    private async Task CommitAsync(ProjectState next)
    {
        var previous = state.State;
        state.State = next;
        try
        {
            await state.WriteStateAsync();
        }
        catch (Exception exception)
        {
            state.State = previous;
            LogWriteFailed(logger, exception, ProjectId);
            // The write may have landed even though it reported failure; reload from storage on the next call.
            DeactivateOnIdle();
            throw;
        }
        finally
        {
            _routes = null;
        }
    }

    private async Task<string?> ClaimSlugAsync(CreateProject command)
    {
        if (command.Slug is not null)
        {
            return await ClaimAsync(command.Slug) ? command.Slug : null;
        }
        // Derived slugs get a short suffix from the id when the plain one is taken.
        var derived = ProjectRules.Slugify(command.Name);
        foreach (var candidate in new[] { derived, $"{derived}-{ProjectId[^4..]}", $"{derived}-{ProjectId[^8..]}" })
        {
            if (await ClaimAsync(candidate))
            {
                return candidate;
            }
        }
        return null;
    }

    private Task<bool> ClaimAsync(string slug)
    {
        _pendingSlug = slug;
        return Slug(slug).ClaimAsync(ProjectId);
    }

    private IUniqueKeyGrain Slug(string slug) => GrainFactory.GetGrain<IUniqueKeyGrain>(UniqueKeys.Slug(slug));

    private IProjectCatalogGrain Catalog(string owner) => GrainFactory.GetGrain<IProjectCatalogGrain>(owner);

    private Outcome<T> NotFound<T>() => Outcome<T>.Fail(OutcomeKind.NotFound, $"project {ProjectId} does not exist");

    private Outcome<EndpointInfo> EndpointNotFound(string endpointId) =>
        Outcome<EndpointInfo>.Fail(OutcomeKind.NotFound, $"endpoint {endpointId} does not exist in project {ProjectId}");

    private static string? Blank(string? text) => string.IsNullOrWhiteSpace(text) ? null : text.Trim();

    [LoggerMessage(Level = LogLevel.Information, Message = "Project {ProjectId} deleted")]
    private static partial void LogDeleted(ILogger logger, string projectId);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Persisting project {ProjectId} failed; the change was not acknowledged")]
    private static partial void LogWriteFailed(ILogger logger, Exception exception, string projectId);
}
