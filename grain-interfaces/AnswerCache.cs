namespace OrleansMock.GrainInterfaces;

/// <summary>
/// A front end's cache of static answers (issue 32.2), as the project grains see it: a project grain that leased answers
/// to a front end tells it of every change before the change is acknowledged (<see cref="InvalidateAsync"/>), and takes
/// the journal entries of what it answered from the cache when a journal read needs them (<see cref="TakeAnswersAsync"/>).
/// </summary>
[Alias("om.IAnswerCacheObserver")]
public interface IAnswerCacheObserver : IGrainObserver
{
    /// <summary>The project changed (now at <paramref name="version"/>): what the front end cached of it is dropped before this returns.</summary>
    [Alias("Invalidate")]
    Task InvalidateAsync(string projectId, long version);

    /// <summary>The requests answered from the cache and not yet sent to the project grain, handed over (and forgotten here).</summary>
    [Alias("TakeAnswers")]
    Task<CachedAnswer[]> TakeAnswersAsync(string projectId);
}

/// <summary>
/// What a front end may cache of a project: answers of <see cref="Version"/>, for <see cref="Milliseconds"/> from when it
/// asked, and <see cref="Permits"/> of the project's rate limit to spend within a second (-1: the limit is off).
/// </summary>
[GenerateSerializer, Immutable, Alias("om.AnswerLease")]
public sealed record AnswerLease(
    [property: Id(0)] long Version,
    [property: Id(1)] int Milliseconds,
    [property: Id(2)] int Permits)
{
    /// <summary>No lease: the project does not exist (or caches nothing).</summary>
    public static readonly AnswerLease None = new(0, 0, 0);
}

/// <summary>A request a front end answered from its cache, for the project's journal (a value: none is allocated per request).</summary>
[GenerateSerializer, Immutable, Alias("om.CachedAnswer")]
public readonly record struct CachedAnswer(
    [property: Id(0)] MockRequest Request,
    [property: Id(1)] DateTimeOffset At,
    [property: Id(2)] int Status,
    [property: Id(3)] string EndpointId,
    [property: Id(4)] int ResponseIndex,
    [property: Id(5)] double ServedMs);
