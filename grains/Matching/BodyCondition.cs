using System.Text.RegularExpressions;
using Newtonsoft.Json.Linq;
using OrleansMock.GrainInterfaces;
using OrleansMock.Grains.Safety;
using OrleansMock.Grains.Schemas;

namespace OrleansMock.Grains.Matching;

/// <summary>A compiled <see cref="BodyMatcher"/>: one condition on the request body, in WireMock's vocabulary.</summary>
public abstract class BodyCondition
{
    private const string Names = "equalTo, contains, matches, doesNotContain, doesNotMatch, equalToJson, matchesJsonPath, matchesJsonSchema, binaryEqualTo, equalToXml, matchesXPath";

    /// <summary>Null when the body satisfies the condition, else why not.</summary>
    public abstract string? Check(RequestView request, WorkBudget budget);

    public static bool TryCompile(BodyMatcher? matcher, string field, out BodyCondition condition, out string error)
    {
        condition = null!;
        if (matcher is null)
        {
            error = $"{field} needs a matcher: one of {Names}";
            return false;
        }
        var given = new (string Name, object? Value)[]
        {
            ("equalTo", matcher.EqualTo), ("contains", matcher.Contains), ("matches", matcher.Matches), ("doesNotContain", matcher.DoesNotContain),
            ("doesNotMatch", matcher.DoesNotMatch), ("equalToJson", matcher.EqualToJson), ("matchesJsonPath", matcher.MatchesJsonPath),
            ("matchesJsonSchema", matcher.MatchesJsonSchema), ("binaryEqualTo", matcher.BinaryEqualTo), ("equalToXml", matcher.EqualToXml),
            ("matchesXPath", matcher.MatchesXPath),
        }.Where(g => g.Value is not null).ToArray();
        if (given.Length != 1)
        {
            error = given.Length == 0
                ? $"{field} needs exactly one of {Names}"
                : $"{field} gives {string.Join(" and ", given.Select(g => g.Name))}; give one matcher per entry (entries all must hold)";
            return false;
        }
        switch (given[0].Name)
        {
            case "binaryEqualTo":
                try
                {
                    condition = new Binary(Convert.FromBase64String(matcher.BinaryEqualTo!));
                    error = "";
                    return true;
                }
                catch (FormatException)
                {
                    error = $"{field}.binaryEqualTo is not base64";
                    return false;
                }
            case "equalToXml" or "matchesXPath":
                return XmlCondition.TryCompileXml(matcher, field, out condition, out error);
            case "equalTo" or "contains" or "matches" or "doesNotContain" or "doesNotMatch":
                if (!ValueCondition.TryCompile(new ValueMatcher(EqualTo: matcher.EqualTo, Contains: matcher.Contains, Matches: matcher.Matches,
                        DoesNotContain: matcher.DoesNotContain, DoesNotMatch: matcher.DoesNotMatch, CaseInsensitive: matcher.CaseInsensitive),
                        field, out var text, out error))
                {
                    return false;
                }
                condition = new Text(text);
                return true;
            case "equalToJson":
                var (expected, jsonError) = RequestView.ParseJson(matcher.EqualToJson!);
                if (expected is null)
                {
                    error = $"{field}.equalToJson is not JSON: {jsonError}";
                    return false;
                }
                condition = new EqualJson(expected, matcher.IgnoreArrayOrder == true, matcher.IgnoreExtraElements == true);
                error = "";
                return true;
            case "matchesJsonPath":
                return JsonPath.TryCompile(matcher.MatchesJsonPath!, matcher.JsonPathValue, $"{field}.matchesJsonPath", out condition, out error);
            default:
                try
                {
                    condition = new Schema(ResourceSchema.Compile(Draft4AsDraft6(matcher.MatchesJsonSchema!))!);
                    error = "";
                    return true;
                }
                catch (ResourceSchemaException exception)
                {
                    error = $"{field}.matchesJsonSchema is not a usable JSON Schema: {exception.Message}";
                    return false;
                }
        }
    }

    private sealed class Text(ValueCondition condition) : BodyCondition
    {
        public override string? Check(RequestView request, WorkBudget budget) =>
            condition.Check([request.Body], budget) is { } failure ? $"body: {failure}" : null;
    }

    /// <summary>
    /// A draft-04 schema (WireMock's <c>V4</c>, the default of many older mappings) read as draft-06, its nearest
    /// successor this service validates: the same keywords except boolean <c>exclusiveMinimum</c>/<c>exclusiveMaximum</c>
    /// and <c>id</c>, which draft 6 spells differently.
    /// </summary>
    private static string Draft4AsDraft6(string schema) =>
        schema.Contains("draft-04/schema", StringComparison.Ordinal)
            ? System.Text.RegularExpressions.Regex.Replace(schema, @"""http://json-schema\.org/draft-04/schema#?""", "\"http://json-schema.org/draft-06/schema#\"",
                System.Text.RegularExpressions.RegexOptions.None, TimeSpan.FromSeconds(1))
            : schema;

    private sealed class Binary(byte[] expected) : BodyCondition
    {
        public override string? Check(RequestView request, WorkBudget budget) =>
            System.Text.Encoding.UTF8.GetBytes(request.Body).AsSpan().SequenceEqual(expected) ? null : "body: not binaryEqualTo the expected bytes";
    }

    private sealed class EqualJson(JToken expected, bool ignoreArrayOrder, bool ignoreExtraElements) : BodyCondition
    {
        public override string? Check(RequestView request, WorkBudget budget)
        {
            var (actual, error) = request.Json;
            if (actual is null)
            {
                return $"body: expected equalToJson, but {error}";
            }
            return JsonEquality.FirstDifference(expected, actual, ignoreArrayOrder, ignoreExtraElements) is { } difference
                ? $"body: not equalToJson: {difference}"
                : null;
        }
    }

    private sealed class JsonPath(string expression, ValueCondition? value) : BodyCondition
    {
        public static bool TryCompile(string expression, ValueMatcher? valueMatcher, string field, out BodyCondition condition, out string error)
        {
            condition = null!;
            try
            {
                // Newtonsoft parses the path when it is first used; an empty document shows a syntax error now (Jayway
                // functions, .length() at the end or @.items.size() in a filter, are ours to apply).
                new JObject().SelectTokens(JsonPathQuery.WithoutFunctions(expression)).ToList();
            }
            catch (Newtonsoft.Json.JsonException exception)
            {
                error = $"{field} '{expression}' is not a valid JSONPath: {exception.Message}";
                return false;
            }
            ValueCondition? compiled = null;
            if (valueMatcher is not null && !ValueCondition.TryCompile(valueMatcher, field, out compiled, out error, LastName(expression)))
            {
                return false;
            }
            condition = new JsonPath(expression, compiled);
            error = "";
            return true;
        }

        /// <summary>The member a path ends on (<c>$.user.password</c>, <c>$['password']</c>: password), by which a secret is known.</summary>
        private static string LastName(string expression)
        {
            var end = expression.Length;
            while (end > 0 && !(char.IsLetterOrDigit(expression[end - 1]) || expression[end - 1] is '_' or '-'))
            {
                end--;
            }
            var start = end;
            while (start > 0 && (char.IsLetterOrDigit(expression[start - 1]) || expression[start - 1] is '_' or '-'))
            {
                start--;
            }
            return expression[start..end];
        }

        public override string? Check(RequestView request, WorkBudget budget)
        {
            var (json, error) = request.Json;
            if (json is null)
            {
                return $"body: expected JSONPath {expression} to match, but {error}";
            }
            List<JToken> found;
            try
            {
                found = JsonPathQuery.Select(json, expression, budget).ToList();
            }
            catch (Newtonsoft.Json.JsonException exception)
            {
                return $"body: JSONPath {expression} could not be evaluated ({exception.Message})";
            }
            if (found.Count == 0)
            {
                return $"body: JSONPath {expression} selects nothing";
            }
            if (value is null)
            {
                return null;
            }
            var texts = found.Select(JsonPathQuery.Text).ToList();
            return value.Check(texts, budget) is { } failure ? $"body JSONPath {expression}: {failure}" : null;
        }
    }

    private sealed class Schema(ResourceSchema schema) : BodyCondition
    {
        public override string? Check(RequestView request, WorkBudget budget)
        {
            // As WireMock: a body that is not JSON is validated as a string of its text, and so is a number, boolean or
            // null that fails as itself (its text "5" may satisfy a string schema).
            using var document = request.JsonDocument();
            using var text = document is null || document.RootElement.ValueKind is System.Text.Json.JsonValueKind.Number or System.Text.Json.JsonValueKind.True
                    or System.Text.Json.JsonValueKind.False or System.Text.Json.JsonValueKind.Null
                ? System.Text.Json.JsonDocument.Parse(System.Text.Json.JsonSerializer.Serialize(request.Body))
                : null;
            var errors = schema.Validate((document ?? text)!.RootElement, budget);
            if (errors.Length > 0 && document is not null && text is not null)
            {
                errors = schema.Validate(text.RootElement, budget);
            }
            return errors is [var first, ..]
                ? $"body: does not match the JSON Schema: {first.Path} {first.Rule}: {first.Message}"
                : null;
        }
    }
}
