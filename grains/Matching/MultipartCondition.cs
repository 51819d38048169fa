using OrleansMock.GrainInterfaces;
using OrleansMock.Grains.Safety;

namespace OrleansMock.Grains.Matching;

/// <summary>A compiled <see cref="MultipartPattern"/>: a named part (or some part, or every part) holds its conditions.</summary>
public sealed class MultipartCondition
{
    private readonly MultipartPattern _pattern;
    private readonly ValueCondition? _filename;
    private readonly ValueCondition? _contentType;
    private readonly (string Name, ValueCondition Condition)[] _headers;
    private readonly BodyCondition[] _body;

    private MultipartCondition(MultipartPattern pattern, ValueCondition? filename, ValueCondition? contentType, (string, ValueCondition)[] headers, BodyCondition[] body) =>
        (_pattern, _filename, _contentType, _headers, _body) = (pattern, filename, contentType, headers, body);

    /// <summary>How many conditions it holds (for the limit per endpoint and for ranking).</summary>
    public int Count => 1 + _headers.Length + _body.Length;

    public static bool TryCompile(MultipartPattern pattern, string field, out MultipartCondition condition, out string error)
    {
        condition = null!;
        error = "";
        ValueCondition? filename = null, contentType = null;
        if ((pattern.Filename is { } f && !ValueCondition.TryCompile(f, $"{field}.filename", out filename, out error))
            || (pattern.ContentType is { } t && !ValueCondition.TryCompile(t, $"{field}.contentType", out contentType, out error)))
        {
            return false;
        }
        var headers = new List<(string, ValueCondition)>();
        foreach (var (name, matcher) in pattern.Headers ?? [])
        {
            if (string.IsNullOrEmpty(name) || !ValueCondition.TryCompile(matcher, $"{field}.headers.{name}", out var header, out error))
            {
                error = error.Length > 0 ? error : $"{field}.headers has an empty name";
                return false;
            }
            headers.Add((name, header));
        }
        var body = new BodyCondition[pattern.Body?.Length ?? 0];
        for (var i = 0; i < body.Length; i++)
        {
            if (!BodyCondition.TryCompile(pattern.Body![i], $"{field}.body[{i}]", out body[i], out error))
            {
                return false;
            }
        }
        condition = new MultipartCondition(pattern, filename, contentType, [.. headers], body);
        return true;
    }

    /// <summary>Null when the request's parts satisfy the pattern, else why not.</summary>
    public string? Check(RequestView request, WorkBudget budget)
    {
        var parts = request.Parts;
        if (parts.Count == 0)
        {
            return "multipart: the request is not multipart (or has no parts)";
        }
        var label = _pattern.Name is { } name ? $"part '{name}'" : _pattern.All ? "every part" : "some part";
        var candidates = _pattern.Name is { } wanted ? parts.Where(p => p.Name == wanted).ToList() : parts;
        if (candidates.Count == 0)
        {
            return $"multipart: no part named '{_pattern.Name}' (parts: {string.Join(", ", parts.Select(p => $"'{p.Name}'"))})";
        }
        string? failure = null;
        foreach (var part in candidates)
        {
            failure = CheckPart(part, budget);
            if (failure is null && !_pattern.All)
            {
                return null;
            }
            if (failure is not null && _pattern.All)
            {
                return $"multipart {label}: {failure}";
            }
        }
        return failure is null ? null : $"multipart {label}: {failure}";
    }

    private string? CheckPart(MultipartPart part, WorkBudget budget)
    {
        if (_filename?.Check(part.Filename is null ? [] : [part.Filename], budget) is { } filename)
        {
            return $"filename: {filename}";
        }
        if (_contentType?.Check(part.ContentType is null ? [] : [part.ContentType], budget) is { } contentType)
        {
            return $"contentType: {contentType}";
        }
        foreach (var (name, condition) in _headers)
        {
            if (condition.Check(part.HeaderValues(name), budget) is { } header)
            {
                return $"header '{name}': {header}";
            }
        }
        if (_body.Length > 0)
        {
            var view = new RequestView(new MockRequest("POST", "/", null, Detail: new RequestDetail(null, [.. part.Headers], part.Body, null, RequestParts.Body | RequestParts.Headers)));
            foreach (var condition in _body)
            {
                if (condition.Check(view, budget) is { } body)
                {
                    return body;
                }
            }
        }
        return null;
    }
}
