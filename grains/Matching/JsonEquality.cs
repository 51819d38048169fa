using Newtonsoft.Json.Linq;
using OrleansMock.Grains.Safety;

namespace OrleansMock.Grains.Matching;

/// <summary>
/// WireMock's <c>equalToJson</c>: two JSON values are equal when their structure and values are, numbers compared by
/// value (1 equals 1.0); <c>ignoreArrayOrder</c> lets arrays match in any order, <c>ignoreExtraElements</c> lets the
/// request carry object members (and array elements) the expected value does not name. As in WireMock 3 (JsonUnit),
/// an expected string may be a placeholder: <c>${json-unit.ignore}</c> (any value), <c>${json-unit.any-string}</c>,
/// <c>${json-unit.any-number}</c>, <c>${json-unit.any-boolean}</c>, or <c>${json-unit.regex}</c> followed by a
/// regular expression the whole value must match.
/// </summary>
public static class JsonEquality
{
    private const string RegexPlaceholder = "${json-unit.regex}";

    /// <summary>Null when equal, else the path of the first difference.</summary>
    public static string? FirstDifference(JToken expected, JToken actual, bool ignoreArrayOrder, bool ignoreExtraElements, string path = "$")
    {
        if (expected is JValue { Type: JTokenType.String } placeholder && placeholder.Value<string>() is { } text && text.StartsWith("${json-unit.", StringComparison.Ordinal))
        {
            return Placeholder(text, actual) switch
            {
                true => null,
                false => $"{path} is {Show(actual)}, expected {text}",
                null => ScalarEquals(expected, actual) ? null : $"{path} is {Show(actual)}, expected {Show(expected)}",
            };
        }
        switch (expected)
        {
            case JObject expectedObject:
                if (actual is not JObject actualObject)
                {
                    return $"{path} should be an object";
                }
                foreach (var (name, value) in expectedObject)
                {
                    if (!actualObject.TryGetValue(name, out var other))
                    {
                        return $"{path}.{name} is missing";
                    }
                    if (FirstDifference(value!, other, ignoreArrayOrder, ignoreExtraElements, $"{path}.{name}") is { } difference)
                    {
                        return difference;
                    }
                }
                if (!ignoreExtraElements && actualObject.Properties().FirstOrDefault(p => !expectedObject.ContainsKey(p.Name)) is { } extra)
                {
                    return $"{path}.{extra.Name} is not expected";
                }
                return null;
            case JArray expectedArray:
                if (actual is not JArray actualArray)
                {
                    return $"{path} should be an array";
                }
                if (actualArray.Count < expectedArray.Count || (!ignoreExtraElements && actualArray.Count != expectedArray.Count))
                {
                    return $"{path} has {actualArray.Count} elements, expected {expectedArray.Count}";
                }
                return ignoreArrayOrder
                    ? UnorderedDifference(expectedArray, actualArray, ignoreExtraElements, path)
                    : expectedArray.Select((e, i) => FirstDifference(e, actualArray[i], ignoreArrayOrder, ignoreExtraElements, $"{path}[{i}]")).FirstOrDefault(d => d is not null);
            default:
                return ScalarEquals(expected, actual) ? null : $"{path} is {Show(actual)}, expected {Show(expected)}";
        }
    }

    /// <summary>Most element pairs an order-free array comparison tries (it is quadratic): past it the arrays do not match.</summary>
    public const int MaxUnorderedPairs = 250_000;

    // Each expected element takes a distinct actual element that equals it (greedy: fine for the sizes a mock sees).
    private static string? UnorderedDifference(JArray expected, JArray actual, bool ignoreExtraElements, string path)
    {
        if ((long)expected.Count * actual.Count > MaxUnorderedPairs)
        {
            return $"{path} is too large to compare in any order ({actual.Count} elements against {expected.Count}; at most {MaxUnorderedPairs} pairs)";
        }
        var taken = new bool[actual.Count];
        for (var i = 0; i < expected.Count; i++)
        {
            var found = false;
            for (var j = 0; j < actual.Count && !found; j++)
            {
                if (!taken[j] && FirstDifference(expected[i], actual[j], true, ignoreExtraElements) is null)
                {
                    taken[j] = found = true;
                }
            }
            if (!found)
            {
                return $"{path} has no element equal to {Show(expected[i])}";
            }
        }
        return null;
    }

    /// <summary>Whether <paramref name="actual"/> satisfies a placeholder; null when the text is no placeholder WireMock knows.</summary>
    private static bool? Placeholder(string placeholder, JToken actual) => placeholder switch
    {
        "${json-unit.ignore}" => true,
        "${json-unit.any-string}" => actual.Type == JTokenType.String,
        "${json-unit.any-number}" => actual.Type is JTokenType.Integer or JTokenType.Float,
        "${json-unit.any-boolean}" => actual.Type == JTokenType.Boolean,
        _ when placeholder.StartsWith(RegexPlaceholder, StringComparison.Ordinal) =>
            actual is JValue { Value: not null } value && actual.Type is not (JTokenType.Object or JTokenType.Array)
            && Pattern(placeholder[RegexPlaceholder.Length..]) is { } regex
            && SafeRegex.IsMatch(regex, Convert.ToString(value.Value, System.Globalization.CultureInfo.InvariantCulture)!, new WorkBudget(SafeRegex.MatchTimeout)),
        _ => null,
    };

    private static System.Text.RegularExpressions.Regex? Pattern(string pattern)
    {
        try
        {
            return SafeRegex.CreateCached($"^(?:{pattern})$", System.Text.RegularExpressions.RegexOptions.Singleline);
        }
        catch (ArgumentException)
        {
            return null; // not a pattern: nothing matches it
        }
    }

    private static bool ScalarEquals(JToken expected, JToken actual)
    {
        if (expected.Type is JTokenType.Integer or JTokenType.Float && actual.Type is JTokenType.Integer or JTokenType.Float)
        {
            return expected.Value<decimal>() == actual.Value<decimal>();
        }
        return JToken.DeepEquals(expected, actual);
    }

    private static string Show(JToken token) => ValueCondition.Shorten(token.ToString(Newtonsoft.Json.Formatting.None));
}
