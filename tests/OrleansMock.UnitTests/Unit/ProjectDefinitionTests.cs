using OrleansMock.GrainInterfaces;
using OrleansMock.Grains.Projects;

namespace OrleansMock.Tests.Unit;

/// <summary>The project's domain logic without a cluster: changes, their outcomes, and answering mock requests.</summary>
public sealed class ProjectDefinitionTests
{
    private static readonly DateTimeOffset Now = new(2026, 12, 1, 0, 0, 0, TimeSpan.Zero);
    private static readonly MockLimits Limits = new() { MaxEndpointsPerProject = 3, MaxResourcesPerProject = 1 };

    private static ProjectDefinition Project(bool isPrivate = false, bool cors = true) =>
        ProjectDefinition.Empty.With(new ProjectInfo("p_1", "shop", "Shop", null, Now, Now, "u_owner", isPrivate, null, cors));

    private static EndpointSpec Spec(string method, string path, int status = 200) => new(method, path, new ResponseDefinition(status, [], "{}", null, 0));

    private static ProjectDefinition Add(ProjectDefinition definition, string method, string path, string id)
    {
        var change = definition.AddEndpoint(Spec(method, path), Limits, id, Now);
        Assert.True(change.Outcome.IsOk, change.Outcome.Error);
        return change.Next!;
    }

    [Fact]
    public void Adding_an_endpoint_returns_it_and_the_definition_to_commit_leaving_the_old_one_unchanged()
    {
        var before = Project();
        var change = before.AddEndpoint(Spec("GET", "/users/:id"), Limits, "e_1", Now);
        Assert.Equal("GET", change.Outcome.Value!.Spec.Method);
        Assert.Equal(1, change.Outcome.Value.Revision);
        Assert.Single(change.Next!.Endpoints);
        Assert.Empty(before.Endpoints);
    }

    [Fact]
    public void An_endpoint_is_compiled_once_when_saved_and_not_again_when_other_endpoints_change()
    {
        // The answer of a static response is built when the endpoint compiles: the same object after another
        // endpoint was added means the route table reused the compiled endpoint instead of compiling it again.
        var first = Add(Project(), "GET", "/a", "e_1");
        var before = Assert.IsType<MockResult.Answered>(first.AnswerFresh(new MockRequest("GET", "/a", null), 10, _ => null)).Response;
        var second = Add(first, "GET", "/b", "e_2");
        var after = Assert.IsType<MockResult.Answered>(second.AnswerFresh(new MockRequest("GET", "/a", null), 10, _ => null)).Response;
        Assert.Same(before, after);
    }

    [Fact]
    public void A_second_endpoint_with_the_same_method_and_shape_is_a_conflict_and_changes_nothing()
    {
        var definition = Add(Project(), "GET", "/users/{id}", "e_1");
        var change = definition.AddEndpoint(Spec("GET", "/users/{uid}"), Limits, "e_2", Now);
        Assert.Equal(OutcomeKind.Conflict, change.Outcome.Kind);
        Assert.Null(change.Next);
    }

    [Fact]
    public void Conflicts_are_found_through_a_long_run_of_additions_edits_and_deletions()
    {
        // Additions carry the conflict index from one definition to the next; other changes rebuild it.
        var limits = new MockLimits { MaxEndpointsPerProject = 100 };
        var definition = Project();
        for (var i = 0; i < 40; i++)
        {
            definition = definition.AddEndpoint(Spec("GET", $"/items/{i}/{{id}}"), limits, $"e_{i}", Now).Next!;
        }
        var older = definition;
        Assert.Equal(OutcomeKind.Conflict, definition.AddEndpoint(Spec("GET", "/items/3/{other}"), limits, "e_x", Now).Outcome.Kind);
        Assert.True(definition.AddEndpoint(Spec("POST", "/items/3/{other}"), limits, "e_x", Now).Outcome.IsOk); // another method
        definition = definition.DeleteEndpoint("e_3").Next!;
        definition = definition.AddEndpoint(Spec("GET", "/items/3/{other}"), limits, "e_3b", Now).Next!;
        Assert.Equal(OutcomeKind.Conflict, definition.AddEndpoint(Spec("GET", "/items/3/{x}"), limits, "e_y", Now).Outcome.Kind);
        definition = definition.ReplaceEndpoint("e_5", Spec("GET", "/moved"), null, limits, Now).Next!;
        Assert.True(definition.AddEndpoint(Spec("GET", "/items/5/{id}"), limits, "e_5b", Now).Outcome.IsOk);
        Assert.Equal(OutcomeKind.Conflict, definition.AddEndpoint(Spec("GET", "/moved"), limits, "e_z", Now).Outcome.Kind);
        // The definitions before these changes still see their own endpoints.
        Assert.Equal(OutcomeKind.Conflict, older.AddEndpoint(Spec("GET", "/items/5/{x}"), limits, "e_w", Now).Outcome.Kind);
        Assert.True(older.AddEndpoint(Spec("GET", "/moved"), limits, "e_w", Now).Outcome.IsOk);
    }

    [Fact]
    public void The_endpoint_limit_is_a_limit_exceeded_outcome()
    {
        var definition = Add(Add(Add(Project(), "GET", "/a", "e_1"), "GET", "/b", "e_2"), "GET", "/c", "e_3");
        Assert.Equal(OutcomeKind.LimitExceeded, definition.AddEndpoint(Spec("GET", "/d"), Limits, "e_4", Now).Outcome.Kind);
    }

    [Fact]
    public void Replacing_checks_the_revision_and_bumps_it()
    {
        var definition = Add(Project(), "GET", "/a", "e_1");
        Assert.Equal(OutcomeKind.PreconditionFailed, definition.ReplaceEndpoint("e_1", Spec("GET", "/a", 201), 7, Limits, Now).Outcome.Kind);
        var replaced = definition.ReplaceEndpoint("e_1", Spec("GET", "/a", 201), 1, Limits, Now.AddMinutes(1));
        Assert.Equal(2, replaced.Outcome.Value!.Revision);
        Assert.Equal(201, replaced.Next!.Endpoints[0].Spec.Response.Status);
        Assert.Equal(OutcomeKind.NotFound, definition.ReplaceEndpoint("e_9", Spec("GET", "/a"), null, Limits, Now).Outcome.Kind);
    }

    [Fact]
    public void The_same_add_or_replace_sent_again_after_it_landed_answers_what_it_made_and_changes_nothing()
    {
        var definition = Add(Project(), "GET", "/a", "e_1");
        var again = definition.AddEndpoint(Spec("GET", "/a"), Limits, "e_1", Now.AddMinutes(1));
        Assert.Null(again.Next);
        Assert.Same(definition.Endpoints[0], again.Outcome.Value);
        Assert.Equal(OutcomeKind.Conflict, definition.AddEndpoint(Spec("GET", "/other"), Limits, "e_1", Now).Outcome.Kind);

        var replaced = definition.ReplaceEndpoint("e_1", Spec("GET", "/a", 201), 1, Limits, Now).Next!;
        var replayed = replaced.ReplaceEndpoint("e_1", Spec("GET", "/a", 201), 1, Limits, Now.AddMinutes(1));
        Assert.Null(replayed.Next);
        Assert.Equal(2, replayed.Outcome.Value!.Revision);
        Assert.Equal(OutcomeKind.PreconditionFailed, replaced.ReplaceEndpoint("e_1", Spec("GET", "/a", 202), 1, Limits, Now).Outcome.Kind);
    }

    [Fact]
    public void Deleting_an_endpoint_that_is_not_there_is_not_found()
    {
        var definition = Add(Project(), "GET", "/a", "e_1");
        Assert.Empty(definition.DeleteEndpoint("e_1").Next!.Endpoints);
        Assert.Equal(OutcomeKind.NotFound, definition.DeleteEndpoint("e_2").Outcome.Kind);
    }

    [Fact]
    public void Answers_from_the_routes_and_counts_against_the_projects_limit()
    {
        var definition = Add(Project(), "GET", "/users/{id}", "e_1");
        var limits = new List<int>();
        var matched = definition.AnswerFresh(new MockRequest("GET", "/users/7", null), 6000, limit => { limits.Add(limit); return null; });
        Assert.IsType<MockResult.Answered>(matched);
        Assert.Equal([6000], limits);
        var refused = definition.AnswerFresh(new MockRequest("GET", "/users/7", null), 6000, _ => new RateLimitDecision(false, 1, 0, 1, 1));
        Assert.IsType<MockResult.RateLimited>(refused);
        Assert.IsType<MockResult.NoMatch>(definition.AnswerFresh(new MockRequest("GET", "/orders", null), 6000, _ => null));
    }

    [Fact]
    public void A_private_project_answers_its_owner_only_and_cors_off_is_carried_on_the_result()
    {
        var definition = Add(Project(isPrivate: true, cors: false), "GET", "/a", "e_1");
        Assert.IsType<MockResult.Private>(definition.AnswerFresh(new MockRequest("GET", "/a", null, Caller: "u_other"), 10, _ => null));
        var owner = definition.AnswerFresh(new MockRequest("GET", "/a", null, Caller: "u_owner"), 10, _ => null);
        Assert.IsType<MockResult.Answered>(owner);
        Assert.True(owner.CorsDisabled);
    }

    [Fact]
    public void What_endpoints_leave_unanswered_goes_to_a_resource_and_an_endpoint_wins_over_it()
    {
        var withResource = Project().AddResource(new ResourceSpec("posts", null, null), Limits, Now).Next!;
        var resource = withResource.AnswerFresh(new MockRequest("GET", "/posts/1", null), 10, _ => null);
        var routed = Assert.IsType<MockResult.ToResource>(resource);
        Assert.Equal(("posts", "1"), (routed.Route.Resource, routed.Route.RecordId));
        Assert.Equal(["posts"], routed.Route.Defined!);
        var endpoint = Add(withResource, "GET", "/posts/{id}", "e_1").AnswerFresh(new MockRequest("GET", "/posts/1", null), 10, _ => null);
        Assert.IsType<MockResult.Answered>(endpoint);
    }

    [Fact]
    public void Resource_definitions_are_unique_limited_and_valid()
    {
        var withResource = Project().AddResource(new ResourceSpec("posts", null, null), Limits, Now).Next!;
        Assert.Equal(OutcomeKind.Conflict, withResource.AddResource(new ResourceSpec("posts", null, null), Limits, Now).Outcome.Kind);
        Assert.Equal(OutcomeKind.LimitExceeded, withResource.AddResource(new ResourceSpec("users", null, null), Limits, Now).Outcome.Kind);
        Assert.Equal(OutcomeKind.Invalid, Project().AddResource(new ResourceSpec("posts", "{\"$ref\":\"#\"}", null), Limits, Now).Outcome.Kind);
        Assert.Equal(OutcomeKind.NotFound, withResource.DeleteResource("users").Outcome.Kind);
        Assert.Empty(withResource.DeleteResource("posts").Next!.Resources);
    }

    [Fact]
    public void State_round_trips()
    {
        var definition = Add(Project(), "GET", "/a", "e_1").AddResource(new ResourceSpec("posts", null, null), Limits, Now).Next!;
        var stored = definition.ToState();
        Assert.Empty(stored.Endpoints); // endpoints are records of their own
        var again = ProjectDefinition.From(stored, definition.Endpoints);
        Assert.Equal(definition.Project, again.Project);
        Assert.Equal(definition.Endpoints, again.Endpoints);
        Assert.Equal(definition.Resources, again.Resources);
    }
}

internal static class FreshAnswers
{
    /// <summary>An answer with fresh scenario state and default limits.</summary>
    public static MockResult AnswerFresh(this ProjectDefinition definition, MockRequest request, int limit, Func<int, RateLimitDecision?> admit) =>
        definition.Answer(request, limit, admit, new OrleansMock.Grains.Responses.MockState(), new MockLimits(), Random.Shared);
}
