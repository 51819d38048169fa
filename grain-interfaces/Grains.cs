using Orleans.Concurrency;

namespace OrleansMock.GrainInterfaces;

/// <summary>A grain that holds unique keys (a project holds its slug, a user its email).</summary>
[Alias("om.IUniqueKeyHolder")]
public interface IUniqueKeyHolder : IGrainWithStringKey
{
    /// <summary>Whether this grain holds <paramref name="key"/>, or is about to; the key index asks before it heals a claim.</summary>
    [ReadOnly, AlwaysInterleave, Alias("HoldsKey")]
    Task<bool> HoldsKeyAsync(string key);
}

/// <summary>
/// One mock project, keyed by project id. Holds the project and its endpoints in memory and answers mock
/// traffic from memory; every acknowledged change is persisted first. Management methods take the caller's user
/// id: a project that is not the caller's answers NotFound, exactly as one that does not exist.
/// </summary>
[Alias("om.IMockProjectGrain")]
public interface IMockProjectGrain : IUniqueKeyHolder
{
    [Alias("Create")]
    Task<Outcome<ProjectInfo>> CreateAsync(CreateProject command);

    /// <summary>
    /// The project as stored, for its owner. Interleaves with everything: the owner's catalog asks it while settling a
    /// pending entry, possibly while this grain is itself waiting on the catalog in a change (no deadlock).
    /// </summary>
    [AlwaysInterleave, Alias("Get")]
    Task<ProjectInfo?> GetAsync(string caller);

    [Alias("Update")]
    Task<Outcome<ProjectInfo>> UpdateAsync(string caller, UpdateProject command);

    /// <summary>What the project holds against its budgets (endpoints and their bytes, its resources' names).</summary>
    [ReadOnly, Alias("GetUsage")]
    Task<Outcome<ProjectUsage>> GetUsageAsync(string caller);

    /// <summary>The project's history of changes, newest first, a page after <paramref name="before"/> (an entry id).</summary>
    [ReadOnly, Alias("GetHistory")]
    Task<Outcome<HistoryEntry[]>> GetHistoryAsync(string caller, string? before, int limit);

    /// <summary>
    /// Undoes a change: the endpoints and resources it deleted or changed come back as they were, those it created go,
    /// the project's settings go back (editors; the owner for a slug or privacy). The restore is a change of its own, in
    /// the history too. A transfer to a team is not undone here (Conflict).
    /// </summary>
    [Alias("RestoreHistory")]
    Task<Outcome<HistoryRestore>> RestoreAsync(string caller, string changeId);

    /// <summary>
    /// Moves a personal project to a team (its owner, who must be an owner or editor of the team: the caller checks that):
    /// the team's catalog takes the project and the bytes it holds (refused past the team's quotas), the members given
    /// get their roles at once. Repeating a finished move is a no-op.
    /// </summary>
    [Alias("TransferToTeam")]
    Task<Outcome<ProjectInfo>> TransferToTeamAsync(string caller, string teamId, Dictionary<string, string> members);

    /// <summary>The caller's role in the project (<see cref="TeamRoles"/>: owner for a personal project's owner), or null.</summary>
    [ReadOnly, Alias("RoleOf")]
    Task<string?> RoleOfAsync(string caller);

    /// <summary>The members of the team that owns the project (user id to role), from the team grain.</summary>
    [Alias("SetMembers")]
    Task<Outcome<bool>> SetMembersAsync(string teamId, Dictionary<string, string> members);

    /// <summary>Deletes the project and its endpoints; true when there was one the caller owns.</summary>
    [Alias("Delete")]
    Task<bool> DeleteAsync(string caller);

    [ReadOnly, Alias("ListEndpoints")]
    Task<Outcome<EndpointInfo[]>> ListEndpointsAsync(string caller);

    [ReadOnly, Alias("GetEndpoint")]
    Task<Outcome<EndpointInfo>> GetEndpointAsync(string caller, string endpointId);

    /// <summary>The endpoints whose metadata (a JSON object; {} when none) satisfies <paramref name="pattern"/> (WireMock's find-by-metadata).</summary>
    [ReadOnly, Alias("FindEndpointsByMetadata")]
    Task<Outcome<EndpointInfo[]>> FindEndpointsByMetadataAsync(string caller, BodyMatcher pattern);

    /// <summary>
    /// Adds an endpoint; <paramref name="endpointId"/>, when the front end chose it, makes the call idempotent: sent again
    /// (after a failover left the first call's fate unknown), an endpoint of that id with the same spec is the answer.
    /// </summary>
    [Alias("AddEndpoint")]
    Task<Outcome<EndpointInfo>> AddEndpointAsync(string caller, EndpointSpec spec, string? endpointId = null);

    /// <summary>Replaces an endpoint; when <paramref name="expectedRevision"/> is given it must be current.</summary>
    [Alias("ReplaceEndpoint")]
    Task<Outcome<EndpointInfo>> ReplaceEndpointAsync(string caller, string endpointId, EndpointSpec spec, int? expectedRevision);

    [Alias("DeleteEndpoint")]
    Task<Outcome<bool>> DeleteEndpointAsync(string caller, string endpointId);

    [ReadOnly, Alias("ListResources")]
    Task<Outcome<ResourceInfo[]>> ListResourcesAsync(string caller);

    [ReadOnly, Alias("GetResource")]
    Task<Outcome<ResourceInfo>> GetResourceAsync(string caller, string name);

    /// <summary>
    /// Where <paramref name="path"/> (<c>/{resource}[/{id}]</c>, as a mock path) lands among the project's resources,
    /// for the owner reading and editing records through the management API (not counted as mock traffic).
    /// </summary>
    [ReadOnly, Alias("ResourceRoute")]
    Task<Outcome<ResourceRoute>> ResourceRouteAsync(string caller, string path);

    /// <summary>Defines a resource and seeds its records.</summary>
    [Alias("AddResource")]
    Task<Outcome<ResourceInfo>> AddResourceAsync(string caller, ResourceSpec spec);

    /// <summary>Changes a resource's schema and seed; records are kept (reset them to the seed explicitly).</summary>
    [Alias("UpdateResource")]
    Task<Outcome<ResourceInfo>> UpdateResourceAsync(string caller, ResourceSpec spec);

    [Alias("ResetResource")]
    Task<Outcome<ResourceInfo>> ResetResourceAsync(string caller, string name);

    [Alias("DeleteResource")]
    Task<Outcome<bool>> DeleteResourceAsync(string caller, string name);

    /// <summary>The most recent mock requests, newest first (at most <paramref name="limit"/>).</summary>
    [ReadOnly, Alias("GetRequestLog")]
    Task<Outcome<RequestLogEntry[]>> GetRequestLogAsync(string caller, int limit);

    /// <summary>The journal's entries that <paramref name="query"/> selects, newest first (cursor paging by <c>Seq</c>).</summary>
    [ReadOnly, Alias("QueryRequestLog")]
    Task<Outcome<RequestLogEntry[]>> QueryRequestLogAsync(string caller, RequestLogQuery query);

    [Alias("ClearRequestLog")]
    /// <summary>Empties one slice of the journal: the project's own requests, or a test session's.</summary>
    Task<Outcome<bool>> ClearRequestLogAsync(string caller, string? session = null);

    /// <summary>
    /// Answers one mock request from memory. When the client goes away, the matchers and templates stop at their next
    /// step and the journal logs 499 (<see cref="MockResult.ClientGone"/>): at once when this grain runs in the front
    /// end's process (<paramref name="client"/>), else when Orleans delivers <paramref name="cancellation"/> (a request
    /// still queued is dropped; one running goes on to the request's time budget).
    /// </summary>
    /// <remarks>
    /// Every result is an immutable record, shared (a static answer is built once): the return value is marked so, or
    /// Orleans, seeing an abstract type, would look up a copier by its runtime type on every local call.
    /// </remarks>
    [ReadOnly, Alias("Handle")]
    [return: Immutable]
    ValueTask<MockResult> HandleAsync(MockRequest request, ClientLink client = default, CancellationToken cancellation = default);

    /// <summary>
    /// Leases static answers to a front end's cache (<see cref="IAnswerCacheObserver"/>): the grain tells the holder of
    /// every change before acknowledging it, for as long as the lease lasts. <paramref name="permitsWanted"/> of the
    /// project's rate limit are counted now for the front end to spend within a second; <paramref name="permitsReturned"/>
    /// are what it did not spend of the last ones.
    /// </summary>
    [Alias("LeaseAnswers")]
    Task<AnswerLease> LeaseAnswersAsync(IAnswerCacheObserver holder, int permitsWanted, int permitsReturned);

    /// <summary>Journal entries of requests a front end answered from its cache (one-way, in batches at most a second apart).</summary>
    [OneWay, ReadOnly, Alias("RecordCachedAnswers")]
    Task RecordCachedAnswersAsync(CachedAnswers answers);

    /// <summary>
    /// Logs a request a resource or a proxy target answered, with its status (the answer comes after
    /// <see cref="HandleAsync"/>, from the resource grain or the real API). One-way: the front end does not wait for it.
    /// </summary>
    [OneWay, Alias("RecordResourceAnswer")]
    Task RecordResourceAnswerAsync(MockRequest request, int status, double servedMs, string? endpointId = null);

    /// <summary>
    /// The project's owner (null: no such project), for its resource grains, whose bytes count against the owner's
    /// account. Interleaves: a resource asks while the project waits for it (seeding).
    /// </summary>
    [AlwaysInterleave, Alias("GetOwner")]
    Task<string?> GetOwnerAsync();

    /// <summary>
    /// The project's scenarios (named by its responses) and the state each is in; every scenario starts in "Started".
    /// With <paramref name="session"/>, the states are a test session's.
    /// </summary>
    [ReadOnly, Alias("GetScenarios")]
    Task<Outcome<ScenarioInfo[]>> GetScenariosAsync(string caller, SessionState? session = null);

    /// <summary>Puts every scenario back in "Started", and every sequence back at its first response.</summary>
    [Alias("ResetScenarios")]
    Task<Outcome<bool>> ResetScenariosAsync(string caller);

    [Alias("SetScenarioState")]
    Task<Outcome<ScenarioInfo>> SetScenarioStateAsync(string caller, string name, string state);

    /// <summary>
    /// Adds or replaces many endpoints in one change (all or none); with <paramref name="replaceAll"/> the endpoints not
    /// in <paramref name="items"/> are deleted (an empty import deletes every endpoint), and so are those named by
    /// <paramref name="deleteIds"/>. With <paramref name="newestWins"/> an item replaces an endpoint that answers exactly
    /// the same requests (WireMock); without, that is a 409 naming it (an OpenAPI import keeps endpoints made by hand).
    /// </summary>
    [Alias("ImportEndpoints")]
    Task<Outcome<EndpointInfo[]>> ImportEndpointsAsync(string caller, EndpointImport[] items, bool replaceAll, string[]? deleteIds = null, bool newestWins = true);

    /// <summary>
    /// The request log's entries (newest first) that <paramref name="pattern"/>'s method, path and conditions match,
    /// as the log keeps them (secrets redacted, bodies cut to the preview); with <paramref name="remove"/> they are
    /// dropped from the log. A null pattern matches every entry; <paramref name="unmatchedOnly"/> keeps the misses (no endpoint answered).
    /// </summary>
    [Alias("FindRequests")]
    Task<Outcome<RequestLogEntry[]>> FindRequestsAsync(string caller, EndpointSpec? pattern, bool unmatchedOnly, bool remove, string? session = null);

    /// <summary>
    /// Answers one request of test session <paramref name="session"/> (from its <see cref="IMockSessionGrain"/>) with the
    /// session's <paramref name="state"/>: as <see cref="HandleAsync"/>, and the request is logged in the session's slice
    /// of the journal. The first request of a session registers it (<see cref="MockResult.TooManySessions"/> past the cap).
    /// </summary>
    [ReadOnly, Alias("HandleInSession")]
    [return: Immutable]
    ValueTask<SessionAnswer> HandleInSessionAsync(string session, MockRequest request, SessionState state, ClientLink client = default, CancellationToken cancellation = default);

    /// <summary>The project's live test sessions, most recently used first (those idle past their time are ended first).</summary>
    [Alias("ListSessions")]
    Task<Outcome<SessionInfo[]>> ListSessionsAsync(string caller);

    /// <summary>Ends a test session (its state, records and journal slice go); a later request starts it afresh. True for an unknown one too.</summary>
    [Alias("DeleteSession")]
    Task<Outcome<bool>> DeleteSessionAsync(string caller, string session);

    /// <summary>A resource's definition (its seed), for a test session's copy of it. Interleaves: it only reads the definition.</summary>
    [AlwaysInterleave, Alias("GetResourceDefinition")]
    Task<ResourceInfo?> GetResourceDefinitionAsync(string name);

    /// <summary>For each request, the endpoint nearest to it and why it does not answer (null where one answers it now).</summary>
    [ReadOnly, Alias("NearMisses")]
    Task<Outcome<NearMiss?[]>> NearMissesAsync(string caller, MockRequest[] requests);

    /// <summary>Starts recording: mock calls go to the target and each distinct request becomes an endpoint.</summary>
    [Alias("StartRecording")]
    Task<Outcome<RecordingStatus>> StartRecordingAsync(string caller, RecordingSpec spec);

    /// <summary>Ends the recording and reports what it created, updated and skipped.</summary>
    [Alias("StopRecording")]
    Task<Outcome<RecordingStatus>> StopRecordingAsync(string caller);

    [ReadOnly, Alias("GetRecording")]
    Task<Outcome<RecordingStatus>> GetRecordingAsync(string caller);

    /// <summary>
    /// One exchange forwarded while recording (<see cref="MockResult.Record"/>), from the front end that forwarded it;
    /// ignored when the project is no longer recording.
    /// </summary>
    [Alias("Record")]
    Task RecordAsync(RecordedExchange exchange);

    /// <summary>One real exchange (a tester history entry) as a new endpoint of this project.</summary>
    [Alias("AddFromExchange")]
    Task<Outcome<EndpointInfo>> AddFromExchangeAsync(string caller, RecordedExchange exchange, RecordMatch match, string[]? keepHeaders);
}

/// <summary>
/// A unique index entry, one grain per key (<see cref="UniqueKeys"/>: a project slug, a user email): at most one
/// holder has a key at a time, because claims on one key are serial.
/// </summary>
[Alias("om.IUniqueKeyGrain")]
public interface IUniqueKeyGrain : IGrainWithStringKey
{
    /// <summary>Takes the key for <paramref name="holderId"/>; false when another live holder has it.</summary>
    [Alias("Claim")]
    Task<bool> ClaimAsync(string holderId);

    /// <summary>Frees the key if <paramref name="holderId"/> has it.</summary>
    [Alias("Release")]
    Task ReleaseAsync(string holderId);

    [ReadOnly, Alias("Resolve")]
    Task<string?> ResolveAsync();
}

/// <summary>The keys of the unique index: a kind, a slash, the value.</summary>
public static class UniqueKeys
{
    public const string SlugKind = "slug";
    public const string EmailKind = "email";

    public static string Slug(string slug) => $"{SlugKind}/{slug}";

    public static string Email(string normalizedEmail) => $"{EmailKind}/{normalizedEmail}";

    public static string KindOf(string key) => key[..Math.Max(0, key.IndexOf('/'))];
}

/// <summary>The list of one tenant's projects (keyed by owner), newest first.</summary>
[Alias("om.IProjectCatalogGrain")]
public interface IProjectCatalogGrain : IGrainWithStringKey
{
    /// <summary>The project as it now is; confirms an entry <see cref="ExpectAsync"/> wrote.</summary>
    [Alias("Upsert")]
    Task UpsertAsync(ProjectInfo project);

    /// <summary>
    /// Written before a project is created, changed or deleted: the entry as it will be, marked pending until
    /// <see cref="UpsertAsync"/> or <see cref="RemoveAsync"/> confirms it. Should the change stop halfway (a crash, a
    /// failed write), the next listing asks the project grain what is true and repairs the entry.
    /// </summary>
    [Alias("Expect")]
    Task ExpectAsync(ProjectInfo project);

    [Alias("Remove")]
    Task RemoveAsync(string projectId);

    /// <summary>How many projects the tenant owns.</summary>
    [ReadOnly, Alias("Count")]
    Task<int> CountAsync();

    /// <summary>
    /// Reserves bytes of the account's <see cref="MockLimits.MaxAccountBytes"/> for <paramref name="holder"/> (a project's
    /// endpoints: its id; a resource's records: <c>{projectId}/{name}</c>), replacing what it held: <paramref name="wanted"/>
    /// when the account has room, else <paramref name="needed"/> when it has that, else nothing. Answers what the holder
    /// now holds; less than <paramref name="needed"/> is a refusal. Shrinking always succeeds; 0 gives everything back.
    /// A holder of a project the account no longer has is granted without being counted (a late write of a deleted project).
    /// </summary>
    [Alias("ReserveBytes")]
    Task<long> ReserveBytesAsync(string holder, long needed, long wanted);

    /// <summary>What the account's projects have reserved in all (see <see cref="ReserveBytesAsync"/>).</summary>
    [ReadOnly, Alias("ReservedBytes")]
    Task<long> ReservedBytesAsync();

    /// <summary>What one project's holders have reserved here (its endpoints' and each resource's), for a transfer.</summary>
    [ReadOnly, Alias("BytesOf")]
    Task<Dictionary<string, long>> BytesOfAsync(string projectId);

    /// <summary>
    /// Takes a project moved here from another account, pending until <see cref="UpsertAsync"/> confirms it, with the bytes
    /// its holders reserved there; LimitExceeded when that would take the account past its projects or bytes.
    /// </summary>
    [Alias("Adopt")]
    Task<Outcome<bool>> AdoptAsync(ProjectInfo project, Dictionary<string, long> bytes);

    /// <summary>
    /// A page of projects after <paramref name="cursor"/>; Invalid when the cursor was not issued by this service.
    /// Not read-only: pending entries are checked against their project grains (and repaired) first.
    /// </summary>
    [Alias("List")]
    Task<Outcome<ProjectPage>> ListAsync(string? cursor, int limit);
}

/// <summary>A project's endpoints and their bytes, and its resources (whose records each resource grain counts).</summary>
[GenerateSerializer, Immutable, Alias("om.ProjectUsage")]
public sealed record ProjectUsage(
    [property: Id(0)] int Endpoints,
    [property: Id(1)] long EndpointBytes,
    [property: Id(2)] string[] Resources);
