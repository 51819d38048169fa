using System.Net;
using System.Net.Sockets;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Orleans.Configuration;
using Orleans.Dashboard;
using OrleansMock.Silo.Storage;

namespace OrleansMock.Silo.Hosting;

/// <summary>
/// What a front end needs from the silo project, in one place: in Embedded mode a silo in its own process, in Cluster
/// mode an Orleans client of the silos found in Redis. The front end talks to grains through grain-interfaces either way.
/// </summary>
public static class OrleansMockBackend
{
    /// <summary>The meters of the storage and Orleans layers a front end exports with its own.</summary>
    public static readonly string[] Meters = [StorageMetrics.Meter.Name, "Microsoft.Orleans", "Npgsql"];

    /// <summary>Reads and validates the hosting options, registers every options class, and joins the grains.</summary>
    public static OrleansMockOptions AddOrleansMockBackend(this IHostApplicationBuilder builder)
    {
        var configuration = builder.Configuration;
        var options = OrleansMockOptions.Read(configuration);
        builder.Services.AddOrleansMockOptions(configuration);
        switch (options.Mode)
        {
            case HostingMode.Embedded:
                // One process: API + one silo. No gateway is opened; the API calls the silo in-process. The silo port
                // is bound on loopback only, and is a free one unless configured: two instances on one machine never share it.
                var siloPort = options.Silo.SiloPort is > 0 and var configured ? configured : FreeLoopbackPort();
                builder.UseOrleans(silo => silo
                    .UseLocalhostClustering(siloPort, gatewayPort: 0)
                    .Configure<EndpointOptions>(endpoint => endpoint.SiloListeningEndpoint = new IPEndPoint(IPAddress.Loopback, siloPort))
                    .AddOrleansMockGrains(configuration));
                builder.Services.AddHealthChecks().AddCheck<SiloWarmup>("warm", tags: ["ready"]);
                break;
            case HostingMode.Cluster:
                var cluster = ClusterSettings.From(options, configuration);
                builder.Services.AddSingleton(cluster);
                builder.Services.AddSingleton<RedisReadiness>();
                builder.Services.AddHealthChecks().AddCheck<RedisReadiness>("redis", tags: ["ready"]);
                // Start HTTP alongside the Orleans client, so /readyz can say "no gateway yet" instead of not answering.
                builder.Services.Configure<HostOptions>(host => host.ServicesStartConcurrently = true);
                builder.UseOrleansClient(client =>
                {
                    cluster.ConfigureClient(client);
                    if (options.Dashboard.Enabled)
                    {
                        client.AddDashboard();
                    }
                });
                break;
        }
        return options;
    }

    /// <summary>A line for the startup log: the mode and, in Embedded mode, where the data is.</summary>
    public static string Describe(OrleansMockOptions options) => options.Mode == HostingMode.Embedded
        ? $"mode Embedded, storage {options.Storage.Provider} in {options.DataPath}"
        : "mode Cluster";

    private static int FreeLoopbackPort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }
}
