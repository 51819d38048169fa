using System.Runtime.CompilerServices;
using System.Text.RegularExpressions;
using OrleansMock.GrainInterfaces;
using OrleansMock.Grains.Matching;
using OrleansMock.Grains.Responses;
using OrleansMock.Grains.Safety;

namespace OrleansMock.Grains.Routing;

/// <summary>
/// One endpoint ready to match and answer: its path (template or pattern), request conditions, compiled responses and
/// OpenAPI contract, and how it ranks against another (<see cref="CompareRank"/>). <see cref="RouteTable"/> ranks these.
/// </summary>
public sealed class CompiledEndpoint
{
    // Compiled once per stored endpoint (an immutable record): a change to one endpoint recompiles that one only.
    private static readonly ConditionalWeakTable<EndpointInfo, CompiledEndpoint> Compiled = new();

    private CompiledEndpoint(EndpointInfo endpoint, RouteTemplate? template, Regex? pattern, RequestConditions conditions, CompiledResponse[] responses,
        ContractCheck? contract)
    {
        Endpoint = endpoint;
        Template = template;
        Pattern = pattern;
        Conditions = conditions;
        Responses = responses;
        Contract = contract;
        // A static answer that breaks the documented responses is checked once, here, and flagged on every request.
        _flagged = contract is { ChecksResponses: true }
            ? [.. responses.Select(r => r.IsStatic && contract.CheckResponse(r.Prebuilt, new WorkBudget(TimeSpan.FromSeconds(1))) is { } violation
                ? r.Answer(r.Prebuilt, violation) : null)]
            : null;
        Needs = responses.Aggregate(conditions.Needs | (contract is null ? RequestParts.None : ContractCheck.Needs), (needs, r) => needs | r.Needs);
        // One static response that nothing of the request, no state and no contract decides: the same answer for every
        // request it wins, which a front end may cache (the project grain takes the mark off for a private project).
        _cacheable = contract is null && Needs == RequestParts.None
            && responses is [{ IsStatic: true, When.Count: 0, Scenario: null, Webhooks.Length: 0, Matched: MockResult.Answered answered }]
            ? answered with { Cacheable = true } : null;
    }

    private readonly MockResult?[]? _flagged;
    private readonly MockResult.Answered? _cacheable;

    /// <summary>The OpenAPI request contract the endpoint enforces (null: none).</summary>
    public ContractCheck? Contract { get; }

    /// <summary>The answer a static response gives, flagged when it breaks the documented responses.</summary>
    public MockResult StaticAnswer(CompiledResponse response) => _cacheable ?? _flagged?[response.Index] ?? response.Matched;

    public EndpointInfo Endpoint { get; }
    public RouteTemplate? Template { get; }
    public Regex? Pattern { get; }
    public RequestConditions Conditions { get; }
    public CompiledResponse[] Responses { get; }
    public RequestParts Needs { get; }
    public string Method => Endpoint.Spec.Method;
    public int Priority => Endpoint.Spec.Priority;
    public ResponseMode Mode => Endpoint.Spec.ResponseMode;

    /// <summary>The path template, or the pattern as <c>~regex</c>.</summary>
    public string Display => Template is null ? $"~{Endpoint.Spec.PathPattern}" : Endpoint.Spec.Path;

    public bool PathMatches(string path, string[] segments, WorkBudget budget) =>
        Template?.IsMatch(segments) ?? SafeRegex.IsMatch(Pattern!, path, budget);

    /// <summary>Positive when this entry outranks <paramref name="other"/> (priority, then template over pattern, then specificity).</summary>
    public int CompareRank(CompiledEndpoint other)
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

    /// <summary>The compiled form of a stored endpoint (validated when it was saved), compiled on first use and kept.</summary>
    public static CompiledEndpoint Of(EndpointInfo endpoint) =>
        Compiled.TryGetValue(endpoint, out var compiled) ? compiled
        : TryCompile(endpoint, out compiled, out var error) ? compiled
        : throw new InvalidOperationException($"Stored endpoint {endpoint.Id} no longer compiles: {error}");

    /// <summary>
    /// Compiles an endpoint whose spec passed <see cref="EndpointValidator.TryNormalize"/>: path, conditions, responses
    /// and contract; <paramref name="error"/> names the field that does not compile. The result is kept for
    /// <see cref="Of"/>, so saving an endpoint compiles it once.
    /// </summary>
    public static bool TryCompile(EndpointInfo endpoint, out CompiledEndpoint compiled, out string error)
    {
        compiled = null!;
        var spec = endpoint.Spec;
        RouteTemplate? template = null;
        Regex? pattern = null;
        if (spec.PathPattern is { } regex
                ? !ValueCondition.TryRegex(regex, caseInsensitive: false, "pathPattern", out pattern, out error)
                : !RouteTemplate.TryParse(spec.Path, int.MaxValue, out template, out error))
        {
            return false;
        }
        var contract = ContractCheck.TryCompile(spec.Contract, out var contractError);
        if (spec.Contract is not null && contract is null)
        {
            error = contractError!;
            return false;
        }
        if (!RequestConditions.TryCompile(spec.Request, "request", EndpointValidator.MaxConditions, out var conditions, out error))
        {
            return false;
        }
        var definitions = spec.AllResponses.ToArray();
        var responses = new CompiledResponse[definitions.Length];
        for (var i = 0; i < definitions.Length; i++)
        {
            var field = spec.Responses is { Length: > 0 } ? $"responses[{i}]" : "response";
            if (!CompiledResponse.TryCompile(endpoint, definitions[i], i, field, EndpointValidator.MaxConditions, out responses[i], out error))
            {
                return false;
            }
        }
        compiled = new CompiledEndpoint(endpoint, template, pattern, conditions, responses, contract);
        Compiled.AddOrUpdate(endpoint, compiled);
        return true;
    }
}
