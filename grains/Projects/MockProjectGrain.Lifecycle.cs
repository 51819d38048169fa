using Microsoft.Extensions.Logging;
using OrleansMock.GrainInterfaces;
using OrleansMock.Grains.Resources;

namespace OrleansMock.Grains.Projects;

/// <summary>
/// Creating, changing and deleting the project itself: the only changes that reach other grains, the slug index
/// (<see cref="IUniqueKeyGrain"/>) and the owner's catalog (<see cref="IProjectCatalogGrain"/>), in an order whose every
/// stopping point converges: the slug is claimed first (a claim whose project never appears is taken over, since the
/// index asks the holder), the catalog entry is written pending before the project changes and confirmed after (the
/// next listing settles a pending entry by asking this grain), and the project's own write sits in between.
/// </summary>
public sealed partial class MockProjectGrain
{
    // The slug this activation is claiming but has not persisted yet. The slug index asks HoldsKeyAsync before it
    // takes a claim over, and must hear "yes" while a create or rename is between claiming and committing.
    private string? _pendingSlug;

    public async Task<Outcome<ProjectInfo>> CreateAsync(CreateProject command)
    {
        if (Definition.Project is not null)
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
                await Catalog(project.Owner).ExpectAsync(project);
                await CommitAsync(ProjectDefinition.Empty.With(project));
            }
            catch
            {
                await Slug(slug).ReleaseAsync(ProjectId);
                throw;
            }
            await Catalog(project.Owner).UpsertAsync(project);
            return Outcome<ProjectInfo>.Ok(project);
        }
        finally
        {
            _pendingSlug = null;
        }
    }

    public Task<ProjectInfo?> GetAsync(string caller) => Task.FromResult((_stored ?? Definition).OwnedBy(caller));

    public async Task<Outcome<ProjectInfo>> UpdateAsync(string caller, UpdateProject command)
    {
        // A project's slug and privacy are its owners' (sent unchanged, as a settings form does, they change nothing); the rest its editors'.
        var current = Definition.Project;
        var ownersOnly = (command.Slug is { } newSlug && newSlug != current?.Slug) || (command.Private is { } newPrivate && newPrivate != current?.Private);
        if (Refused<ProjectInfo>(caller, ownersOnly ? TeamRoles.Owner : TeamRoles.Editor) is { } refused)
        {
            return refused;
        }
        if (current is null)
        {
            return NotFound<ProjectInfo>();
        }
        var maxRateLimit = rateLimits.Value.MockPerProject.MaxLimit;
        var error = (command.Name is null ? null : ProjectRules.CheckName(command.Name))
            ?? ProjectRules.CheckDescription(command.Description)
            ?? (command.Slug is null ? null : ProjectRules.CheckSlug(command.Slug))
            ?? ResourceRules.CheckForeignKeySuffix(command.ForeignKeySuffix)
            ?? (command.Proxy is { BaseUrl.Length: > 0 } target ? Proxying.ProxyRules.Check(target, "proxy") : null)
            ?? (command.RateLimit is < 0 || command.RateLimit > maxRateLimit
                ? $"rateLimit must be from 1 to {maxRateLimit} requests per {rateLimits.Value.MockPerProject.WindowSeconds} s (0 restores the default)"
                : null);
        if (error is not null)
        {
            return Outcome<ProjectInfo>.Fail(OutcomeKind.Invalid, error);
        }
        try
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
                ForeignKeySuffix = command.ForeignKeySuffix switch { null => current.ForeignKeySuffix, "" => null, var suffix => suffix },
                Proxy = command.Proxy switch { null => current.Proxy, { BaseUrl: null or "" } => null, var proxy => proxy },
                RateLimit = command.RateLimit switch { null => current.RateLimit, 0 => null, var limit => limit },
                UpdatedAt = time.GetUtcNow(),
            };
            try
            {
                await Catalog(updated.Owner).ExpectAsync(updated);
                await CommitAsync(Definition.With(updated));
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
            RecordSettings(caller, current, updated);
            await Catalog(updated.Owner).UpsertAsync(updated);
            return Outcome<ProjectInfo>.Ok(updated);
        }
        finally
        {
            _pendingSlug = null;
        }
    }

    public async Task<bool> DeleteAsync(string caller)
    {
        if (Definition.OwnedBy(caller) is not { } current || Definition.RoleOf(caller) != TeamRoles.Owner)
        {
            return false;
        }
        if (TeamIds.IsTeamId(current.Owner))
        {
            await GrainFactory.GetGrain<ITeamGrain>(current.Owner).DetachProjectAsync(ProjectId);
        }
        var resources = Definition.Resources;
        await EndEverySessionAsync();
        await Catalog(current.Owner).ExpectAsync(current);
        await state.ClearStateAsync();
        state.State = new ProjectState();
        _definition = _stored = ProjectDefinition.Empty;
        await store.DeleteGroupAsync(Storage.RecordCollection.Endpoints, ProjectId, EndpointRecords.Group);
        _endpointRecords.Clear();
        foreach (var resource in resources)
        {
            await Resource(resource.Name).DropAsync();
        }
        _journal?.Clear();
        await store.DeleteGroupAsync(Storage.RecordCollection.Journal, ProjectId, RequestJournal.Group);
        _historyPending = [];
        await store.DeleteGroupAsync(Storage.RecordCollection.Journal, ProjectId, HistoryGroup);
        _history = null;
        await GrainFactory.GetGrain<IWebhookOutboxGrain>(ProjectId).ClearAsync();
        _ = await InvalidateAnswersAsync();
        await Slug(current.Slug).ReleaseAsync(ProjectId);
        await Catalog(current.Owner).RemoveAsync(ProjectId);
        LogDeleted(logger, ProjectId);
        DeactivateOnIdle();
        return true;
    }

    public async Task<Outcome<ProjectInfo>> TransferToTeamAsync(string caller, string teamId, Dictionary<string, string> members)
    {
        if (Definition.Project is { } moved && moved.Owner == teamId && moved.RoleOf(caller) is not null)
        {
            return Outcome<ProjectInfo>.Ok(moved); // moved already (a repeat after the team was told, or before)
        }
        if (Refused<ProjectInfo>(caller, TeamRoles.Owner) is { } refused)
        {
            return refused;
        }
        var current = Definition.Project!;
        if (current.Owner != caller)
        {
            return Outcome<ProjectInfo>.Fail(OutcomeKind.Conflict, $"project {ProjectId} belongs to team {current.Owner}; only a personal project moves to a team");
        }
        // The team's catalog takes the project and what it holds (pending), then the project changes owner, then the
        // old catalog lets it go: every stop in between is settled by the next listing of either catalog.
        var updated = current with { Owner = teamId, Members = members, UpdatedAt = time.GetUtcNow() };
        var bytes = await Catalog(caller).BytesOfAsync(ProjectId);
        if (await Catalog(teamId).AdoptAsync(updated, bytes) is { IsOk: false } full)
        {
            return Outcome<ProjectInfo>.Fail(full.Kind, full.Error!);
        }
        await Catalog(caller).ExpectAsync(updated);
        await CommitAsync(Definition.With(updated));
        RecordChange(caller, "project.transferred", teamId, projectBefore: current, projectAfter: updated);
        await Catalog(caller).RemoveAsync(ProjectId);
        await Catalog(teamId).UpsertAsync(updated);
        return Outcome<ProjectInfo>.Ok(updated);
    }

    public Task<bool> HoldsKeyAsync(string key) =>
        Task.FromResult((Definition.Project is { } project && UniqueKeys.Slug(project.Slug) == key) || (_pendingSlug is { } pending && UniqueKeys.Slug(pending) == key));

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

    private static string? Blank(string? text) => string.IsNullOrWhiteSpace(text) ? null : text.Trim();

    [LoggerMessage(Level = LogLevel.Information, Message = "Project {ProjectId} deleted")]
    private static partial void LogDeleted(ILogger logger, string projectId);
}
