using System.Text.Json;
using System.Text.RegularExpressions;
using Json.Schema;
using Json.Schema.Keywords;
using OrleansMock.GrainInterfaces;
using OrleansMock.Grains.Safety;

namespace OrleansMock.Grains.Schemas;

/// <summary>
/// A resource's JSON Schema: checked completely when it is defined (every <c>$ref</c> resolves inside the document,
/// none loops without consuming input, the <c>$schema</c> is a draft we know; nothing is ever fetched), and evaluated
/// with bounded cost (<c>pattern</c> runs on <see cref="SafeRegex"/> within a <see cref="WorkBudget"/>;
/// <c>patternProperties</c> on the linear-time engine only).
/// </summary>
public sealed class ResourceSchema
{
    /// <summary>Schema-check time one record may use.</summary>
    public static readonly TimeSpan RecordBudget = TimeSpan.FromMilliseconds(250);

    private static readonly Dialect[] KnownDialects = [Dialect.Draft06, Dialect.Draft07, Dialect.Draft201909, Dialect.Draft202012];

    private static readonly BuildOptions Build = CreateBuildOptions();

    [ThreadStatic]
    private static WorkBudget? _current;

    private readonly JsonSchema _schema;

    private readonly bool _formats;

    private ResourceSchema(JsonSchema schema, bool formats) => (_schema, _formats) = (schema, formats);

    /// <summary>
    /// Null for no schema; an unusable schema throws <see cref="ResourceSchemaException"/> saying why. With
    /// <paramref name="formats"/>, <c>format</c> is asserted (an OpenAPI contract: <c>uuid</c>, <c>date-time</c>, <c>email</c>, ...,
    /// as Prism checks them); a resource's schema treats it as a note, as before.
    /// </summary>
    public static ResourceSchema? Compile(string? schemaJson, bool formats = false)
    {
        if (string.IsNullOrWhiteSpace(schemaJson))
        {
            return null;
        }
        JsonDocument document;
        try
        {
            document = JsonDocument.Parse(schemaJson);
        }
        catch (JsonException exception)
        {
            throw new ResourceSchemaException($"it is not JSON: {exception.Message}");
        }
        using (document)
        {
            var root = document.RootElement;
            if (root.ValueKind is not (JsonValueKind.Object or JsonValueKind.True or JsonValueKind.False))
            {
                throw new ResourceSchemaException("a schema is a JSON object (or true/false)");
            }
            SchemaReferences.Check(root);
            try
            {
                var schema = JsonSchema.Build(root.Clone(), Build, new Uri($"urn:orleansmock:schema:{Guid.NewGuid():N}"));
                UseLinearPatternProperties(schema);
                return new ResourceSchema(schema, formats);
            }
            catch (Exception exception) when (exception is JsonSchemaException or JsonException or ArgumentException or InvalidOperationException
                                                  or NotSupportedException or KeyNotFoundException or RefResolutionException)
            {
                throw new ResourceSchemaException(exception.Message);
            }
        }
    }

    /// <summary>Every failing rule, by instance path and keyword. Throws <see cref="WorkBudgetExceededException"/> when the check costs too much.</summary>
    public SchemaFailure[] Validate(JsonElement record, WorkBudget budget)
    {
        var previous = _current;
        _current = budget;
        EvaluationResults result;
        try
        {
            result = _schema.Evaluate(record, new EvaluationOptions { OutputFormat = OutputFormat.List, RequireFormatValidation = _formats });
        }
        catch (Exception exception) when (exception is not (WorkBudgetExceededException or OperationCanceledException or OutOfMemoryException))
        {
            // Compile checked the schema; should evaluation still fail, the record is refused, never a 500.
            return [new SchemaFailure("/", "schema", $"the schema could not be evaluated: {exception.Message}")];
        }
        finally
        {
            _current = previous;
        }
        if (result.IsValid)
        {
            return [];
        }
        return (result.Details ?? [])
            .Where(d => d.Errors is { Count: > 0 })
            .SelectMany(d => d.Errors!.Select(e => new SchemaFailure(
                d.InstanceLocation.ToString() is { Length: > 0 } path ? path : "/", e.Key, e.Value)))
            .Distinct()
            .ToArray();
    }

    public SchemaFailure[] Validate(string json, WorkBudget budget)
    {
        using var document = JsonDocument.Parse(json);
        return Validate(document.RootElement, budget);
    }

    private static BuildOptions CreateBuildOptions()
    {
        // Each known draft with "pattern" replaced (patternProperties cannot be: other keywords depend on its type; see
        // UseLinearPatternProperties), registered under the draft's own id so a "$schema"
        // naming it still selects it (and never the library's global, unbounded one).
        var registry = new DialectRegistry();
        Dialect? latest = null;
        foreach (var dialect in KnownDialects)
        {
            var safe = dialect
                .Without([PatternKeyword.Instance], dialect.Id, null, null)
                .With([BoundedPattern.Instance], dialect.Id, null, null);
            registry.Register(safe);
            latest = safe;
        }
        return new BuildOptions { Dialect = latest!, DialectRegistry = registry, SchemaRegistry = new SchemaRegistry() };
    }

    /// <summary>
    /// Swaps the regular expressions the library compiled for every <c>patternProperties</c> for linear-time ones. A
    /// record can hold many property names, so these patterns must run on the non-backtracking engine: a pattern
    /// that needs backtracking (lookarounds, backreferences) is refused here, when the resource is defined.
    /// </summary>
    private static void UseLinearPatternProperties(JsonSchema schema)
    {
        var seen = new HashSet<JsonSchemaNode>(ReferenceEqualityComparer.Instance);
        var pending = new Stack<JsonSchemaNode>([schema.Root]);
        while (pending.TryPop(out var node))
        {
            if (!seen.Add(node))
            {
                continue;
            }
            foreach (var keyword in node.Keywords ?? [])
            {
                if (keyword.Handler is PatternPropertiesKeyword && keyword.Value is Dictionary<string, Regex> patterns)
                {
                    keyword.Value = patterns.ToDictionary(p => p.Key, p => SafeRegex.CreateLinear(p.Key)
                        ?? throw new ResourceSchemaException(
                            $"patternProperties '{p.Key}' needs the backtracking regular expression engine (lookarounds or backreferences); property-name patterns must do without"));
                }
                foreach (var subschema in keyword.Subschemas ?? [])
                {
                    pending.Push(subschema);
                }
            }
        }
    }

    /// <summary>The ids of the drafts a schema's <c>$schema</c> may name.</summary>
    internal static IEnumerable<string> KnownDialectIds => KnownDialects.Select(d => d.Id!.ToString());

    private static WorkBudget Current => _current ?? throw new InvalidOperationException("schema evaluation runs inside ResourceSchema.Validate");

    /// <summary><c>pattern</c> on <see cref="SafeRegex"/>, spending from the evaluation's budget.</summary>
    private sealed class BoundedPattern : IKeywordHandler
    {
        public static readonly BoundedPattern Instance = new();

        public string Name => PatternKeyword.Instance.Name;

        public object? ValidateKeywordValue(JsonElement value)
        {
            PatternKeyword.Instance.ValidateKeywordValue(value); // the library's own checks and messages
            return SafeRegex.Create(value.GetString()!, RegexOptions.ECMAScript);
        }

        public void BuildSubschemas(KeywordData keyword, BuildContext context)
        {
        }

        public KeywordEvaluation Evaluate(KeywordData keyword, EvaluationContext context)
        {
            if (context.Instance.ValueKind != JsonValueKind.String)
            {
                return KeywordEvaluation.Ignore;
            }
            var regex = (Regex)keyword.Value!;
            var text = context.Instance.GetString()!;
            return SafeRegex.IsMatch(regex, text, Current)
                ? new KeywordEvaluation { Keyword = Name, IsValid = true }
                : new KeywordEvaluation { Keyword = Name, IsValid = false, Error = $"The string value is not a match for the indicated regular expression `{regex}`" };
        }
    }
}

/// <summary>A schema that cannot be used; the message says why (answered as a 422 when the resource is defined).</summary>
public sealed class ResourceSchemaException(string message) : Exception(message);
