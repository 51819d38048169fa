using System.Diagnostics;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using Microsoft.AspNetCore.Diagnostics.HealthChecks;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using OpenTelemetry.Metrics;
using OpenTelemetry.Resources;
using Orleans.Dashboard;
using OrleansMock.Api.Apis;
using OrleansMock.Api.Http;
using OrleansMock.GrainInterfaces;
using Microsoft.Extensions.Options;
using OrleansMock.Silo.Hosting;

namespace OrleansMock.Api.Hosting;

/// <summary>Health and readiness, Prometheus metrics, and the admin-only Orleans dashboard.</summary>
public static class Operations
{
    public const string DashboardPath = "/dashboard";

    /// <summary>
    /// When set, <c>/metrics</c> and the detail of <c>/readyz</c> (paths, versions, error messages) answer only to this
    /// key, sent as a bearer token or as the password of HTTP Basic (what Prometheus' scrape config offers). Off by
    /// default for local use; docker-compose.yml sets it.
    /// </summary>
    public const string OperationsKeyKey = "OrleansMock:Operations:Key";

    public static WebApplicationBuilder AddOperations(this WebApplicationBuilder builder)
    {
        builder.Services.AddHealthChecks()
            .AddCheck<ClusterReadiness>("cluster", tags: ["ready"])
            .AddCheck<StorageReadiness>("storage", tags: ["ready"]);
        builder.Services.AddOpenTelemetry().ConfigureResource(resource => resource.AddOrleansMockService("orleansmock-api")).WithMetrics(metrics => metrics
            .AddMeter([Telemetry.Meter.Name, .. OrleansMockBackend.Meters])
            // Kestrel's connection metrics; request latency is our own histogram (one per request is enough).
            .AddMeter("Microsoft.AspNetCore.Server.Kestrel")
            .AddRuntimeInstrumentation()
            .AddPrometheusExporter());
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
        var operationsKey = app.Configuration[OperationsKeyKey] is { Length: > 0 } configured ? Encoding.UTF8.GetBytes(configured) : null;
        app.MapHealthChecks("/readyz", new HealthCheckOptions
            {
                Predicate = check => check.Tags.Contains("ready"),
                ResponseWriter = (context, report) => WriteReadinessAsync(context, report, detail: operationsKey is null || HasKey(context, operationsKey)),
            })
            .WithName("Ready").WithSummary("Readiness: the cluster answers and storage is reachable, per check").WithTags("Operations");
        var metrics = app.MapPrometheusScrapingEndpoint("/metrics");
        if (operationsKey is not null)
        {
            metrics.AddEndpointFilter((context, next) => HasKey(context.HttpContext, operationsKey)
                ? next(context)
                : ValueTask.FromResult<object?>(Challenge(context.HttpContext, "OrleansMock metrics", $"metrics need the operations key ({OperationsKeyKey}) as a bearer token or Basic password")));
        }
        var dashboard = app.Services.GetRequiredService<IOptions<OrleansMockOptions>>().Value.Dashboard;
        if (dashboard.Enabled)
        {
            var adminKey = Encoding.UTF8.GetBytes(dashboard.AdminKey!);
            app.MapOrleansDashboard(DashboardPath).AddEndpointFilter((context, next) => HasKey(context.HttpContext, adminKey)
                ? next(context)
                : ValueTask.FromResult<object?>(Challenge(context.HttpContext, "OrleansMock dashboard",
                    "the dashboard is for administrators: sign in with the admin key (OrleansMock:Dashboard:AdminKey) as password")));
        }
    }

    /// <summary>The key as HTTP Basic password (a browser can open the dashboard) or as a bearer token (a scraper).</summary>
    private static bool HasKey(HttpContext context, byte[] key)
    {
        var header = context.Request.Headers.Authorization.ToString();
        if (header.StartsWith("Bearer ", StringComparison.OrdinalIgnoreCase))
        {
            return CryptographicOperations.FixedTimeEquals(Encoding.UTF8.GetBytes(header[7..].Trim()), key);
        }
        if (!header.StartsWith("Basic ", StringComparison.OrdinalIgnoreCase))
        {
            return false;
        }
        try
        {
            var decoded = Encoding.UTF8.GetString(Convert.FromBase64String(header[6..].Trim()));
            var password = Encoding.UTF8.GetBytes(decoded[(decoded.IndexOf(':') + 1)..]);
            return CryptographicOperations.FixedTimeEquals(password, key);
        }
        catch (FormatException)
        {
            return false;
        }
    }

    private static IResult Challenge(HttpContext context, string realm, string detail)
    {
        context.Response.Headers.WWWAuthenticate = $"Basic realm=\"{realm}\"";
        return Problems.Status(StatusCodes.Status401Unauthorized, detail);
    }

    /// <summary>Status per check for everyone (load balancers need no key); the detail only with the operations key, when one is set.</summary>
    private static Task WriteReadinessAsync(HttpContext context, HealthReport report, bool detail)
    {
        context.Response.ContentType = "application/json";
        return context.Response.WriteAsync(JsonSerializer.Serialize(new
        {
            status = report.Status.ToString(),
            checks = report.Entries.Select(e => new
            {
                name = e.Key,
                status = e.Value.Status.ToString(),
                detail = detail ? e.Value.Description : null,
                durationMs = Math.Round(e.Value.Duration.TotalMilliseconds, 1),
            }),
        }, new JsonSerializerOptions { DefaultIgnoreCondition = System.Text.Json.Serialization.JsonIgnoreCondition.WhenWritingNull }));
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
