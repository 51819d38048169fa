using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Configuration;
using System.Net;
using System.Net.Sockets;

namespace OrleansMock.Silo.Hosting;

/// <summary>Where a process's HTTP endpoint listens.</summary>
public static class ListenAddresses
{
    /// <summary>
    /// Listens on <paramref name="fallback"/> only when no documented way names an address: <c>ASPNETCORE_URLS</c> or
    /// <c>DOTNET_URLS</c>, <c>--urls</c>, <c>Urls</c> in configuration, <c>ASPNETCORE_HTTP_PORTS</c>/<c>HTTPS_PORTS</c>,
    /// or <c>Kestrel:Endpoints</c>. (A default in appsettings.json would override the environment: app configuration
    /// is layered over host configuration.)
    /// </summary>
    public static WebApplicationBuilder UseDefaultUrlUnlessConfigured(this WebApplicationBuilder builder, string fallback)
    {
        string[] urls;
        if (!IsConfigured(builder.Configuration))
        {
            builder.WebHost.UseUrls(fallback);
            urls = [fallback];
        }
        else
        {
            urls = (builder.Configuration[WebHostDefaults.ServerUrlsKey] ?? "").Split(';', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)
                .Concat((builder.Configuration[WebHostDefaults.HttpPortsKey] ?? "").Split(';', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)
                    .Select(port => $"http://*:{port}"))
                .ToArray();
        }
        // Checked when the host starts, first of all (before the silo), and only when the real server is Kestrel:
        // a test host binds nothing.
        builder.Services.Insert(0, ServiceDescriptor.Singleton<IHostedService>(services => new PortPreflight(services.GetRequiredService<IServer>(), urls)));
        return builder;
    }

    private sealed class PortPreflight(IServer server, string[] urls) : IHostedLifecycleService
    {
        public Task StartingAsync(CancellationToken cancellationToken)
        {
            if (server.GetType().Name.Contains("Kestrel", StringComparison.Ordinal))
            {
                EnsureFree(urls);
            }
            return Task.CompletedTask;
        }

        public Task StartAsync(CancellationToken cancellationToken) => Task.CompletedTask;

        public Task StartedAsync(CancellationToken cancellationToken) => Task.CompletedTask;

        public Task StoppingAsync(CancellationToken cancellationToken) => Task.CompletedTask;

        public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;

        public Task StoppedAsync(CancellationToken cancellationToken) => Task.CompletedTask;
    }

    /// <summary>
    /// Fails before anything starts when an address is taken, so a busy port is one clear line rather than a silo that
    /// starts, then stops noisily when the web server cannot bind.
    /// </summary>
    private static void EnsureFree(IEnumerable<string> urls)
    {
        foreach (var url in urls)
        {
            BindingAddress address;
            try
            {
                address = BindingAddress.Parse(url);
            }
            catch (FormatException)
            {
                continue; // Kestrel reports it
            }
            if (address.Port == 0 || address.IsUnixPipe)
            {
                continue;
            }
            var ip = address.Host is "*" or "+" or "0.0.0.0" or "[::]" ? IPAddress.Any
                : address.Host.Equals("localhost", StringComparison.OrdinalIgnoreCase) ? IPAddress.Loopback
                : IPAddress.TryParse(address.Host.Trim('[', ']'), out var parsed) ? parsed : null;
            if (ip is null)
            {
                continue;
            }
            try
            {
                using var probe = new Socket(ip.AddressFamily, SocketType.Stream, ProtocolType.Tcp);
                if (!OperatingSystem.IsWindows())
                {
                    // As Kestrel binds: connections of an earlier run in TIME_WAIT must not count as "in use".
                    probe.SetSocketOption(SocketOptionLevel.Socket, SocketOptionName.ReuseAddress, true);
                }
                probe.Bind(new IPEndPoint(ip, address.Port));
            }
            catch (SocketException exception) when (exception.SocketErrorCode == SocketError.AddressAlreadyInUse)
            {
                throw new IOException($"Failed to bind to address {url}: address already in use.", exception);
            }
        }
    }

    public static bool IsConfigured(IConfiguration configuration) =>
        !string.IsNullOrWhiteSpace(configuration[WebHostDefaults.ServerUrlsKey])
        || !string.IsNullOrWhiteSpace(configuration[WebHostDefaults.HttpPortsKey])
        || !string.IsNullOrWhiteSpace(configuration[WebHostDefaults.HttpsPortsKey])
        || configuration.GetSection("Kestrel:Endpoints").GetChildren().Any();
}
