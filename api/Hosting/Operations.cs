using System.Diagnostics;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using Microsoft.AspNetCore.Diagnostics.HealthChecks;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using OpenTelemetry.Metrics;
using Orleans.Dashboard;
using OrleansMock.Api.Apis;
using OrleansMock.Api.Http;
using OrleansMock.GrainInterfaces;
using OrleansMock.Silo;

namespace OrleansMock.Api.Hosting;

/// <summary>Health and readiness, Prometheus metrics, and the admin-only Orleans dashboard.</summary>
public static class Operations
{
    public const string DashboardAdminKeyKey = "OrleansMock:Dashboard:AdminKey";
    public const string DashboardPath = "/dashboard";

    public static WebApplicationBuilder AddOperations(this WebApplicationBuilder builder)
    {
        builder.Services.AddHealthChecks()
            .AddCheck<ClusterReadiness>("cluster", tags: ["ready"])
            .AddCheck<StorageReadiness>("storage", tags: ["ready"]);
        builder.Services.AddOpenTelemetry().WithMetrics(metrics => metrics
            .AddMeter(Telemetry.Meter.Name, OrleansMock.Silo.Storage.StorageMetrics.Meter.Name, "Microsoft.Orleans", "Npgsql")
            // Kestrel's connection metrics; request latency is our own histogram (one per request is enough).
            .AddMeter("Microsoft.AspNetCore.Server.Kestrel")
            .AddRuntimeInstrumentation()
            .AddPrometheusExporter());
        if (builder.Configuration.GetValue<bool>(OrleansMockSilo.DashboardEnabledKey)
            && string.IsNullOrWhiteSpace(builder.Configuration[DashboardAdminKeyKey]))
        {
            throw new InvalidOperationException($"{OrleansMockSilo.DashboardEnabledKey}=true needs {DashboardAdminKeyKey}: the dashboard is admin-only.");
        }
        return builder;
    }

    /// <summary>Times every request by route group; first in the pipeline so it sees the final status.</summary>
    public static IApplicationBuilder UseRequestMetrics(this IApplicationBuilder app) => app.Use(async (context, next) =>
    {
        var started = Stopwatch.GetTimestamp();
        try
        {
            await next(context);
        }
        finally
        {
            Telemetry.RecordRequest(context.Request.Path, context.Response.StatusCode, Stopwatch.GetElapsedTime(started));
        }
    });

    public static void MapOperations(this WebApplication app)
    {
        app.MapGet("/healthz", () => TypedResults.Ok(new { status = "alive" }))
            .WithName("Health").WithSummary("Process liveness").WithTags("Operations");
        app.MapHealthChecks("/readyz", new HealthCheckOptions { Predicate = check => check.Tags.Contains("ready"), ResponseWriter = WriteReadinessAsync })
            .WithName("Ready").WithSummary("Readiness: the cluster answers and storage is reachable, per check").WithTags("Operations");
        app.MapPrometheusScrapingEndpoint("/metrics");
        if (app.Configuration.GetValue<bool>(OrleansMockSilo.DashboardEnabledKey))
        {
            var adminKey = Encoding.UTF8.GetBytes(app.Configuration[DashboardAdminKeyKey]!);
            app.MapOrleansDashboard(DashboardPath).AddEndpointFilter((context, next) => IsAdmin(context.HttpContext, adminKey)
                ? next(context)
                : ValueTask.FromResult<object?>(Challenge(context.HttpContext)));
        }
    }

    /// <summary>HTTP Basic with the configured admin key as password, so a browser can open the dashboard.</summary>
    private static bool IsAdmin(HttpContext context, byte[] adminKey)
    {
        var header = context.Request.Headers.Authorization.ToString();
        if (!header.StartsWith("Basic ", StringComparison.OrdinalIgnoreCase))
        {
            return false;
        }
        try
        {
            var decoded = Encoding.UTF8.GetString(Convert.FromBase64String(header[6..].Trim()));
            var password = Encoding.UTF8.GetBytes(decoded[(decoded.IndexOf(':') + 1)..]);
            return CryptographicOperations.FixedTimeEquals(password, adminKey);
        }
        catch (FormatException)
        {
            return false;
        }
    }

    private static IResult Challenge(HttpContext context)
    {
        context.Response.Headers.WWWAuthenticate = "Basic realm=\"OrleansMock dashboard\"";
        return Problems.Status(StatusCodes.Status401Unauthorized, $"the dashboard is for administrators: sign in with the admin key ({DashboardAdminKeyKey}) as password");
    }

    private static Task WriteReadinessAsync(HttpContext context, HealthReport report)
    {
        context.Response.ContentType = "application/json";
        return context.Response.WriteAsync(JsonSerializer.Serialize(new
        {
            status = report.Status.ToString(),
            checks = report.Entries.Select(e => new
            {
                name = e.Key,
                status = e.Value.Status.ToString(),
                detail = e.Value.Description,
                durationMs = Math.Round(e.Value.Duration.TotalMilliseconds, 1),
            }),
        }));
    }

    /// <summary>Ready when a silo answers a grain call (Embedded: our own silo; Cluster: through a gateway).</summary>
    private sealed class ClusterReadiness(IGrainFactory grains) : IHealthCheck
    {
        public async Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default)
        {
            try
            {
                await grains.GetGrain<IHealthGrain>(0).CheckStorageAsync().WaitAsync(TimeSpan.FromSeconds(5), cancellationToken);
                return HealthCheckResult.Healthy("a silo answered");
            }
            catch (Exception exception)
            {
                return HealthCheckResult.Unhealthy($"no silo answered: {exception.Message}");
            }
        }
    }

    /// <summary>Ready when the silo's storage answers a trivial query.</summary>
    private sealed class StorageReadiness(IGrainFactory grains) : IHealthCheck
    {
        public async Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default)
        {
            try
            {
                var probe = await grains.GetGrain<IHealthGrain>(0).CheckStorageAsync().WaitAsync(TimeSpan.FromSeconds(5), cancellationToken);
                return probe.Healthy ? HealthCheckResult.Healthy(probe.Detail) : HealthCheckResult.Unhealthy(probe.Detail);
            }
            catch (Exception exception)
            {
                return HealthCheckResult.Unhealthy($"storage could not be checked: {exception.Message}");
            }
        }
    }
}
