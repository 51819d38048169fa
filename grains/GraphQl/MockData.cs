using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using Bogus;
using GraphQL;
using GraphQL.Resolvers;
using GraphQL.Types;

namespace OrleansMock.Grains.GraphQl;

/// <summary>
/// What a mocked field answers: the value declared for it (<c>"Type.field"</c> in the endpoint's values, or the field of
/// a declared object), with <c>{{args.name}}</c> and <c>{{variables.name}}</c> in strings replaced; else data generated
/// from its type: scalars by the field's name (an email for <c>email</c>, a name for <c>name</c>...), three items for a
/// list, an enum's first value, the first possible type of an interface or union. Generated data is seeded by the
/// field's place in the answer, so the same query gets the same answer. Each request has a budget of fields and depth.
/// </summary>
public static partial class MockData
{
    public const int ListLength = 3;

    public static readonly IFieldResolver Resolver = new FuncFieldResolver<object?>(Resolve);

    private static readonly DateTime Epoch = new(2024, 1, 1, 0, 0, 0, DateTimeKind.Utc);

    /// <summary>One request's values and budget, carried as the execution's user context.</summary>
    public sealed class Run : Dictionary<string, object?>
    {
        public required JsonObject Declared { get; init; }
        public required int MaxFields { get; init; }
        public required int MaxDepth { get; init; }
        public JsonObject? Variables { get; init; }
        public CancellationToken Cancellation { get; init; }
        public int Fields { get; set; }
        public Faker Faker { get; } = new("en");
    }

    private static object? Resolve(IResolveFieldContext context)
    {
        var run = (Run)context.UserContext;
        run.Cancellation.ThrowIfCancellationRequested();
        if (++run.Fields > run.MaxFields)
        {
            throw new ExecutionError($"the answer would hold more than {run.MaxFields} fields, the mock's budget per request");
        }
        var path = context.Path.ToArray();
        if (path.Length > run.MaxDepth)
        {
            throw new ExecutionError($"the answer would nest deeper than {run.MaxDepth} fields, the mock's budget per request");
        }
        var field = context.FieldDefinition.Name;
        var given = run.Declared.TryGetPropertyValue($"{context.ParentType.Name}.{field}", out var value)
            || (context.Source is MockNode { Json: { } json } && json.TryGetPropertyValue(field, out value));
        if (given)
        {
            value = Substitute(value, context, run);
        }
        return Convert(given, value, context.FieldDefinition.ResolvedType!, string.Join('.', path), field, run);
    }

    private static object? Convert(bool given, JsonNode? value, IGraphType type, string path, string field, Run run)
    {
        switch (type)
        {
            case NonNullGraphType nonNull:
                return given && value is null ? null : Convert(given, value, nonNull.ResolvedType!, path, field, run);
            case ListGraphType list when given:
                return value switch
                {
                    null => null,
                    JsonArray items => items.Select((item, i) => Convert(true, item, list.ResolvedType!, $"{path}.{i}", field, run)).ToList(),
                    _ => throw new ExecutionError($"the value given for {field} is not a list"),
                };
            case ListGraphType list:
                return Enumerable.Range(0, ListLength).Select(i => Convert(false, null, list.ResolvedType!, $"{path}.{i}", field, run)).ToList();
            case EnumerationGraphType enumeration:
                var values = enumeration.Values.ToList();
                if (!given)
                {
                    return values[0].Value;
                }
                if (value is null)
                {
                    return null;
                }
                var name = value.ToString();
                return values.FirstOrDefault(v => v.Name == name)?.Value
                    ?? throw new ExecutionError($"the value given for {field}, '{name}', is not one of {enumeration.Name}'s values");
            case ScalarGraphType scalar:
                return given ? Scalar(value, scalar, field) : Generate(scalar.Name, field, path, run);
            case IObjectGraphType objectType:
                return given && value is null ? null : new MockNode(objectType.Name, value as JsonObject, path);
            case IAbstractGraphType abstractType:
                if (given && value is null)
                {
                    return null;
                }
                var named = (value as JsonObject)?["__typename"]?.ToString();
                var chosen = abstractType.PossibleTypes.FirstOrDefault(t => named is null || t.Name == named)
                    ?? throw new ExecutionError($"the value given for {field} names __typename '{named}', which is not a {abstractType.Name}");
                return new MockNode(chosen.Name, value as JsonObject, path);
            default:
                return null;
        }
    }

    private static object? Scalar(JsonNode? value, ScalarGraphType scalar, string field)
    {
        if (value is null)
        {
            return null;
        }
        if (value is not JsonValue json)
        {
            return scalar is IdGraphType or StringGraphType ? value.ToJsonString() : JsonSerializer.Deserialize<object>(value.ToJsonString());
        }
        return (scalar, json.GetValueKind()) switch
        {
            (IdGraphType or StringGraphType, JsonValueKind.String) => json.GetValue<string>(),
            (IdGraphType or StringGraphType, _) => json.ToJsonString(),
            (IntGraphType, JsonValueKind.Number) when json.TryGetValue<int>(out var i) => i,
            (FloatGraphType, JsonValueKind.Number) => json.GetValue<double>(),
            (BooleanGraphType, JsonValueKind.True or JsonValueKind.False) => json.GetValue<bool>(),
            (IntGraphType or FloatGraphType or BooleanGraphType, _) => throw new ExecutionError($"the value given for {field}, {json.ToJsonString()}, is not a {scalar.Name}"),
            (_, JsonValueKind.String) => json.GetValue<string>(),
            (_, JsonValueKind.Number) => json.GetValue<double>(),
            (_, JsonValueKind.True or JsonValueKind.False) => json.GetValue<bool>(),
            _ => null,
        };
    }

    /// <summary>A scalar generated from its type and field name, seeded by its place in the answer.</summary>
    private static object Generate(string scalar, string field, string path, Run run)
    {
        var seed = Seed(path);
        var faker = run.Faker;
        faker.Random = new Randomizer(seed);
        var name = field.ToLowerInvariant();
        return scalar switch
        {
            "ID" => (seed % 1000 + 1).ToString(CultureInfo.InvariantCulture),
            "Int" => name switch
            {
                "age" => faker.Random.Int(18, 90),
                _ when name.Contains("year") => faker.Random.Int(1990, 2030),
                _ => faker.Random.Int(1, 1000),
            },
            "Float" => Math.Round(faker.Random.Double(1, 1000), 2),
            "Boolean" => seed % 2 == 0,
            "Date" => Epoch.AddDays(seed % 1500).ToString("yyyy-MM-dd", CultureInfo.InvariantCulture),
            "DateTime" or "DateTimeOffset" => Epoch.AddMinutes(seed % 2_000_000).ToString("yyyy-MM-dd'T'HH:mm:ss'Z'", CultureInfo.InvariantCulture),
            _ => Text(name, faker, seed),
        };
    }

    private static string Text(string name, Faker faker, int seed) => name switch
    {
        "id" or "uuid" or "guid" => faker.Random.Guid().ToString(),
        _ when name.EndsWith("id", StringComparison.Ordinal) => (seed % 1000 + 1).ToString(CultureInfo.InvariantCulture),
        "name" or "fullname" or "displayname" or "author" => faker.Name.FullName(),
        "firstname" or "givenname" => faker.Name.FirstName(),
        "lastname" or "surname" or "familyname" => faker.Name.LastName(),
        "username" or "login" or "handle" => faker.Internet.UserName(),
        _ when name.Contains("email") => faker.Internet.Email(),
        _ when name.Contains("phone") => faker.Phone.PhoneNumber(),
        _ when name.Contains("url") || name.Contains("website") || name.Contains("avatar") || name.Contains("image") => faker.Internet.Url(),
        "city" => faker.Address.City(),
        "country" => faker.Address.Country(),
        "street" or "address" => faker.Address.StreetAddress(),
        "zip" or "zipcode" or "postcode" or "postalcode" => faker.Address.ZipCode(),
        "company" or "organization" => faker.Company.CompanyName(),
        "title" or "headline" or "subject" => faker.Lorem.Sentence(4).TrimEnd('.'),
        "description" or "body" or "text" or "content" or "bio" or "summary" or "comment" => faker.Lorem.Sentence(),
        "color" or "colour" => faker.Commerce.Color(),
        _ when name.EndsWith("at", StringComparison.Ordinal) || name.Contains("date") || name.Contains("time") =>
            Epoch.AddMinutes(seed % 2_000_000).ToString("yyyy-MM-dd'T'HH:mm:ss'Z'", CultureInfo.InvariantCulture),
        _ => faker.Lorem.Word(),
    };

    /// <summary>A stable seed for a place in the answer (FNV-1a; string.GetHashCode differs per process).</summary>
    private static int Seed(string path)
    {
        var hash = 2166136261u;
        foreach (var c in path)
        {
            hash = (hash ^ c) * 16777619u;
        }
        return (int)(hash & 0x7fffffff);
    }

    /// <summary>Strings of a declared value with <c>{{args.x}}</c> and <c>{{variables.x}}</c> replaced (deep: objects and arrays too).</summary>
    private static JsonNode? Substitute(JsonNode? value, IResolveFieldContext context, Run run)
    {
        switch (value)
        {
            case JsonValue text when text.GetValueKind() == JsonValueKind.String && text.GetValue<string>() is var s && s.Contains("{{", StringComparison.Ordinal):
                var whole = Placeholder().Match(s);
                if (whole.Success && whole.Length == s.Length)
                {
                    return Lookup(whole, context, run)?.DeepClone(); // "{{args.id}}" alone keeps the argument's type
                }
                return JsonValue.Create(Placeholder().Replace(s, m => Lookup(m, context, run) is { } found
                    ? found is JsonValue v && v.GetValueKind() == JsonValueKind.String ? v.GetValue<string>() : found.ToJsonString()
                    : ""));
            case JsonObject obj when obj.Any(p => p.Value is not null && p.Value.ToJsonString().Contains("{{", StringComparison.Ordinal)):
                return new JsonObject(obj.Select(p => KeyValuePair.Create(p.Key, Substitute(p.Value?.DeepClone(), context, run))));
            case JsonArray array when array.ToJsonString().Contains("{{", StringComparison.Ordinal):
                return new JsonArray([.. array.Select(item => Substitute(item?.DeepClone(), context, run))]);
            default:
                return value;
        }
    }

    private static JsonNode? Lookup(Match match, IResolveFieldContext context, Run run)
    {
        var name = match.Groups[2].Value;
        if (match.Groups[1].Value == "variables")
        {
            return run.Variables?[name];
        }
        return context.Arguments is { } arguments && arguments.TryGetValue(name, out var argument) && argument.Value is { } v
            ? JsonSerializer.SerializeToNode(v)
            : null;
    }

    [GeneratedRegex(@"\{\{\s*(args|variables)\.([_A-Za-z][_0-9A-Za-z]*)\s*\}\}")]
    private static partial Regex Placeholder();
}
