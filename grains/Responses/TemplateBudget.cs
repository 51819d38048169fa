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

/// <summary>
/// Partials, checked when a template is saved: a template may define inline partials (<c>{{#*inline "name"}}</c>) and
/// call them (<c>{{> name}}</c>), but no partial may call itself (directly or through others), names must be literal,
/// and the calls one render makes when every partial is expanded stay within <see cref="MaxExpandedCalls"/> (a chain
/// of partials that each call the next twice doubles per level without a single loop).
/// </summary>
internal static partial class TemplatePartials
{
    public const int MaxExpandedCalls = 1000;

    [System.Text.RegularExpressions.GeneratedRegex(@"\{\{~?\s*#\*inline\s+(?:""([^""]*)""|'([^']*)')\s*~?\}\}", System.Text.RegularExpressions.RegexOptions.CultureInvariant, matchTimeoutMilliseconds: 1000)]
    private static partial System.Text.RegularExpressions.Regex InlineStart();

    [System.Text.RegularExpressions.GeneratedRegex(@"\{\{~?\s*/inline\s*~?\}\}", System.Text.RegularExpressions.RegexOptions.CultureInvariant, matchTimeoutMilliseconds: 1000)]
    private static partial System.Text.RegularExpressions.Regex InlineEnd();

    [System.Text.RegularExpressions.GeneratedRegex(@"\{\{~?\s*#?>\s*(""[^""]*""|'[^']*'|\[[^\]]*\]|[^\s}~]+)", System.Text.RegularExpressions.RegexOptions.CultureInvariant, matchTimeoutMilliseconds: 1000)]
    private static partial System.Text.RegularExpressions.Regex Call();

    /// <summary>Why the template's partials could run without bound, or null.</summary>
    public static string? Check(string text)
    {
        if (!text.Contains('>', StringComparison.Ordinal))
        {
            return null; // no partial call: the common case
        }
        var bodies = new Dictionary<string, string>(StringComparer.Ordinal);
        var outside = new StringBuilder();
        var position = 0;
        foreach (System.Text.RegularExpressions.Match start in InlineStart().Matches(text))
        {
            if (start.Index < position)
            {
                return "inline partials may not be defined inside one another";
            }
            var end = InlineEnd().Match(text, start.Index + start.Length);
            if (!end.Success)
            {
                return null; // Handlebars reports the unclosed block itself
            }
            outside.Append(text, position, start.Index - position);
            var name = start.Groups[1].Success ? start.Groups[1].Value : start.Groups[2].Value;
            bodies[name] = text[(start.Index + start.Length)..end.Index];
            position = end.Index + end.Length;
        }
        outside.Append(text, position, text.Length - position);

        var expanded = new Dictionary<string, long>(StringComparer.Ordinal);
        var visiting = new HashSet<string>(StringComparer.Ordinal);
        string? problem = null;
        long Calls(string body)
        {
            long total = 0;
            foreach (System.Text.RegularExpressions.Match call in Call().Matches(body))
            {
                var name = call.Groups[1].Value.Trim('"', '\'', '[', ']');
                if (call.Groups[1].Value.StartsWith('('))
                {
                    problem ??= $"partial names must be written out, not computed ('{call.Value}}}}}')";
                    return MaxExpandedCalls + 1;
                }
                total += 1 + Expand(name);
                if (total > MaxExpandedCalls || problem is not null)
                {
                    return MaxExpandedCalls + 1;
                }
            }
            return total;
        }
        long Expand(string name)
        {
            if (expanded.TryGetValue(name, out var known))
            {
                return known;
            }
            if (!bodies.TryGetValue(name, out var body))
            {
                return 0; // not defined here: Handlebars fails the render that calls it
            }
            if (!visiting.Add(name))
            {
                problem ??= $"partial '{name}' calls itself (directly or through other partials)";
                return MaxExpandedCalls + 1;
            }
            var calls = Calls(body);
            visiting.Remove(name);
            return expanded[name] = calls;
        }

        var total = Calls(outside.ToString());
        foreach (var name in bodies.Keys)
        {
            Expand(name); // a recursive partial is refused even when nothing calls it yet
        }
        return problem ?? (total > MaxExpandedCalls
            ? $"its partials expand to more than {MaxExpandedCalls} partial calls per render; call fewer partials from each other"
            : null);
    }
}

/// <summary>
/// What can be known to fail when a template is saved, before any request renders it: a helper that does not exist
/// (<c>{{nosuchhelper 1}}</c>, also in a subexpression), a block helper without its argument (<c>{{#if}}</c>, which
/// Handlebars renders as nothing), and a literal argument a helper refuses whatever the request
/// (<c>{{faker 'no.such'}}</c>). Errors that depend on the request stay runtime 422s.
/// </summary>
internal static partial class TemplateLint
{
    private static readonly HashSet<string> BuiltIn = new(["if", "unless", "each", "with", "lookup", "log", "else"], StringComparer.Ordinal);
    private static readonly HashSet<string> NeedAnArgument = new(["if", "unless", "each", "with"], StringComparer.Ordinal);

    // {{name args}}, {{#name args}}, {{^name args}}: not comments, partials, closings, raw blocks or inline definitions.
    [System.Text.RegularExpressions.GeneratedRegex(@"\{\{~?\s*([#^]?)\s*([^\s}~()#^!>/*&=][^\s}~()]*)((?:[^}]|\}(?!\}))*?)~?\}\}", System.Text.RegularExpressions.RegexOptions.CultureInvariant, matchTimeoutMilliseconds: 1000)]
    private static partial System.Text.RegularExpressions.Regex Mustache();

    [System.Text.RegularExpressions.GeneratedRegex(@"\(\s*([^\s()]+)", System.Text.RegularExpressions.RegexOptions.CultureInvariant, matchTimeoutMilliseconds: 1000)]
    private static partial System.Text.RegularExpressions.Regex Subexpression();

    [System.Text.RegularExpressions.GeneratedRegex(@"^\s*(?:'([^']*)'|""([^""]*)"")", System.Text.RegularExpressions.RegexOptions.CultureInvariant, matchTimeoutMilliseconds: 1000)]
    private static partial System.Text.RegularExpressions.Regex FirstLiteral();

    [System.Text.RegularExpressions.GeneratedRegex(@"'[^']*'|""[^""]*""", System.Text.RegularExpressions.RegexOptions.CultureInvariant, matchTimeoutMilliseconds: 1000)]
    private static partial System.Text.RegularExpressions.Regex StringLiteral();

    /// <summary>Why the template cannot work for any request, or null.</summary>
    public static string? Check(string text, IReadOnlySet<string> helpers)
    {
        if (!text.Contains("{{", StringComparison.Ordinal))
        {
            return null;
        }
        foreach (System.Text.RegularExpressions.Match mustache in Mustache().Matches(text))
        {
            if (mustache.Value.StartsWith("{{{", StringComparison.Ordinal))
            {
                continue; // a raw (unescaped) value: a path, as with {{...}}
            }
            var (block, name, rest) = (mustache.Groups[1].Value, mustache.Groups[2].Value, mustache.Groups[3].Value.Trim());
            if (block.Length > 0 && NeedAnArgument.Contains(name) && rest.Length == 0)
            {
                return $"{{{{{block}{name}}}}} needs an argument, e.g. {{{{{block}{name} request.query.q}}}}";
            }
            if ((rest.Length > 0 || block.Length > 0) && IsUnknownHelper(name, helpers))
            {
                return UnknownHelper(name, helpers);
            }
            // Parentheses inside a string literal ('$[?(@.a =~ /^(a+)+$/)]') are not subexpressions.
            foreach (System.Text.RegularExpressions.Match inner in Subexpression().Matches(StringLiteral().Replace(rest, "''")))
            {
                if (IsUnknownHelper(inner.Groups[1].Value, helpers))
                {
                    return UnknownHelper(inner.Groups[1].Value, helpers);
                }
            }
            if (name == "faker" && FirstLiteral().Match(rest) is { Success: true } literal)
            {
                var key = literal.Groups[1].Success ? literal.Groups[1].Value : literal.Groups[2].Value;
                if (!FakeData.Names.Contains(key))
                {
                    return $"faker '{key}' is not known; use one of {string.Join(", ", FakeData.Names)}";
                }
            }
        }
        return null;
    }

    // A path (request.query.q, this, @index, ../x) or a literal is not a helper call.
    private static bool IsUnknownHelper(string name, IReadOnlySet<string> helpers) =>
        !BuiltIn.Contains(name) && !helpers.Contains(name) && !name.Contains('.') && !name.Contains('/') && !name.StartsWith('@')
        && !name.StartsWith('\'') && !name.StartsWith('"') && !name.StartsWith('[') && name != "this" && !char.IsAsciiDigit(name[0])
        && name is not ("true" or "false" or "null" or "undefined");

    private static string UnknownHelper(string name, IReadOnlySet<string> helpers) =>
        $"'{name}' is not a helper; the helpers are {string.Join(", ", BuiltIn.Where(b => b != "else").Concat(helpers).Order(StringComparer.Ordinal))}";
}

/// <summary>
/// The template's nesting, checked in one pass before Handlebars parses it: Handlebars.Net's parser recurses per
/// nested block and per nested subexpression, and 40,000 nested blocks overflowed the stack, which ends the process
/// (a stack overflow cannot be caught). Deeper than <see cref="MaxBlockDepth"/> blocks or <see cref="MaxParenDepth"/>
/// parentheses is refused.
/// </summary>
internal static class TemplateShape
{
    public const int MaxBlockDepth = 64;
    public const int MaxParenDepth = 32;

    public static string? Check(string text)
    {
        var depth = 0;
        var at = text.IndexOf("{{", StringComparison.Ordinal);
        while (at >= 0)
        {
            var i = at + 2;
            while (i < text.Length && (text[i] is '{' or '~' || char.IsWhiteSpace(text[i])))
            {
                i++;
            }
            var end = text.IndexOf("}}", i, StringComparison.Ordinal);
            if (i < text.Length && text[i] is '#' or '^')
            {
                if (++depth > MaxBlockDepth)
                {
                    return $"its blocks nest more than {MaxBlockDepth} deep";
                }
            }
            else if (i < text.Length && text[i] == '/')
            {
                depth = Math.Max(0, depth - 1);
            }
            var parens = 0;
            for (var j = i; j < (end < 0 ? text.Length : end); j++)
            {
                if (text[j] == '(' && ++parens > MaxParenDepth)
                {
                    return $"its subexpressions nest more than {MaxParenDepth} deep";
                }
                if (text[j] == ')')
                {
                    parens = Math.Max(0, parens - 1);
                }
            }
            if (end < 0)
            {
                return null; // unclosed: Handlebars reports it
            }
            at = text.IndexOf("{{", end + 2, StringComparison.Ordinal);
        }
        return null;
    }
}
