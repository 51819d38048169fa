using Orleans.Storage;
using OrleansMock.GrainInterfaces;
using OrleansMock.Grains.Projects;

namespace OrleansMock.Tests.Storage;

/// <summary>
/// The contract every grain storage backend of ours must keep. A backend's test class derives from this and says
/// how to create (and re-create, to prove durability) its storage.
/// </summary>
public abstract class GrainStorageContract
{
    /// <summary>A storage instance over the backend's database.</summary>
    protected abstract Task<IGrainStorage> CreateStorageAsync();

    /// <summary>
    /// Another storage instance over the same database, as a restarted silo makes (a new host, nothing shared in memory):
    /// it must see what the first one wrote. Only the memory backend, which is not durable, answers the same instance.
    /// </summary>
    protected virtual Task<IGrainStorage> ReopenStorageAsync() => CreateStorageAsync();

    /// <summary>False only for the memory backend: its "reopened" storage is the same instance.</summary>
    protected virtual bool Durable => true;

    /// <summary>Backends whose tests should skip call this; the message says why.</summary>
    protected static StorageHost Require(StorageHost? host, string reason)
    {
        Skip.If(host is null, reason);
        return host!;
    }

    private static GrainId NewGrainId() => GrainId.Create("contracttest", Guid.NewGuid().ToString("N"));

    private static GrainState<UniqueKeyState> Fresh() => new(new UniqueKeyState());

    /// <summary>Two grains read the same record; the winner writes first, leaving the other holding a stale ETag.</summary>
    private static async Task<(GrainState<UniqueKeyState> Stale, GrainState<UniqueKeyState> Winner)> OverwrittenAsync(IGrainStorage storage, GrainId id)
    {
        var stale = Fresh();
        await storage.WriteStateAsync("slug", id, stale);
        var winner = Fresh();
        await storage.ReadStateAsync("slug", id, winner);
        winner.State!.HolderId = "winner";
        await storage.WriteStateAsync("slug", id, winner);
        return (stale, winner);
    }

    [SkippableFact]
    public async Task Missing_record_reads_as_not_existing_with_fresh_state()
    {
        var storage = await CreateStorageAsync();
        var state = new GrainState<UniqueKeyState>(new UniqueKeyState { HolderId = "leftover" }) { ETag = "stale", RecordExists = true };
        await storage.ReadStateAsync("slug", NewGrainId(), state);
        Assert.False(state.RecordExists);
        Assert.Null(state.ETag);
        Assert.Null(state.State!.HolderId);
    }

    [SkippableFact]
    public async Task Write_then_read_round_trips_state_and_etag()
    {
        var storage = await CreateStorageAsync();
        var id = NewGrainId();
        var written = Fresh();
        written.State!.HolderId = "p_1";
        await storage.WriteStateAsync("slug", id, written);
        Assert.NotNull(written.ETag);
        Assert.True(written.RecordExists);

        var read = Fresh();
        var reopened = await ReopenStorageAsync();
        Assert.True(!Durable || !ReferenceEquals(reopened, storage), "durability is proven by another storage instance over the same database, not the same one");
        await reopened.ReadStateAsync("slug", id, read);
        Assert.True(read.RecordExists);
        Assert.Equal(written.ETag, read.ETag);
        Assert.Equal("p_1", read.State!.HolderId);
    }

    [SkippableFact]
    public async Task Each_write_changes_the_etag_and_the_grain_keeps_the_stored_one()
    {
        var storage = await CreateStorageAsync();
        var id = NewGrainId();
        var state = Fresh();
        await storage.WriteStateAsync("slug", id, state);
        var first = state.ETag;
        state.State!.HolderId = "p_2";
        await storage.WriteStateAsync("slug", id, state);
        Assert.NotEqual(first, state.ETag);

        var read = Fresh();
        await storage.ReadStateAsync("slug", id, read);
        Assert.Equal(state.ETag, read.ETag);
    }

    [SkippableFact]
    public async Task Insert_over_an_existing_record_is_a_conflict()
    {
        var storage = await CreateStorageAsync();
        var id = NewGrainId();
        await storage.WriteStateAsync("slug", id, Fresh());
        var stale = Fresh();
        var exception = await Assert.ThrowsAsync<InconsistentStateException>(() => storage.WriteStateAsync("slug", id, stale));
        Assert.Null(exception.CurrentEtag);
        Assert.NotNull(exception.StoredEtag);
    }

    [SkippableFact]
    public async Task Write_with_a_stale_etag_is_rejected_with_both_etags_and_changes_nothing()
    {
        var storage = await CreateStorageAsync();
        var id = NewGrainId();
        var (a, b) = await OverwrittenAsync(storage, id);

        a.State!.HolderId = "loser";
        var staleEtag = a.ETag;
        var exception = await Assert.ThrowsAsync<InconsistentStateException>(() => storage.WriteStateAsync("slug", id, a));
        Assert.Equal(staleEtag, exception.CurrentEtag);
        Assert.Equal(b.ETag, exception.StoredEtag);

        var read = Fresh();
        await storage.ReadStateAsync("slug", id, read);
        Assert.Equal("winner", read.State!.HolderId);
    }

    [SkippableFact]
    public async Task Clear_removes_the_record_and_leaves_a_consistent_etag()
    {
        var storage = await CreateStorageAsync();
        var id = NewGrainId();
        var state = Fresh();
        state.State!.HolderId = "p_3";
        await storage.WriteStateAsync("slug", id, state);
        await storage.ClearStateAsync("slug", id, state);
        Assert.False(state.RecordExists);

        var read = Fresh();
        await storage.ReadStateAsync("slug", id, read);
        Assert.False(read.RecordExists);

        state.State!.HolderId = "again";
        await storage.WriteStateAsync("slug", id, state); // a write after clear starts over cleanly
        await storage.ReadStateAsync("slug", id, read);
        Assert.Equal("again", read.State!.HolderId);
    }

    [SkippableFact]
    public async Task Clear_with_a_stale_etag_is_rejected()
    {
        var storage = await CreateStorageAsync();
        var id = NewGrainId();
        var (a, _) = await OverwrittenAsync(storage, id);
        await Assert.ThrowsAsync<InconsistentStateException>(() => storage.ClearStateAsync("slug", id, a));

        var read = Fresh();
        await storage.ReadStateAsync("slug", id, read);
        Assert.True(read.RecordExists);
    }

    [SkippableFact]
    public async Task State_names_and_grain_ids_are_separate_records()
    {
        var storage = await CreateStorageAsync();
        var id = NewGrainId();
        var one = Fresh();
        one.State!.HolderId = "one";
        await storage.WriteStateAsync("first", id, one);
        var other = Fresh();
        await storage.ReadStateAsync("second", id, other);
        Assert.False(other.RecordExists);
        await storage.ReadStateAsync("first", NewGrainId(), other);
        Assert.False(other.RecordExists);
    }

    [SkippableFact]
    public async Task Large_state_near_the_body_limit_round_trips()
    {
        var storage = await CreateStorageAsync();
        var id = NewGrainId();
        var large = new GrainState<CatalogState>(new CatalogState());
        var at = DateTimeOffset.UnixEpoch;
        // About 1 MiB of JSON: the size of a project at its endpoint limit with large bodies.
        for (var i = 0; i < 2000; i++)
        {
            large.State!.Projects.Add(new ProjectInfo($"p_{i}", $"slug-{i}", new string('n', 200), new string('d', 300), at, at, "owner"));
        }
        await storage.WriteStateAsync("catalog", id, large);
        var read = new GrainState<CatalogState>(new CatalogState());
        await storage.ReadStateAsync("catalog", id, read);
        Assert.Equal(2000, read.State!.Projects.Count);
        Assert.Equal(large.State!.Projects[1999], read.State.Projects[1999]);
    }

    [SkippableFact]
    public async Task Unicode_and_special_characters_round_trip_exactly()
    {
        var storage = await CreateStorageAsync();
        var id = GrainId.Create("contracttest", "grain/with:odd#chars é " + Guid.NewGuid().ToString("N"));
        const string text = "héllo wörld ✓ 日本語 🚀 \"quotes\" \\ back\\slash \u0000nul \t tab '; DROP TABLE x; -- {\"$gt\":1}";
        var state = Fresh();
        state.State!.HolderId = text;
        await storage.WriteStateAsync("slug", id, state);
        var read = Fresh();
        await storage.ReadStateAsync("slug", id, read);
        Assert.Equal(text, read.State!.HolderId);
    }

    [SkippableFact]
    public async Task Many_grains_keep_separate_records()
    {
        var storage = await CreateStorageAsync();
        var ids = Enumerable.Range(0, 50).Select(_ => NewGrainId()).ToArray();
        await Task.WhenAll(ids.Select(async (id, i) =>
        {
            var state = Fresh();
            state.State!.HolderId = $"p_{i}";
            await storage.WriteStateAsync("slug", id, state);
        }));
        for (var i = 0; i < ids.Length; i++)
        {
            var read = Fresh();
            await storage.ReadStateAsync("slug", ids[i], read);
            Assert.Equal($"p_{i}", read.State!.HolderId);
        }
    }

    [SkippableFact]
    public async Task Concurrent_writers_with_the_same_etag_let_exactly_one_win()
    {
        var storage = await CreateStorageAsync();
        var id = NewGrainId();
        await storage.WriteStateAsync("slug", id, Fresh());
        var contenders = new List<GrainState<UniqueKeyState>>();
        for (var i = 0; i < 8; i++)
        {
            var state = Fresh();
            await storage.ReadStateAsync("slug", id, state);
            state.State!.HolderId = $"writer-{i}";
            contenders.Add(state);
        }
        var results = await Task.WhenAll(contenders.Select(async state =>
        {
            try
            {
                await Task.Run(() => storage.WriteStateAsync("slug", id, state));
                return true;
            }
            catch (InconsistentStateException)
            {
                return false;
            }
        }));
        Assert.Equal(1, results.Count(won => won));
    }

    /// <summary>
    /// The stored JSON of a grain's state as the database holds it, or null for a backend that stores objects
    /// (Memory): used to check the stored shape, not only the round trip.
    /// </summary>
    protected virtual Task<string?> StoredJsonAsync(string stateName, GrainId grainId) => Task.FromResult<string?>(null);

    /// <summary>Extra checks of a stored project document (Mongo promotes the owner and creation time).</summary>
    protected virtual Task CheckStoredProjectAsync(GrainId grainId, ProjectInfo project) => Task.CompletedTask;

    [SkippableFact]
    public async Task State_is_stored_as_camel_case_json_without_clr_type_names()
    {
        var storage = await CreateStorageAsync();
        var id = GrainId.Create("shapetest", "shape-" + Guid.NewGuid().ToString("N"));
        var created = new DateTimeOffset(2026, 11, 30, 12, 0, 0, TimeSpan.Zero);
        var project = new ProjectInfo("p_shape", "shape", "Shape", null, created, created, "u_owner");
        var state = new GrainState<ProjectState>(new ProjectState { Project = project });
        await storage.WriteStateAsync("project", id, state);

        var json = await StoredJsonAsync("project", id);
        Skip.If(json is null, "this backend keeps objects in memory: there is no stored shape to check");
        Assert.DoesNotContain("$type", json);
        Assert.DoesNotContain("$id", json);
        Assert.DoesNotContain("OrleansMock.", json);
        using var document = System.Text.Json.JsonDocument.Parse(json!);
        var stored = document.RootElement.GetProperty("project");
        Assert.Equal("u_owner", stored.GetProperty("owner").GetString());
        Assert.Equal(created, stored.GetProperty("createdAt").GetDateTimeOffset());
        Assert.True(document.RootElement.TryGetProperty("endpoints", out _), $"camelCase member names expected: {json}");
        await CheckStoredProjectAsync(id, project);
    }
}
