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
    Task<CachedAnswers> TakeAnswersAsync(string projectId);
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

/// <summary>
/// A request a front end answered from its cache, for the project's journal: what the journal keeps of it (the query,
/// headers and body's start already redacted by the front end) and of its answer. A value: none is allocated per request,
/// and no <see cref="MockRequest"/> is built for it.
/// </summary>
[GenerateSerializer, Immutable, Alias("om.CachedAnswer.v2")]
public readonly record struct CachedAnswer(
    [property: Id(0)] string Method,
    [property: Id(1)] string Path,
    [property: Id(2)] string? Query,
    [property: Id(3)] KeyValuePair<string, string>[]? Headers,
    [property: Id(4)] string? BodyPreview,
    [property: Id(5)] DateTimeOffset At,
    [property: Id(6)] int Status,
    [property: Id(7)] string EndpointId,
    [property: Id(8)] int ResponseIndex,
    [property: Id(9)] double ServedMs);

/// <summary>
/// A batch of <see cref="CachedAnswer"/>s, handed over whole. Immutable: the sender lets go of the array, so a call within
/// one process passes it as it is (an array argument alone would be copied, entry by entry, on every call). The arrays
/// come from a pool (<see cref="Rent"/>) and go back to it once read (<see cref="Recycle"/>): under steady traffic a
/// front end fills the same few arrays again instead of allocating ~90 bytes per answer for the collector.
/// </summary>
[GenerateSerializer, Immutable, Alias("om.CachedAnswers")]
public sealed record CachedAnswers([property: Id(0)] CachedAnswer[] Items)
{
    public static readonly CachedAnswers None = new([]);

    /// <summary>The smallest and the largest batch a front end fills: powers of two, so the pool's arrays fit them exactly.</summary>
    public const int MinBatch = 16;
    public const int MaxBatch = 512; // about 46 KB: never on the large-object heap

    /// <summary>An array of exactly <paramref name="size"/> slots (a power of two from <see cref="MinBatch"/> to <see cref="MaxBatch"/>).</summary>
    public static CachedAnswer[] Rent(int size) => System.Buffers.ArrayPool<CachedAnswer>.Shared.Rent(size);

    /// <summary>
    /// Gives an array back to the pool, emptied, when nothing reads it any more: only its last holder calls this (the
    /// project grain once the entries are in its journal, or a front end for an array it copied out of). An array of
    /// another length (a copy of a batch sent before it was full) is left to the collector; one deserialized in a silo
    /// goes to that process's pool, which keeps a bounded number per size.
    /// </summary>
    public static void Recycle(CachedAnswer[] items)
    {
        if (items.Length is >= MinBatch and <= MaxBatch && System.Numerics.BitOperations.IsPow2(items.Length))
        {
            System.Buffers.ArrayPool<CachedAnswer>.Shared.Return(items, clearArray: true);
        }
    }
}
