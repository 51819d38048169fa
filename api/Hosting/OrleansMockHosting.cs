using System.Net;
using System.Net.Sockets;
using System.Text.Json.Serialization;
using Orleans.Configuration;
using Microsoft.AspNetCore.HttpOverrides;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using OrleansMock.Api.Apis;
using OrleansMock.Api.Auth;
using OrleansMock.Api.Http;
using OrleansMock.GrainInterfaces;
using Orleans.Dashboard;
using OrleansMock.Silo;
using Scalar.AspNetCore;

namespace OrleansMock.Api.Hosting;

/// <summary>Wiring of the front end: the Orleans mode, options, JSON, problem details, OpenAPI.</summary>
public static partial class OrleansMockHosting
{
    /// <summary>Embedded hosts a silo in this process; Cluster makes this process a client of separately run silos.</summary>
    public enum Mode
    {
        Embedded,
        Cluster,
    }

    public static WebApplicationBuilder AddOrleansMock(this WebApplicationBuilder builder)
    {
        var configuration = builder.Configuration;
        switch (ReadMode(configuration))
        {
            case Mode.Embedded:
                // One process: API + one silo. No gateway is opened; the API calls the silo in-process. The silo port
                // is bound on loopback only, and is a free one unless configured: two instances on one machine never share it.
                var siloPort = OrleansMockSilo.ReadPort(configuration, OrleansMockSilo.SiloPortKey, fallback: 0) is > 0 and var configured
                    ? configured
                    : FreeLoopbackPort();
                builder.UseOrleans(silo => silo
                    .UseLocalhostClustering(siloPort, gatewayPort: 0)
                    .Configure<EndpointOptions>(options => options.SiloListeningEndpoint = new IPEndPoint(IPAddress.Loopback, siloPort))
                    .AddOrleansMockGrains(configuration));
                break;
            case Mode.Cluster:
                var cluster = ClusterSettings.Read(configuration);
                builder.Services.AddSingleton(cluster);
                builder.Services.AddSingleton<RedisReadiness>();
                builder.Services.AddHealthChecks().AddCheck<RedisReadiness>("redis", tags: ["ready"]);
                // Start HTTP alongside the Orleans client, so /readyz can say "no gateway yet" instead of not answering.
                builder.Services.Configure<HostOptions>(options => options.ServicesStartConcurrently = true);
                builder.UseOrleansClient(client =>
                {
                    cluster.ConfigureClient(client);
                    if (configuration.GetValue<bool>(OrleansMockSilo.DashboardEnabledKey))
                    {
                        client.AddDashboard();
                    }
                });
                break;
        }

        builder.AddOrleansMockAuth(embedded: ReadMode(configuration) == Mode.Embedded);
        builder.AddOperations();
        builder.Services.AddOptions<MockLimits>().Bind(configuration.GetSection(MockLimits.Section));
        builder.Services.AddSingleton<ProjectResolver>();
        builder.Services.AddOptions<RateLimitOptions>().Bind(configuration.GetSection(RateLimitOptions.Section));
        builder.Services.TryAddSingleton(TimeProvider.System);
        builder.Services.AddSingleton<RateLimiter>();
        builder.Services.AddOptions<TesterOptions>().Bind(configuration.GetSection(TesterOptions.Section));
        builder.Services.AddSingleton<OrleansMock.Api.Tester.TesterClient>();
        builder.Services.Configure<ForwardedHeadersOptions>(options => ClientAddress.Configure(options, configuration));
        builder.Services.ConfigureHttpJsonOptions(options =>
        {
            options.SerializerOptions.DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull;
        });
        builder.Services.AddProblemDetails(options => options.CustomizeProblemDetails = DescribeFrameworkProblem);
        builder.Services.AddExceptionHandler<ExceptionHandling>();
        builder.Services.AddOpenApi(options => options.AddDocumentTransformer<SecuritySchemes>());
        return builder;
    }

    public static WebApplication MapOrleansMock(this WebApplication app)
    {
        var forwarded = app.Services.GetRequiredService<IOptions<ForwardedHeadersOptions>>().Value;
        if (forwarded.KnownProxies.Count > 0 || forwarded.KnownIPNetworks.Count > 0)
        {
            // With no trusted proxy both would ignore every header: they are left out of the pipeline.
            app.UseForwardedHeaders();
            app.Use(next => ClientAddress.HonourForwarded(next, forwarded));
        }
        app.UseMockTraffic(); // times and catches its own requests
        app.UseRequestMetrics();
        app.UseExceptionHandler();
        app.UseStatusCodePages();
        app.UseAuthentication();
        app.UseAuthorization();

        app.MapOpenApi();
        app.MapScalarApiReference();
        app.MapGet("/", () => TypedResults.Ok(new
        {
            service = "OrleansMock",
            openApi = "/openapi/v1.json",
            reference = "/scalar",
            projects = "/api/v1/projects",
            mock = MockTrafficApi.Prefix + "/{project}/{path}",
        })).ExcludeFromDescription();
        app.MapOperations();

        app.MapAuthApi();
        app.MapProjectsApi();
        app.MapEndpointsApi();
        app.MapRequestLogApi();
        app.MapResourcesApi();
        app.MapTesterApi();
        app.MapCollectionsApi();

        app.Lifetime.ApplicationStarted.Register(() => AnnounceAddresses(app));
        return app;
    }

    /// <summary>Problems raised by routing itself (no route, wrong method, wrong content type) get a detail too.</summary>
    private static void DescribeFrameworkProblem(ProblemDetailsContext context)
    {
        var problem = context.ProblemDetails;
        if (problem.Detail is not null)
        {
            return;
        }
        var request = context.HttpContext.Request;
        problem.Detail = problem.Status switch
        {
            StatusCodes.Status404NotFound =>
                $"nothing is served at {request.Path}; the management API is under /api/v1, mock traffic under {MockTrafficApi.Prefix}/{{project}}/..., the reference at /scalar",
            StatusCodes.Status401Unauthorized => AuthSetup.DescribeFailure(context.HttpContext),
            StatusCodes.Status403Forbidden => "these credentials may not do this",
            StatusCodes.Status405MethodNotAllowed => $"{request.Method} is not allowed on {request.Path}",
            StatusCodes.Status415UnsupportedMediaType =>
                $"Content-Type '{request.ContentType ?? "(none)"}' is not supported here; send the body as JSON with Content-Type: application/json",
            _ => null,
        };
    }

    public static Mode ReadMode(IConfiguration configuration)
    {
        var value = configuration[OrleansMockSilo.ModeKey];
        if (string.IsNullOrWhiteSpace(value))
        {
            return Mode.Embedded;
        }
        return Enum.TryParse<Mode>(value, ignoreCase: true, out var mode) && Enum.IsDefined(mode)
            ? mode
            : throw new InvalidOperationException($"{OrleansMockSilo.ModeKey}='{value}' is not a mode; use Embedded or Cluster.");
    }

    private static int FreeLoopbackPort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }

    private static void AnnounceAddresses(WebApplication app)
    {
        var addresses = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()?.Addresses;
        if (addresses is null || addresses.Count == 0)
        {
            return;
        }
        var mode = ReadMode(app.Configuration);
        var storage = mode == Mode.Embedded
            ? $", storage {OrleansMockSilo.ReadStorageProvider(app.Configuration)} in {OrleansMockSilo.DataDir(app.Configuration)}"
            : "";
        foreach (var address in addresses)
        {
            LogListening(app.Logger, address, mode, storage);
        }
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "OrleansMock listening on {Address} (mode {Mode}{Storage}); API reference at /scalar")]
    private static partial void LogListening(ILogger logger, string address, Mode mode, string storage);
}
