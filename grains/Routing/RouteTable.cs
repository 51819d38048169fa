using OrleansMock.GrainInterfaces;

namespace OrleansMock.Grains.Routing;

/// <summary>
/// The endpoints of one project, compiled for matching. Among endpoints whose template matches the path, the most
/// specific template wins (<see cref="RouteTemplate.CompareSpecificity"/>); at equal specificity an exact method
/// beats GET serving HEAD, which beats ANY; then the older endpoint wins.
/// </summary>
public sealed class RouteTable
{
    private static readonly string[] AllMethods = ["GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"];

    private readonly Entry[] _entries;
    private readonly Dictionary<int, Entry[]> _bySegmentCount;

    public RouteTable(IEnumerable<EndpointInfo> endpoints)
    {
        _entries = endpoints
            .Select((endpoint, order) => new Entry(endpoint, Parse(endpoint.Spec.Path), ResponseCompiler.Compile(endpoint), order))
            .ToArray();
        _bySegmentCount = _entries
            .GroupBy(e => e.Template.SegmentCount)
            .ToDictionary(
                g => g.Key,
                g => g.OrderByDescending(e => e.Template, SpecificityComparer.Instance).ThenBy(e => e.Order).ToArray());
    }

    public int Count => _entries.Length;

    public MockResult Match(string method, string path)
    {
        var segments = RouteTemplate.SplitPath(path);
        if (_bySegmentCount.TryGetValue(segments.Length, out var candidates))
        {
            Entry? best = null;
            var bestScore = 0;
            foreach (var entry in candidates)
            {
                if (best is not null && entry.Template.CompareSpecificity(best.Template) < 0)
                {
                    break; // sorted by specificity: nothing further can beat the match in hand
                }
                if (!entry.Template.IsMatch(segments))
                {
                    continue;
                }
                var score = MethodScore(entry.Method, method);
                if (score > bestScore)
                {
                    best = entry;
                    bestScore = score;
                }
            }
            if (best is not null)
            {
                return best.Matched;
            }
            if (method == "OPTIONS")
            {
                var allowed = AllowedMethods(candidates, segments);
                if (allowed.Length > 0)
                {
                    return new MockResult(MockResultKind.Options, null, null, allowed);
                }
            }
        }
        return new MockResult(MockResultKind.NoMatch, null, ClosestMiss(method, segments), null);
    }

    private static int MethodScore(string endpointMethod, string requestMethod)
    {
        if (endpointMethod == requestMethod)
        {
            return 3;
        }
        if (requestMethod == "HEAD" && endpointMethod == "GET")
        {
            return 2;
        }
        return endpointMethod == EndpointValidator.AnyMethod ? 1 : 0;
    }

    private static string[] AllowedMethods(Entry[] candidates, string[] segments)
    {
        var methods = new SortedSet<string>(StringComparer.Ordinal);
        foreach (var entry in candidates.Where(e => e.Template.IsMatch(segments)))
        {
            if (entry.Method == EndpointValidator.AnyMethod)
            {
                methods.UnionWith(AllMethods);
            }
            else
            {
                methods.Add(entry.Method);
                if (entry.Method == "GET")
                {
                    methods.Add("HEAD");
                }
            }
        }
        if (methods.Count > 0)
        {
            methods.Add("OPTIONS");
        }
        return [.. methods];
    }

    /// <summary>The endpoint that came closest, scored by matching segments and method, with the first reason it failed.</summary>
    private NearMiss? ClosestMiss(string method, string[] segments)
    {
        NearMiss? closest = null;
        var closestScore = int.MinValue;
        foreach (var entry in _entries)
        {
            var literals = entry.Template.Literals;
            var score = -Math.Abs(literals.Length - segments.Length) * 4;
            string? reason = null;
            for (var i = 0; i < Math.Min(literals.Length, segments.Length); i++)
            {
                if (literals[i] is null || literals[i] == segments[i])
                {
                    score += literals[i] is null ? 1 : 2;
                }
                else
                {
                    score -= 2;
                    reason ??= $"path segment {i + 1} is '{segments[i]}' but the endpoint expects '{literals[i]}'";
                }
            }
            if (literals.Length != segments.Length)
            {
                reason ??= $"the path has {segments.Length} segment(s) but the endpoint's template has {literals.Length}";
            }
            if (MethodScore(entry.Method, method) > 0)
            {
                score += 3;
            }
            else
            {
                reason ??= $"method {method} does not match the endpoint's method {entry.Method}";
            }
            if (score > closestScore)
            {
                closestScore = score;
                closest = new NearMiss(entry.Endpoint.Id, entry.Method, entry.Endpoint.Spec.Path, reason ?? "no difference found");
            }
        }
        return closest;
    }

    private static RouteTemplate Parse(string path) =>
        RouteTemplate.TryParse(path, int.MaxValue, out var template, out var error)
            ? template
            : throw new InvalidOperationException($"Stored endpoint path '{path}' no longer parses: {error}");

    private sealed record Entry(EndpointInfo Endpoint, RouteTemplate Template, MockResponse Response, int Order)
    {
        public string Method => Endpoint.Spec.Method;

        /// <summary>The answer for every request this endpoint wins, built once.</summary>
        public MockResult Matched { get; } = new(MockResultKind.Matched, Response, null, null);
    }

    private sealed class SpecificityComparer : IComparer<RouteTemplate>
    {
        public static readonly SpecificityComparer Instance = new();

        public int Compare(RouteTemplate? x, RouteTemplate? y) => x!.CompareSpecificity(y!);
    }
}
