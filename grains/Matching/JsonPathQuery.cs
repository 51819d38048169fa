using Newtonsoft.Json.Linq;

namespace OrleansMock.Grains.Matching;

/// <summary>
/// JSONPath as WireMock evaluates it (Jayway): Newtonsoft's evaluator, except that a filter applied to an object tests
/// the object itself (<c>$[?(@.amount &gt; 100)]</c> on <c>{"amount": 500}</c> selects it) where Newtonsoft would test
/// its members. Done for the first filter of the path, which is where mappings put it.
/// </summary>
public static class JsonPathQuery
{
    public static IEnumerable<JToken> Select(JToken root, string expression)
    {
        var filter = expression.IndexOf("[?(", StringComparison.Ordinal);
        if (filter < 0)
        {
            return root.SelectTokens(expression);
        }
        var end = expression.IndexOf(")]", filter, StringComparison.Ordinal);
        if (end < 0)
        {
            return root.SelectTokens(expression);
        }
        var prefix = expression[..filter];
        var rest = "$" + expression[filter..];
        var targets = prefix is "$" or "" ? [root] : root.SelectTokens(prefix);
        return targets.SelectMany(target => target is JObject ? new JArray(target).SelectTokens(rest) : target.SelectTokens(rest)).ToList();
    }

    /// <summary>What a JSONPath selects, as text: a string's value, anything else as compact JSON.</summary>
    public static string Text(JToken token) => token.Type == JTokenType.String ? token.Value<string>()! : token.ToString(Newtonsoft.Json.Formatting.None);
}
