using System.Collections.Concurrent;
using System.Security.Cryptography;

namespace OrleansMock.Api.Auth;

/// <summary>
/// Failed logins, counted per (email, client address) whether or not the account exists: five failures in 15 minutes
/// lock that pair for the rest of the window. A stranger can therefore not lock the owner out (the owner's own
/// address keeps its five tries), and the answers (401, then 429) are the same for unknown emails as for real
/// accounts, so they reveal nothing. Held in this front end's memory: a restart forgets it, and each front end counts
/// on its own; the per-client login rate limit (<c>OrleansMock:RateLimits:LoginPerClient</c>, shared by all front
/// ends) bounds guessing across them.
/// </summary>
public sealed class LoginGuard(TimeProvider time)
{
    public const int MaxFailures = 5;
    public static readonly TimeSpan Window = TimeSpan.FromMinutes(15);
    private const int MaxTracked = 100_000;

    // What verifying a password costs for a real account (Identity's PBKDF2-HMAC-SHA512, 100,000 iterations): spent for
    // unknown emails too, so the time of an answer does not tell whether the account exists.
    private static readonly byte[] DummySalt = RandomNumberGenerator.GetBytes(16);

    private readonly ConcurrentDictionary<(string Email, string Client), Failures> _failures = new();

    private sealed class Failures
    {
        public readonly Queue<DateTimeOffset> Times = new();
    }

    /// <summary>How long the pair is still locked, or null when it may try.</summary>
    public TimeSpan? LockedFor(string email, string client)
    {
        if (!_failures.TryGetValue((email, client), out var failures))
        {
            return null;
        }
        var now = time.GetUtcNow();
        lock (failures)
        {
            while (failures.Times.TryPeek(out var oldest) && now - oldest > Window)
            {
                failures.Times.Dequeue();
            }
            return failures.Times.Count >= MaxFailures ? failures.Times.Peek() + Window - now : null;
        }
    }

    public void RecordFailure(string email, string client)
    {
        if (_failures.Count >= MaxTracked)
        {
            Forget(time.GetUtcNow());
        }
        var failures = _failures.GetOrAdd((email, client), _ => new Failures());
        lock (failures)
        {
            failures.Times.Enqueue(time.GetUtcNow());
        }
    }

    public void RecordSuccess(string email, string client) => _failures.TryRemove((email, client), out _);

    /// <summary>The work of checking a password, for an email no account has.</summary>
    public static void SpendLikeAPasswordCheck(string password) =>
        Rfc2898DeriveBytes.Pbkdf2(password, DummySalt, 100_000, HashAlgorithmName.SHA512, 32);

    private void Forget(DateTimeOffset now)
    {
        foreach (var (key, failures) in _failures)
        {
            bool stale;
            lock (failures)
            {
                // Every failure of the pair is older than the window: nothing left to count.
                stale = failures.Times.Count == 0 || now - failures.Times.Last() > Window;
            }
            if (stale)
            {
                _failures.TryRemove(key, out _);
            }
        }
        if (_failures.Count >= MaxTracked)
        {
            _failures.Clear(); // flooded with distinct pairs: the per-client login rate limit still holds
        }
    }
}
