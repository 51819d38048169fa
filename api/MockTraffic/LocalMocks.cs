using System.Net;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.Extensions.Options;
using OrleansMock.Api.Http;
using OrleansMock.Api.Tester;
using OrleansMock.GrainInterfaces;

namespace OrleansMock.Api.MockTraffic;

/// <summary>
/// The tester's way to this service's own mocks: the request runs through the same mock handler as a request from the
/// network (<see cref="MockTrafficMiddleware.Handler"/>: rate limits, private projects, the request journal, faults),
/// on an in-memory HTTP context instead of a socket. A fault that closes the connection is the network error a
/// client would see.
/// </summary>
public sealed class LocalMocks(IServiceProvider services, IServer server, IOptions<TesterOptions> tester) : IOwnMocks, IDisposable
{
    // The tester keeps at most MaxResponseBodyBytes of an answer: the in-process answer is kept to one byte more (enough
    // to flag it truncated), so a tenant's large answer (a /db of every resource) never sits whole in memory.
    private readonly Lazy<HttpMessageInvoker> _invoker = new(() => new HttpMessageInvoker(new Handler(services, tester.Value.MaxResponseBodyBytes + 1)));

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

    public string? PathInProject(Uri url, string? serviceHost)
    {
        if (!IsOwn(url, serviceHost))
        {
            return null;
        }
        var path = Uri.UnescapeDataString(url.AbsolutePath);
        if (services.GetRequiredService<MockTrafficMiddleware.Handler>().HostedProject(url.Host) is not null)
        {
            return path;
        }
        var rest = path.IndexOf('/', Paths.MockPrefix.Length + 1); // past "/m/{project}"
        return rest < 0 ? "/" : path[rest..];
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

    private sealed class Handler(IServiceProvider services, int keepBytes) : HttpMessageHandler
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
            var body = new CappedStream(keepBytes);
            context.Response.Body = body;
            await traffic.InvokeAsync(context, NotServed);
            if (lifetime.Aborted)
            {
                throw new HttpRequestException(HttpRequestError.ConnectionError, "the mock closed the connection without a complete answer (its fault)");
            }
            var response = new HttpResponseMessage((HttpStatusCode)context.Response.StatusCode) { RequestMessage = request, Content = new ByteArrayContent(body.Kept.ToArray()) };
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

    /// <summary>A response body that keeps its first <c>keep</c> bytes and lets the rest pass into nothing.</summary>
    private sealed class CappedStream(int keep) : Stream
    {
        public MemoryStream Kept { get; } = new();

        public override void Write(byte[] buffer, int offset, int count) => Write(buffer.AsSpan(offset, count));

        public override void Write(ReadOnlySpan<byte> buffer)
        {
            var room = keep - (int)Kept.Length;
            if (room > 0)
            {
                Kept.Write(buffer[..Math.Min(room, buffer.Length)]);
            }
        }

        public override ValueTask WriteAsync(ReadOnlyMemory<byte> buffer, CancellationToken cancellationToken = default)
        {
            Write(buffer.Span);
            return ValueTask.CompletedTask;
        }

        public override Task WriteAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken)
        {
            Write(buffer.AsSpan(offset, count));
            return Task.CompletedTask;
        }

        public override void Flush()
        {
        }

        public override Task FlushAsync(CancellationToken cancellationToken) => Task.CompletedTask;

        public override bool CanRead => false;
        public override bool CanSeek => false;
        public override bool CanWrite => true;
        public override long Length => throw new NotSupportedException();
        public override long Position { get => throw new NotSupportedException(); set => throw new NotSupportedException(); }
        public override int Read(byte[] buffer, int offset, int count) => throw new NotSupportedException();
        public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();
        public override void SetLength(long value) => throw new NotSupportedException();
    }

    /// <summary>The request's lifetime: the tester's cancellation, and whether the mock aborted the "connection".</summary>
    private sealed class Lifetime(CancellationToken aborted) : IHttpRequestLifetimeFeature
    {
        public CancellationToken RequestAborted { get; set; } = aborted;

        public bool Aborted { get; private set; }

        public void Abort() => Aborted = true;
    }
}
