using OrleansMock.GrainInterfaces;

namespace OrleansMock.Tests.Grains;

/// <summary>
/// Creating, renaming and deleting a project writes three grains (slug index, catalog, project). Each test stops the
/// change at one of its writes (the write fails as in a crash) and checks that the owner's list converges to what is
/// true: never a project missing from its owner's list, never a listed project that does not exist.
/// </summary>
[Collection(ClusterCollection.Name)]
public sealed class ProjectCrashPointTests(ClusterFixture fixture)
{
    private IGrainFactory Grains => fixture.Grains;

    private static string NewOwner() => "u_crash" + Guid.NewGuid().ToString("N")[..10];

    private static GrainId ProjectGrain(string id) => GrainId.Create("mockproject", id);

    private static GrainId CatalogGrain(string owner) => GrainId.Create("projectcatalog", owner);

    private async Task<string[]> ListedAsync(string owner) =>
        (await Grains.GetGrain<IProjectCatalogGrain>(owner).ListAsync(null, 100)).Value!.Items.Select(p => p.Id).ToArray();

    private async Task<ProjectInfo> CreateAsync(string owner, string? id = null)
    {
        var created = await Grains.GetGrain<IMockProjectGrain>(id ?? ProjectIds.NewProjectId()).CreateAsync(new CreateProject("Crash", null, null, owner));
        Assert.True(created.IsOk, created.Error);
        return created.Value!;
    }

    [Fact]
    public async Task Create_stopped_at_the_catalog_write_leaves_nothing_and_frees_the_slug()
    {
        var owner = NewOwner();
        var id = ProjectIds.NewProjectId();
        StorageFaults.FailNextWrite("catalog", CatalogGrain(owner));
        await Assert.ThrowsAnyAsync<Exception>(() => Grains.GetGrain<IMockProjectGrain>(id).CreateAsync(new CreateProject("Crash", $"crash-{id[2..]}", null, owner)));
        Assert.Empty(await ListedAsync(owner));
        Assert.Null(await Grains.GetGrain<IMockProjectGrain>(id).GetAsync(owner));
        Assert.Null(await Grains.GetGrain<IUniqueKeyGrain>(UniqueKeys.Slug($"crash-{id[2..]}")).ResolveAsync());
    }

    [Fact]
    public async Task Create_stopped_at_the_project_write_is_dropped_from_the_list_on_the_next_listing()
    {
        var owner = NewOwner();
        var id = ProjectIds.NewProjectId();
        StorageFaults.FailNextWrite("project", ProjectGrain(id));
        await Assert.ThrowsAnyAsync<Exception>(() => Grains.GetGrain<IMockProjectGrain>(id).CreateAsync(new CreateProject("Crash", null, null, owner)));
        Assert.Empty(await ListedAsync(owner)); // the pending entry was checked against the project grain
    }

    [Fact]
    public async Task Create_stopped_at_the_confirmation_still_lists_the_project()
    {
        // The pending catalog write happens, the project is written, the confirmation fails.
        var owner = NewOwner();
        var id = ProjectIds.NewProjectId();
        await FailSecondCatalogWriteAsync(owner, () => Grains.GetGrain<IMockProjectGrain>(id).CreateAsync(new CreateProject("Crash", null, null, owner)));
        Assert.NotNull(await Grains.GetGrain<IMockProjectGrain>(id).GetAsync(owner));
        Assert.Equal([id], await ListedAsync(owner));
    }

    [Fact]
    public async Task Rename_stopped_at_the_project_write_lists_the_name_the_project_really_has()
    {
        var owner = NewOwner();
        var project = await CreateAsync(owner);
        StorageFaults.FailNextWrite("project", ProjectGrain(project.Id));
        await Assert.ThrowsAnyAsync<Exception>(() => Grains.GetGrain<IMockProjectGrain>(project.Id).UpdateAsync(owner, new UpdateProject("Renamed", null, null)));
        var listed = (await Grains.GetGrain<IProjectCatalogGrain>(owner).ListAsync(null, 10)).Value!.Items.Single();
        Assert.Equal("Crash", listed.Name);
    }

    [Fact]
    public async Task An_endpoint_whose_record_write_fails_is_not_acknowledged_and_storage_decides_what_is_served()
    {
        var owner = NewOwner();
        var project = await CreateAsync(owner);
        var grain = Grains.GetGrain<IMockProjectGrain>(project.Id);
        var first = await grain.AddEndpointAsync(owner, Spec("/a"));
        Assert.True(first.IsOk, first.Error);
        StorageFaults.FailNextRecordWrite(OrleansMock.Grains.Storage.RecordCollection.Endpoints, project.Id);
        await Assert.ThrowsAnyAsync<Exception>(() => grain.AddEndpointAsync(owner, Spec("/b")));
        StorageFaults.FailNextRecordWrite(OrleansMock.Grains.Storage.RecordCollection.Endpoints, project.Id);
        await Assert.ThrowsAnyAsync<Exception>(() => grain.DeleteEndpointAsync(owner, first.Value!.Id));
        // The project reloads what storage holds: /a, not /b.
        Assert.Equal(["/a"], (await grain.ListEndpointsAsync(owner)).Value!.Select(e => e.Spec.Path));
        Assert.True((await grain.AddEndpointAsync(owner, Spec("/b"))).IsOk);
        Assert.Equal(["/a", "/b"], (await grain.ListEndpointsAsync(owner)).Value!.Select(e => e.Spec.Path));
    }

    private static EndpointSpec Spec(string path) => new("GET", path, new ResponseDefinition(200, [], "{}", null, 0));

    [Fact]
    public async Task Delete_stopped_at_the_project_clear_keeps_the_project_listed()
    {
        var owner = NewOwner();
        var project = await CreateAsync(owner);
        StorageFaults.FailNextWrite("project", ProjectGrain(project.Id));
        await Assert.ThrowsAnyAsync<Exception>(() => Grains.GetGrain<IMockProjectGrain>(project.Id).DeleteAsync(owner));
        Assert.NotNull(await Grains.GetGrain<IMockProjectGrain>(project.Id).GetAsync(owner));
        Assert.Equal([project.Id], await ListedAsync(owner));
    }

    [Fact]
    public async Task Delete_stopped_at_the_catalog_removal_drops_the_project_from_the_list_on_the_next_listing()
    {
        var owner = NewOwner();
        var project = await CreateAsync(owner);
        await FailSecondCatalogWriteAsync(owner, () => Grains.GetGrain<IMockProjectGrain>(project.Id).DeleteAsync(owner));
        Assert.Null(await Grains.GetGrain<IMockProjectGrain>(project.Id).GetAsync(owner));
        Assert.Empty(await ListedAsync(owner));
    }

    [Fact]
    public async Task Listing_while_the_same_project_changes_never_deadlocks()
    {
        // The catalog settles a pending entry by asking the project, which may itself be waiting on the catalog.
        var owner = NewOwner();
        var project = await CreateAsync(owner);
        var grain = Grains.GetGrain<IMockProjectGrain>(project.Id);
        for (var i = 0; i < 20; i++)
        {
            var renamed = grain.UpdateAsync(owner, new UpdateProject($"Name {i}", null, null));
            var listed = Enumerable.Range(0, 10).Select(async _ =>
            {
                await Task.Delay(Random.Shared.Next(0, 5));
                await Grains.GetGrain<IProjectCatalogGrain>(owner).ListAsync(null, 10);
            });
            await Task.WhenAll(listed.Append(renamed)).WaitAsync(TimeSpan.FromSeconds(10));
        }
        Assert.Equal("Name 19", (await Grains.GetGrain<IProjectCatalogGrain>(owner).ListAsync(null, 10)).Value!.Items.Single().Name);
    }

    /// <summary>Runs <paramref name="change"/> with its first catalog write (the pending entry) happening and the second failing.</summary>
    private static async Task FailSecondCatalogWriteAsync(string owner, Func<Task> change)
    {
        StorageFaults.FailWrite("catalog", CatalogGrain(owner), skip: 1);
        await Assert.ThrowsAnyAsync<Exception>(change);
    }
}
