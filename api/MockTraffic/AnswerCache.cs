using System.Collections.Concurrent;
using System.Diagnostics.Metrics;
using OrleansMock.Api.Http;
using OrleansMock.GrainInterfaces;

namespace OrleansMock.Api.MockTraffic;

/// <summary>
/// Static answers served by this front end without a grain call (issue 32.2). The project grain marks an answer
/// cacheable (<see cref="MockResult.Answered.Cacheable"/>: the same for every request of its method and path until the
/// project changes) and leases answers to this front end (<see cref="IMockProjectGrain.LeaseAnswersAsync"/>); it tells
/// this observer of every change before the change is acknowledged (<see cref="InvalidateAsync"/>), so the next
/// request after an acknowledged change, through any front end, is answered by the new definition. An answer is kept
/// only when it was asked for under a live lease and no change arrived before it did (the lease's version is the same
/// before and after). The project's rate limit is spent from permits that come with the lease (counted by the grain,
/// for a second); without one the request goes to the grain, which counts it. What was answered from here goes to the
/// project's journal in batches a second apart, or at once when a read of the journal asks (<see cref="TakeAnswersAsync"/>).
/// </summary>
public sealed class AnswerCache : IAnswerCacheObserver, IDisposable
{
    private const int MaxEntries = 50_000;
    private const int MaxProjects = 10_000;
    private const long PermitMilliseconds = 1_000;
    private const long LeaseMarginMilliseconds = 250;

    private readonly IGrainFactory _grains;
    private readonly ConcurrentDictionary<string, Project> _projects = new(StringComparer.Ordinal); // by project id
    private readonly ConcurrentDictionary<string, Project> _addresses = new(StringComparer.Ordinal); // slug or id, as URLs name them
    private readonly ConcurrentDictionary<(string Key, string Method), Entry> _entries = new(); // by KeyOf's key
    private readonly Timer _flush;
    private IAnswerCacheObserver? _self;
    private long _hits;
    private static long s_allHits; // every instance's, for the metric (a process hosts one; tests host several)

    /// <summary>Read when metrics are collected: a counter added to on every hit would cost more than the hit's own bookkeeping.</summary>
    private static readonly ObservableCounter<long> HitsMetric = Telemetry.Meter.CreateObservableCounter("orleansmock.answer_cache.hits",
        () => Interlocked.Read(ref s_allHits), description: "Mock requests answered from the front end's cache of static answers, without a grain call");

    public AnswerCache(IGrainFactory grains)
    {
        _grains = grains;
        GC.KeepAlive(HitsMetric); // the metric is there from the start, at 0
        _flush = new Timer(_ => FlushAll(), null, TimeSpan.FromSeconds(1), TimeSpan.FromSeconds(1));
    }

    /// <summary>One project as this front end caches it: its lease, its permits, its journal entries not yet sent.</summary>
    public sealed class Project(string id, IMockProjectGrain grain)
    {
        public readonly string Id = id;
        public readonly IMockProjectGrain Grain = grain;
        public long Version; // the lease's; 0 while there is none
        public long LeaseUntil; // Environment.TickCount64
        public long RenewAfter;
        public bool Unlimited; // the project's rate limit is off
        public int Permits;
        public long PermitsUntil;
        public int Wanted = 16;
        public int Used;
        public int Renewing;
        private readonly Lock _pendingGate = new();
        private CachedAnswer[] _pending = [];
        private int _pendingCount;
        private int _nextBatchSize = CachedAnswers.MinBatch;

        public bool Leased => Version != 0 && Environment.TickCount64 < LeaseUntil;

        /// <summary>
        /// Notes an answer for the journal; a full batch comes back to be sent. A batch is a pooled array filled in place
        /// and sent as it is (the grain gives it back to the pool once read), sized by what the last one held (a quiet
        /// project holds a few entries, a busy one <see cref="CachedAnswers.MaxBatch"/>: none reaches the large-object
        /// heap, as a ConcurrentQueue's segments would, doubling up to a million slots under steady traffic).
        /// </summary>
        public CachedAnswer[]? Add(in CachedAnswer answer)
        {
            lock (_pendingGate)
            {
                if (_pendingCount == _pending.Length)
                {
                    var larger = CachedAnswers.Rent(_pendingCount > 0 ? Math.Min(_pendingCount * 2, CachedAnswers.MaxBatch) : _nextBatchSize);
                    if (_pendingCount > 0)
                    {
                        _pending.AsSpan().CopyTo(larger);
                        CachedAnswers.Recycle(_pending);
                    }
                    _pending = larger;
                }
                _pending[_pendingCount++] = answer;
                return _pendingCount == CachedAnswers.MaxBatch ? Taken() : null;
            }
        }

        /// <summary>Every answer noted and not yet sent, oldest first (empty when there is none).</summary>
        public CachedAnswer[] TakePending()
        {
            lock (_pendingGate)
            {
                return _pendingCount == 0 ? [] : Taken();
            }
        }

        /// <summary>What is pending, as an array of exactly its entries: the filled array itself, or a copy (the array goes back to the pool).</summary>
        private CachedAnswer[] Taken()
        {
            CachedAnswer[] taken;
            if (_pendingCount == _pending.Length)
            {
                taken = _pending;
            }
            else
            {
                taken = _pending[.._pendingCount];
                CachedAnswers.Recycle(_pending);
            }
            _nextBatchSize = (int)Math.Clamp(System.Numerics.BitOperations.RoundUpToPowerOf2((uint)_pendingCount), CachedAnswers.MinBatch, CachedAnswers.MaxBatch);
            (_pending, _pendingCount) = ([], 0);
            return taken;
        }
    }

    /// <summary>
    /// A cached answer, with the project's address and the path as the request that brought it named them: a request
    /// of the same URL finds it by its whole path (<see cref="Find"/>) and is answered without a string made for either.
    /// </summary>
    public sealed record Entry(Project Owner, long Version, MockResult.Answered Answer, string Key, string Method, string Address, string Path);

    /// <summary>
    /// What an answer is cached under besides its method: the request's whole path as it came (<c>/m/{project}/{path}</c>,
    /// which <paramref name="requestPath"/> is), or, on a project's own origin, <c>//{project}{path}</c>.
    /// </summary>
    public static string KeyOf(string? requestPath, string address, string path) => requestPath ?? string.Concat("//", address, path);

    /// <summary>The entry cached for a request's whole path and method, if any (not yet checked against its project's lease).</summary>
    public Entry? Find(string key, string method) => _entries.TryGetValue((key, method), out var entry) ? entry : null;

    /// <summary>
    /// The entry for a request: <paramref name="known"/>, what its whole path found (<paramref name="requestPath"/> given:
    /// that lookup was made, null means none), or on a project's own origin the one looked up now.
    /// </summary>
    public Entry? EntryOf(string? requestPath, string address, string path, string method, Entry? known) =>
        known ?? (requestPath is null ? Find(KeyOf(null, address, path), method) : null);

    /// <summary>How many requests this front end answered from the cache.</summary>
    public long Hits => Interlocked.Read(ref _hits);

    /// <summary>The project a URL's address names, when this front end has cached it (null: not yet).</summary>
    public Project? Of(string address) => _addresses.TryGetValue(address, out var project) ? project : null;

    /// <summary>The entry's answer for a request of <paramref name="project"/>, spending one of its permits; null when there is none to give.</summary>
    public MockResult.Answered? TryAnswer(Project project, Entry entry)
    {
        if (entry.Owner != project)
        {
            return null;
        }
        if (entry.Version != Volatile.Read(ref project.Version))
        {
            _entries.TryRemove(new KeyValuePair<(string, string), Entry>((entry.Key, entry.Method), entry));
            return null;
        }
        var now = Environment.TickCount64;
        if (now >= project.RenewAfter)
        {
            Renew(project, permits: !project.Unlimited); // a lease in use is renewed before it runs out
            if (now >= project.LeaseUntil)
            {
                return null;
            }
        }
        Interlocked.Increment(ref project.Used);
        if (!project.Unlimited)
        {
            if (!TakePermit(project))
            {
                Renew(project, permits: true);
                return null; // the grain counts this one itself
            }
            if (Volatile.Read(ref project.Permits) < project.Wanted / 4)
            {
                Renew(project, permits: true);
            }
        }
        Interlocked.Increment(ref _hits);
        Interlocked.Increment(ref s_allHits);
        return entry.Answer;
    }

    /// <summary>
    /// Spends one of the permits the project's lease brought, for a request answered here or sent to the grain as
    /// prepaid (<see cref="MockRequest.Prepaid"/>: not counted again); false when there is none left (a renewal is asked for).
    /// </summary>
    public bool TakePermit(Project project)
    {
        if (project.Unlimited)
        {
            return false;
        }
        if (Environment.TickCount64 < project.PermitsUntil && Interlocked.Decrement(ref project.Permits) >= 0)
        {
            return true;
        }
        if (project.Wanted > 0)
        {
            Renew(project, permits: true); // what was left goes back to the grain with the renewal
        }
        return false;
    }

    /// <summary>What the caller notes before asking the grain: the lease's version (an answer is kept only if it is the same after).</summary>
    public static long VersionBefore(Project? project) => project is null ? 0 : Volatile.Read(ref project.Version);

    /// <summary>
    /// A cacheable answer the grain gave for a request of <paramref name="address"/> (project <paramref name="projectId"/>):
    /// kept when it was asked for under a live lease and no change came in between; otherwise a lease is asked for.
    /// </summary>
    public void Offer(string address, string key, string projectId, string method, string path, MockResult.Answered answer, Project? before, long versionBefore)
    {
        if (!_projects.TryGetValue(projectId, out var project))
        {
            if (_projects.Count >= MaxProjects)
            {
                return; // a project is never dropped while it may hold a lease: past this many, new ones are not cached
            }
            project = _projects.GetOrAdd(projectId, id => new Project(id, _grains.GetGrain<IMockProjectGrain>(id)));
        }
        if (!ReferenceEquals(before, project))
        {
            _addresses[address] = project; // first seen, or the address now names another project (a slug moved)
        }
        if (!ReferenceEquals(before, project) || versionBefore == 0 || !project.Leased || Volatile.Read(ref project.Version) != versionBefore)
        {
            Renew(project);
            return;
        }
        if (_entries.Count >= MaxEntries)
        {
            _entries.Clear();
        }
        _entries[(key, method)] = new Entry(project, versionBefore, answer, key, method, address, path);
    }

    /// <summary>Notes a request answered from the cache for the project's journal; sent a batch at a time.</summary>
    public void Record(Project project, in CachedAnswer answer)
    {
        if (project.Add(answer) is { } full)
        {
            _ = project.Grain.RecordCachedAnswersAsync(new CachedAnswers(full)); // one-way
        }
    }

    public Task InvalidateAsync(string projectId, long version)
    {
        if (_projects.TryGetValue(projectId, out var project))
        {
            // The entries of older versions are dead from here; they are dropped when next looked up.
            long seen;
            while ((seen = Volatile.Read(ref project.Version)) < version && Interlocked.CompareExchange(ref project.Version, version, seen) != seen)
            {
            }
        }
        return Task.CompletedTask;
    }

    public Task<CachedAnswers> TakeAnswersAsync(string projectId) =>
        Task.FromResult(_projects.TryGetValue(projectId, out var project) ? new CachedAnswers(project.TakePending()) : CachedAnswers.None);

    /// <summary>
    /// Asks the project grain for a lease, once at a time; with <paramref name="permits"/> (only once answers are served
    /// from here: permits held by a front end that serves nothing would refuse others' requests early) some of the
    /// project's rate limit too, and what is left of the last ones goes back.
    /// </summary>
    private void Renew(Project project, bool permits = false)
    {
        if (Interlocked.CompareExchange(ref project.Renewing, 1, 0) != 0)
        {
            return;
        }
        _ = RenewAsync(project, permits);
    }

    private async Task RenewAsync(Project project, bool permits)
    {
        try
        {
            var asked = Environment.TickCount64;
            var used = Interlocked.Exchange(ref project.Used, 0);
            // About two seconds' worth of what the last lease served, within bounds.
            var wanted = permits ? Math.Clamp(used * 2, 16, 5_000) : 0;
            project.Wanted = wanted;
            var unused = project.Unlimited ? 0 : Math.Max(0, Interlocked.Exchange(ref project.Permits, 0));
            var lease = await project.Grain.LeaseAnswersAsync(_self ??= _grains.CreateObjectReference<IAnswerCacheObserver>(this), wanted, unused);
            if (lease.Milliseconds <= 0)
            {
                Volatile.Write(ref project.Version, 0);
                return;
            }
            await InvalidateAsync(project.Id, lease.Version); // a newer version than this front end knew: what it cached is dead
            project.Unlimited = lease.Permits < 0;
            project.PermitsUntil = asked + PermitMilliseconds;
            Volatile.Write(ref project.Permits, Math.Max(0, lease.Permits));
            project.LeaseUntil = asked + lease.Milliseconds - LeaseMarginMilliseconds;
            project.RenewAfter = asked + lease.Milliseconds / 2;
        }
        catch (Exception exception) when (exception is not OutOfMemoryException)
        {
            project.LeaseUntil = 0; // no lease: requests go to the grain, which asks again
        }
        finally
        {
            Volatile.Write(ref project.Renewing, 0);
        }
    }

    private static void Flush(Project project)
    {
        if (project.TakePending() is { Length: > 0 } batch)
        {
            _ = project.Grain.RecordCachedAnswersAsync(new CachedAnswers(batch)); // one-way
        }
    }

    private void FlushAll()
    {
        foreach (var project in _projects.Values)
        {
            try
            {
                Flush(project);
            }
            catch (Exception exception) when (exception is not OutOfMemoryException)
            {
                // the cluster is unreachable a moment: the entries are lost as the journal's last second would be
            }
        }
    }

    public void Dispose()
    {
        _flush.Dispose();
        FlushAll();
    }
}
