using OrleansMock.GrainInterfaces;
using OrleansMock.Grains.Responses;
using OrleansMock.Grains.Routing;
using OrleansMock.Grains.Safety;

namespace OrleansMock.Grains.Projects;

/// <summary>
/// A request pattern (an endpoint's method, path and conditions, as WireMock's verification takes them) matched
/// against the request log's entries with the mock engine's own matchers, so "was it called?" means what "would it
/// match?" means.
/// </summary>
public static class RequestPatterns
{
    private static readonly TimeSpan Budget = TimeSpan.FromSeconds(1);

    /// <summary>A predicate over log entries (everything for a null pattern); null with an error for an invalid pattern.</summary>
    public static Func<RequestLogEntry, bool>? Compile(EndpointSpec? pattern, MockLimits limits, out string? error)
    {
        error = null;
        if (pattern is null)
        {
            return _ => true;
        }
        if (!EndpointValidator.TryValidate(pattern, limits, out var endpoint, out var invalid))
        {
            error = invalid;
            return null;
        }
        var table = new RouteTable([endpoint]);
        var budget = new WorkBudget(Budget);
        return entry =>
        {
            var request = new MockRequest(entry.Method, entry.Path, null, Query: entry.Query, Headers: entry.Headers, BodyPreview: entry.BodyPreview,
                Detail: new RequestDetail(entry.Query, entry.Headers, entry.BodyPreview, null, RequestParts.Query | RequestParts.Headers | RequestParts.Body));
            try
            {
                return table.Match(request, new MockState(), budget, limits, Random.Shared) is MockResult.Answered or MockResult.Forward;
            }
            catch (Exception exception) when (exception is not (OutOfMemoryException or OperationCanceledException))
            {
                return false; // a matcher over its budget: not a match
            }
        };
    }
}
