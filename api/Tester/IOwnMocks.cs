using System.Net;

namespace OrleansMock.Api.Tester;

/// <summary>
/// This service's own mock URLs (<c>/m/{project}/...</c> on whatever host name reaches the service, or a project's own
/// mock origin), answered by the mock engine in process: no network hop and no opening of the address guard, so a new
/// user's first loop (build a mock, try it in the tester) works. Implemented by mock traffic.
/// </summary>
public interface IOwnMocks
{
    /// <summary>The address of the tester's caller, which the mock counts the request for (its per-client rate limit).</summary>
    static readonly HttpRequestOptionsKey<IPAddress?> ClientAddress = new("orleansmock.client");

    /// <summary>Whether <paramref name="url"/> is one of this service's mock URLs; <paramref name="serviceHost"/> is the Host the caller reached this service with.</summary>
    bool IsOwn(Uri url, string? serviceHost);

    /// <summary>
    /// The path an own mock URL asks its project for (<c>/m/shop/users/7</c> → <c>/users/7</c>; on a project's own mock
    /// origin, the path as it is), or null when <paramref name="url"/> is not one of this service's mock URLs.
    /// </summary>
    string? PathInProject(Uri url, string? serviceHost);

    /// <summary>Sends a request to an own mock URL in process.</summary>
    HttpMessageInvoker Invoker { get; }
}
