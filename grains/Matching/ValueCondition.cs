using System.Text.RegularExpressions;
using OrleansMock.GrainInterfaces;
using OrleansMock.Grains.Safety;

namespace OrleansMock.Grains.Matching;

/// <summary>
/// A compiled <see cref="ValueMatcher"/>: one WireMock string condition. Regular expressions match the whole value (as
/// WireMock's <c>matches</c> does) through <see cref="SafeRegex"/>, so no pattern can stall the grain.
/// </summary>
public sealed class ValueCondition
{
    private readonly string _operator;
    private readonly string? _operand;
    private readonly Regex? _regex;
    private readonly StringComparison _comparison;
    private readonly bool _secret;

    private ValueCondition(string op, string? operand, Regex? regex, bool caseInsensitive, bool secret)
    {
        _secret = secret;
        _operator = op;
        _operand = operand;
        _regex = regex;
        _comparison = caseInsensitive ? StringComparison.OrdinalIgnoreCase : StringComparison.Ordinal;
    }

    public bool IsAbsent => _operator == "absent";

    /// <summary>
    /// Compiles <paramref name="matcher"/>; <paramref name="field"/> names it in the error (e.g. <c>request.query.status</c>).
    /// When the name of the value it checks (<paramref name="valueName"/>, by default the field's last part) looks like a
    /// secret (<see cref="SecretNames"/>: Authorization, a session cookie, a password member…), a miss never shows the
    /// value the request carried nor the value the condition expects, to the journal or to the caller.
    /// </summary>
    public static bool TryCompile(ValueMatcher? matcher, string field, out ValueCondition condition, out string error, string? valueName = null)
    {
        condition = null!;
        if (matcher is null)
        {
            error = $"{field} needs a matcher: one of equalTo, contains, doesNotContain, matches, doesNotMatch, absent";
            return false;
        }
        if (matcher.Absent == false)
        {
            error = $"{field}.absent may only be true (to require a value, use matches \".*\")";
            return false;
        }
        var given = new (string Name, string? Value)[]
        {
            ("equalTo", matcher.EqualTo), ("contains", matcher.Contains), ("doesNotContain", matcher.DoesNotContain),
            ("matches", matcher.Matches), ("doesNotMatch", matcher.DoesNotMatch), ("absent", matcher.Absent == true ? "" : null),
        }.Where(g => g.Value is not null).ToArray();
        if (given.Length != 1)
        {
            error = given.Length == 0
                ? $"{field} needs exactly one of equalTo, contains, doesNotContain, matches, doesNotMatch, absent"
                : $"{field} gives {string.Join(" and ", given.Select(g => g.Name))}; give exactly one matcher per value";
            return false;
        }
        var (op, operand) = given[0];
        var caseInsensitive = matcher.CaseInsensitive == true;
        Regex? regex = null;
        if (op is "matches" or "doesNotMatch" && !TryRegex(operand!, caseInsensitive, $"{field}.{op}", out regex, out error))
        {
            return false;
        }
        var secret = SecretNames.IsSecret(valueName ?? field[(field.LastIndexOf('.') + 1)..]);
        condition = new ValueCondition(op, op == "absent" ? null : operand, regex, caseInsensitive, secret);
        error = "";
        return true;
    }

    /// <summary>A regular expression that must match a whole value, compiled safely; an invalid one is named in <paramref name="error"/>.</summary>
    public static bool TryRegex(string pattern, bool caseInsensitive, string field, out Regex? regex, out string error)
    {
        try
        {
            regex = SafeRegex.Create($"^(?:{pattern})$", caseInsensitive ? RegexOptions.IgnoreCase : RegexOptions.None);
            error = "";
            return true;
        }
        catch (ArgumentException exception)
        {
            regex = null;
            error = $"{field} '{pattern}' is not a valid regular expression: {exception.Message}";
            return false;
        }
    }

    /// <summary>Null when one of <paramref name="values"/> satisfies the condition (or, for absent, there are none); else why not.</summary>
    public string? Check(IReadOnlyList<string> values, WorkBudget budget)
    {
        if (IsAbsent)
        {
            return values.Count == 0 ? null : $"expected absent, was {Shown(values[0])}";
        }
        if (values.Count == 0)
        {
            // WireMock 3 (checked against its jar): a missing value satisfies doesNotContain and doesNotMatch.
            return _operator is "doesNotContain" or "doesNotMatch" ? null : $"expected {Describe()}, was absent";
        }
        foreach (var value in values)
        {
            if (Holds(value, budget))
            {
                return null;
            }
        }
        return $"expected {Describe()}, was {Shown(values[0])}";
    }

    public bool Holds(string value, WorkBudget budget) => _operator switch
    {
        "equalTo" => string.Equals(value, _operand, _comparison),
        "contains" => value.Contains(_operand!, _comparison),
        "doesNotContain" => !value.Contains(_operand!, _comparison),
        "matches" => SafeRegex.IsMatch(_regex!, value, budget),
        "doesNotMatch" => !SafeRegex.IsMatch(_regex!, value, budget),
        _ => false,
    };

    private string Describe() =>
        $"{_operator} {(_secret ? Redacted : $"'{_operand}'")}{(_comparison == StringComparison.OrdinalIgnoreCase ? " (case-insensitive)" : "")}";

    private const string Redacted = "[redacted]";

    private string Shown(string value) => _secret ? Redacted : $"'{Shorten(value)}'";

    internal static string Shorten(string value) => value.Length <= 60 ? value : value[..60] + "…";
}
