using System.Collections.Concurrent;

namespace OrleansMock.GrainInterfaces;

/// <summary>
/// Names a front end's request to the grain that answers it, so that a grain in the same process can watch the client's
/// own <see cref="CancellationToken"/>. Orleans delivers a call's cancellation to the grain as a message, which waits for
/// the running turn, and a mock request's matching and rendering are one turn: only a token the turn can read directly
/// stops it when the client leaves. <see cref="Process"/> keeps a link made by another process from finding a token here.
/// </summary>
[GenerateSerializer, Immutable, Alias("om.ClientLink")]
public readonly record struct ClientLink([property: Id(0)] long Process, [property: Id(1)] long Request);

/// <summary>The tokens of the requests this process's front end has in flight (<see cref="ClientLink"/>).</summary>
public static class ClientAborts
{
    /// <summary>This process's id among the processes of a cluster (random; 0 is never used).</summary>
    public static readonly long Process = Random.Shared.NextInt64(1, long.MaxValue);

    private static readonly ConcurrentDictionary<long, CancellationToken> Tokens = new();
    private static long s_next;

    /// <summary>Makes <paramref name="aborted"/> findable until <see cref="Release"/>; a token that cannot be canceled gets no link.</summary>
    public static ClientLink Register(CancellationToken aborted)
    {
        if (!aborted.CanBeCanceled)
        {
            return default;
        }
        var id = Interlocked.Increment(ref s_next);
        Tokens[id] = aborted;
        return new ClientLink(Process, id);
    }

    public static void Release(ClientLink link)
    {
        if (link.Request != 0)
        {
            Tokens.TryRemove(link.Request, out _);
        }
    }

    /// <summary>The client's token when its request came from this process and is still in flight; else none.</summary>
    public static CancellationToken Find(ClientLink link) =>
        link.Process == Process && Tokens.TryGetValue(link.Request, out var token) ? token : CancellationToken.None;
}
