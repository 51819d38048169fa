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
    private int _steps;

    private RenderBudget(WorkBudget work, int maxSteps)
    {
        _work = work;
        _maxSteps = maxSteps;
    }

    /// <summary>Runs <paramref name="render"/> under a budget; the time it took is spent from <paramref name="work"/>.</summary>
    public static T Run<T>(WorkBudget work, int maxSteps, Func<T> render)
    {
        var outer = t_current;
        var budget = new RenderBudget(work, maxSteps);
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

/// <summary>
/// A list or map of the template model (<c>request.pathSegments</c>, <c>request.query</c>, …). Handlebars iterates it
/// through <see cref="DescriptorProvider"/>, which counts every iteration against the render's <see cref="RenderBudget"/>;
/// anything a template can loop over must be one of these (built-in collections are iterated uncounted).
/// </summary>
public sealed class TemplateValues : IEnumerable
{
    private TemplateValues(object inner) => Inner = inner;

    internal object Inner { get; }

    public static TemplateValues List(string[] items) => new(items);

    public static TemplateValues Map(Dictionary<string, object?> members) => new(members);

    public IEnumerator GetEnumerator() => ((IEnumerable)Inner).GetEnumerator();

    public override string ToString() => Inner is string[] items ? string.Join(",", items) : "[object]";

    internal sealed class DescriptorProvider : IObjectDescriptorProvider
    {
        private static readonly ObjectDescriptor MapDescriptor = BuiltInMapDescriptor();
        private static readonly IIterator ListIterator = new ArrayIterator<string>();

        private static readonly ObjectDescriptor Descriptor = new(
            typeof(TemplateValues), new Accessor(),
            (_, value) => ((TemplateValues)value).Inner is Dictionary<string, object?> map ? map.Keys : Enumerable.Range(0, ((string[])((TemplateValues)value).Inner).Length).Cast<object>(),
            _ => new CountingIterator(value => ((TemplateValues)value).Inner is string[] items ? (ListIterator, items) : (MapDescriptor.Iterator!, ((TemplateValues)value).Inner)));

        public bool TryGetDescriptor(Type type, out ObjectDescriptor value)
        {
            value = type == typeof(TemplateValues) ? Descriptor : ObjectDescriptor.Empty;
            return type == typeof(TemplateValues);
        }

        private static ObjectDescriptor BuiltInMapDescriptor() =>
            new GenericDictionaryObjectDescriptorProvider().TryGetDescriptor(typeof(Dictionary<string, object?>), out var descriptor)
                ? descriptor
                : throw new InvalidOperationException("Handlebars describes no Dictionary<string, object>");

        private sealed class Accessor : HandlebarsDotNet.MemberAccessors.IMemberAccessor
        {
            public bool TryGetValue(object instance, ChainSegment memberName, out object? value)
            {
                switch (((TemplateValues)instance).Inner)
                {
                    case string[] items:
                        var name = memberName.TrimmedValue;
                        if (name == "length")
                        {
                            value = items.Length;
                            return true;
                        }
                        var found = int.TryParse(name, System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out var index)
                            && index < items.Length;
                        value = found ? items[index] : null;
                        return found;
                    case var map:
                        return MapDescriptor.MemberAccessor.TryGetValue(map, memberName, out value);
                }
            }
        }

    }
}

/// <summary>Iterates with another iterator, counting every iteration against the running render's <see cref="RenderBudget"/>.</summary>
internal sealed class CountingIterator(Func<object, (IIterator Iterator, object Input)> resolve) : IIterator
{
    public void Iterate(in EncodedTextWriter writer, BindingContext context, ChainSegment[] blockParamsVariables, object input,
        TemplateDelegate template, TemplateDelegate ifEmpty)
    {
        TemplateDelegate counted = (EncodedTextWriter output, BindingContext frame) =>
        {
            RenderBudget.Step();
            template(output, frame);
        };
        var (iterator, inner) = resolve(input);
        iterator.Iterate(writer, context, blockParamsVariables, inner, counted, ifEmpty);
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

    private void Grow(int chars)
    {
        if (_text.Length + chars > maxChars)
        {
            throw new TemplateException($"the rendered template is longer than the {maxChars} characters a response may have");
        }
        _sinceCheck += chars;
        if (_sinceCheck >= CheckEvery)
        {
            _sinceCheck = 0;
            RenderBudget.CheckTime();
        }
    }
}
