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
public static partial class JsonPathQuery
{
    /// <summary>Most string values a document may hold for a regular-expression filter to run over it.</summary>
    public const int MaxRegexStrings = 1000;

    private static readonly TimeSpan MinMatchTimeout = TimeSpan.FromMilliseconds(1);

    /// <summary>Jayway's functions at the end of a path (WireMock evaluates JSONPath with Jayway): <c>$.items.length()</c>.</summary>
    private static readonly string[] Functions = ["length", "size", "min", "max", "avg", "sum", "first", "last", "keys"];

    public static IEnumerable<JToken> Select(JToken root, string expression, WorkBudget budget)
    {
        if (TrailingFunction(expression) is { } function)
        {
            var selected = Select(root, expression[..^(function.Length + 3)], budget).ToList();
            return Apply(function, selected) is { } result ? [result] : [];
        }
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
        var condition = expression[(filter + 3)..end];
        if (FilterFunction().IsMatch(condition))
        {
            return [.. targets.SelectMany(target => WithFunctions(target, condition, expression[(end + 2)..], settings))];
        }
        return targets.SelectMany(target => target is JObject ? new JArray(target).SelectTokens(rest, settings) : target.SelectTokens(rest, settings)).ToList();
    }

    /// <summary>
    /// A filter that calls Jayway functions on its item (<c>[?(@.things.size() == 2)]</c>), which Newtonsoft cannot:
    /// for each item the filter tests, each call is replaced by its value for that item, then the filter is tested.
    /// </summary>
    private static IEnumerable<JToken> WithFunctions(JToken target, string condition, string after, Newtonsoft.Json.Linq.JsonSelectSettings? settings)
    {
        foreach (var item in target is JArray array ? array.Children().ToList() : [target])
        {
            var tested = FilterFunction().Replace(condition, call =>
            {
                var path = "$" + call.Groups["path"].Value;
                return Apply(call.Groups["function"].Value, item.SelectTokens(path, settings).ToList()) is not { } value ? "null"
                    : value.Type == JTokenType.String ? "'" + value.Value<string>()!.Replace("\\", "\\\\").Replace("'", "\\'") + "'"
                    : value.ToString(Newtonsoft.Json.Formatting.None);
            });
            if (new JArray(item.DeepClone()).SelectTokens($"$[?({tested})]", settings).Any())
            {
                foreach (var selected in after.Length == 0 ? [item] : item.SelectTokens("$" + after, settings))
                {
                    yield return selected;
                }
            }
        }
    }

    /// <summary>A call of a Jayway function on a path of the filter's item: <c>@.things.size()</c>.</summary>
    [System.Text.RegularExpressions.GeneratedRegex(@"@(?<path>(?:\.[\w$-]+|\[[^\]]*\])*)\.(?<function>length|size|min|max|avg|sum|first|last|keys)\(\)",
        System.Text.RegularExpressions.RegexOptions.CultureInvariant, 100)]
    private static partial System.Text.RegularExpressions.Regex FilterFunction();

    /// <summary>
    /// The expression as Newtonsoft parses it, for a check of its syntax: a trailing Jayway function removed, and the
    /// function calls of a filter replaced by a number (both are ours to apply).
    /// </summary>
    public static string WithoutFunctions(string expression) =>
        FilterFunction().Replace(TrailingFunction(expression) is { } function ? expression[..^(function.Length + 3)] : expression, "0");

    /// <summary>The name of a Jayway function the expression ends with (<c>.length()</c>), or null.</summary>
    public static string? TrailingFunction(string expression)
    {
        if (!expression.EndsWith("()", StringComparison.Ordinal))
        {
            return null;
        }
        var dot = expression.LastIndexOf('.', expression.Length - 3);
        var name = dot < 1 ? null : expression[(dot + 1)..^2];
        return name is not null && Functions.Contains(name) ? name : null;
    }

    /// <summary>A function over what the path selects: a single array (or object) is the input, else the selection.</summary>
    private static JToken? Apply(string function, List<JToken> selected)
    {
        var items = selected is [JArray array] ? array.ToList() : selected is [JObject single] && function is "length" or "size" or "keys" ? [single] : selected;
        var numbers = items.Where(t => t.Type is JTokenType.Integer or JTokenType.Float).Select(t => t.Value<double>()).ToList();
        return function switch
        {
            "length" or "size" => selected is [JObject o] ? new JValue(o.Count) : selected is [JValue { Type: JTokenType.String } s] ? new JValue(s.Value<string>()!.Length) : new JValue(items.Count),
            "keys" => selected is [JObject keyed] ? new JArray(keyed.Properties().Select(p => p.Name)) : null,
            "first" => items.FirstOrDefault(),
            "last" => items.LastOrDefault(),
            _ when numbers.Count == 0 => null,
            "min" => new JValue(numbers.Min()),
            "max" => new JValue(numbers.Max()),
            "sum" => new JValue(numbers.Sum()),
            _ => new JValue(numbers.Average()),
        };
    }

    /// <summary>What a JSONPath selects, as text: a string's value, anything else as compact JSON.</summary>
    public static string Text(JToken token) => token.Type == JTokenType.String ? token.Value<string>()! : token.ToString(Newtonsoft.Json.Formatting.None);
}
