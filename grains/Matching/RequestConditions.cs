using OrleansMock.GrainInterfaces;
using OrleansMock.Grains.Safety;

namespace OrleansMock.Grains.Matching;

/// <summary>A compiled <see cref="RequestMatch"/>: every condition must hold; the first that does not is named.</summary>
public sealed class RequestConditions
{
    public static readonly RequestConditions None = new([], [], [], []);

    private readonly (string Name, ValueCondition Condition)[] _query;
    private readonly (string Name, ValueCondition Condition)[] _headers;
    private readonly (string Name, ValueCondition Condition)[] _cookies;
    private readonly BodyCondition[] _body;

    private RequestConditions(
        (string, ValueCondition)[] query, (string, ValueCondition)[] headers, (string, ValueCondition)[] cookies, BodyCondition[] body)
    {
        (_query, _headers, _cookies, _body) = (query, headers, cookies, body);
        Needs = (query.Length > 0 ? RequestParts.Query : 0) | (headers.Length + cookies.Length > 0 ? RequestParts.Headers : 0)
            | (body.Length > 0 ? RequestParts.Body : 0);
    }

    /// <summary>The parts of the request these conditions read.</summary>
    public RequestParts Needs { get; }

    public bool IsEmpty => Needs == RequestParts.None;

    /// <summary>How many conditions there are: among endpoints otherwise equal, the one with more conditions is more specific.</summary>
    public int Count => _query.Length + _headers.Length + _cookies.Length + _body.Length;

    /// <summary>Compiles <paramref name="match"/> (null: no conditions); <paramref name="field"/> prefixes the field names in errors.</summary>
    public static bool TryCompile(RequestMatch? match, string field, int maxConditions, out RequestConditions conditions, out string error)
    {
        conditions = None;
        error = "";
        if (match is null)
        {
            return true;
        }
        var count = (match.Query?.Count ?? 0) + (match.Headers?.Count ?? 0) + (match.Cookies?.Count ?? 0) + (match.Body?.Length ?? 0);
        if (count > maxConditions)
        {
            error = $"{field} has {count} conditions; the limit is {maxConditions}";
            return false;
        }
        if (!TryCompileValues(match.Query, $"{field}.query", out var query, out error)
            || !TryCompileValues(match.Headers, $"{field}.headers", out var headers, out error)
            || !TryCompileValues(match.Cookies, $"{field}.cookies", out var cookies, out error))
        {
            return false;
        }
        var body = new BodyCondition[match.Body?.Length ?? 0];
        for (var i = 0; i < body.Length; i++)
        {
            if (!BodyCondition.TryCompile(match.Body![i], $"{field}.body[{i}]", out body[i], out error))
            {
                return false;
            }
        }
        conditions = new RequestConditions(query, headers, cookies, body);
        return true;
    }

    private static bool TryCompileValues(Dictionary<string, ValueMatcher>? matchers, string field, out (string, ValueCondition)[] compiled, out string error)
    {
        compiled = new (string, ValueCondition)[matchers?.Count ?? 0];
        error = "";
        var i = 0;
        foreach (var (name, matcher) in matchers ?? [])
        {
            if (string.IsNullOrEmpty(name))
            {
                error = $"{field} has an empty name";
                return false;
            }
            if (!ValueCondition.TryCompile(matcher, $"{field}.{name}", out var condition, out error))
            {
                return false;
            }
            compiled[i++] = (name, condition);
        }
        return true;
    }

    /// <summary>Null when every condition holds, else the first that failed, e.g. "query 'status': expected equalTo 'open', was 'closed'".</summary>
    public string? Check(RequestView request, WorkBudget budget)
    {
        foreach (var (name, condition) in _query)
        {
            if (condition.Check(request.QueryValues(name), budget) is { } failure)
            {
                return $"query '{name}': {failure}";
            }
        }
        foreach (var (name, condition) in _headers)
        {
            if (condition.Check(request.HeaderValues(name), budget) is { } failure)
            {
                return $"header '{name}': {failure}";
            }
        }
        foreach (var (name, condition) in _cookies)
        {
            if (condition.Check(request.CookieValues(name), budget) is { } failure)
            {
                return $"cookie '{name}': {failure}";
            }
        }
        foreach (var condition in _body)
        {
            if (condition.Check(request, budget) is { } failure)
            {
                return failure;
            }
        }
        return null;
    }
}
