namespace OrleansMock.GrainInterfaces;

/// <summary>
/// A mock request as the front end forwards it. <see cref="ExpectedSlug"/> is set when the caller resolved the
/// project through a cached slug; the grain answers <see cref="MockResult.StaleSlug"/> if that slug is no
/// longer its own, so a stale cache can never serve another project's endpoints. <see cref="Caller"/> is the
/// authenticated user, if the request carried credentials (private projects answer only their owner).
/// <see cref="Session"/> is the test session it runs in (<see cref="MockSessions"/>), null for the project's own state.
/// </summary>
[GenerateSerializer, Immutable, Alias("om.MockRequest")]
public sealed record MockRequest(
    [property: Id(0)] string Method,
    [property: Id(1)] string Path,
    [property: Id(2)] string? ExpectedSlug,
    [property: Id(3)] string? Caller = null,
    [property: Id(4)] string? Query = null,
    [property: Id(5)] KeyValuePair<string, string>[]? Headers = null,
    [property: Id(6)] string? BodyPreview = null,
    [property: Id(7)] RequestDetail? Detail = null,
    [property: Id(8)] string? Session = null,
    [property: Id(9)] string? CallerOnly = null,
    [property: Id(10)] bool Prepaid = false);

/// <summary>A ready-to-write response. Built once per endpoint change and shared by every request.</summary>
[GenerateSerializer, Immutable, Alias("om.MockResponse")]
public sealed class MockResponse
{
    [Id(0)] public required int Status { get; init; }
    [Id(1)] public required KeyValuePair<string, string>[] Headers { get; init; }
    [Id(2)] public required string? ContentType { get; init; }
    [Id(3)] public required byte[] Body { get; init; }
    [Id(4)] public required int DelayMs { get; init; }
    [Id(5)] public required string EndpointId { get; init; }
    [Id(6)] public int ResponseIndex { get; init; }
    [Id(7)] public Fault Fault { get; init; }
    [Id(8)] public ChunkedDribble? ChunkedDribble { get; init; }
    /// <summary>The reason phrase of the status line (WireMock's statusMessage); null: the standard one.</summary>
    [Id(9)] public string? StatusMessage { get; init; }
}

/// <summary>The closest endpoint to a request that matched none, and why it did not match.</summary>
[GenerateSerializer, Immutable, Alias("om.NearMiss")]
public sealed record NearMiss(
    [property: Id(0)] string EndpointId,
    [property: Id(1)] string Method,
    [property: Id(2)] string Path,
    [property: Id(3)] string Reason);

/// <summary>
/// The project grain's answer to a mock request: one closed set of results, one type per kind, each carrying what its
/// kind needs. <see cref="Status"/> is the one home of the HTTP status each kind is answered with: the grain's request
/// journal logs it and the front end writes it.
/// </summary>
[GenerateSerializer, Immutable, Alias("om.MockResult")]
public abstract record MockResult
{
    private protected MockResult()
    {
    }

    /// <summary>The request parts (beyond method and path) the project's matchers and templates read; the front end sends them next time.</summary>
    [Id(0)] public RequestParts Needs { get; init; }

    /// <summary>The project turned off the CORS headers this service adds.</summary>
    [Id(1)] public bool CorsDisabled { get; init; }

    /// <summary>The status the client is answered with; null when another party decides it (a resource grain, a proxy target).</summary>
    public abstract int? Status { get; }

    /// <summary>For the request journal: why no endpoint answered (null for an answer).</summary>
    public virtual string? Miss => null;

    public static readonly MockResult ProjectNotFound = new NotFound();
    public static readonly MockResult SlugMismatch = new StaleSlug();
    public static readonly MockResult Unauthorized = new Private();

    /// <summary>An endpoint's response, ready to write. <see cref="ContractViolation"/>: how it breaks the documented responses.</summary>
    [GenerateSerializer, Immutable, Alias("om.MockResult.Answered")]
    public sealed record Answered([property: Id(0)] MockResponse Response, [property: Id(1)] string? ContractViolation = null) : MockResult
    {
        public override int? Status => Response.Status;

        /// <summary>
        /// Every request of this method and path gets this same answer until the project changes (a front end may cache
        /// it under a lease, <see cref="IMockProjectGrain.LeaseAnswersAsync"/>): the endpoint has one static response, no
        /// conditions on what the request carries, no scenario, webhook or contract, and the project is not private.
        /// </summary>
        [Id(2)] public bool Cacheable { get; init; }
    }

    /// <summary>
    /// Forward the request to a real API: a proxy endpoint's (<see cref="EndpointId"/>), the project's fallback, or
    /// everything while recording (<see cref="Record"/>: the exchange comes back to become an endpoint).
    /// </summary>
    [GenerateSerializer, Immutable, Alias("om.MockResult.Forward")]
    public sealed record Forward([property: Id(0)] ProxySpec Proxy, [property: Id(1)] bool Record = false, [property: Id(2)] string? EndpointId = null) : MockResult
    {
        public override int? Status => null;
    }

    /// <summary>A GraphQL API answers: the front end reads the operation from the request and has it run (<see cref="IGraphQlGrain"/>).</summary>
    [GenerateSerializer, Immutable, Alias("om.MockResult.GraphQl")]
    public sealed record GraphQl([property: Id(0)] GraphQlSpec Spec, [property: Id(1)] string EndpointId) : MockResult
    {
        public override int? Status => null;
    }

    /// <summary>No endpoint matched; <see cref="Closest"/> is the nearest and why it did not.</summary>
    [GenerateSerializer, Immutable, Alias("om.MockResult.NoMatch")]
    public sealed record NoMatch([property: Id(0)] NearMiss? Closest) : MockResult
    {
        public override int? Status => 404;

        public override string? Miss => Closest is { } closest ? $"closest: {closest.Method} {closest.Path} ({closest.EndpointId}): {closest.Reason}" : "no endpoints";
    }

    /// <summary>OPTIONS with no endpoint of its own: the methods the path answers (<see cref="ForResource"/>: a resource's path).</summary>
    [GenerateSerializer, Immutable, Alias("om.MockResult.Options")]
    public sealed record Options([property: Id(0)] string[] Allow, [property: Id(1)] bool ForResource = false) : MockResult
    {
        public override int? Status => 204;
    }

    /// <summary>No endpoint matched but a resource does: the front end sends the request to its grain.</summary>
    [GenerateSerializer, Immutable, Alias("om.MockResult.ToResource")]
    public sealed record ToResource([property: Id(0)] ResourceRoute Route) : MockResult
    {
        public override int? Status => null;
    }

    /// <summary>The project's own rate limit refused the request.</summary>
    [GenerateSerializer, Immutable, Alias("om.MockResult.RateLimited")]
    public sealed record RateLimited([property: Id(0)] RateLimitDecision Decision) : MockResult
    {
        public override int? Status => 429;

        public override string? Miss => "the project's rate limit";
    }

    /// <summary>The project's matchers or templates read parts of the request it did not carry: send it again with <see cref="MockRequest.Detail"/>.</summary>
    [GenerateSerializer, Immutable, Alias("om.MockResult.NeedsDetail")]
    public sealed record NeedsDetail : MockResult
    {
        public override int? Status => null;
    }

    /// <summary>The endpoint's matchers or template could not answer this request: a regular expression ran too long, a template failed.</summary>
    [GenerateSerializer, Immutable, Alias("om.MockResult.Failed")]
    public sealed record Failed([property: Id(0)] string Error) : MockResult
    {
        public override int? Status => 422;

        public override string? Miss => Error;
    }

    /// <summary>
    /// The client went away while its answer was being worked out (a long render or match): the work stopped there.
    /// Logged as 499, the status proxies use for "client closed request"; nobody is left to write it to.
    /// </summary>
    [GenerateSerializer, Immutable, Alias("om.MockResult.ClientGone")]
    public sealed record ClientGone : MockResult
    {
        public static readonly ClientGone Instance = new();

        public override int? Status => 499;

        public override string? Miss => "the client closed the request before it was answered; its matching and rendering stopped";
    }

    /// <summary>
    /// The request breaks the endpoint's OpenAPI contract, one entry per violation, and the document gives no response
    /// for it: answered <see cref="Code"/> (422, or 415 for a media type the operation does not take) as Prism does.
    /// </summary>
    [GenerateSerializer, Immutable, Alias("om.MockResult.Invalid")]
    public sealed record Invalid([property: Id(0)] string[] Violations, [property: Id(1)] int Code = 422) : MockResult
    {
        /// <summary>For a 405: the methods the document defines for the path.</summary>
        [Id(2)] public string[]? Allow { get; init; }

        public override int? Status => Code;

        public override string? Miss => "breaks the OpenAPI contract: " + string.Join("; ", Violations);
    }

    /// <summary>The request would start a test session, and the project has as many as it may keep.</summary>
    [GenerateSerializer, Immutable, Alias("om.MockResult.TooManySessions")]
    public sealed record TooManySessions([property: Id(0)] int Limit) : MockResult
    {
        public override int? Status => 429;

        public override string? Miss => $"the project has {Limit} live test sessions, as many as it may keep";
    }

    /// <summary>The project is private and the caller is not its owner.</summary>
    [GenerateSerializer, Immutable, Alias("om.MockResult.Private")]
    public sealed record Private : MockResult
    {
        public override int? Status => 401;

        public override string? Miss => "the project is private";
    }

    /// <summary>No such project.</summary>
    [GenerateSerializer, Immutable, Alias("om.MockResult.NotFound")]
    public sealed record NotFound : MockResult
    {
        public override int? Status => 404;
    }

    /// <summary>The request named the project by a slug that is no longer its own (a stale cache): resolve it again.</summary>
    [GenerateSerializer, Immutable, Alias("om.MockResult.StaleSlug")]
    public sealed record StaleSlug : MockResult
    {
        public override int? Status => 404;
    }
}
