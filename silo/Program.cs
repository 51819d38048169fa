using Microsoft.Extensions.Hosting;

namespace OrleansMock.Silo;

/// <summary>
/// A standalone silo. This build clusters on localhost (one silo; the API joins it with OrleansMock:Mode=Cluster);
/// Redis membership for many machines is the cluster-mode issue's work.
/// </summary>
public static class SiloProgram
{
    public static async Task Main(string[] args)
    {
        var builder = Host.CreateApplicationBuilder(args);
        var configuration = builder.Configuration;
        builder.UseOrleans(silo => silo
            .UseLocalhostClustering(
                OrleansMockSilo.ReadPort(configuration, OrleansMockSilo.SiloPortKey, OrleansMockSilo.DefaultSiloPort),
                OrleansMockSilo.ReadPort(configuration, OrleansMockSilo.GatewayPortKey, OrleansMockSilo.DefaultGatewayPort))
            .AddOrleansMockGrains(configuration));
        await builder.Build().RunAsync();
    }
}
