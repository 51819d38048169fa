using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Diagnostics.HealthChecks;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using OpenTelemetry.Metrics;
using OpenTelemetry.Resources;
using Orleans.Runtime;
using OrleansMock.Grains.Storage;
using OrleansMock.Silo.Hosting;
using OrleansMock.Silo.Storage;

namespace OrleansMock.Silo;

/// <summary>
/// A standalone silo for Cluster mode: Redis membership, shared storage (Postgres or Mongo), and a small HTTP
/// endpoint (<c>--urls</c>, default http://localhost:5081) with /healthz, /readyz (joined the cluster, storage
/// reachable) and /metrics. SIGTERM leaves the cluster cleanly: grains deactivate and persist first.
/// </summary>
public static class SiloProgram
{
    public static Task<int> Main(string[] args) => StartupFailure.RunAsync(() => RunAsync(args));

    private static async Task RunAsync(string[] args)
    {
        var builder = WebApplication.CreateBuilder(new WebApplicationOptions { Args = args, ContentRootPath = AppContext.BaseDirectory });
        var configuration = builder.Configuration;
        // Defaults in code, not in an appsettings.json: that file would also land in the front end's output folder.
        builder.Logging.AddFilter("Orleans", LogLevel.Warning).AddFilter("Microsoft.AspNetCore", LogLevel.Warning).AddFilter("Polly", LogLevel.Warning)
            // "Hosting failed to start" with a stack trace: StartupFailure says it in one line (or rethrows what it cannot explain).
            .AddFilter("Microsoft.Extensions.Hosting.Internal.Host", LogLevel.None)
            // Orleans 10.4's watchdog measures its first check from timestamp 0, so every start warns "Participant check
            // thread has not completed for <time since the machine booted>": a false alarm (README, Operations).
            .AddFilter("Orleans.Runtime.Watchdog", LogLevel.Error);
        builder.UseDefaultUrlUnlessConfigured("http://localhost:5081");
        var options = OrleansMockOptions.Read(configuration);
        if (options.Storage.Provider == StorageProvider.Embedded)
        {
            throw new InvalidOperationException(
                "A cluster silo needs storage every silo shares: set OrleansMock:Storage:Provider to Postgres or Mongo (Embedded is one process's file).");
        }
        var cluster = ClusterSettings.From(options, configuration);
        builder.UseOrleans(silo => cluster.ConfigureSilo(silo).AddOrleansMockGrains(configuration));
        builder.Services.Configure<HostOptions>(options => options.ShutdownTimeout = TimeSpan.FromSeconds(30));
        builder.Services.AddSingleton(cluster);
        builder.Services.AddSingleton<RedisReadiness>();
        builder.Services.AddHealthChecks()
            .AddCheck<SiloWarmup>("warm", tags: ["ready"])
            .AddCheck<Membership>("cluster", tags: ["ready"])
            .AddCheck<Storage>("storage", tags: ["ready"])
            .AddCheck<RedisReadiness>("redis", tags: ["ready"]);
        builder.Services.AddOpenTelemetry().ConfigureResource(resource => resource.AddOrleansMockService("orleansmock-silo")).WithMetrics(metrics => metrics
            .AddMeter("Microsoft.Orleans", StorageMetrics.Meter.Name, "Npgsql")
            .AddRuntimeInstrumentation()
            .AddPrometheusExporter());

        var app = builder.Build();
        app.MapGet("/healthz", () => Results.Ok(new { status = "alive" }));
        app.MapHealthChecks("/readyz", new HealthCheckOptions { Predicate = check => check.Tags.Contains("ready") });
        app.MapPrometheusScrapingEndpoint("/metrics");
        await app.RunAsync();
    }

    /// <summary>Ready once this silo is an active member of the cluster.</summary>
    private sealed class Membership(IClusterMembershipService membership, ILocalSiloDetails silo) : IHealthCheck
    {
        public Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default)
        {
            var status = membership.CurrentSnapshot.GetSiloStatus(silo.SiloAddress);
            return Task.FromResult(status == SiloStatus.Active
                ? HealthCheckResult.Healthy($"{silo.SiloAddress} is active")
                : HealthCheckResult.Unhealthy($"{silo.SiloAddress} is {status}"));
        }
    }

    /// <summary>Ready once the shared storage answers.</summary>
    private sealed class Storage(IStorageHealth storage) : IHealthCheck
    {
        public async Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default)
        {
            try
            {
                await storage.CheckAsync(cancellationToken);
                return HealthCheckResult.Healthy(storage.Description);
            }
            catch (Exception exception)
            {
                return HealthCheckResult.Unhealthy($"{storage.Description}: {exception.Message}");
            }
        }
    }
}
