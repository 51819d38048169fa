using System.Net;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Orleans.Configuration;

namespace OrleansMock.Silo.Hosting;

/// <summary>
/// Cluster mode settings (<c>OrleansMock:Cluster</c>, <c>OrleansMock:Silo</c>, <c>ConnectionStrings:Redis</c>), used by standalone silos and by front ends in Cluster mode.
/// </summary>
public sealed record ClusterSettings(string ServiceId, string ClusterId, string Redis, int SiloPort, int GatewayPort, IPAddress? AdvertisedAddress)
{
    /// <summary>The cluster settings of validated options; Cluster mode needs <c>ConnectionStrings:Redis</c> besides.</summary>
    public static ClusterSettings From(OrleansMockOptions options, IConfiguration configuration)
    {
        var redis = configuration.GetConnectionString("Redis");
        if (string.IsNullOrWhiteSpace(redis))
        {
            throw new InvalidOperationException(
                "Cluster mode needs ConnectionStrings:Redis (environment variable ConnectionStrings__Redis), e.g. 127.0.0.1:6379: silos and front ends find each other there.");
        }
        return new ClusterSettings(
            options.Cluster.ServiceId,
            options.Cluster.ClusterId,
            redis,
            options.Silo.SiloPort ?? OrleansMockOptions.DefaultSiloPort,
            options.Silo.GatewayPort,
            options.Silo.AdvertisedAddress is { Length: > 0 } advertised ? IPAddress.Parse(advertised) : null);
    }

    /// <summary>
    /// A silo of the cluster: Redis membership, and failure detection tuned for failover in seconds. A silo is probed
    /// every second and declared dead after two missed probes (default: 5 s and 3), so a crash is noticed in about
    /// 2-4 s; the price is that a silo stalled for over 2 s (a long GC pause, an overloaded host) can be voted out and
    /// must restart. Calls time out after 5 s instead of 30.
    /// </summary>
    public ISiloBuilder ConfigureSilo(ISiloBuilder silo)
    {
        silo.UseRedisClustering(Redis);
        silo.Configure<ClusterOptions>(options =>
        {
            options.ServiceId = ServiceId;
            options.ClusterId = ClusterId;
        });
        silo.Configure<EndpointOptions>(options =>
        {
            options.SiloPort = SiloPort;
            options.GatewayPort = GatewayPort;
            options.AdvertisedIPAddress = AdvertisedAddress ?? DetectAddress();
            options.SiloListeningEndpoint = new IPEndPoint(IPAddress.Any, SiloPort);
            options.GatewayListeningEndpoint = new IPEndPoint(IPAddress.Any, GatewayPort);
        });
        silo.Configure<ClusterMembershipOptions>(options =>
        {
            options.ProbeTimeout = TimeSpan.FromSeconds(1);
            options.NumMissedProbesLimit = 2;
            options.TableRefreshTimeout = TimeSpan.FromSeconds(2);
        });
        silo.Configure<SiloMessagingOptions>(options => options.ResponseTimeout = TimeSpan.FromSeconds(5));
        return silo;
    }

    /// <summary>A front end: an Orleans client finding gateways through Redis, with the same 5 s call timeout.</summary>
    public IClientBuilder ConfigureClient(IClientBuilder client)
    {
        client.UseRedisClustering(Redis);
        client.Configure<ClusterOptions>(options =>
        {
            options.ServiceId = ServiceId;
            options.ClusterId = ClusterId;
        });
        client.Configure<ClientMessagingOptions>(options => options.ResponseTimeout = TimeSpan.FromSeconds(5));
        client.Configure<GatewayOptions>(options => options.GatewayListRefreshPeriod = TimeSpan.FromSeconds(5));
        return client;
    }

    /// <summary>The address other silos reach this one at: the first IPv4 address of an interface that is up.</summary>
    private static IPAddress DetectAddress() =>
        System.Net.NetworkInformation.NetworkInterface.GetAllNetworkInterfaces()
            .Where(nic => nic.OperationalStatus == System.Net.NetworkInformation.OperationalStatus.Up
                && nic.NetworkInterfaceType != System.Net.NetworkInformation.NetworkInterfaceType.Loopback)
            .SelectMany(nic => nic.GetIPProperties().UnicastAddresses)
            .Select(unicast => unicast.Address)
            .FirstOrDefault(address => address.AddressFamily == System.Net.Sockets.AddressFamily.InterNetwork)
        ?? IPAddress.Loopback;
}
