using OrleansMock.GrainInterfaces;
using OrleansMock.Grains.Safety;

namespace OrleansMock.Grains.Matching;

/// <summary>A compiled <see cref="RequestMatch"/>: every condition must hold; the first that does not is named.</summary>
public sealed class RequestConditions
{
    public static readonly RequestConditions None = new([], [], [], [], [], [], null, null, null, null, []);

    private readonly (string Name, ValueCondition Condition)[] _query;
    private readonly (string Name, ValueCondition Condition)[] _headers;
    private readonly (string Name, ValueCondition Condition)[] _cookies;
    private readonly BodyCondition[] _body;
    private readonly (string Name, ValueCondition Condition)[] _pathParameters;
    private readonly (string Name, ValueCondition Condition)[] _form;
    private readonly string? _url;
    private readonly System.Text.RegularExpressions.Regex? _urlPattern;
    private readonly string? _exactPath;
    private readonly string? _exactMethod;
    private readonly MultipartCondition[] _multipart;

    private RequestConditions(
        (string, ValueCondition)[] query, (string, ValueCondition)[] headers, (string, ValueCondition)[] cookies, BodyCondition[] body,
        (string, ValueCondition)[] pathParameters, (string, ValueCondition)[] form, string? url, System.Text.RegularExpressions.Regex? urlPattern,
        string? exactPath, string? exactMethod, MultipartCondition[] multipart)
    {
        (_query, _headers, _cookies, _body, _pathParameters, _form, _url, _urlPattern) = (query, headers, cookies, body, pathParameters, form, url, urlPattern);
        (_exactPath, _exactMethod, _multipart) = (exactPath, exactMethod, multipart);
        Needs = (query.Length > 0 || url is not null || urlPattern is not null ? RequestParts.Query : 0)
            | (headers.Length + cookies.Length > 0 || multipart.Length > 0 ? RequestParts.Headers : 0)
            | (body.Length + form.Length + multipart.Length > 0 ? RequestParts.Body : 0);
        Count = query.Length + headers.Length + cookies.Length + body.Length + pathParameters.Length + form.Length
            + (url is null ? 0 : 1) + (urlPattern is null ? 0 : 1) + multipart.Sum(m => m.Count);
    }

    /// <summary>The parts of the request these conditions read.</summary>
    public RequestParts Needs { get; }

    public bool IsEmpty => Count == 0;

    /// <summary>How many conditions there are: among endpoints otherwise equal, the one with more conditions is more specific.</summary>
    public int Count { get; }

    /// <summary>Compiles <paramref name="match"/> (null: no conditions); <paramref name="field"/> prefixes the field names in errors.</summary>
    public static bool TryCompile(RequestMatch? match, string field, int maxConditions, out RequestConditions conditions, out string error)
    {
        conditions = None;
        error = "";
        if (match is null)
        {
            return true;
        }
        var count = (match.Query?.Count ?? 0) + (match.Headers?.Count ?? 0) + (match.Cookies?.Count ?? 0) + (match.Body?.Length ?? 0)
            + (match.PathParameters?.Count ?? 0) + (match.Form?.Count ?? 0) + (match.Multipart?.Length ?? 0);
        if (count > maxConditions)
        {
            error = $"{field} has {count} conditions; the limit is {maxConditions}";
            return false;
        }
        if (!TryCompileValues(match.Query, $"{field}.query", out var query, out error)
            || !TryCompileValues(match.Headers, $"{field}.headers", out var headers, out error)
            || !TryCompileValues(match.Cookies, $"{field}.cookies", out var cookies, out error)
            || !TryCompileValues(match.PathParameters, $"{field}.pathParameters", out var pathParameters, out error)
            || !TryCompileValues(match.Form, $"{field}.form", out var form, out error))
        {
            return false;
        }
        System.Text.RegularExpressions.Regex? urlPattern = null;
        if (match.UrlPattern is { } pattern && !ValueCondition.TryRegex(pattern, caseInsensitive: false, $"{field}.urlPattern", out urlPattern, out error))
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
        var multipart = new MultipartCondition[match.Multipart?.Length ?? 0];
        for (var i = 0; i < multipart.Length; i++)
        {
            if (match.Multipart![i] is not { } part || !MultipartCondition.TryCompile(part, $"{field}.multipart[{i}]", out multipart[i], out error))
            {
                error = error.Length > 0 ? error : $"{field}.multipart[{i}] is null";
                return false;
            }
        }
        conditions = new RequestConditions(query, headers, cookies, body, pathParameters, form, match.Url, urlPattern, match.ExactPath, match.ExactMethod, multipart);
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

    /// <summary>
    /// Null when every condition holds, else the first that failed, e.g. "query 'status': expected equalTo 'open', was
    /// 'closed'". <paramref name="template"/> and <paramref name="segments"/> give the path template's parameters, read
    /// only when a condition tests them (nothing is allocated for them otherwise: this runs per candidate per request).
    /// </summary>
    public string? Check(RequestView request, WorkBudget budget, RouteTemplate? template = null, string[]? segments = null)
    {
        if (_exactMethod is not null && request.Method != _exactMethod)
        {
            return $"method: expected exactly {_exactMethod}, was {request.Method}";
        }
        if (_exactPath is not null && request.Path != _exactPath)
        {
            return $"path: expected exactly '{_exactPath}', was '{ValueCondition.Shorten(request.Path)}'";
        }
        if (_url is not null && request.Url != _url)
        {
            return $"url: expected '{_url}', was '{ValueCondition.Shorten(request.Url)}'";
        }
        if (_urlPattern is not null && !SafeRegex.IsMatch(_urlPattern, request.Url, budget))
        {
            return $"url: expected to match '{_urlPattern.ToString()[4..^2]}', was '{ValueCondition.Shorten(request.Url)}'";
        }
        if (_pathParameters.Length > 0)
        {
            var values = template is not null && segments is not null ? template.Values(segments) : [];
            foreach (var (name, condition) in _pathParameters)
            {
                if (condition.Check(values.TryGetValue(name, out var value) ? [value] : [], budget) is { } failure)
                {
                    return $"path parameter '{name}': {failure}";
                }
            }
        }
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
            var cookie = request.CookieValues(name);
            // WireMock (checked against its jar): a missing cookie satisfies only absent, not doesNotContain or doesNotMatch.
            if ((cookie.Count == 0 && !condition.IsAbsent ? "was absent" : condition.Check(cookie, budget)) is { } failure)
            {
                return $"cookie '{name}': {failure}";
            }
        }
        if (_form.Length > 0)
        {
            var fields = RequestView.ParseQuery(request.Body);
            foreach (var (name, condition) in _form)
            {
                if (condition.Check(fields.TryGetValue(name, out var values) ? values : [], budget) is { } failure)
                {
                    return $"form field '{name}': {failure}";
                }
            }
        }
        foreach (var condition in _body)
        {
            if (condition.Check(request, budget) is { } failure)
            {
                return failure;
            }
        }
        foreach (var condition in _multipart)
        {
            if (condition.Check(request, budget) is { } failure)
            {
                return failure;
            }
        }
        return null;
    }
}
