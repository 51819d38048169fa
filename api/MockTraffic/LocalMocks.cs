using System.Net;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http.Features;
using OrleansMock.Api.Http;
using OrleansMock.Api.Tester;

namespace OrleansMock.Api.MockTraffic;

/// <summary>
/// The tester's way to this service's own mocks: the request runs through the same mock handler as a request from the
/// network (<see cref="MockTrafficMiddleware.Handler"/>: rate limits, private projects, the request journal, faults),
/// on an in-memory HTTP context instead of a socket. A fault that closes the connection is the network error a
/// client would see.
/// </summary>
public sealed class LocalMocks(IServiceProvider services, IServer server) : IOwnMocks, IDisposable
{
    private readonly Lazy<HttpMessageInvoker> _invoker = new(() => new HttpMessageInvoker(new Handler(services)));

    public HttpMessageInvoker Invoker => _invoker.Value;

    public bool IsOwn(Uri url, string? serviceHost)
    {
        if (url.Scheme is not ("http" or "https") || !string.IsNullOrEmpty(url.UserInfo))
        {
            return false;
        }
        var traffic = services.GetRequiredService<MockTrafficMiddleware.Handler>();
        if (traffic.HostedProject(url.Host) is not null)
        {
            return true; // a project's own mock origin: the mock domain is this service's by configuration
        }
        var path = url.AbsolutePath;
        if (!Paths.IsUnder(path, Paths.MockPrefix) || path.Split('/') is not [_, _, { Length: > 0 }, .. var rest] || rest is ["__admin", ..])
        {
            return false; // only mock URLs: nothing else of the service (its API, the WireMock admin API) is reached this way
        }
        return string.Equals(url.Authority, serviceHost, StringComparison.OrdinalIgnoreCase)
            || (IsLoopback(url) && ListeningPorts().Contains(url.Port));
    }

    private static bool IsLoopback(Uri url) =>
        url.IsLoopback || url.Host.EndsWith(".localhost", StringComparison.OrdinalIgnoreCase);

    private IEnumerable<int> ListeningPorts() =>
        (server.Features.Get<IServerAddressesFeature>()?.Addresses ?? [])
            .Select(address => BindingAddress.Parse(address).Port);

    public void Dispose()
    {
        if (_invoker.IsValueCreated)
        {
            _invoker.Value.Dispose();
        }
    }

    private sealed class Handler(IServiceProvider services) : HttpMessageHandler
    {
        protected override async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
        {
            var traffic = services.GetRequiredService<MockTrafficMiddleware.Handler>();
            await using var scope = services.CreateAsyncScope();
            var lifetime = new Lifetime(cancellationToken);
            var context = new DefaultHttpContext { RequestServices = scope.ServiceProvider };
            context.Features.Set<IHttpRequestLifetimeFeature>(lifetime);
            var uri = request.RequestUri!;
            var http = context.Request;
            http.Protocol = "HTTP/1.1";
            http.Method = request.Method.Method;
            http.Scheme = uri.Scheme;
            http.Host = HostString.FromUriComponent(uri);
            http.Path = PathString.FromUriComponent(uri);
            http.QueryString = QueryString.FromUriComponent(uri);
            foreach (var (name, values) in request.Headers)
            {
                http.Headers.Append(name, values.ToArray());
            }
            http.Headers.Host = uri.Authority;
            if (request.Content is { } content)
            {
                foreach (var (name, values) in content.Headers)
                {
                    http.Headers.Append(name, values.ToArray());
                }
                var bytes = await content.ReadAsByteArrayAsync(cancellationToken);
                http.Body = new MemoryStream(bytes);
                http.ContentLength = bytes.Length;
            }
            context.Connection.RemoteIpAddress = request.Options.TryGetValue(IOwnMocks.ClientAddress, out var client) && client is not null ? client : IPAddress.Loopback;
            var body = new MemoryStream();
            context.Response.Body = body;
            await traffic.InvokeAsync(context, NotServed);
            if (lifetime.Aborted)
            {
                throw new HttpRequestException(HttpRequestError.ConnectionError, "the mock closed the connection without a complete answer (its fault)");
            }
            var response = new HttpResponseMessage((HttpStatusCode)context.Response.StatusCode) { RequestMessage = request, Content = new ByteArrayContent(body.ToArray()) };
            foreach (var (name, values) in context.Response.Headers)
            {
                if (!response.Headers.TryAddWithoutValidation(name, values.ToArray()))
                {
                    response.Content.Headers.TryAddWithoutValidation(name, values.ToArray());
                }
            }
            return response;
        }

        private static Task NotServed(HttpContext context)
        {
            context.Response.StatusCode = StatusCodes.Status404NotFound;
            return Task.CompletedTask;
        }
    }

    /// <summary>The request's lifetime: the tester's cancellation, and whether the mock aborted the "connection".</summary>
    private sealed class Lifetime(CancellationToken aborted) : IHttpRequestLifetimeFeature
    {
        public CancellationToken RequestAborted { get; set; } = aborted;

        public bool Aborted { get; private set; }

        public void Abort() => Aborted = true;
    }
}
