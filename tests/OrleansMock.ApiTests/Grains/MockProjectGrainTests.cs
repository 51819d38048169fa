using System.Text;
using OrleansMock.GrainInterfaces;
using OrleansMock.Grains.Projects;

namespace OrleansMock.Tests.Grains;

[Collection(ClusterCollection.Name)]
public sealed class MockProjectGrainTests(ClusterFixture fixture)
{
    private IGrainFactory Grains => fixture.Grains;

    private static string UniqueSlug(string prefix = "t") => $"{prefix}-{Guid.NewGuid():N}"[..30];

    private static EndpointSpec Spec(string method, string path, string body = "{\"ok\":true}") =>
        new(method, path, new ResponseDefinition(200, [], body, null, 0));

    private const string Owner = "u_owner";

    private async Task<ProjectInfo> CreateAsync(string? slug = null, string owner = Owner)
    {
        var id = ProjectIds.NewProjectId();
        var outcome = await Grains.GetGrain<IMockProjectGrain>(id).CreateAsync(new CreateProject("Shop", slug ?? UniqueSlug(), null, owner));
        Assert.True(outcome.IsOk, outcome.Error);
        return outcome.Value!;
    }

    [Fact]
    public async Task Concurrent_creates_with_one_slug_let_exactly_one_project_have_it()
    {
        var slug = UniqueSlug("race");
        var outcomes = await Task.WhenAll(Enumerable.Range(0, 12).Select(_ =>
            Grains.GetGrain<IMockProjectGrain>(ProjectIds.NewProjectId()).CreateAsync(new CreateProject("Race", slug, null, Owner))));

        var winners = outcomes.Where(o => o.IsOk).ToArray();
        Assert.Single(winners);
        Assert.All(outcomes.Where(o => !o.IsOk), o => Assert.Equal(OutcomeKind.Conflict, o.Kind));
        Assert.Equal(winners[0].Value!.Id, await Grains.GetGrain<IUniqueKeyGrain>(UniqueKeys.Slug(slug)).ResolveAsync());
    }

    [Fact]
    public async Task A_projects_slug_keeps_no_activation_once_idle_and_still_resolves()
    {
        var project = await CreateAsync();
        var key = Grains.GetGrain<IUniqueKeyGrain>(UniqueKeys.Slug(project.Slug));
        Assert.Equal(project.Id, await key.ResolveAsync());
        var management = Grains.GetGrain<IManagementGrain>(0);
        async Task<bool> ActiveAsync() =>
            (await management.GetDetailedGrainStatistics()).Any(s => s.GrainId.Key.ToString() == UniqueKeys.Slug(project.Slug));
        Assert.True(await ActiveAsync());

        // Let go within the idle time and a timer period or two (the project itself stays active).
        var deadline = DateTime.UtcNow + UniqueKeyGrain.IdleFor * 4;
        while (await ActiveAsync() && DateTime.UtcNow < deadline)
        {
            await Task.Delay(500);
        }
        Assert.False(await ActiveAsync(), $"the key was still active after {UniqueKeyGrain.IdleFor * 4}");
        Assert.Equal(project.Id, await key.ResolveAsync()); // from storage again
    }

    [Fact]
    public async Task Changing_the_slug_frees_the_old_one_and_takes_the_new_one()
    {
        var project = await CreateAsync();
        var newSlug = UniqueSlug("renamed");
        var updated = await Grains.GetGrain<IMockProjectGrain>(project.Id).UpdateAsync(Owner, new UpdateProject(null, newSlug, null));
        Assert.True(updated.IsOk, updated.Error);
        Assert.Null(await Grains.GetGrain<IUniqueKeyGrain>(UniqueKeys.Slug(project.Slug)).ResolveAsync());
        Assert.Equal(project.Id, await Grains.GetGrain<IUniqueKeyGrain>(UniqueKeys.Slug(newSlug)).ResolveAsync());

        var other = await CreateAsync(project.Slug); // the old slug is free for someone else
        Assert.NotEqual(project.Id, other.Id);
    }

    [Fact]
    public async Task Taking_a_slug_in_use_is_a_conflict()
    {
        var first = await CreateAsync();
        var second = await CreateAsync();
        var outcome = await Grains.GetGrain<IMockProjectGrain>(second.Id).UpdateAsync(Owner, new UpdateProject(null, first.Slug, null));
        Assert.Equal(OutcomeKind.Conflict, outcome.Kind);
        Assert.Contains(first.Slug, outcome.Error);
    }

    [Fact]
    public async Task A_slug_claim_left_by_a_project_that_does_not_hold_it_is_healed()
    {
        var slug = UniqueSlug("orphan");
        Assert.True(await Grains.GetGrain<IUniqueKeyGrain>(UniqueKeys.Slug(slug)).ClaimAsync(ProjectIds.NewProjectId())); // a create that died midway
        var project = await CreateAsync(slug);
        Assert.Equal(project.Id, await Grains.GetGrain<IUniqueKeyGrain>(UniqueKeys.Slug(slug)).ResolveAsync());
    }

    [Fact]
    public async Task Deleting_a_project_removes_it_everywhere()
    {
        var project = await CreateAsync();
        var grain = Grains.GetGrain<IMockProjectGrain>(project.Id);
        await grain.AddEndpointAsync(Owner, Spec("GET", "/a"));
        Assert.True(await grain.DeleteAsync(Owner));

        Assert.Null(await grain.GetAsync(Owner));
        Assert.Null(await Grains.GetGrain<IUniqueKeyGrain>(UniqueKeys.Slug(project.Slug)).ResolveAsync());
        var page = await Grains.GetGrain<IProjectCatalogGrain>(Owner).ListAsync(null, 100);
        Assert.DoesNotContain(page.Value!.Items, p => p.Id == project.Id);
        Assert.IsType<MockResult.NotFound>((await grain.HandleAsync(new MockRequest("GET", "/a", null))));
        Assert.False(await grain.DeleteAsync(Owner));
    }

    [Fact]
    public async Task Catalog_pages_newest_first_with_a_cursor()
    {
        var owner = "u_" + Guid.NewGuid().ToString("N")[..16];
        var created = new List<ProjectInfo>();
        for (var i = 0; i < 5; i++)
        {
            created.Add(await CreateAsync(owner: owner));
        }
        var catalog = Grains.GetGrain<IProjectCatalogGrain>(owner);
        var seen = new List<string>();
        string? cursor = null;
        do
        {
            var page = await catalog.ListAsync(cursor, 2);
            Assert.True(page.IsOk);
            Assert.True(page.Value!.Items.Length <= 2);
            seen.AddRange(page.Value.Items.Select(p => p.Id));
            cursor = page.Value.NextCursor;
        }
        while (cursor is not null);

        Assert.Equal(created.AsEnumerable().Reverse().Select(p => p.Id), seen);
        Assert.Equal(OutcomeKind.Invalid, (await catalog.ListAsync("not-a-cursor!", 2)).Kind);
    }

    [Fact]
    public async Task Endpoints_are_served_from_memory_and_reflect_every_change()
    {
        var project = await CreateAsync();
        var grain = Grains.GetGrain<IMockProjectGrain>(project.Id);
        var added = await grain.AddEndpointAsync(Owner, Spec("get", "/users/:id", "{\"v\":1}"));
        Assert.True(added.IsOk, added.Error);
        Assert.Equal("GET", added.Value!.Spec.Method);

        var hit = await grain.HandleAsync(new MockRequest("GET", "/users/7", project.Slug));
        Assert.Equal("{\"v\":1}", Encoding.UTF8.GetString(Assert.IsType<MockResult.Answered>(hit).Response.Body));

        var replaced = await grain.ReplaceEndpointAsync(Owner, added.Value.Id, Spec("GET", "/users/:id", "{\"v\":2}"), expectedRevision: 1);
        Assert.Equal(2, replaced.Value!.Revision);
        hit = await grain.HandleAsync(new MockRequest("GET", "/users/7", null));
        Assert.Equal("{\"v\":2}", Encoding.UTF8.GetString(Assert.IsType<MockResult.Answered>(hit).Response.Body));

        var stale = await grain.ReplaceEndpointAsync(Owner, added.Value.Id, Spec("GET", "/users/:id"), expectedRevision: 1);
        Assert.Equal(OutcomeKind.PreconditionFailed, stale.Kind);

        Assert.True((await grain.DeleteEndpointAsync(Owner, added.Value.Id)).IsOk);
        Assert.IsType<MockResult.NoMatch>((await grain.HandleAsync(new MockRequest("GET", "/users/7", null))));
    }

    [Fact]
    public async Task A_request_through_a_slug_the_project_no_longer_holds_is_refused()
    {
        var project = await CreateAsync();
        var grain = Grains.GetGrain<IMockProjectGrain>(project.Id);
        await grain.UpdateAsync(Owner, new UpdateProject(null, UniqueSlug("moved"), null));
        Assert.IsType<MockResult.StaleSlug>((await grain.HandleAsync(new MockRequest("GET", "/", project.Slug))));
    }

    [Fact]
    public async Task Duplicate_method_and_path_shape_is_a_conflict_but_another_method_is_not()
    {
        var project = await CreateAsync();
        var grain = Grains.GetGrain<IMockProjectGrain>(project.Id);
        Assert.True((await grain.AddEndpointAsync(Owner, Spec("GET", "/users/{id}"))).IsOk);
        Assert.Equal(OutcomeKind.Conflict, (await grain.AddEndpointAsync(Owner, Spec("GET", "/users/:other"))).Kind);
        Assert.True((await grain.AddEndpointAsync(Owner, Spec("ANY", "/users/{id}"))).IsOk);
        Assert.True((await grain.AddEndpointAsync(Owner, Spec("GET", "/users/me"))).IsOk);
    }

    [Fact]
    public async Task The_endpoint_limit_per_project_is_enforced()
    {
        var project = await CreateAsync();
        var grain = Grains.GetGrain<IMockProjectGrain>(project.Id);
        for (var i = 0; i < 5; i++)
        {
            Assert.True((await grain.AddEndpointAsync(Owner, Spec("GET", $"/e{i}"))).IsOk);
        }
        var outcome = await grain.AddEndpointAsync(Owner, Spec("GET", "/one-too-many"));
        Assert.Equal(OutcomeKind.LimitExceeded, outcome.Kind);
        Assert.Contains("limit", outcome.Error);
    }

    [Fact]
    public async Task Invalid_specs_are_refused_with_the_reason()
    {
        var project = await CreateAsync();
        var outcome = await Grains.GetGrain<IMockProjectGrain>(project.Id).AddEndpointAsync(Owner, Spec("GET", "no-slash"));
        Assert.Equal(OutcomeKind.Invalid, outcome.Kind);
        Assert.Contains("must start with '/'", outcome.Error);
    }

    [Fact]
    public async Task State_survives_deactivation_because_it_was_persisted()
    {
        var project = await CreateAsync();
        var grain = Grains.GetGrain<IMockProjectGrain>(project.Id);
        await grain.AddEndpointAsync(Owner, Spec("GET", "/kept", "\"kept\""));

        // Force every activation out of memory: the next call must load from the embedded store.
        foreach (var silo in fixture.Cluster.Silos)
        {
            var management = Grains.GetGrain<IManagementGrain>(0);
            await management.ForceActivationCollection(TimeSpan.Zero);
        }
        var hit = await grain.HandleAsync(new MockRequest("GET", "/kept", null));
        Assert.Equal("\"kept\"", Encoding.UTF8.GetString(Assert.IsType<MockResult.Answered>(hit).Response.Body));
    }

    [Fact]
    public async Task Concurrent_mock_requests_keep_the_request_log_and_the_projects_limit_exact()
    {
        // HandleAsync is read-only (it interleaves) yet updates the log and the counter: safe only because it never
        // awaits. 150 concurrent calls against a limit of 100: exactly 100 answered, 50 refused, all 150 logged.
        var project = await CreateAsync();
        var grain = Grains.GetGrain<IMockProjectGrain>(project.Id);
        Assert.True((await grain.AddEndpointAsync(Owner, Spec("GET", "/a"))).IsOk);
        Assert.True((await grain.UpdateAsync(Owner, new UpdateProject(null, null, null, RateLimit: 100))).IsOk);
        var results = await Task.WhenAll(Enumerable.Range(0, 150).Select(_ =>
            grain.HandleAsync(new MockRequest("GET", "/a", null, Query: "", Headers: [])).AsTask()));
        Assert.Equal(100, results.Count(r => r is MockResult.Answered));
        Assert.Equal(50, results.Count(r => r is MockResult.RateLimited));
        var log = await grain.GetRequestLogAsync(Owner, 1000);
        Assert.Equal(150, log.Value!.Length);
    }
}
