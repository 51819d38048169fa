using Microsoft.Extensions.Logging;
using OrleansMock.GrainInterfaces;
using OrleansMock.Grains.RateLimiting;

namespace OrleansMock.Grains.Projects;

/// <summary>
/// Front ends' caches of this project's static answers (issue 32.2), kept coherent from here:
/// <list type="bullet">
/// <item>A front end leases answers (<see cref="LeaseAnswersAsync"/>) for <see cref="LeaseDuration"/>; while a lease
/// lasts, every change tells the holder before the change is acknowledged (<see cref="InvalidateAnswersAsync"/>), so a
/// change acknowledged through one front end is what the very next request through any front end sees. A holder that
/// does not answer is waited out (its lease runs out first: it counts from before it asked).</item>
/// <item>Leases live in this activation. An activation that starts while an earlier one's leases may still run (it
/// crashed; <see cref="ProjectState.AnswersLeasedUntil"/>, stored a minute ahead while leases are granted) waits until
/// they have run out before it acknowledges a change.</item>
/// <item>The project's rate limit stays exact: a lease carries permits counted now, to be spent within a second; what a
/// front end did not spend comes back with its next lease.</item>
/// <item>What the front ends answered comes back as journal entries (<see cref="RecordCachedAnswersAsync"/>, batches a
/// second apart), and every read of the journal first takes what they still hold (<see cref="CollectCachedAnswersAsync"/>).</item>
/// </list>
/// </summary>
public sealed partial class MockProjectGrain
{
    // Short: a change after a crash waits out what the lost activation leased (about as long as the cluster takes to
    // vote the silo out); a front end in use renews at half of it.
    public static readonly TimeSpan LeaseDuration = TimeSpan.FromSeconds(3);

    private static readonly TimeSpan LeaseStoredAhead = TimeSpan.FromMinutes(1);

    // Holders and when their lease runs out (this activation's timestamps); the version every holder was last told.
    private Dictionary<IAnswerCacheObserver, long>? _answerLeases;
    private long _answersVersion = 1;

    // Set on activation when an earlier activation's leases may still run: no change is acknowledged before then.
    private DateTimeOffset? _leasesOfEarlierActivation;

    public async Task<AnswerLease> LeaseAnswersAsync(IAnswerCacheObserver holder, int permitsWanted, int permitsReturned)
    {
        if (Definition.Project is not { } project)
        {
            return AnswerLease.None;
        }
        var now = time.GetUtcNow();
        if (state.State.AnswersLeasedUntil is not { } until || until < now + LeaseDuration)
        {
            // Stored ahead (one write a minute while front ends cache): a later activation knows to wait leases out.
            state.State.AnswersLeasedUntil = now + LeaseStoredAhead;
            await state.WriteStateAsync();
        }
        (_answerLeases ??= [])[holder] =
            time.GetTimestamp() + (long)(LeaseDuration.TotalSeconds * time.TimestampFrequency);
        var permits = -1;
        var policy = rateLimits.Value.MockPerProject;
        if (policy.Enabled)
        {
            _traffic.Release(permitsReturned);
            var decision = permitsWanted > 0 ? _traffic.TryAcquire(now, new RateLimitRule(project.RateLimit ?? policy.Limit, policy.WindowSeconds), permitsWanted) : default;
            permits = decision.Allowed ? decision.Granted : 0;
        }
        return new AnswerLease(_answersVersion, (int)LeaseDuration.TotalMilliseconds, permits);
    }

    public Task RecordCachedAnswersAsync(CachedAnswers answers)
    {
        AddCachedAnswers(answers.Items);
        CachedAnswers.Recycle(answers.Items); // the front end let go of it when it sent it; read now, it goes back to the pool
        return Task.CompletedTask;
    }

    private void AddCachedAnswers(CachedAnswer[] answers)
    {
        if (limits.Value.RequestLogSize <= 0 || Definition.Project is null || answers.Length == 0)
        {
            return;
        }
        foreach (var answer in answers)
        {
            Journal.Add(new RequestLogEntry(answer.At, answer.Method, answer.Path, answer.Query, answer.Headers ?? [], answer.BodyPreview,
                answer.Status, answer.EndpointId, null, answer.ServedMs, answer.ResponseIndex, Journal.NextSeq(answer.At)));
        }
        ScheduleJournalFlush();
    }

    /// <summary>Before a read of the journal: the entries front ends hold of what they answered from their caches.</summary>
    private async Task CollectCachedAnswersAsync()
    {
        if (LiveHolders() is not { Count: > 0 } holders)
        {
            return;
        }
        var taken = await Task.WhenAll(holders.Select(async holder =>
        {
            try
            {
                return (await holder.TakeAnswersAsync(ProjectId).WaitAsync(TimeSpan.FromSeconds(2))).Items;
            }
            catch (Exception exception) when (exception is not OutOfMemoryException)
            {
                return []; // a front end gone: what it held is lost with it, as its requests' answers would be
            }
        }));
        foreach (var answers in taken)
        {
            AddCachedAnswers(answers);
            CachedAnswers.Recycle(answers);
        }
    }

    /// <summary>
    /// After a change is stored and before it is acknowledged: every holder of a live lease drops what it cached (a new
    /// version); one that does not answer is waited out until its lease runs out (unless <paramref name="waitOut"/> is
    /// false: deactivating). Never throws: the change stands. True when every holder was told.
    /// </summary>
    private async Task<bool> InvalidateAnswersAsync(bool waitOut = true)
    {
        var version = ++_answersVersion;
        if (waitOut && _leasesOfEarlierActivation is { } earlier)
        {
            _leasesOfEarlierActivation = null;
            if (earlier - time.GetUtcNow() is { Ticks: > 0 } wait)
            {
                LogWaitingOutEarlierLeases(logger, ProjectId, wait.TotalMilliseconds);
                await Task.Delay(wait, time);
            }
        }
        if (LiveHolders() is not { Count: > 0 } holders)
        {
            return true;
        }
        var told = await Task.WhenAll(holders.Select(async holder =>
        {
            var expires = _answerLeases![holder];
            try
            {
                await holder.InvalidateAsync(ProjectId, version).WaitAsync(Remaining(expires));
                return true;
            }
            catch (Exception exception) when (exception is not OutOfMemoryException)
            {
                LogHolderUnreachable(logger, exception, ProjectId);
                _answerLeases.Remove(holder);
                if (waitOut && Remaining(expires) is { Ticks: > TimeSpan.TicksPerMillisecond } rest)
                {
                    await Task.Delay(rest, time); // its lease runs out first; then it answers nothing from its cache
                }
                return false;
            }
        }));
        return told.All(t => t);
    }

    private TimeSpan Remaining(long expires) => TimeSpan.FromTicks(Math.Max(TimeSpan.TicksPerMillisecond, time.GetElapsedTime(time.GetTimestamp(), expires).Ticks));

    /// <summary>The holders whose lease has not run out (the others are forgotten).</summary>
    private List<IAnswerCacheObserver>? LiveHolders()
    {
        if (_answerLeases is not { Count: > 0 } leases)
        {
            return null;
        }
        var now = time.GetTimestamp();
        foreach (var expired in leases.Where(l => l.Value <= now).Select(l => l.Key).ToList())
        {
            leases.Remove(expired);
        }
        return [.. leases.Keys];
    }

    /// <summary>On activation: whether an earlier activation's leases may still run (then a change waits them out).</summary>
    private void NoteEarlierLeases()
    {
        var now = time.GetUtcNow();
        if (state.State.AnswersLeasedUntil is { } until && until > now)
        {
            var bound = now + LeaseDuration;
            _leasesOfEarlierActivation = until < bound ? until : bound;
        }
    }

    /// <summary>
    /// On deactivation: the holders drop what they cached (a later activation does not know them). When every one was
    /// told, the next activation need not wait leases out; one that could not be told is left for it to wait out.
    /// </summary>
    private async Task ReleaseLeasesAsync()
    {
        var told = LiveHolders() is not { Count: > 0 } || await InvalidateAnswersAsync(waitOut: false);
        _answerLeases = null;
        if (told && state.State.AnswersLeasedUntil is not null && Definition.Project is not null)
        {
            state.State.AnswersLeasedUntil = null;
            try
            {
                await state.WriteStateAsync();
            }
            catch (Exception exception) when (exception is not OutOfMemoryException)
            {
                LogHolderUnreachable(logger, exception, ProjectId); // the next activation waits the leases out instead
            }
        }
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Project {ProjectId} waits out {Milliseconds} ms of cached answers an earlier activation leased before it acknowledges a change")]
    private static partial void LogWaitingOutEarlierLeases(ILogger logger, string projectId, double milliseconds);

    [LoggerMessage(Level = LogLevel.Warning, Message = "A front end holding cached answers of project {ProjectId} did not answer; its lease is waited out")]
    private static partial void LogHolderUnreachable(ILogger logger, Exception exception, string projectId);
}
