using Newtonsoft.Json.Linq;
using OrleansMock.Grains.Safety;

namespace OrleansMock.Grains.Matching;

/// <summary>
/// JSONPath as WireMock evaluates it (Jayway): Newtonsoft's evaluator, except that a filter applied to an object tests
/// the object itself (<c>$[?(@.amount &gt; 100)]</c> on <c>{"amount": 500}</c> selects it) where Newtonsoft would test
/// its members. Done for the first filter of the path, which is where mappings put it.
/// <para>
/// Regular-expression filters (<c>=~ /…/</c>) run on Newtonsoft's backtracking engine, so every query runs within a
/// <see cref="WorkBudget"/>: each match may take the budget's remaining time shared out over the strings of the
/// document it may test (at least 1 ms, at most <see cref="SafeRegex.MatchTimeout"/>), documents with more than
/// <see cref="MaxRegexStrings"/> strings are not searched by a regular expression, and the first match over its time
/// ends the query (<see cref="WorkBudgetExceededException"/>).
/// </para>
/// </summary>
public static class JsonPathQuery
{
    /// <summary>Most string values a document may hold for a regular-expression filter to run over it.</summary>
    public const int MaxRegexStrings = 1000;

    private static readonly TimeSpan MinMatchTimeout = TimeSpan.FromMilliseconds(1);

    public static IEnumerable<JToken> Select(JToken root, string expression, WorkBudget budget)
    {
        budget.ThrowIfSpent();
        var settings = SettingsFor(root, expression, budget);
        return SafeRegex.Run(budget, () => SelectUnbounded(root, expression, settings),
            $"the regular expression of JSONPath {expression} ran longer than its share of the {budget.Limit.TotalMilliseconds:0} ms one request may use");
    }

    /// <summary>Whether the expression filters with a regular expression (Newtonsoft's <c>=~</c> operator).</summary>
    public static bool HasRegexFilter(string expression) => expression.Contains("=~", StringComparison.Ordinal);

    private static Newtonsoft.Json.Linq.JsonSelectSettings? SettingsFor(JToken root, string expression, WorkBudget budget)
    {
        if (!HasRegexFilter(expression))
        {
            return null;
        }
        var strings = CountStrings(root);
        if (strings > MaxRegexStrings)
        {
            throw new WorkBudgetExceededException(
                $"JSONPath {expression} filters with a regular expression, which runs over documents of at most {MaxRegexStrings} strings; this one has more");
        }
        var remaining = budget.Limit - budget.Spent;
        var share = strings == 0 ? SafeRegex.MatchTimeout : remaining / strings;
        return new() { RegexMatchTimeout = share < MinMatchTimeout ? MinMatchTimeout : share > SafeRegex.MatchTimeout ? SafeRegex.MatchTimeout : share };
    }

    private static int CountStrings(JToken root)
    {
        var count = 0;
        foreach (var token in root is JContainer container ? container.DescendantsAndSelf() : [root])
        {
            if (token.Type == JTokenType.String && ++count > MaxRegexStrings)
            {
                break;
            }
        }
        return count;
    }

    private static List<JToken> SelectUnbounded(JToken root, string expression, Newtonsoft.Json.Linq.JsonSelectSettings? settings)
    {
        var filter = expression.IndexOf("[?(", StringComparison.Ordinal);
        var end = filter < 0 ? -1 : expression.IndexOf(")]", filter, StringComparison.Ordinal);
        if (end < 0)
        {
            return root.SelectTokens(expression, settings).ToList();
        }
        var prefix = expression[..filter];
        var rest = "$" + expression[filter..];
        var targets = prefix is "$" or "" ? [root] : root.SelectTokens(prefix, settings);
        return targets.SelectMany(target => target is JObject ? new JArray(target).SelectTokens(rest, settings) : target.SelectTokens(rest, settings)).ToList();
    }

    /// <summary>What a JSONPath selects, as text: a string's value, anything else as compact JSON.</summary>
    public static string Text(JToken token) => token.Type == JTokenType.String ? token.Value<string>()! : token.ToString(Newtonsoft.Json.Formatting.None);
}
