using System.Collections.Concurrent;
using System.Text.Json;
using System.Text.Json.Nodes;
using GraphQL.Types;
using GraphQLParser.Exceptions;

namespace OrleansMock.Grains.GraphQl;

/// <summary>
/// A GraphQL schema (SDL) compiled for mocking: GraphQL.NET builds it, and every field of every object type is
/// resolved by <see cref="MockData"/> (declared values, else data generated from the field's type). Compiled schemas
/// are kept by their text, at most <see cref="MaxKept"/> (and <see cref="MaxKeptChars"/> of text) per process.
/// </summary>
public static class MockSchema
{
    private const int MaxKept = 500;

    /// <summary>At most this many characters of schema text are kept compiled (beside <see cref="MaxKept"/> schemas).</summary>
    private const long MaxKeptChars = 32L * 1024 * 1024;

    private static readonly ConcurrentDictionary<string, ISchema> Kept = new(StringComparer.Ordinal);
    private static long _keptChars;

    /// <summary>The compiled schema of <paramref name="sdl"/> (checked when the endpoint was saved).</summary>
    public static ISchema Of(string sdl)
    {
        if (Kept.TryGetValue(sdl, out var schema))
        {
            return schema;
        }
        if (Kept.Count >= MaxKept || Interlocked.Read(ref _keptChars) + sdl.Length > MaxKeptChars)
        {
            Kept.Clear();
            Interlocked.Exchange(ref _keptChars, 0);
        }
        Interlocked.Add(ref _keptChars, sdl.Length);
        return Kept[sdl] = Compile(sdl);
    }

    /// <summary>Why <paramref name="sdl"/> is not a schema this service can mock (the line named where known), or null.</summary>
    public static string? Check(string sdl, string? valuesJson)
    {
        ISchema schema;
        try
        {
            schema = Compile(sdl);
        }
        catch (GraphQLSyntaxErrorException syntax)
        {
            return $"line {syntax.Location.Line}, column {syntax.Location.Column}: {syntax.Description}";
        }
        catch (GraphQLParser.Exceptions.GraphQLParserException parser)
        {
            return $"the schema cannot be read: {parser.Message.Split('\n')[0]}"; // a document nested past the parser's depth, say
        }
        catch (Exception exception) when (exception is not (OutOfMemoryException or InsufficientExecutionStackException))
        {
            return LineOf(sdl, exception.Message) is { } line ? $"line {line}: {exception.Message}" : exception.Message;
        }
        if (schema.Query is null)
        {
            return "the schema has no Query type";
        }
        if (valuesJson is null)
        {
            return null;
        }
        if (JsonNode.Parse(valuesJson) is not JsonObject values)
        {
            return "values must be a JSON object keyed \"Type.field\"";
        }
        foreach (var (key, _) in values)
        {
            var dot = key.IndexOf('.');
            var type = dot > 0 ? schema.AllTypes[key[..dot]] as IComplexGraphType : null;
            if (type is null || type.GetField(key[(dot + 1)..]) is null)
            {
                return $"values.{key}: the schema has no field {key} (keys are \"Type.field\", e.g. \"Query.user\")";
            }
        }
        return null;
    }

    private static ISchema Compile(string sdl)
    {
        // Every object type's fields are resolved by MockData, and each type knows its own objects (for interfaces and unions).
        var objects = GraphQLParser.Parser.Parse(sdl).Definitions
            .Select(d => d switch
            {
                GraphQLParser.AST.GraphQLObjectTypeDefinition type => (type.Name.StringValue, type.Fields?.Items.Select(f => f.Name.StringValue)),
                GraphQLParser.AST.GraphQLObjectTypeExtension extension => (extension.Name.StringValue, extension.Fields?.Items.Select(f => f.Name.StringValue)),
                _ => default,
            })
            .Where(t => t.Item1 is not null)
            .ToList();
        var schema = Schema.For(sdl, builder =>
        {
            foreach (var name in CustomScalars(sdl))
            {
                builder.Types.Include(name, typeof(AnyScalar));
            }
            foreach (var (name, fields) in objects)
            {
                var type = builder.Types.For(name);
                type.IsTypeOfFunc = source => source is MockNode node && node.TypeName == name;
                foreach (var field in fields ?? [])
                {
                    type.FieldFor(field).Resolver = MockData.Resolver;
                }
            }
        });
        schema.Initialize();
        return schema;
    }

    /// <summary>The scalars the SDL declares beyond GraphQL's and GraphQL.NET's own: each answers any JSON value as it is.</summary>
    private static IEnumerable<string> CustomScalars(string sdl)
    {
        var known = new HashSet<string>(["String", "Int", "Float", "Boolean", "ID", "Date", "DateTime", "DateTimeOffset", "Decimal", "Long",
            "BigInt", "Short", "UShort", "UInt", "ULong", "Byte", "SByte", "Guid", "Uri", "TimeSpan", "Seconds", "Milliseconds"], StringComparer.Ordinal);
        foreach (System.Text.RegularExpressions.Match match in System.Text.RegularExpressions.Regex.Matches(sdl, @"(?m)^\s*scalar\s+([_A-Za-z][_0-9A-Za-z]*)"))
        {
            if (!known.Contains(match.Groups[1].Value))
            {
                yield return match.Groups[1].Value;
            }
        }
    }

    private static int? LineOf(string sdl, string message)
    {
        var quoted = System.Text.RegularExpressions.Regex.Match(message, "'([_A-Za-z][_0-9A-Za-z]*)'");
        if (!quoted.Success)
        {
            return null;
        }
        var lines = sdl.Split('\n');
        for (var i = 0; i < lines.Length; i++)
        {
            if (System.Text.RegularExpressions.Regex.IsMatch(lines[i], $@"\b{quoted.Groups[1].Value}\b"))
            {
                return i + 1;
            }
        }
        return null;
    }

    /// <summary>A scalar the schema declares and GraphQL.NET does not know: any JSON value, as given.</summary>
    private sealed class AnyScalar : ScalarGraphType
    {
        public override object? ParseValue(object? value) => value;

        public override object? Serialize(object? value) => value;

        public override object? ParseLiteral(GraphQLParser.AST.GraphQLValue value) => value switch
        {
            GraphQLParser.AST.GraphQLStringValue s => (string)s.Value,
            GraphQLParser.AST.GraphQLIntValue i => long.Parse(i.Value.Span, provider: System.Globalization.CultureInfo.InvariantCulture),
            GraphQLParser.AST.GraphQLFloatValue f => double.Parse(f.Value.Span, provider: System.Globalization.CultureInfo.InvariantCulture),
            GraphQLParser.AST.GraphQLBooleanValue b => b.BoolValue,
            _ => null,
        };
    }
}

/// <summary>An object in a mocked answer: its GraphQL type, the JSON given for it (if any), and where it sits (the seed of what is generated).</summary>
public sealed record MockNode(string TypeName, JsonObject? Json, string Path);
