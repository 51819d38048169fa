using System.Collections.Concurrent;
using OrleansMock.GrainInterfaces;

namespace OrleansMock.Api.Http;

/// <summary>
/// Finds the project grain for a slug or id. Ids (<c>p_...</c>) need no lookup. Slugs go through the slug index;
/// mock traffic may use a cached slug because the project grain checks the slug it was reached by
/// (<see cref="MockRequest.ExpectedSlug"/>), so a stale entry costs one retry, never a wrong answer. Mock traffic for a
/// project that does not exist is remembered for a few seconds (<see cref="MissTtl"/>), so a client repeating a wrong
/// or guessed URL does not reach a grain each time; a project created or renamed through this front end is forgotten
/// at once (<see cref="Forget"/>), elsewhere within the few seconds.
/// </summary>
public sealed class ProjectResolver(IGrainFactory grains)
{
    private const int MaxCachedSlugs = 100_000;
    private const int MaxRememberedMisses = 100_000;

    /// <summary>How long mock traffic remembers that a slug or id names no project.</summary>
    public static readonly TimeSpan MissTtl = TimeSpan.FromSeconds(5);

    private readonly ConcurrentDictionary<string, string> _slugs = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, long> _misses = new(StringComparer.Ordinal); // slug or id -> until (Environment.TickCount64)

    private readonly GrainReferences<IMockProjectGrain> _projects = new(grains);
    private readonly GrainReferences<IUniqueKeyGrain> _slugIndex = new(grains);
    private readonly GrainReferences<IMockSessionGrain> _sessions = new(grains);

    /// <summary>A project's webhook outbox (by project id; ask only after the caller's ownership of it is checked).</summary>
    public IWebhookOutboxGrain Webhooks(string projectId) => grains.GetGrain<IWebhookOutboxGrain>(projectId);

    /// <summary>The project id for <paramref name="slugOrId"/> from the authoritative index, or null when no project has that slug.</summary>
    public async ValueTask<string?> ResolveAsync(string slugOrId)
    {
        if (ProjectIds.IsProjectId(slugOrId))
        {
            return slugOrId;
        }
        if (!ProjectIds.IsSlug(slugOrId))
        {
            return null; // neither shape: no grain is asked about arbitrary text
        }
        var id = await _slugIndex.Get(UniqueKeys.Slug(slugOrId)).ResolveAsync();
        if (id is not null)
        {
            Remember(slugOrId, id);
        }
        return id;
    }

    /// <summary>
    /// Forwards a mock request, resolving a slug from cache first and once more from the index if the cache was stale.
    /// <see cref="MockRequest.ExpectedSlug"/> must be the slug when <paramref name="slugOrId"/> is one. Answering a mock
    /// changes nothing durable, so the call is retried across a silo failover.
    /// </summary>
    public async ValueTask<MockResult> HandleAsync(string slugOrId, MockRequest request, ClientLink client, CancellationToken cancellationToken)
    {
        // TryGetValue reads without a lock (IsEmpty or Count would take every lock of the dictionary: the hot path).
        if (_misses.TryGetValue(slugOrId, out var until))
        {
            if (until > Environment.TickCount64)
            {
                return MockResult.ProjectNotFound;
            }
            _misses.TryRemove(KeyValuePair.Create(slugOrId, until));
        }
        try
        {
            // The hot path (a project this front end knows) makes its one grain call outside the retry loop's closure.
            if (Known(slugOrId) is { } known && Answered(slugOrId, known, await known.Grain.HandleAsync(request, client, cancellationToken)) is { } answer)
            {
                return answer is MockResult.NotFound ? Missing(slugOrId) : answer;
            }
        }
        catch (Exception exception) when (Transient.Is(exception) && !cancellationToken.IsCancellationRequested)
        {
        }
        return await RetryAsync(slugOrId, request, client, cancellationToken);
    }

    // Apart from HandleAsync so that its closure is allocated only when a retry happens.
    private ValueTask<MockResult> RetryAsync(string slugOrId, MockRequest request, ClientLink client, CancellationToken cancellationToken) =>
        Transient.RetryAsync(() => HandleOnceAsync(slugOrId, request, client, cancellationToken), cancellationToken);

    private async ValueTask<MockResult> HandleOnceAsync(string slugOrId, MockRequest request, ClientLink client, CancellationToken cancellationToken)
    {
        if (Known(slugOrId) is { } known && Answered(slugOrId, known, await known.Grain.HandleAsync(request, client, cancellationToken)) is { } answer)
        {
            return answer is MockResult.NotFound ? Missing(slugOrId) : answer;
        }
        var id = await ResolveAsync(slugOrId);
        var result = id is null ? MockResult.ProjectNotFound : await Project(id).HandleAsync(request, client, cancellationToken);
        return result is MockResult.NotFound ? Missing(slugOrId) : result;
    }

    /// <summary>
    /// As <see cref="HandleAsync"/>, for a request of test session <paramref name="session"/>: it goes to the session's
    /// grain (keyed by the project's id), which brings the session's state to the project grain.
    /// </summary>
    public ValueTask<MockResult> HandleInSessionAsync(string slugOrId, string session, MockRequest request, ClientLink client, CancellationToken cancellationToken)
    {
        if (_misses.TryGetValue(slugOrId, out var until) && until > Environment.TickCount64)
        {
            return ValueTask.FromResult(MockResult.ProjectNotFound);
        }
        return Transient.RetryAsync(() => InSessionOnceAsync(slugOrId, session, request, client, cancellationToken), cancellationToken);
    }

    private async ValueTask<MockResult> InSessionOnceAsync(string slugOrId, string session, MockRequest request, ClientLink client, CancellationToken cancellationToken)
    {
        if (Known(slugOrId) is { } known
            && Answered(slugOrId, known, await Session(known.Id, session).HandleAsync(request, client, cancellationToken)) is { } answer)
        {
            return answer is MockResult.NotFound ? Missing(slugOrId) : answer;
        }
        var id = await ResolveAsync(slugOrId);
        var result = id is null ? MockResult.ProjectNotFound : await Session(id, session).HandleAsync(request, client, cancellationToken);
        return result is MockResult.NotFound ? Missing(slugOrId) : result;
    }

    /// <summary>A test session's grain (ask only after the caller's ownership of the project is checked, or for mock traffic).</summary>
    public IMockSessionGrain Session(string projectId, string session) => _sessions.Get(MockSessions.Scope(projectId, session));

    /// <summary>Remembers for <see cref="MissTtl"/> that <paramref name="slugOrId"/> names no project; answers so.</summary>
    private MockResult Missing(string slugOrId)
    {
        if (_misses.Count >= MaxRememberedMisses)
        {
            _misses.Clear();
        }
        _misses[slugOrId] = Environment.TickCount64 + (long)MissTtl.TotalMilliseconds;
        return MockResult.ProjectNotFound;
    }

    /// <summary>Forgets what mock traffic remembered of a slug or id (a project was just created or renamed to it).</summary>
    public void Forget(string slugOrId) => _misses.TryRemove(slugOrId, out _);

    /// <summary>
    /// The project id of a slug or id that a mock request was just answered for: from the cache (the answer checked the
    /// slug and refreshed it), else from the index.
    /// </summary>
    public async ValueTask<string?> IdOfAnsweredAsync(string slugOrId) => Known(slugOrId)?.Id ?? await ResolveAsync(slugOrId);

    /// <summary>The project id of a slug or id, from what this front end knows (no grain call); null when it does not.</summary>
    public string? KnownId(string slugOrId) => Known(slugOrId)?.Id;

    /// <summary>The project an id names, or a cached slug's project.</summary>
    private (IMockProjectGrain Grain, string Id)? Known(string slugOrId) =>
        ProjectIds.IsProjectId(slugOrId) ? (Project(slugOrId), slugOrId)
        : _slugs.TryGetValue(slugOrId, out var cached) ? (Project(cached), cached)
        : null;

    /// <summary>The result, or null (and the cache entry dropped) when a cached slug turned out stale.</summary>
    private MockResult? Answered(string slugOrId, (IMockProjectGrain Grain, string Id) known, MockResult result)
    {
        if (known.Id == slugOrId || result is not (MockResult.StaleSlug or MockResult.NotFound))
        {
            return result;
        }
        _slugs.TryRemove(new KeyValuePair<string, string>(slugOrId, known.Id));
        return null;
    }

    /// <summary>The project grain of a project id (a kept reference: GetGrain costs a reflection lookup per call).</summary>
    public IMockProjectGrain Project(string id) => _projects.Get(id);

    private void Remember(string slug, string id)
    {
        if (_slugs.Count >= MaxCachedSlugs)
        {
            _slugs.Clear();
        }
        _slugs[slug] = id;
    }
}
