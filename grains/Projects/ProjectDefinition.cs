using System.Collections.Immutable;
using OrleansMock.GrainInterfaces;
using OrleansMock.Grains.Matching;
using OrleansMock.Grains.Proxying;
using OrleansMock.Grains.Resources;
using OrleansMock.Grains.Responses;
using OrleansMock.Grains.Routing;
using OrleansMock.Grains.Safety;

namespace OrleansMock.Grains.Projects;

/// <summary>A change to a project's definition: its outcome and, when it changes anything, the definition to commit.</summary>
public readonly record struct Change<T>(Outcome<T> Outcome, ProjectDefinition? Next)
{
    public static Change<T> Fail(OutcomeKind kind, string error) => new(Outcome<T>.Fail(kind, error), null);
}

/// <summary>
/// What one mock project is: the project, its endpoints in creation order and its resources, immutable, with the
/// route table compiled once. It answers mock requests (<see cref="Answer"/>) and computes every change to itself
/// (a <see cref="Change{T}"/> whose <c>Next</c> the grain commits); it knows nothing of storage or other grains, so
/// unit tests drive it directly.
/// </summary>
public sealed partial class ProjectDefinition
{
    public static readonly ProjectDefinition Empty = new(null, [], []);

    private RouteTable? _routes;

    // The endpoints by method and the requests they answer (SameRequestsKey): built when a change first asks, carried
    // to the next definition when a change adds an endpoint, so adding stubs one by one does not scan the project.
    private ImmutableDictionary<string, EndpointInfo[]>? _answering;
    private string[]? _resourceNames;
    private HashSet<string>? _singularNames;
    private long? _endpointBytes;

    // Each endpoint's size, computed once per (immutable) endpoint.
    private static readonly System.Runtime.CompilerServices.ConditionalWeakTable<EndpointInfo, object> Sizes = new();

    private ProjectDefinition(ProjectInfo? project, IReadOnlyList<EndpointInfo> endpoints, IReadOnlyList<ResourceInfo> resources, RecordingState? recording = null)
    {
        Project = project;
        Endpoints = endpoints;
        Resources = resources;
        Recording = recording;
    }

    public ProjectInfo? Project { get; }

    public IReadOnlyList<EndpointInfo> Endpoints { get; }

    public IReadOnlyList<ResourceInfo> Resources { get; }

    private string ProjectId => Project?.Id ?? "(none)";

    private RouteTable Routes => _routes ??= new RouteTable(Endpoints);

    /// <summary>About how many bytes the endpoint definitions take in all (see <see cref="EndpointSpec.SizeBytes"/>).</summary>
    public long EndpointBytes => _endpointBytes ??= Endpoints.Sum(e => (long)Sizes.GetValue(e, endpoint => endpoint.Spec.SizeBytes()));

    /// <summary>Why <paramref name="next"/> may not follow this definition: its endpoints grow past the project's bytes.</summary>
    public string? OverBudget(ProjectDefinition next, MockLimits limits) =>
        next.EndpointBytes > limits.MaxProjectBytes && next.EndpointBytes > EndpointBytes
            ? $"the project's endpoints would take {next.EndpointBytes} bytes, more than the {limits.MaxProjectBytes} a project may hold (OrleansMock:Limits:MaxProjectBytes); make the bodies smaller or delete endpoints"
            : null;

    /// <summary>The parts of a mock request (beyond method and path) the endpoints' conditions and templates read.</summary>
    public RequestParts Needs => Routes.Needs;

    /// <summary>Time the matchers and templates of one mock request may use in all.</summary>
    public static readonly TimeSpan RequestBudget = TimeSpan.FromMilliseconds(500);

    /// <summary>
    /// The endpoint nearest to a request that none answers, and why it does not (WireMock's near miss); null when one
    /// answers it now. Matched against fresh scenario state: asking changes nothing. <paramref name="budget"/> is shared
    /// by every request asked about in one call, so a long journal cannot make one call run without bound.
    /// </summary>
    public NearMiss? NearMiss(MockRequest request, MockLimits limits, WorkBudget budget)
    {
        try
        {
            budget.ThrowIfSpent();
            return Routes.Match(request, new Responses.MockState(), budget, limits, Random.Shared) is MockResult.NoMatch { Closest: var closest }
                ? closest : null;
        }
        catch (Exception exception) when (exception is not (OutOfMemoryException or OperationCanceledException))
        {
            return null; // a matcher over its budget: no near miss to show
        }
    }

    private string[] ResourceNames => _resourceNames ??= [.. Resources.Select(r => r.Name)];

    private HashSet<string> SingularNames => _singularNames ??= Resources.Where(r => r.Singular).Select(r => r.Name).ToHashSet(StringComparer.Ordinal);

    /// <summary>A project from its stored state and its endpoints (stored as records of their own).</summary>
    public static ProjectDefinition From(ProjectState state, IReadOnlyList<EndpointInfo> endpoints) => new(state.Project, [.. endpoints], [.. state.Resources], state.Recording);

    /// <summary>The project's state without its endpoints, which are stored one record each.</summary>
    public ProjectState ToState() => new() { Project = Project, Resources = [.. Resources], Recording = Recording };

    /// <summary>Whether everything but the endpoints is the same (the same instances: changes make new ones).</summary>
    public bool SameStateAs(ProjectDefinition other) =>
        ReferenceEquals(Project, other.Project) && ReferenceEquals(Resources, other.Resources) && ReferenceEquals(Recording, other.Recording);

    public ProjectDefinition With(ProjectInfo? project) => new(project, Endpoints, Resources, Recording);

    private ProjectDefinition With(IReadOnlyList<EndpointInfo> endpoints) => new(Project, endpoints, Resources, Recording);

    private ProjectDefinition With(IReadOnlyList<ResourceInfo> resources) => new(Project, Endpoints, resources, Recording);

    private ProjectDefinition With(RecordingState? recording) => new(Project, Endpoints, Resources, recording);

    /// <summary>
    /// The project when <paramref name="caller"/> may see it: its owner, or a member of the team that owns it (any
    /// role); to anyone else it does not exist.
    /// </summary>
    public ProjectInfo? OwnedBy(string caller) => Project is { } project && project.RoleOf(caller) is not null ? project : null;

    /// <summary>The caller's role here (<see cref="TeamRoles"/>), or null.</summary>
    public string? RoleOf(string caller) => Project?.RoleOf(caller);

    // ---- mock traffic ----------------------------------------------------------------------------------------------

    /// <summary>
    /// Answers a mock request: private projects answer their owner only, then the per-project limit
    /// (<paramref name="admit"/> counts and decides), then the most specific endpoint; what endpoints leave unanswered
    /// may belong to a resource (answered by its grain).
    /// </summary>
    public MockResult Answer(MockRequest request, int defaultRateLimit, Func<int, RateLimitDecision?> admit, MockState state, MockLimits limits, Random random,
        CancellationToken cancellation = default)
    {
        var project = Project!;
        // A team key limited to one project (CallerOnly) has no role in the team's others.
        if (project.Private && (request.Caller is not { } caller || project.RoleOf(caller) is null || (request.CallerOnly is { } only && only != project.Id)))
        {
            return MockResult.Unauthorized;
        }
        var needs = Routes.Needs;
        if (needs != RequestParts.None && (request.Detail is null || (needs & ~request.Detail.Parts) != 0))
        {
            // Asked before it is counted: the request comes again with what the matchers read.
            return new MockResult.NeedsDetail { Needs = needs };
        }
        // A prepaid request spends a permit its front end leased (counted then: AnswerCache).
        if (!request.Prepaid && admit(project.RateLimit ?? defaultRateLimit) is { Allowed: false } decision)
        {
            return new MockResult.RateLimited(decision) { Needs = needs };
        }
        if (Recording is { } recording)
        {
            // While recording, every request goes to the target and comes back to be recorded.
            return new MockResult.Forward(new ProxySpec(recording.Spec.TargetBaseUrl), Record: true) { CorsDisabled = !project.Cors, Needs = needs };
        }
        MockResult match;
        try
        {
            match = Routes.Match(request, state, new WorkBudget(RequestBudget, cancellation), limits, random);
            match = needs == RequestParts.None ? match : match with { Needs = needs }; // a shared prebuilt answer is copied only when it must carry needs
        }
        catch (Exception exception) when (exception is not (OutOfMemoryException or OperationCanceledException))
        {
            // A regular expression over its budget, a template that fails on this request (a bad date format, a
            // helper given the wrong arguments): the mock's definition cannot answer it, which is not a server error.
            return new MockResult.Failed(exception.Message) { Needs = needs };
        }
        if (match is not MockResult.NoMatch)
        {
            if (match is MockResult.Answered { Cacheable: true } cacheable && (needs != RequestParts.None || project.Private))
            {
                match = cacheable with { Cacheable = false }; // the answer depends on the caller, or on what other endpoints read
            }
            return project.Cors ? match : match with { CorsDisabled = true };
        }
        // Defined endpoints win; what they leave unanswered may belong to a resource, and the rest to the project's proxy.
        var resourceRoute = RouteToResource(request.Path);
        if (resourceRoute is null)
        {
            if (project.Proxy is { } fallback)
            {
                match = new MockResult.Forward(fallback) { Needs = needs };
            }
            return project.Cors ? match : match with { CorsDisabled = true };
        }
        return request.Method == "OPTIONS"
            ? new MockResult.Options(resourceRoute.AllowedMethods, ForResource: true) { CorsDisabled = !project.Cors, Needs = needs }
            : new MockResult.ToResource(resourceRoute) { CorsDisabled = !project.Cors, Needs = needs };
    }

    /// <summary>Whether any endpoint of the project sends webhooks.</summary>
    public bool SendsWebhooks => Routes.SendsWebhooks;

    /// <summary>
    /// The webhooks <paramref name="result"/>'s response sends for <paramref name="request"/>: the rendered calls, and an
    /// attempt logged for each that could not be rendered (WireMock logs those as error sub-events too).
    /// </summary>
    public (WebhookCall[] Calls, WebhookAttempt[] Failures) Webhooks(MockRequest request, MockResult result, MockLimits limits, Random random,
        DateTimeOffset now, long seq, CancellationToken cancellation)
    {
        if (result is not MockResult.Answered { Response: var response } || Routes.WebhooksOf(response.EndpointId, response.ResponseIndex) is not { Webhooks.Length: > 0 } found)
        {
            return ([], []);
        }
        var view = new RequestView(request);
        var parameters = found.Template?.Values(RouteTemplate.SplitPath(request.Path)) ?? [];
        var budget = new WorkBudget(RequestBudget, cancellation);
        var (calls, failures) = (new List<WebhookCall>(), new List<WebhookAttempt>());
        foreach (var webhook in found.Webhooks)
        {
            try
            {
                calls.Add(webhook.Render(view, parameters, limits, budget, random, now, response.EndpointId, seq));
            }
            catch (Exception exception) when (exception is not (OutOfMemoryException or OperationCanceledException))
            {
                failures.Add(new WebhookAttempt(Guid.NewGuid().ToString("N"), now, response.EndpointId, seq, webhook.Spec.Method, webhook.Spec.Url, [], null,
                    null, "the webhook could not be made: " + exception.Message, 0));
            }
        }
        return ([.. calls], [.. failures]);
    }

    /// <summary>Where a mock path lands among the project's resources (null: none of them).</summary>
    public ResourceRoute? RouteToResource(string path) =>
        Resources.Count == 0 || Project is not { } project ? null : ResourceRules.Find(project.Id, ResourceNames, SingularNames, project.ForeignKeySuffix, path);

    // ---- endpoints -------------------------------------------------------------------------------------------------

    public Outcome<EndpointInfo> GetEndpoint(string endpointId) =>
        Endpoints.FirstOrDefault(e => e.Id == endpointId) is { } endpoint ? Outcome<EndpointInfo>.Ok(endpoint) : EndpointNotFound(endpointId);

    public Change<EndpointInfo> AddEndpoint(EndpointSpec spec, MockLimits limits, string newId, DateTimeOffset now)
    {
        if (IndexOf(newId) is >= 0 and var existing)
        {
            // The same call again (a retry whose first attempt landed): the endpoint it made is the answer.
            return CheckSpec(spec, limits, exceptId: newId, out var again) is null && SameSpec(Endpoints[existing].Spec, again)
                ? new(Outcome<EndpointInfo>.Ok(Endpoints[existing]), null)
                : Change<EndpointInfo>.Fail(OutcomeKind.Conflict, $"endpoint {newId} already exists with another definition");
        }
        if (Endpoints.Count >= limits.MaxEndpointsPerProject)
        {
            return Change<EndpointInfo>.Fail(OutcomeKind.LimitExceeded,
                $"project already has {Endpoints.Count} endpoints, the limit per project; delete some first");
        }
        if (CheckSpec(spec, limits, exceptId: null, out var normalized) is { } failure)
        {
            return new(failure, null);
        }
        var endpoint = new EndpointInfo(newId, normalized, 1, now, now);
        if (!CompiledEndpoint.TryCompile(endpoint, out _, out var error))
        {
            return Change<EndpointInfo>.Fail(OutcomeKind.Invalid, error);
        }
        var next = With([.. Endpoints, endpoint]);
        next._answering = _answering is { } answering ? WithAnswering(answering, endpoint) : null;
        return new(Outcome<EndpointInfo>.Ok(endpoint), next);
    }

    /// <summary>
    /// Replaces an endpoint's spec. An edit keeps the OpenAPI contract the endpoint was imported with
    /// (<paramref name="keepContract"/>: the document, not the edit, defines it); an import brings its own.
    /// </summary>
    public Change<EndpointInfo> ReplaceEndpoint(string endpointId, EndpointSpec spec, int? expectedRevision, MockLimits limits, DateTimeOffset now,
        bool keepContract = true)
    {
        var index = IndexOf(endpointId);
        if (index < 0)
        {
            return new(EndpointNotFound(endpointId), null);
        }
        var current = Endpoints[index];
        var failure = CheckSpec(spec, limits, exceptId: endpointId, out var normalized);
        var next = failure is null && keepContract && normalized.Contract is null ? normalized with { Contract = current.Spec.Contract } : normalized;
        if (expectedRevision is { } expected && expected != current.Revision)
        {
            // The same change again (a retry whose first attempt landed): it is the revision after the expected one.
            return failure is null && expected == current.Revision - 1 && SameSpec(current.Spec, next) ? new(Outcome<EndpointInfo>.Ok(current), null)
                : Change<EndpointInfo>.Fail(OutcomeKind.PreconditionFailed, $"endpoint {endpointId} is at revision {current.Revision}, not {expected}; it was changed meanwhile");
        }
        if (failure is not null)
        {
            return new(failure, null);
        }
        var replaced = current with { Spec = next, Revision = current.Revision + 1, UpdatedAt = now };
        if (!CompiledEndpoint.TryCompile(replaced, out _, out var error))
        {
            return Change<EndpointInfo>.Fail(OutcomeKind.Invalid, error);
        }
        return new(Outcome<EndpointInfo>.Ok(replaced), With(Endpoints.Select((e, i) => i == index ? replaced : e).ToList()));
    }

    public Change<bool> DeleteEndpoint(string endpointId) =>
        IndexOf(endpointId) < 0
            ? Change<bool>.Fail(OutcomeKind.NotFound, $"endpoint {endpointId} does not exist in project {ProjectId}")
            : new(Outcome<bool>.Ok(true), With(Endpoints.Where(e => e.Id != endpointId).ToList()));

    /// <summary>Whether two endpoint definitions are the same (as stored).</summary>
    private static bool SameSpec(EndpointSpec a, EndpointSpec b) =>
        ReferenceEquals(a, b) || System.Text.Json.JsonSerializer.Serialize(a, Storage.StoredJson.Options) == System.Text.Json.JsonSerializer.Serialize(b, Storage.StoredJson.Options);

    private int IndexOf(string endpointId)
    {
        for (var i = 0; i < Endpoints.Count; i++)
        {
            if (Endpoints[i].Id == endpointId)
            {
                return i;
            }
        }
        return -1;
    }

    /// <summary>
    /// Validates and normalizes a spec, and checks that no other endpoint answers exactly the same requests: the same
    /// method, path shape (or pattern), priority, conditions and scenario states. Endpoints that differ in any coexist.
    /// </summary>
    private Outcome<EndpointInfo>? CheckSpec(EndpointSpec spec, MockLimits limits, string? exceptId, out EndpointSpec normalized)
    {
        if (!EndpointValidator.TryNormalize(spec, limits, out normalized, out var error))
        {
            return Outcome<EndpointInfo>.Fail(OutcomeKind.Invalid, error);
        }
        if (EndpointValidator.CheckGraphQl(normalized) is { } graphQlError)
        {
            return Outcome<EndpointInfo>.Fail(OutcomeKind.Unprocessable, graphQlError);
        }
        if (SameAs(normalized, exceptId) is { } other)
        {
            var where = other.Spec.PathPattern is { } pattern ? $"pattern {pattern}" : other.Spec.Path;
            return Outcome<EndpointInfo>.Fail(OutcomeKind.Conflict,
                $"endpoint {other.Id} already answers {other.Spec.Method} {where} with the same priority and conditions; change that endpoint instead, or give this one other conditions or another priority");
        }
        return null;
    }

    // Computed once per stored spec: an import of n endpoints compares each new one with all the others.
    private static readonly System.Runtime.CompilerServices.ConditionalWeakTable<EndpointSpec, string> SameRequestsKeys = new();

    /// <summary>The endpoint (other than <paramref name="exceptId"/>) that answers exactly the requests <paramref name="spec"/> would.</summary>
    private EndpointInfo? AnsweringSame(EndpointSpec spec, string? exceptId)
    {
        if (!EndpointValidator.TryNormalize(spec, new MockLimits { MaxPathLength = int.MaxValue }, out var normalized, out _))
        {
            return null;
        }
        return SameAs(normalized, exceptId);
    }

    /// <summary>The endpoint (other than <paramref name="exceptId"/>) that answers exactly the requests a normalized spec answers.</summary>
    private EndpointInfo? SameAs(EndpointSpec normalized, string? exceptId)
    {
        _answering ??= Endpoints.Aggregate(ImmutableDictionary.Create<string, EndpointInfo[]>(StringComparer.Ordinal), WithAnswering);
        return _answering.TryGetValue(AnsweringKey(normalized), out var answering) ? answering.FirstOrDefault(e => e.Id != exceptId) : null;
    }

    private static ImmutableDictionary<string, EndpointInfo[]> WithAnswering(
        ImmutableDictionary<string, EndpointInfo[]> answering, EndpointInfo endpoint)
    {
        var key = AnsweringKey(endpoint.Spec);
        return answering.SetItem(key, answering.TryGetValue(key, out var others) ? [.. others, endpoint] : [endpoint]);
    }

    private static string AnsweringKey(EndpointSpec spec) => spec.Method + " " + SameRequestsKey(spec);

    private static string SameRequestsKey(EndpointSpec spec) => SameRequestsKeys.GetValue(spec, static spec =>
    {
        var path = spec.PathPattern is { } pattern
            ? "~" + pattern
            : RouteTemplate.TryParse(spec.Path, int.MaxValue, out var template, out _) ? template.Shape : spec.Path;
        // Responses that wait for different scenario states answer different requests over time (WireMock's mappings
        // for one request in several states), so they are not the same endpoint.
        var scenarios = string.Join("|", spec.AllResponses.Select(r => r.Scenario is { } step ? $"{step.Name}:{step.RequiredState}" : ""));
        return $"{path} {spec.Priority} {System.Text.Json.JsonSerializer.Serialize(spec.Request)} {scenarios}";
    });

    private Outcome<EndpointInfo> EndpointNotFound(string endpointId) =>
        Outcome<EndpointInfo>.Fail(OutcomeKind.NotFound, $"endpoint {endpointId} does not exist in project {ProjectId}");

    // ---- resources (their definitions; the records live in the resource grains) -------------------------------------

    public ResourceInfo? FindResource(string name) => Resources.FirstOrDefault(r => r.Name == name);

    /// <summary>A new resource, if the spec is valid, the name free and the project under its limit; the grain seeds it, then commits.</summary>
    public Change<ResourceInfo> AddResource(ResourceSpec spec, MockLimits limits, DateTimeOffset now)
    {
        if (ResourceRules.Check(spec, limits) is { } error)
        {
            return Change<ResourceInfo>.Fail(OutcomeKind.Invalid, error);
        }
        if (FindResource(spec.Name) is not null)
        {
            return Change<ResourceInfo>.Fail(OutcomeKind.Conflict, $"resource '{spec.Name}' already exists; change it with PUT or choose another name");
        }
        if (Resources.Count >= limits.MaxResourcesPerProject)
        {
            return Change<ResourceInfo>.Fail(OutcomeKind.LimitExceeded, $"a project may define {limits.MaxResourcesPerProject} resources; delete one first");
        }
        var singular = spec.SeedJson is { } seed && seed.TrimStart().StartsWith('{');
        var resource = new ResourceInfo(spec.Name, spec.SchemaJson, spec.SeedJson, now, now, spec.IdField, singular);
        return new(Outcome<ResourceInfo>.Ok(resource), With([.. Resources, resource]));
    }

    public Change<ResourceInfo> UpdateResource(ResourceSpec spec, MockLimits limits, DateTimeOffset now)
    {
        if (FindResource(spec.Name) is not { } current)
        {
            return new(ResourceNotFound(spec.Name), null);
        }
        if (ResourceRules.Check(spec, limits) is { } error)
        {
            return Change<ResourceInfo>.Fail(OutcomeKind.Invalid, error);
        }
        if (spec.IdField is not null && spec.IdField != current.IdProperty)
        {
            return Change<ResourceInfo>.Fail(OutcomeKind.Invalid,
                $"idField of '{spec.Name}' is '{current.IdProperty}' and cannot change while it holds records; delete the resource and define it again");
        }
        if (spec.SeedJson is { } seed && seed.TrimStart().StartsWith('{') != current.Singular)
        {
            return Change<ResourceInfo>.Fail(OutcomeKind.Invalid, current.Singular
                ? $"'{spec.Name}' is a singular resource: its seed must be one JSON object; delete it and define it again to make it a collection"
                : $"'{spec.Name}' is a collection: its seed must be a JSON array; delete it and define it again to make it a singular resource");
        }
        var updated = current with { SchemaJson = spec.SchemaJson, SeedJson = spec.SeedJson, UpdatedAt = now };
        return new(Outcome<ResourceInfo>.Ok(updated), With(Resources.Select(r => r.Name == spec.Name ? updated : r).ToList()));
    }

    public Change<bool> DeleteResource(string name) =>
        FindResource(name) is null
            ? Change<bool>.Fail(OutcomeKind.NotFound, $"resource '{name}' does not exist in project {ProjectId}")
            : new(Outcome<bool>.Ok(true), With(Resources.Where(r => r.Name != name).ToList()));

    public Outcome<ResourceInfo> ResourceNotFound(string name) =>
        Outcome<ResourceInfo>.Fail(OutcomeKind.NotFound, $"resource '{name}' does not exist in project {ProjectId}");
}
