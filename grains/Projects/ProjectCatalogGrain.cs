using System.Buffers.Text;
using System.Globalization;
using System.Text;
using OrleansMock.GrainInterfaces;

namespace OrleansMock.Grains.Projects;

/// <summary>
/// One tenant's list of projects, newest first. Cursors name the last item of a page by (createdAt, id), so
/// paging stays stable while projects are added or deleted.
/// </summary>
[GrainType("projectcatalog")]
public sealed class ProjectCatalogGrain(
    [PersistentState("catalog", StorageNames.Main)] IPersistentState<CatalogState> state) : Grain, IProjectCatalogGrain
{
    public async Task UpsertAsync(ProjectInfo project)
    {
        var projects = state.State.Projects.Where(p => p.Id != project.Id).Append(project).ToList();
        projects.Sort(NewestFirst);
        await CommitAsync(projects);
    }

    public async Task RemoveAsync(string projectId)
    {
        if (state.State.Projects.Exists(p => p.Id == projectId))
        {
            await CommitAsync(state.State.Projects.Where(p => p.Id != projectId).ToList());
        }
    }

    public Task<int> CountAsync() => Task.FromResult(state.State.Projects.Count);

    public Task<Outcome<ProjectPage>> ListAsync(string? cursor, int limit)
    {
        var projects = state.State.Projects;
        var start = 0;
        if (!string.IsNullOrEmpty(cursor))
        {
            if (DecodeCursor(cursor) is not { } after)
            {
                return Task.FromResult(Outcome<ProjectPage>.Fail(OutcomeKind.Invalid,
                    "cursor is not one this service issued; pass the nextCursor value of the previous page"));
            }
            start = projects.FindIndex(p => NewestFirst(p, after) > 0);
            start = start < 0 ? projects.Count : start;
        }
        var items = projects.Skip(start).Take(Math.Max(1, limit)).ToArray();
        var next = start + items.Length < projects.Count ? EncodeCursor(items[^1]) : null;
        return Task.FromResult(Outcome<ProjectPage>.Ok(new ProjectPage(items, next)));
    }

    private async Task CommitAsync(List<ProjectInfo> projects)
    {
        var previous = state.State.Projects;
        state.State.Projects = projects;
        await state.WriteOrRollBackAsync(this, () => state.State.Projects = previous);
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
