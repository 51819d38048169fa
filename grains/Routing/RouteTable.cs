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

    /// <summary>Above this many endpoints of one segment count, lookups go through the literal-segment index.</summary>
    public const int IndexAbove = 16;

    private readonly CompiledEndpoint[] _entries;
    private readonly CompiledEndpoint[] _patterns;
    private readonly Dictionary<int, RouteIndex> _bySegmentCount;

    /// <summary>Ranks compiled endpoints: each stored endpoint is compiled once (<see cref="CompiledEndpoint.Of"/>), not per table.</summary>
    /// <param name="indexAbove">Index a segment count's templates above this many (tests compare with an unindexed table).</param>
    public RouteTable(IEnumerable<EndpointInfo> endpoints, int indexAbove = IndexAbove)
    {
        _entries = endpoints.Select(CompiledEndpoint.Of).ToArray();
        _patterns = Rank(_entries.Where(e => e.Template is null));
        _bySegmentCount = _entries
            .Where(e => e.Template is not null)
            .GroupBy(e => e.Template!.SegmentCount)
            .ToDictionary(g => g.Key, g => new RouteIndex(Rank(g.Concat(_patterns)), indexAbove));
        Needs = _entries.Aggregate(RequestParts.None, (needs, e) => needs | e.Needs);
        _withWebhooks = _entries.Where(e => e.Responses.Any(r => r.Webhooks.Length > 0)).ToDictionary(e => e.Endpoint.Id, StringComparer.Ordinal);
    }

    // The endpoints whose responses send webhooks (usually none): looked up after an answer, by its endpoint id.
    private readonly Dictionary<string, CompiledEndpoint> _withWebhooks;

    /// <summary>Whether any endpoint's response sends webhooks (a mock answer asks nothing more when none does).</summary>
    public bool SendsWebhooks => _withWebhooks.Count > 0;

    /// <summary>The webhooks an answer of <paramref name="endpointId"/>'s response <paramref name="responseIndex"/> sends, and the endpoint's path template.</summary>
    public (CompiledWebhook[] Webhooks, RouteTemplate? Template) WebhooksOf(string endpointId, int responseIndex) =>
        _withWebhooks.Count > 0 && _withWebhooks.TryGetValue(endpointId, out var endpoint) && responseIndex >= 0 && responseIndex < endpoint.Responses.Length
            ? (endpoint.Responses[responseIndex].Webhooks, endpoint.Template)
            : ([], null);

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
        // In rank order, only the endpoints whose template can match these segments (and the patterns): the lookup does
        // not grow with the project's endpoints, and the ranking is the same as over all of them.
        var candidates = _bySegmentCount.TryGetValue(segments.Length, out var forCount) ? forCount.Candidates(segments) : _patterns;
        var view = new RequestView(request);
        var best = Best(candidates, method, path, segments, view, budget, null, out var failedCondition);
        HashSet<CompiledEndpoint>? passed = null;
        NearMiss? noResponse = null;
        if (best?.Contract is { } openApi)
        {
            if (openApi.SecurityFailure(view) is { } unauthorized)
            {
                return openApi.Refusal(401) is { } documented401
                    ? Documented(best, documented401, view, segments, limits, budget, random, unauthorized)
                    : new MockResult.Invalid([unauthorized], 401);
            }
            // A response asked for by name or code is served whatever else the request breaks (Prism's order), as
            // is a refusal of what it asks for.
            if (openApi.Preferred(view) is { } preferred)
            {
                if (preferred.Refusal is { } refused)
                {
                    return new MockResult.Invalid([refused], preferred.Status);
                }
                // The response asked for, in the media type the Accept header chooses (or 406), as Prism negotiates it.
                return openApi.Negotiate(view, preferred.Index) switch
                {
                    { NotAcceptable: { } notAcceptable } => new MockResult.Invalid([notAcceptable], 406),
                    { Index: var index } => Documented(best, (index, preferred.Status), view, segments, limits, budget, random, null),
                    null => Documented(best, (preferred.Index, preferred.Status), view, segments, limits, budget, random, null),
                };
            }
            var (violations, refusal) = openApi.Check(view, best.Template?.Values(segments), budget);
            if (violations.Length > 0)
            {
                // As Prism: the document's own response for the refusal when it has one, else a problem listing the violations.
                return openApi.Refusal(refusal) is { } documented
                    ? Documented(best, documented, view, segments, limits, budget, random, "the request breaks the OpenAPI contract: " + string.Join("; ", violations))
                    : new MockResult.Invalid(violations, refusal);
            }
            // The default answer (an import's last response) in the media type the Accept header chooses, or 406.
            var main = best.Responses.Length - 1;
            if (openApi.Negotiate(view, main) is { } negotiated && negotiated.Index != main)
            {
                return negotiated.NotAcceptable is { } notAcceptable
                    ? new MockResult.Invalid([notAcceptable], 406)
                    : Documented(best, (negotiated.Index, best.Responses[main].Definition.Status), view, segments, limits, budget, random, null);
            }
        }
        while (best is not null)
        {
            switch (ResponseSelector.Select(best.Endpoint, best.Responses, best.Mode, view, state, budget, random))
            {
                case { Response: { IsStatic: true } chosen }:
                    // Reached past an endpoint that had no response for the scenario's state now: the answer depends
                    // on that state, so no front end may cache it.
                    var answer = best.StaticAnswer(chosen);
                    return passed is not null && answer is MockResult.Answered { Cacheable: true } cacheable ? cacheable with { Cacheable = false } : answer;
                case { Response: { } chosen }:
                    var rendered = chosen.Render(view, best.Template, segments, limits, budget, random);
                    return chosen.Answer(rendered, best.Contract is { ChecksResponses: true } contract ? contract.CheckResponse(rendered, budget) : null);
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
            return new MockResult.NoMatch(noResponse);
        }
        if (method == "OPTIONS" && failedCondition is null)
        {
            var allowed = AllowedMethods(candidates, path, segments, budget);
            if (allowed.Length > 0)
            {
                return new MockResult.Options(allowed);
            }
        }
        if (failedCondition is null && method != "OPTIONS" && candidates.Any(e => e.Contract is not null && e.PathMatches(path, segments, budget)))
        {
            // An OpenAPI operation's path with another method: 405 naming the methods it has, as Prism answers.
            var allowed = AllowedMethods(candidates, path, segments, budget);
            return new MockResult.Invalid([$"the document defines {string.Join(", ", allowed)} for {path}, not {method}"], 405) { Allow = allowed };
        }
        if (failedCondition is null && Array.IndexOf(segments, "") >= 0 && EmptyPathParameter(candidates, method, segments) is ({ Contract: { } operation } endpoint, var name))
        {
            // An OpenAPI operation's path with a parameter left empty: refused as a missing required parameter, as Prism does.
            var violation = $"path '{name}' is required: the request leaves its segment empty";
            return operation.Refusal(422) is { } documented
                ? Documented(endpoint, documented, view, segments, limits, budget, random, violation)
                : new MockResult.Invalid([violation], 422);
        }
        return new MockResult.NoMatch(failedCondition ?? ClosestMiss(method, segments));
    }

    /// <summary>The first imported operation (of this method) whose path would match with a parameter left empty, and that parameter.</summary>
    private static (CompiledEndpoint Endpoint, string Name)? EmptyPathParameter(IEnumerable<CompiledEndpoint> candidates, string method, string[] segments)
    {
        foreach (var endpoint in candidates)
        {
            if (endpoint.Contract is not null && string.Equals(endpoint.Method, method, StringComparison.OrdinalIgnoreCase)
                && endpoint.Template?.EmptyParameter(segments) is { } name)
            {
                return (endpoint, name);
            }
        }
        return null;
    }

    /// <summary>An imported endpoint's documented response <paramref name="chosen"/>.Index, answered with <paramref name="chosen"/>.Status.</summary>
    private static MockResult Documented(CompiledEndpoint endpoint, (int Index, int Status) chosen, RequestView view, string[] segments, MockLimits limits,
        WorkBudget budget, Random random, string? violation)
    {
        if (chosen.Index < 0 || chosen.Index >= endpoint.Responses.Length)
        {
            return new MockResult.Invalid([violation ?? "the document's response is missing"], chosen.Status);
        }
        var response = endpoint.Responses[chosen.Index];
        return response.Answer(CompiledResponse.WithStatus(response.Render(view, endpoint.Template, segments, limits, budget, random), chosen.Status), violation);
    }

    /// <summary>The best-ranked entry whose method, path and conditions match (none of <paramref name="excluded"/>).</summary>
    private static CompiledEndpoint? Best(CompiledEndpoint[] candidates, string method, string path, string[] segments, RequestView view, WorkBudget budget,
        HashSet<CompiledEndpoint>? excluded, out NearMiss? failedCondition)
    {
        CompiledEndpoint? best = null;
        var bestScore = 0;
        failedCondition = null;
        foreach (var entry in candidates)
        {
            if (best is not null && entry.CompareRank(best) < 0)
            {
                break; // ranked: nothing further can beat the match in hand
            }
            var score = MethodScore(entry.Method, method);
            if (score == 2 && entry.Contract is not null)
            {
                continue; // an OpenAPI operation answers its own method only: HEAD on a GET operation is Prism's 405
            }
            if (score <= bestScore || excluded?.Contains(entry) == true || !entry.PathMatches(path, segments, budget))
            {
                continue;
            }
            if (entry.Conditions.Check(view, budget, entry.Template, segments) is { } failure)
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

    private static string[] AllowedMethods(CompiledEndpoint[] candidates, string path, string[] segments, WorkBudget budget)
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

    // A stable sort: at equal rank the older endpoint (earlier in creation order) stays first.
    private static CompiledEndpoint[] Rank(IEnumerable<CompiledEndpoint> entries) =>
        entries.OrderBy(e => e, RankComparer.Instance).ToArray();

    private sealed class RankComparer : IComparer<CompiledEndpoint>
    {
        public static readonly RankComparer Instance = new();

        // Best first.
        public int Compare(CompiledEndpoint? x, CompiledEndpoint? y) => y!.CompareRank(x!);
    }
}
