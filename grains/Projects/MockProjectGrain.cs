using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using OrleansMock.GrainInterfaces;
using OrleansMock.Grains.RateLimiting;
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
            RateLimit = command.RateLimit switch { null => current.RateLimit, 0 => null, var limit => limit },
            UpdatedAt = time.GetUtcNow(),
        };
        try
        {
            await CommitAsync(new ProjectState { Project = updated, Endpoints = state.State.Endpoints });
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
        await state.ClearStateAsync();
        state.State = new ProjectState();
        _routes = null;
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
        if (CheckSpec(spec, exceptId: null) is { } failure)
        {
            return failure;
        }
        EndpointValidator.TryNormalize(spec, limits.Value, out var normalized, out _);
        var now = time.GetUtcNow();
        var endpoint = new EndpointInfo(ProjectIds.NewEndpointId(), normalized, 1, now, now);
        await CommitAsync(new ProjectState { Project = Project, Endpoints = [.. state.State.Endpoints, endpoint] });
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
        if (CheckSpec(spec, exceptId: endpointId) is { } failure)
        {
            return failure;
        }
        EndpointValidator.TryNormalize(spec, limits.Value, out var normalized, out _);
        var replaced = current with { Spec = normalized, Revision = current.Revision + 1, UpdatedAt = time.GetUtcNow() };
        var endpoints = new List<EndpointInfo>(state.State.Endpoints) { [index] = replaced };
        await CommitAsync(new ProjectState { Project = Project, Endpoints = endpoints });
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
        await CommitAsync(new ProjectState { Project = Project, Endpoints = endpoints });
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
        return Routes.Match(request.Method, request.Path);
    }

    private void Record(MockRequest request, MockResult result, long started)
    {
        if (limits.Value.RequestLogSize <= 0)
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

    /// <summary>Validates a spec and checks that no other endpoint has the same method and path shape.</summary>
    private Outcome<EndpointInfo>? CheckSpec(EndpointSpec spec, string? exceptId)
    {
        if (!EndpointValidator.TryNormalize(spec, limits.Value, out var normalized, out var error))
        {
            return Outcome<EndpointInfo>.Fail(OutcomeKind.Invalid, error);
        }
        RouteTemplate.TryParse(normalized.Path, int.MaxValue, out var template, out _);
        foreach (var other in state.State.Endpoints)
        {
            if (other.Id == exceptId || other.Spec.Method != normalized.Method)
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
