using System.Text.RegularExpressions;
using OrleansMock.GrainInterfaces;
using OrleansMock.Grains.Matching;
using OrleansMock.Grains.Responses;
using OrleansMock.Grains.Safety;

namespace OrleansMock.Grains.Routing;

/// <summary>
/// The endpoints of one project, compiled for matching. Among endpoints whose path (template or pattern) and method
/// match and whose request conditions hold, the lowest priority wins; at equal priority a template beats a pattern,
/// the more specific template wins (<see cref="RouteTemplate.CompareSpecificity"/>), an exact method beats GET serving
/// HEAD, which beats ANY, an endpoint with more request conditions beats one with fewer; then the older endpoint wins. The winner picks its response (<see cref="ResponseSelector"/>).
/// </summary>
public sealed class RouteTable
{
    private static readonly string[] AllMethods = ["GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"];

    private readonly Entry[] _entries;
    private readonly Entry[] _patterns;
    private readonly Dictionary<int, Entry[]> _bySegmentCount;

    public RouteTable(IEnumerable<EndpointInfo> endpoints, int maxConditions = int.MaxValue)
    {
        _entries = endpoints.Select((endpoint, order) => Entry.Compile(endpoint, order, maxConditions)).ToArray();
        _patterns = Rank(_entries.Where(e => e.Template is null));
        _bySegmentCount = _entries
            .Where(e => e.Template is not null)
            .GroupBy(e => e.Template!.SegmentCount)
            .ToDictionary(g => g.Key, g => Rank(g.Concat(_patterns)));
        Needs = _entries.Aggregate(RequestParts.None, (needs, e) => needs | e.Needs);
    }

    public int Count => _entries.Length;

    /// <summary>The parts of a request (beyond method and path) some endpoint's conditions or templates read.</summary>
    public RequestParts Needs { get; }

    /// <summary>Matches with fresh scenario state and no request detail (tests, and projects without conditions).</summary>
    public MockResult Match(string method, string path) =>
        Match(new MockRequest(method, path, null), new MockState(), new WorkBudget(TimeSpan.FromSeconds(1)), new MockLimits(), Random.Shared);

    public MockResult Match(MockRequest request, MockState state, WorkBudget budget, MockLimits limits, Random random)
    {
        var method = request.Method;
        var path = request.Path;
        var segments = RouteTemplate.SplitPath(path);
        var candidates = _bySegmentCount.TryGetValue(segments.Length, out var forCount) ? forCount : _patterns;
        var view = new RequestView(request);
        var best = Best(candidates, method, path, segments, view, budget, null, out var failedCondition);
        HashSet<Entry>? passed = null;
        NearMiss? noResponse = null;
        if (best?.Contract?.Check(view, best.Template?.Values(segments), budget) is { Length: > 0 } violations)
        {
            return new MockResult(MockResultKind.Invalid, null, null, null, Error: string.Join("; ", violations));
        }
        while (best is not null)
        {
            switch (ResponseSelector.Select(best.Endpoint, best.Responses, best.Mode, view, state, budget, random))
            {
                case { Response: { IsStatic: true } chosen }:
                    return best.StaticAnswer(chosen);
                case { Response: { } chosen }:
                    var rendered = chosen.Render(view, best.Template, segments, limits, budget, random);
                    return new MockResult(MockResultKind.Matched, rendered, null, null,
                        ContractViolation: best.Contract is { ChecksResponses: true } contract ? contract.CheckResponse(rendered, budget) : null);
                case { Reason: var reason }:
                    // No response of this endpoint may answer now (a scenario in another state): the next best may,
                    // as WireMock's mappings for one request in several scenario states do.
                    noResponse ??= new NearMiss(best.Endpoint.Id, best.Method, best.Display, reason!);
                    (passed ??= []).Add(best);
                    best = Best(candidates, method, path, segments, view, budget, passed, out _);
                    break;
            }
        }
        if (noResponse is not null)
        {
            return new MockResult(MockResultKind.NoMatch, null, noResponse, null);
        }
        if (method == "OPTIONS" && failedCondition is null)
        {
            var allowed = AllowedMethods(candidates, path, segments, budget);
            if (allowed.Length > 0)
            {
                return new MockResult(MockResultKind.Options, null, null, allowed);
            }
        }
        return new MockResult(MockResultKind.NoMatch, null, failedCondition ?? ClosestMiss(method, segments), null);
    }

    /// <summary>The best-ranked entry whose method, path and conditions match (none of <paramref name="excluded"/>).</summary>
    private static Entry? Best(Entry[] candidates, string method, string path, string[] segments, RequestView view, WorkBudget budget,
        HashSet<Entry>? excluded, out NearMiss? failedCondition)
    {
        Entry? best = null;
        var bestScore = 0;
        failedCondition = null;
        foreach (var entry in candidates)
        {
            if (best is not null && entry.CompareRank(best) < 0)
            {
                break; // ranked: nothing further can beat the match in hand
            }
            var score = MethodScore(entry.Method, method);
            if (score <= bestScore || excluded?.Contains(entry) == true || !entry.PathMatches(path, segments, budget))
            {
                continue;
            }
            if (entry.Conditions.Check(view, budget) is { } failure)
            {
                failedCondition ??= new NearMiss(entry.Endpoint.Id, entry.Method, entry.Display, failure);
                continue;
            }
            best = entry;
            bestScore = score;
        }
        return best;
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

    private static string[] AllowedMethods(Entry[] candidates, string path, string[] segments, WorkBudget budget)
    {
        var methods = new SortedSet<string>(StringComparer.Ordinal);
        foreach (var entry in candidates.Where(e => e.PathMatches(path, segments, budget)))
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
            var score = 0;
            string? reason = null;
            if (entry.Template is { } template)
            {
                var literals = template.Literals;
                score = -Math.Abs(literals.Length - segments.Length) * 4;
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
            }
            else
            {
                score = -segments.Length * 2;
                reason = $"the path does not match the pattern {entry.Display}";
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
                closest = new NearMiss(entry.Endpoint.Id, entry.Method, entry.Display, reason ?? "no difference found");
            }
        }
        return closest;
    }

    private static Entry[] Rank(IEnumerable<Entry> entries) =>
        entries.OrderBy(e => e, RankComparer.Instance).ThenBy(e => e.Order).ToArray();

    private sealed class Entry
    {
        private Entry(EndpointInfo endpoint, RouteTemplate? template, Regex? pattern, RequestConditions conditions, CompiledResponse[] responses, int order,
            ContractCheck? contract)
        {
            Endpoint = endpoint;
            Template = template;
            Pattern = pattern;
            Conditions = conditions;
            Responses = responses;
            Order = order;
            Contract = contract;
            // A static answer that breaks the documented responses is checked once, here, and flagged on every request.
            _flagged = contract is { ChecksResponses: true }
                ? [.. responses.Select(r => r.IsStatic && contract.CheckResponse(r.Prebuilt, new WorkBudget(TimeSpan.FromSeconds(1))) is { } violation
                    ? r.Matched with { ContractViolation = violation } : null)]
                : null;
            Needs = responses.Aggregate(conditions.Needs | (contract is null ? RequestParts.None : ContractCheck.Needs), (needs, r) => needs | r.Needs);
        }

        private readonly MockResult?[]? _flagged;

        /// <summary>The OpenAPI request contract the endpoint enforces (null: none).</summary>
        public ContractCheck? Contract { get; }

        /// <summary>The answer a static response gives, flagged when it breaks the documented responses.</summary>
        public MockResult StaticAnswer(CompiledResponse response) => _flagged?[response.Index] ?? response.Matched;

        public EndpointInfo Endpoint { get; }
        public RouteTemplate? Template { get; }
        public Regex? Pattern { get; }
        public RequestConditions Conditions { get; }
        public CompiledResponse[] Responses { get; }
        public int Order { get; }
        public RequestParts Needs { get; }
        public string Method => Endpoint.Spec.Method;
        public int Priority => Endpoint.Spec.Priority;
        public ResponseMode Mode => Endpoint.Spec.ResponseMode;

        /// <summary>The path template, or the pattern as <c>~regex</c>.</summary>
        public string Display => Template is null ? $"~{Endpoint.Spec.PathPattern}" : Endpoint.Spec.Path;

        public bool PathMatches(string path, string[] segments, WorkBudget budget) =>
            Template?.IsMatch(segments) ?? SafeRegex.IsMatch(Pattern!, path, budget);

        /// <summary>Positive when this entry outranks <paramref name="other"/> (priority, then template over pattern, then specificity).</summary>
        public int CompareRank(Entry other)
        {
            if (Priority != other.Priority)
            {
                return Priority < other.Priority ? 1 : -1;
            }
            if ((Template is null) != (other.Template is null))
            {
                return Template is null ? -1 : 1;
            }
            var specificity = Template is null ? 0 : Template.CompareSpecificity(other.Template!);
            return specificity != 0 ? specificity : Conditions.Count.CompareTo(other.Conditions.Count);
        }

        public static Entry Compile(EndpointInfo endpoint, int order, int maxConditions)
        {
            var spec = endpoint.Spec;
            RouteTemplate? template = null;
            Regex? pattern = null;
            string error;
            if (spec.PathPattern is { } regex)
            {
                ValueCondition.TryRegex(regex, caseInsensitive: false, "pathPattern", out pattern, out error);
            }
            else
            {
                RouteTemplate.TryParse(spec.Path, int.MaxValue, out template, out error);
            }
            if (!RequestConditions.TryCompile(spec.Request, "request", maxConditions, out var conditions, out var conditionError))
            {
                error = conditionError;
            }
            var responses = spec.AllResponses.Select((r, i) =>
                CompiledResponse.TryCompile(endpoint, r, i, $"responses[{i}]", maxConditions, out var compiled, out var responseError)
                    ? compiled
                    : throw new InvalidOperationException($"Stored endpoint {endpoint.Id} no longer compiles: {responseError}")).ToArray();
            return template is null && pattern is null
                ? throw new InvalidOperationException($"Stored endpoint {endpoint.Id} no longer compiles: {error}")
                : new Entry(endpoint, template, pattern, conditions, responses, order,
                    ContractCheck.TryCompile(spec.Contract, out var contractError) ?? (spec.Contract is null ? null
                        : throw new InvalidOperationException($"Stored endpoint {endpoint.Id} no longer compiles: {contractError}")));
        }
    }

    private sealed class RankComparer : IComparer<Entry>
    {
        public static readonly RankComparer Instance = new();

        // Best first.
        public int Compare(Entry? x, Entry? y) => y!.CompareRank(x!);
    }
}
