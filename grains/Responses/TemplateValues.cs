using System.Collections;
using System.Globalization;
using System.Text;
using HandlebarsDotNet;
using HandlebarsDotNet.Compiler;
using HandlebarsDotNet.IO;
using HandlebarsDotNet.Iterators;
using HandlebarsDotNet.ObjectDescriptors;
using HandlebarsDotNet.PathStructure;

namespace OrleansMock.Grains.Responses;

/// <summary>
/// A list or map of a template: the request model (<c>request.pathSegments</c>, <c>request.query</c>, …) and what
/// helpers make (<c>array</c>, <c>range</c>, <c>parseJson</c>, …). Handlebars iterates it through
/// <see cref="DescriptorProvider"/>, which counts every iteration against the render's <see cref="RenderBudget"/>;
/// anything a template can loop over must be one of these (built-in collections are iterated uncounted).
/// Values print as WireMock (Java) prints them: a list <c>[1, two, true]</c>, a map <c>{a=1, b=x}</c>, and a value that
/// can be one or many (a query parameter, a header, a cookie, a form field) its first value.
/// </summary>
public sealed class TemplateValues : IEnumerable
{
    private enum Kind
    {
        /// <summary><c>request.pathSegments</c>: prints as the path.</summary>
        Segments,
        /// <summary>A query parameter, header, cookie or form field: prints its first value; <c>.1</c>, <c>.first</c>, <c>.last</c>, <c>.[-1]</c> index it.</summary>
        OneOrMany,
        /// <summary>A list a helper made (<c>array</c>, <c>range</c>, a JSON array).</summary>
        Items,
        Map,
    }

    private readonly Kind _kind;

    private TemplateValues(Kind kind, object inner)
    {
        _kind = kind;
        Inner = inner;
    }

    internal object Inner { get; }

    public static TemplateValues List(string[] items) => new(Kind.Segments, items);

    public static TemplateValues OneOrMany(IReadOnlyList<string> values) => new(Kind.OneOrMany, values.Cast<object?>().ToArray());

    public static TemplateValues Items(object?[] items) => new(Kind.Items, items);

    public static TemplateValues Map(Dictionary<string, object?> members) => new(Kind.Map, members);

    /// <summary>The items of a list (of any kind), or null for a map.</summary>
    internal object?[]? AsList => Inner as object?[]; // string[] (segments, one-or-many) included: arrays are covariant

    internal bool IsItems => _kind == Kind.Items;

    internal Dictionary<string, object?>? AsMap => Inner as Dictionary<string, object?>;

    internal bool IsOneOrMany => _kind == Kind.OneOrMany;

    public IEnumerator GetEnumerator() => ((IEnumerable)Inner).GetEnumerator();

    public override string ToString() => _kind switch
    {
        Kind.Segments => "/" + string.Join("/", (string[])Inner),
        Kind.OneOrMany => ((object?[])Inner) is [var first, ..] ? TemplateText.Of(first) : "",
        _ => TemplateText.Of(this),
    };

    /// <summary>A member: a list's index (<c>.1</c>, <c>.[-1]</c>), <c>first</c>, <c>last</c>, <c>length</c>; a map's key.</summary>
    internal bool TryGet(string name, out object? value)
    {
        value = null;
        if (AsList is { } items)
        {
            switch (name)
            {
                case "length" or "size":
                    value = items.Length;
                    return true;
                case "first":
                    value = items.Length > 0 ? items[0] : null;
                    return items.Length > 0;
                case "last":
                    value = items.Length > 0 ? items[^1] : null;
                    return items.Length > 0;
            }
            if (!int.TryParse(name, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var index))
            {
                return false;
            }
            // WireMock counts a negative index from the one before last: .[-1] of 1,2,3 is 2.
            index = index < 0 ? items.Length - 1 + index : index;
            var found = index >= 0 && index < items.Length;
            value = found ? items[index] : null;
            return found;
        }
        var map = (Dictionary<string, object?>)Inner;
        if (map.TryGetValue(name, out value))
        {
            return true;
        }
        // A key that is a path ('ids[].1', as WireMock's lookup takes it): its member, then the rest of the path.
        var dot = name.LastIndexOf('.');
        return dot > 0 && map.TryGetValue(name[..dot], out var parent) && parent is TemplateValues inner && inner.TryGet(name[(dot + 1)..], out value);
    }

    internal sealed class DescriptorProvider : IObjectDescriptorProvider
    {
        private static readonly ObjectDescriptor MapDescriptor = BuiltInMapDescriptor();
        private static readonly IIterator ListIterator = new ArrayIterator<object?>();
        private static readonly IIterator SegmentIterator = new ArrayIterator<string>();

        private static readonly ObjectDescriptor Descriptor = new(
            typeof(TemplateValues), new Accessor(),
            (_, value) => ((TemplateValues)value).Inner is Dictionary<string, object?> map ? map.Keys : Enumerable.Range(0, ((TemplateValues)value).AsList!.Length).Cast<object>(),
            _ => new CountingIterator(value => ((TemplateValues)value).Inner switch
            {
                string[] segments => (SegmentIterator, segments),
                object?[] items => (ListIterator, items),
                var map => (MapDescriptor.Iterator!, map),
            }));

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
            public bool TryGetValue(object instance, ChainSegment memberName, out object? value) =>
                ((TemplateValues)instance).TryGet(memberName.TrimmedValue, out value);
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

/// <summary>
/// A template value as text, as WireMock (Java) prints it: <c>true</c>, <c>3.0</c> for a decimal 3, <c>[1, two]</c> for a
/// list, <c>{a=1}</c> for a map, <c>null</c> inside a list. Also Handlebars' formatter for those types, so
/// <c>{{array 1 true}}</c> prints as WireMock's does rather than as .NET's <c>True</c>.
/// </summary>
internal sealed class TemplateText : IFormatterProvider, IFormatter
{
    public static string Of(object? value) => value switch
    {
        null or UndefinedBindingResult => "",
        string text => text,
        _ => Append(new StringBuilder(), value, nested: false).ToString(),
    };

    private static StringBuilder Append(StringBuilder text, object? value, bool nested)
    {
        RenderBudget.Produce(text.Length);
        switch (value)
        {
            case null:
                return text.Append(nested ? "null" : "");
            case bool flag:
                return text.Append(flag ? "true" : "false");
            case double number:
                return text.Append(Double(number));
            case float number:
                return text.Append(Double(number));
            case IFormattable formattable and not DateTimeOffset:
                return text.Append(formattable.ToString(null, CultureInfo.InvariantCulture));
            case TemplateValues { IsItems: true, AsList: { } items }:
                text.Append('[');
                for (var i = 0; i < items.Length; i++)
                {
                    Append(i > 0 ? text.Append(", ") : text, items[i], nested: true);
                }
                return text.Append(']');
            case TemplateValues { AsMap: { } map }:
                text.Append('{');
                var first = true;
                foreach (var (key, member) in map)
                {
                    Append((first ? text : text.Append(", ")).Append(key).Append('='), member, nested: true);
                    first = false;
                }
                return text.Append('}');
            default:
                return text.Append(value.ToString());
        }
    }

    /// <summary>Java's Double.toString for the common range: 3.0, 0.25, 1.0E10.</summary>
    private static string Double(double number)
    {
        if (double.IsNaN(number) || double.IsInfinity(number))
        {
            return double.IsNaN(number) ? "NaN" : number > 0 ? "Infinity" : "-Infinity";
        }
        var magnitude = Math.Abs(number);
        if (magnitude is >= 1e-3 and < 1e7 || number == 0)
        {
            var text = number.ToString("R", CultureInfo.InvariantCulture);
            return text.Contains('.') || text.Contains('E') ? text : text + ".0";
        }
        var scientific = number.ToString("0.0################E0", CultureInfo.InvariantCulture);
        return scientific;
    }

    public bool TryCreateFormatter(Type type, out IFormatter formatter)
    {
        formatter = this;
        return type == typeof(bool) || type == typeof(double) || type == typeof(float) || type == typeof(TemplateValues) || type == typeof(TemplateDate);
    }

    public void Format<T>(T value, in EncodedTextWriter writer) => writer.Write(Of(value), false);
}
