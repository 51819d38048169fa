using System.Diagnostics;
using System.Text.RegularExpressions;

namespace OrleansMock.Grains.Safety;

/// <summary>
/// Regular expressions written by tenants or anonymous callers (schema <c>pattern</c>, <c>_like</c>), compiled so that
/// no input can make a match take exponential time: the non-backtracking engine (linear in the input) wherever the
/// pattern's syntax allows, otherwise the backtracking engine with a match timeout. Every match also spends from a
/// <see cref="WorkBudget"/>, so the total per request is bounded, not only each match.
/// </summary>
public static class SafeRegex
{
    /// <summary>How long one match may run on the backtracking engine (patterns with backreferences or lookarounds).</summary>
    public static readonly TimeSpan MatchTimeout = TimeSpan.FromMilliseconds(50);

    /// <summary>Compiles <paramref name="pattern"/>; an invalid pattern throws <see cref="ArgumentException"/>.</summary>
    public static Regex Create(string pattern, RegexOptions options = RegexOptions.None)
    {
        // ECMAScript semantics cannot be combined with the non-backtracking engine; .NET's own semantics differ only
        // in what \d, \w and \s match outside ASCII. Backreferences, lookarounds, atomic groups and conditionals
        // exist only on the backtracking engine, which then runs with a match timeout.
        return CreateLinear(pattern, options) ?? new Regex(pattern, options & ~RegexOptions.Compiled, MatchTimeout);
    }

    private static readonly System.Collections.Concurrent.ConcurrentDictionary<(string, RegexOptions), Regex> Cache = new();

    /// <summary>
    /// <see cref="Create"/>, kept for the next call with the same pattern (the patterns of templates and matchers are few
    /// and literal; the cache keeps at most 1,024). An invalid pattern throws <see cref="ArgumentException"/> each time.
    /// </summary>
    public static Regex CreateCached(string pattern, RegexOptions options = RegexOptions.None)
    {
        if (Cache.TryGetValue((pattern, options), out var known))
        {
            return known;
        }
        var regex = Create(pattern, options);
        if (Cache.Count < 1024)
        {
            Cache[(pattern, options)] = regex;
        }
        return regex;
    }

    /// <summary>The pattern on the non-backtracking engine, or null when its syntax needs backtracking.</summary>
    public static Regex? CreateLinear(string pattern, RegexOptions options = RegexOptions.None)
    {
        try
        {
            return new Regex(pattern, (options & ~RegexOptions.ECMAScript & ~RegexOptions.Compiled) | RegexOptions.NonBacktracking | RegexOptions.CultureInvariant, MatchTimeout);
        }
        catch (NotSupportedException)
        {
            return null;
        }
    }

    /// <summary>A match that spends from <paramref name="budget"/>; a timeout spends the rest of it.</summary>
    public static bool IsMatch(Regex regex, string input, WorkBudget budget) =>
        Run(budget, () => regex.IsMatch(input),
            $"a regular expression ran longer than the {MatchTimeout.TotalMilliseconds:0} ms one match may take");

    /// <summary>
    /// Runs regular-expression work (here or inside a library, such as a JSONPath filter) within <paramref name="budget"/>:
    /// its time is spent from it, and a match timeout spends the rest and ends the work with <paramref name="timedOut"/>.
    /// </summary>
    public static T Run<T>(WorkBudget budget, Func<T> work, string timedOut)
    {
        budget.ThrowIfSpent();
        var started = Stopwatch.GetTimestamp();
        try
        {
            return work();
        }
        catch (RegexMatchTimeoutException)
        {
            budget.Exhaust();
            throw new WorkBudgetExceededException($"{timedOut}; simplify the pattern (nested quantifiers such as (a+)+ backtrack without end)");
        }
        finally
        {
            budget.Spend(Stopwatch.GetElapsedTime(started));
        }
    }
}

/// <summary>How much CPU time one request's user-controlled work (regular expressions, schema checks) may take in all.</summary>
public sealed class WorkBudget(TimeSpan limit, CancellationToken cancellation = default)
{
    private long _spentTicks;

    public TimeSpan Limit { get; } = limit;

    public TimeSpan Spent => TimeSpan.FromTicks(Interlocked.Read(ref _spentTicks));

    public void Spend(TimeSpan time) => Interlocked.Add(ref _spentTicks, time.Ticks);

    public void Exhaust() => Interlocked.Exchange(ref _spentTicks, Math.Max(Interlocked.Read(ref _spentTicks), Limit.Ticks + 1));

    /// <summary>Throws once the budget is spent or the caller went away (the request was aborted).</summary>
    public void ThrowIfSpent()
    {
        cancellation.ThrowIfCancellationRequested();
        if (Interlocked.Read(ref _spentTicks) > Limit.Ticks)
        {
            throw new WorkBudgetExceededException(this);
        }
    }
}

/// <summary>A request's work went over its <see cref="WorkBudget"/>; answered as a 422 naming the limit.</summary>
public sealed class WorkBudgetExceededException(string message) : Exception(message)
{
    public WorkBudgetExceededException(WorkBudget budget)
        : this($"the request needs more than the {budget.Limit.TotalMilliseconds:0} ms of pattern matching one request may use; simplify the regular expression or the query")
    {
    }
}
