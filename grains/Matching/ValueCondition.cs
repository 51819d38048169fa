using System.Text.RegularExpressions;
using Newtonsoft.Json.Linq;
using OrleansMock.GrainInterfaces;
using OrleansMock.Grains.Safety;

namespace OrleansMock.Grains.Matching;

/// <summary>
/// A compiled <see cref="ValueMatcher"/>: one WireMock condition on a value and its other occurrences. Regular
/// expressions match the whole value, <c>.</c> across lines (as WireMock's <c>matches</c> does), through
/// <see cref="SafeRegex"/>, so no pattern can stall the grain. Combinators (<c>and</c>, <c>or</c>, <c>not</c>) and the
/// multi-value matchers (<c>hasExactly</c>, <c>includes</c>) hold compiled children; dates and JSON are compared as
/// such.
/// </summary>
public sealed class ValueCondition
{
    private static readonly string[] Simple = ["equalTo", "contains", "doesNotContain", "matches", "doesNotMatch", "absent"];

    private readonly string _operator;
    private readonly string? _operand;
    private readonly Regex? _regex;
    private readonly StringComparison _comparison;
    private readonly bool _secret;
    private readonly ValueCondition[] _children;
    private readonly DateExpectation? _date;
    private readonly (JToken Expected, bool IgnoreArrayOrder, bool IgnoreExtraElements)? _json;

    private ValueCondition(string op, string? operand, Regex? regex, bool caseInsensitive, bool secret, ValueCondition[]? children = null,
        DateExpectation? date = null, (JToken, bool, bool)? json = null)
    {
        _secret = secret;
        _operator = op;
        _operand = operand;
        _regex = regex;
        _comparison = caseInsensitive ? StringComparison.OrdinalIgnoreCase : StringComparison.Ordinal;
        _children = children ?? [];
        _date = date;
        _json = json;
    }

    public bool IsAbsent => _operator == "absent";

    private const string Names = "equalTo, contains, doesNotContain, matches, doesNotMatch, absent, and, or, not, hasExactly, includes, before, after, equalToDateTime, equalToJson";

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
            error = $"{field} needs a matcher: one of {Names}";
            return false;
        }
        if (matcher.Absent == false)
        {
            error = $"{field}.absent may only be true (to require a value, use matches \".*\")";
            return false;
        }
        var given = new (string Name, object? Value)[]
        {
            ("equalTo", matcher.EqualTo), ("contains", matcher.Contains), ("doesNotContain", matcher.DoesNotContain),
            ("matches", matcher.Matches), ("doesNotMatch", matcher.DoesNotMatch), ("absent", matcher.Absent == true ? "" : null),
            ("and", matcher.And), ("or", matcher.Or), ("not", matcher.Not), ("hasExactly", matcher.HasExactly), ("includes", matcher.Includes),
            ("before", matcher.Before), ("after", matcher.After), ("equalToDateTime", matcher.EqualToDateTime), ("equalToJson", matcher.EqualToJson),
        }.Where(g => g.Value is not null).ToArray();
        if (given.Length != 1)
        {
            error = given.Length == 0
                ? $"{field} needs exactly one of {Names}"
                : $"{field} gives {string.Join(" and ", given.Select(g => g.Name))}; give exactly one matcher per value";
            return false;
        }
        var (op, operand) = given[0];
        var caseInsensitive = matcher.CaseInsensitive == true;
        var secret = SecretNames.IsSecret(valueName ?? field[(field.LastIndexOf('.') + 1)..]);
        error = "";
        switch (op)
        {
            case "and" or "or" or "hasExactly" or "includes":
                var list = (ValueMatcher[])operand!;
                if (list.Length == 0 && op is "and" or "or")
                {
                    error = $"{field}.{op} needs at least one matcher";
                    return false;
                }
                var children = new ValueCondition[list.Length];
                for (var i = 0; i < list.Length; i++)
                {
                    if (!TryCompile(list[i], $"{field}.{op}[{i}]", out children[i], out error, valueName))
                    {
                        return false;
                    }
                }
                condition = new ValueCondition(op, null, null, false, secret, children);
                return true;
            case "not":
                if (!TryCompile((ValueMatcher)operand!, $"{field}.not", out var negated, out error, valueName))
                {
                    return false;
                }
                condition = new ValueCondition(op, null, null, false, secret, [negated]);
                return true;
            case "before" or "after" or "equalToDateTime":
                if (!DateExpectation.TryCreate((string)operand!, matcher, $"{field}.{op}", out var date, out error))
                {
                    return false;
                }
                condition = new ValueCondition(op, (string)operand!, null, false, secret, date: date);
                return true;
            case "equalToJson":
                var (json, jsonError) = RequestView.ParseJson((string)operand!);
                if (json is null)
                {
                    error = $"{field}.equalToJson is not JSON: {jsonError}";
                    return false;
                }
                condition = new ValueCondition(op, (string)operand!, null, false, secret,
                    json: (json, matcher.IgnoreArrayOrder == true, matcher.IgnoreExtraElements == true));
                return true;
        }
        Regex? regex = null;
        if (op is "matches" or "doesNotMatch" && !TryRegex((string)operand!, caseInsensitive, $"{field}.{op}", out regex, out error))
        {
            return false;
        }
        condition = new ValueCondition(op, op == "absent" ? null : (string)operand!, regex, caseInsensitive, secret);
        return true;
    }

    /// <summary>A regular expression that must match a whole value, compiled safely; an invalid one is named in <paramref name="error"/>.</summary>
    public static bool TryRegex(string pattern, bool caseInsensitive, string field, out Regex? regex, out string error)
    {
        try
        {
            // WireMock's patterns are Java's with DOTALL: '.' also matches a line break (a body's 'matches').
            regex = SafeRegex.Create($"^(?:{pattern})$", RegexOptions.Singleline | (caseInsensitive ? RegexOptions.IgnoreCase : RegexOptions.None));
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
        switch (_operator)
        {
            case "absent":
                return values.Count == 0 ? null : $"expected absent, was {Shown(values[0])}";
            case "and":
                return _children.Select(c => c.Check(values, budget)).FirstOrDefault(f => f is not null);
            case "or":
                return _children.Any(c => c.Check(values, budget) is null) ? null : $"expected {Describe()}, was {ShownAll(values)}";
            case "not":
                return _children[0].Check(values, budget) is null ? $"expected {Describe()}, was {ShownAll(values)}" : null;
            case "hasExactly":
                return values.Count == _children.Length && EachTakesOne(values, budget) ? null : $"expected {Describe()}, was {ShownAll(values)}";
            case "includes":
                return _children.All(c => values.Any(v => c.Holds(v, budget))) ? null : $"expected {Describe()}, was {ShownAll(values)}";
        }
        if (values.Count == 0)
        {
            // WireMock 3 (checked against its jar): a missing query parameter or header satisfies doesNotContain and doesNotMatch.
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

    /// <summary>hasExactly: every child matched by a value of its own (the values are few: a greedy pairing is enough).</summary>
    private bool EachTakesOne(IReadOnlyList<string> values, WorkBudget budget)
    {
        var taken = new bool[values.Count];
        foreach (var child in _children)
        {
            var found = false;
            for (var i = 0; i < values.Count && !found; i++)
            {
                if (!taken[i] && child.Holds(values[i], budget))
                {
                    taken[i] = found = true;
                }
            }
            if (!found)
            {
                return false;
            }
        }
        return true;
    }

    public bool Holds(string value, WorkBudget budget) => _operator switch
    {
        "equalTo" => string.Equals(value, _operand, _comparison),
        "contains" => value.Contains(_operand!, _comparison),
        "doesNotContain" => !value.Contains(_operand!, _comparison),
        "matches" => SafeRegex.IsMatch(_regex!, value, budget),
        "doesNotMatch" => !SafeRegex.IsMatch(_regex!, value, budget),
        "and" => _children.All(c => c.Holds(value, budget)),
        "or" => _children.Any(c => c.Holds(value, budget)),
        "not" => !_children[0].Holds(value, budget),
        "hasExactly" or "includes" => Check([value], budget) is null,
        "before" or "after" or "equalToDateTime" => _date!.Holds(_operator, value),
        "equalToJson" => RequestView.ParseJson(value).Token is { } actual
            && JsonEquality.FirstDifference(_json!.Value.Expected, actual, _json.Value.IgnoreArrayOrder, _json.Value.IgnoreExtraElements) is null,
        _ => false,
    };

    private string Describe() => _operator switch
    {
        "and" or "or" or "hasExactly" or "includes" => $"{_operator} [{string.Join(", ", _children.Select(c => c.Describe()))}]",
        "not" => $"not {_children[0].Describe()}",
        _ => $"{_operator} {(_secret ? Redacted : $"'{_operand}'")}{(_comparison == StringComparison.OrdinalIgnoreCase ? " (case-insensitive)" : "")}",
    };

    private const string Redacted = "[redacted]";

    private string Shown(string value) => _secret ? Redacted : $"'{Shorten(value)}'";

    private string ShownAll(IReadOnlyList<string> values) => values.Count == 0 ? "absent" : string.Join(", ", values.Take(5).Select(Shown));

    internal static string Shorten(string value) => value.Length <= 60 ? value : value[..60] + "…";

    /// <summary>
    /// The date a date matcher expects: an ISO 8601 date (without a zone: UTC) or <c>now</c> with an offset
    /// (<c>now +3 days</c>), truncated when asked (<c>first day of month</c>); the request's value read as ISO 8601,
    /// RFC 1123 or in <see cref="ValueMatcher.ActualFormat"/>, and truncated too when asked.
    /// </summary>
    private sealed class DateExpectation
    {
        private readonly DateTimeOffset? _literal;
        private readonly string? _offset;
        private readonly string? _truncateExpected;
        private readonly string? _truncateActual;
        private readonly string? _actualFormat;

        private DateExpectation(DateTimeOffset? literal, string? offset, string? truncateExpected, string? truncateActual, string? actualFormat) =>
            (_literal, _offset, _truncateExpected, _truncateActual, _actualFormat) = (literal, offset, truncateExpected, truncateActual, actualFormat);

        public static bool TryCreate(string expected, ValueMatcher matcher, string field, out DateExpectation date, out string error)
        {
            date = null!;
            error = "";
            var text = expected.Trim();
            DateTimeOffset? literal = null;
            string? offset = null;
            if (text.StartsWith("now", StringComparison.OrdinalIgnoreCase))
            {
                offset = text[3..].Trim();
            }
            else if ((literal = JavaDates.Parse(text, null)) is null)
            {
                error = $"{field} '{expected}' is neither an ISO 8601 date nor 'now' with an offset such as 'now +3 days'";
                return false;
            }
            try
            {
                if (offset is { Length: > 0 })
                {
                    JavaDates.Offset(DateTimeOffset.UnixEpoch, offset);
                }
                foreach (var truncation in new[] { matcher.TruncateExpected, matcher.TruncateActual })
                {
                    if (truncation is not null)
                    {
                        JavaDates.Truncate(DateTimeOffset.UnixEpoch, truncation);
                    }
                }
            }
            catch (FormatException problem)
            {
                error = $"{field}: {problem.Message}";
                return false;
            }
            date = new DateExpectation(literal, offset, matcher.TruncateExpected, matcher.TruncateActual, matcher.ActualFormat);
            return true;
        }

        public bool Holds(string op, string value)
        {
            DateTimeOffset? parsed;
            try
            {
                parsed = JavaDates.Parse(value, _actualFormat);
            }
            catch (FormatException)
            {
                parsed = null;
            }
            if (parsed is not { } actual)
            {
                return false;
            }
            var expected = _literal ?? (_offset is { Length: > 0 } ? JavaDates.Offset(DateTimeOffset.UtcNow, _offset) : DateTimeOffset.UtcNow);
            if (_truncateExpected is not null)
            {
                expected = JavaDates.Truncate(expected, _truncateExpected);
            }
            if (_truncateActual is not null)
            {
                actual = JavaDates.Truncate(actual, _truncateActual);
            }
            return op switch
            {
                "before" => actual < expected,
                "after" => actual > expected,
                _ => actual == expected,
            };
        }
    }
}
