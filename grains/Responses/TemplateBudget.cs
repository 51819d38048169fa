using System.Collections;
using System.Diagnostics;
using System.Text;
using HandlebarsDotNet;
using HandlebarsDotNet.Compiler;
using HandlebarsDotNet.Iterators;
using HandlebarsDotNet.ObjectDescriptors;
using HandlebarsDotNet.PathStructure;
using OrleansMock.Grains.Safety;

namespace OrleansMock.Grains.Responses;

/// <summary>
/// What one render of a tenant's template may spend: steps (loop iterations and helper calls), characters of output,
/// and time (the rest of the request's <see cref="WorkBudget"/>, which also stops when the client went away). Counted
/// inside the render: every iteration of <c>{{#each}}</c> over the request model (<see cref="TemplateValues"/>), every
/// helper call and every write check it, so a template cannot loop, recurse or print past it. Renders run
/// synchronously on one thread; the budget of the running render is kept per thread.
/// </summary>
internal sealed class RenderBudget
{
    [ThreadStatic]
    private static RenderBudget? t_current;

    private readonly WorkBudget _work;
    private readonly long _started = Stopwatch.GetTimestamp();
    private readonly int _maxSteps;
    private readonly int _maxChars;
    private int _steps;

    private RenderBudget(WorkBudget work, int maxSteps, int maxChars)
    {
        _work = work;
        _maxSteps = maxSteps;
        _maxChars = maxChars;
    }

    /// <summary>
    /// Runs <paramref name="render"/> under a budget; the time it took is spent from <paramref name="work"/>. No value a
    /// helper makes may be longer than <paramref name="maxChars"/> (the output's limit: it could not be printed anyway).
    /// </summary>
    public static T Run<T>(WorkBudget work, int maxSteps, Func<T> render, int maxChars = int.MaxValue)
    {
        var outer = t_current;
        var budget = new RenderBudget(work, maxSteps, maxChars);
        t_current = budget;
        try
        {
            work.ThrowIfSpent();
            return render();
        }
        finally
        {
            t_current = outer;
            work.Spend(Stopwatch.GetElapsedTime(budget._started));
        }
    }

    /// <summary>The running render's share of the request's time (a fresh one outside a render).</summary>
    public static WorkBudget Work => t_current?._work ?? new WorkBudget(TimeSpan.FromMilliseconds(500));

    /// <summary>
    /// Checks, before a helper builds it, that a value of <paramref name="chars"/> characters fits the render's output
    /// (padding, repeating and replacing helpers could otherwise build a string far larger than any answer).
    /// </summary>
    public static void Produce(long chars)
    {
        var limit = t_current?._maxChars ?? int.MaxValue;
        if (chars > limit)
        {
            throw new TemplateException($"a helper would make a value of {chars} characters, more than the {limit} a response may have");
        }
    }

    /// <summary>Spends <paramref name="steps"/> from the running render's budget (nothing outside a render).</summary>
    public static void Step(int steps = 1) => t_current?.Spend(steps);

    private void Spend(int steps)
    {
        _steps += steps;
        if (_steps > _maxSteps)
        {
            throw new TemplateException(
                $"the template takes more than the {_maxSteps} steps (loop iterations and helper calls) one render may use (OrleansMock:Limits:MaxTemplateSteps); loop over less");
        }
        CheckTime();
    }

    /// <summary>Throws when the request's time is spent or its client went away.</summary>
    public static void CheckTime() => t_current?.CheckTimeCore();

    private void CheckTimeCore()
    {
        _work.ThrowIfSpent();
        var elapsed = Stopwatch.GetElapsedTime(_started);
        if (_work.Spent + elapsed > _work.Limit)
        {
            throw new TemplateException(
                $"the template takes longer than the {_work.Limit.TotalMilliseconds:0} ms the matchers and templates of one request may use; loop over less");
        }
    }
}

/// <summary>The render's output: past <c>maxChars</c> it stops the render; every few thousand characters it checks the time.</summary>
internal sealed class BudgetedWriter(int maxChars) : TextWriter
{
    private const int CheckEvery = 4096;

    private readonly StringBuilder _text = new();
    private int _sinceCheck;

    public override Encoding Encoding => Encoding.UTF8;

    public override void Write(char value)
    {
        Grow(1);
        _text.Append(value);
    }

    public override void Write(string? value)
    {
        Grow(value?.Length ?? 0);
        _text.Append(value);
    }

    public override void Write(char[] buffer, int index, int count)
    {
        Grow(count);
        _text.Append(buffer, index, count);
    }

    public override void Write(ReadOnlySpan<char> buffer)
    {
        Grow(buffer.Length);
        _text.Append(buffer);
    }

    public override string ToString() => _text.ToString();

    /// <summary>What a render longer than <paramref name="maxChars"/> fails with (plain templates' too).</summary>
    public static TemplateException TooLong(int maxChars) =>
        new($"the rendered template is longer than the {maxChars} characters a response may have");

    private void Grow(int chars)
    {
        if (_text.Length + chars > maxChars)
        {
            throw TooLong(maxChars);
        }
        _sinceCheck += chars;
        if (_sinceCheck >= CheckEvery)
        {
            _sinceCheck = 0;
            RenderBudget.CheckTime();
        }
    }
}
