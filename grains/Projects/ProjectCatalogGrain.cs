using System.Buffers.Text;
using System.Globalization;
using System.Text;
using OrleansMock.GrainInterfaces;

namespace OrleansMock.Grains.Projects;

/// <summary>
/// One tenant's list of projects, newest first. Cursors name the last item of a page by (createdAt, id), so
/// paging stays stable while projects are added or deleted. Self-healing: a project's change writes its entry here
/// first, marked pending, and confirms it after; every point where such a change can stop leaves a pending entry that
/// the next listing settles by asking the project grain (<see cref="ReconcileAsync"/>).
/// </summary>
[GrainType("projectcatalog")]
public sealed class ProjectCatalogGrain(
    [PersistentState("catalog", StorageNames.Main)] IPersistentState<CatalogState> state,
    Microsoft.Extensions.Options.IOptions<MockLimits> limits) : Grain, IProjectCatalogGrain
{
    public Task UpsertAsync(ProjectInfo project) => CommitAsync(With(project), state.State.Pending.Where(id => id != project.Id).ToList());

    public Task ExpectAsync(ProjectInfo project) => CommitAsync(With(project), [.. state.State.Pending.Where(id => id != project.Id), project.Id]);

    public async Task RemoveAsync(string projectId)
    {
        if (state.State.Projects.Exists(p => p.Id == projectId) || state.State.Pending.Contains(projectId))
        {
            DropBytesOf(projectId); // its endpoints' and its resources'
            await CommitAsync(state.State.Projects.Where(p => p.Id != projectId).ToList(), state.State.Pending.Where(id => id != projectId).ToList());
        }
    }

    public async Task<long> ReserveBytesAsync(string holder, long needed, long wanted)
    {
        var project = ProjectOf(holder);
        if (!state.State.Projects.Exists(p => p.Id == project) && !state.State.Pending.Contains(project))
        {
            return wanted; // a write landing after its project was deleted: nothing left to count it against
        }
        var bytes = state.State.Bytes;
        var held = bytes.GetValueOrDefault(holder);
        var others = bytes.Values.Sum() - held;
        var max = limits.Value.MaxAccountBytes;
        var granted = needed <= held && wanted <= held ? wanted // shrinking (or asking for no more): always
            : others + wanted <= max ? wanted
            : others + needed <= max ? needed
            : held;
        if (granted != held)
        {
            if (granted > 0)
            {
                bytes[holder] = granted;
            }
            else
            {
                bytes.Remove(holder);
            }
            await state.WriteOrRollBackAsync(this, () => bytes[holder] = held);
        }
        return granted;
    }

    public Task<long> ReservedBytesAsync() => Task.FromResult(state.State.Bytes.Values.Sum());

    public Task<Dictionary<string, long>> BytesOfAsync(string projectId) =>
        Task.FromResult(state.State.Bytes.Where(b => ProjectOf(b.Key) == projectId).ToDictionary(b => b.Key, b => b.Value, StringComparer.Ordinal));

    public async Task<Outcome<bool>> AdoptAsync(ProjectInfo project, Dictionary<string, long> bytes)
    {
        if (state.State.Projects.Exists(p => p.Id == project.Id) || state.State.Pending.Contains(project.Id))
        {
            return Outcome<bool>.Ok(true); // a move repeated after it stopped halfway
        }
        var max = limits.Value;
        if (state.State.Projects.Count >= max.MaxProjectsPerUser)
        {
            return Outcome<bool>.Fail(OutcomeKind.LimitExceeded,
                $"the team owns {state.State.Projects.Count} projects, as many as an account may own (OrleansMock:Limits:MaxProjectsPerUser); delete one of the team's first");
        }
        var held = bytes.Where(b => ProjectOf(b.Key) == project.Id).ToList();
        var adding = held.Sum(b => b.Value);
        if (state.State.Bytes.Values.Sum() + adding > max.MaxAccountBytes)
        {
            return Outcome<bool>.Fail(OutcomeKind.LimitExceeded,
                $"the project holds {adding} bytes of endpoints and records; the team's account has room for {Math.Max(0, max.MaxAccountBytes - state.State.Bytes.Values.Sum())} more (OrleansMock:Limits:MaxAccountBytes)");
        }
        var previousBytes = new Dictionary<string, long>(state.State.Bytes, StringComparer.Ordinal);
        foreach (var (holder, reserved) in held)
        {
            state.State.Bytes[holder] = reserved;
        }
        try
        {
            await CommitAsync(With(project), [.. state.State.Pending, project.Id]);
        }
        catch
        {
            state.State.Bytes = previousBytes;
            throw;
        }
        return Outcome<bool>.Ok(true);
    }

    /// <summary>Forgets what a project's holders reserved here (the project left this account).</summary>
    private void DropBytesOf(string projectId)
    {
        foreach (var holder in state.State.Bytes.Keys.Where(holder => ProjectOf(holder) == projectId).ToList())
        {
            state.State.Bytes.Remove(holder);
        }
    }

    /// <summary>The project a byte holder belongs to: the holder itself, or what comes before its '/'.</summary>
    private static string ProjectOf(string holder) => holder.IndexOf('/') is var slash and >= 0 ? holder[..slash] : holder;

    public Task<int> CountAsync() => Task.FromResult(state.State.Projects.Count);

    public async Task<Outcome<ProjectPage>> ListAsync(string? cursor, int limit)
    {
        await ReconcileAsync();
        return Page(cursor, limit);
    }

    /// <summary>Settles every pending entry with what its project grain says now: the project as it is, or gone.</summary>
    private async Task ReconcileAsync()
    {
        if (state.State.Pending.Count == 0)
        {
            return;
        }
        var owner = this.GetPrimaryKeyString();
        var projects = state.State.Projects;
        foreach (var id in state.State.Pending.ToList())
        {
            var actual = await GrainFactory.GetGrain<IMockProjectGrain>(id).GetAsync(owner);
            projects = projects.Where(p => p.Id != id).ToList();
            if (actual is not null)
            {
                projects.Add(actual);
            }
            else
            {
                DropBytesOf(id); // gone, or moved to another account
            }
        }
        projects.Sort(NewestFirst);
        await CommitAsync(projects, []);
    }

    private List<ProjectInfo> With(ProjectInfo project)
    {
        var projects = state.State.Projects.Where(p => p.Id != project.Id).Append(project).ToList();
        projects.Sort(NewestFirst);
        return projects;
    }

    private Outcome<ProjectPage> Page(string? cursor, int limit)
    {
        var projects = state.State.Projects;
        var start = 0;
        if (!string.IsNullOrEmpty(cursor))
        {
            if (DecodeCursor(cursor) is not { } after)
            {
                return Outcome<ProjectPage>.Fail(OutcomeKind.Invalid, "cursor is not one this service issued; pass the nextCursor value of the previous page");
            }
            start = projects.FindIndex(p => NewestFirst(p, after) > 0);
            start = start < 0 ? projects.Count : start;
        }
        var items = projects.Skip(start).Take(Math.Max(1, limit)).ToArray();
        var next = start + items.Length < projects.Count ? EncodeCursor(items[^1]) : null;
        return Outcome<ProjectPage>.Ok(new ProjectPage(items, next));
    }

    private async Task CommitAsync(List<ProjectInfo> projects, List<string> pending)
    {
        var (previousProjects, previousPending) = (state.State.Projects, state.State.Pending);
        (state.State.Projects, state.State.Pending) = (projects, pending);
        await state.WriteOrRollBackAsync(this, () => (state.State.Projects, state.State.Pending) = (previousProjects, previousPending));
    }

    private static int NewestFirst(ProjectInfo a, ProjectInfo b)
    {
        var byTime = b.CreatedAt.CompareTo(a.CreatedAt);
        return byTime != 0 ? byTime : string.CompareOrdinal(b.Id, a.Id);
    }

    private static string EncodeCursor(ProjectInfo last) =>
        Base64Url.EncodeToString(Encoding.UTF8.GetBytes($"{last.CreatedAt.UtcTicks.ToString(CultureInfo.InvariantCulture)}:{last.Id}"));

    /// <summary>Decodes a cursor into a probe item that sorts where the cursor's item did; null when absent or malformed.</summary>
    private static ProjectInfo? DecodeCursor(string cursor)
    {
        try
        {
            var text = Encoding.UTF8.GetString(Base64Url.DecodeFromChars(cursor));
            var colon = text.IndexOf(':');
            if (colon <= 0 || !long.TryParse(text.AsSpan(0, colon), NumberStyles.None, CultureInfo.InvariantCulture, out var ticks)
                || ticks > DateTimeOffset.MaxValue.UtcTicks)
            {
                return null;
            }
            var at = new DateTimeOffset(ticks, TimeSpan.Zero);
            return new ProjectInfo(text[(colon + 1)..], "", "", null, at, at, "");
        }
        catch (FormatException)
        {
            return null;
        }
    }
}
