using System.Collections.Concurrent;

namespace OrleansMock.Api.Http;

/// <summary>
/// The live request log streams this front end holds open: at most <c>perUser</c> for one user
/// (<c>OrleansMock:Limits:MaxLogStreamsPerUser</c>) and <c>total</c> for all users together
/// (<c>OrleansMock:Limits:MaxLogStreams</c>), so many accounts cannot hold every connection of a front end open.
/// </summary>
public sealed class LogStreamSlots
{
    // Open streams per user (users without streams are not kept), and in all.
    private readonly ConcurrentDictionary<string, int> _perUser = new(StringComparer.Ordinal);
    private int _total;

    /// <summary>Takes a slot for <paramref name="userId"/>; null when taken (release it), else which limit refused it.</summary>
    public string? TryTake(string userId, int perUser, int total)
    {
        if (Interlocked.Increment(ref _total) > total)
        {
            Interlocked.Decrement(ref _total);
            return $"this front end already holds {total} live request log streams (OrleansMock:Limits:MaxLogStreams); retry later";
        }
        if (_perUser.AddOrUpdate(userId, 1, (_, open) => open + 1) > perUser)
        {
            Release(userId);
            return $"this user already has {perUser} live request log streams open (OrleansMock:Limits:MaxLogStreamsPerUser); close one first";
        }
        return null;
    }

    public void Release(string userId)
    {
        Interlocked.Decrement(ref _total);
        if (_perUser.AddOrUpdate(userId, 0, (_, open) => open - 1) <= 0)
        {
            _perUser.TryRemove(KeyValuePair.Create(userId, 0));
        }
    }
}
