using System.Text.Json.Serialization;
using Microsoft.AspNetCore.HttpOverrides;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using OrleansMock.Api.Apis;
using OrleansMock.Api.Auth;
using OrleansMock.Api.Http;
using OrleansMock.Api.MockTraffic;
using OrleansMock.GrainInterfaces;
using OrleansMock.Silo.Hosting;
using Scalar.AspNetCore;

namespace OrleansMock.Api.Hosting;

/// <summary>Wiring of the front end: the Orleans mode, options, JSON, problem details, OpenAPI.</summary>
public static partial class OrleansMockHosting
{
    public static WebApplicationBuilder AddOrleansMock(this WebApplicationBuilder builder)
    {
        var configuration = builder.Configuration;
        var options = builder.AddOrleansMockBackend();
        builder.AddOrleansMockAuth(keyFolder: options.Mode == HostingMode.Embedded ? options.DataPath : null);
        builder.AddOperations();
        // A mock answers as the API it imitates: no "Server: Kestrel" of ours beside its headers (an endpoint may set one).
        builder.WebHost.ConfigureKestrel(kestrel => kestrel.AddServerHeader = false);
        builder.Services.AddSingleton<ProjectResolver>();
        builder.Services.AddSingleton<MockTraffic.AnswerCache>();
        builder.Services.TryAddSingleton(TimeProvider.System);
        builder.Services.AddSingleton<RateLimiter>();
        builder.Services.AddSingleton<LogStreamSlots>();
        builder.Services.AddSingleton<OrleansMock.Api.Tester.TesterClient>();
        builder.Services.AddSingleton<MockProxy>();
        builder.Services.AddSingleton<GraphQlResponder>();
        builder.Services.AddSingleton<MockTrafficMiddleware.Handler>();
        builder.Services.AddSingleton(services => new JsonServerResponder(
            new GrainReferences<IMockResourceGrain>(services.GetRequiredService<IGrainFactory>()), services.GetRequiredService<IOptions<MockLimits>>().Value));
        builder.Services.AddSingleton<OrleansMock.Api.Tester.IOwnMocks, LocalMocks>();
        builder.Services.Configure<ForwardedHeadersOptions>(options => ClientAddress.Configure(options, configuration));
        builder.Services.ConfigureHttpJsonOptions(options =>
        {
            options.SerializerOptions.DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull;
            options.SerializerOptions.Encoder = JsonText.Encoder; // "a+b" stays a+b, a quote is \"
        });
        builder.Services.AddProblemDetails(options => options.CustomizeProblemDetails = DescribeFrameworkProblem);
        builder.Services.AddExceptionHandler<ExceptionHandling>();
        builder.Services.AddOpenApi(options => options.AddDocumentTransformer<SecuritySchemes>().AddOperationTransformer<ProjectParameter>());
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
        // Routing placed here, not where WebApplication would put it by itself (first, ahead of every middleware): mock
        // traffic, answered above, is never matched against the service's routes.
        app.UseRouting();
        app.UseAuthentication();
        app.UseAuthorization();

        app.MapOpenApi();
        app.MapScalarApiReference(options => options.DisableDefaultFonts()); // everything from this service: no fonts from another host
        // Browsers get the web console; API clients asking for JSON the service index.
        app.MapGet("/", (HttpContext context) => WebConsole.WantsPage(context.Request) ? WebConsole.Page(context) : TypedResults.Ok(new
        {
            service = "OrleansMock",
            console = "/ (in a browser)",
            openApi = "/openapi/v1.json",
            reference = "/scalar",
            projects = "/api/v1/projects",
            mock = Paths.MockPrefix + "/{project}/{path}",
        })).ExcludeFromDescription();
        app.MapWebConsole();
        app.MapOperations();

        app.MapAuthApi(); // sign-up and sign-in: anonymous, with their own limits
        var api = app.MapManagementApi(); // everything else under /api/v1: signed in, within the management rate limit
        api.MapProjectsApi();
        api.MapEndpointsApi();
        api.MapScenariosApi();
        api.MapSessionsApi();
        api.MapTeamsApi();
        api.MapHistoryApi();
        api.MapRequestLogApi();
        api.MapResourcesApi();
        api.MapRecordingsApi();
        api.MapImportsApi();
        api.MapTesterApi();
        api.MapCollectionsApi();
        app.MapWireMockAdminApi(); // under /m/{project}/__admin, as WireMock's clients expect

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
                $"nothing is served at {request.Path}; the management API is under /api/v1, mock traffic under {Paths.MockPrefix}/{{project}}/..., the reference at /scalar",
            StatusCodes.Status401Unauthorized => AuthSetup.DescribeFailure(context.HttpContext),
            StatusCodes.Status403Forbidden => "these credentials may not do this",
            StatusCodes.Status405MethodNotAllowed => $"{request.Method} is not allowed on {request.Path}",
            StatusCodes.Status415UnsupportedMediaType =>
                $"Content-Type '{request.ContentType ?? "(none)"}' is not supported here; send the body as JSON with Content-Type: application/json",
            _ => null,
        };
    }

    private static void AnnounceAddresses(WebApplication app)
    {
        var addresses = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()?.Addresses;
        if (addresses is null || addresses.Count == 0)
        {
            return;
        }
        var hosting = OrleansMockBackend.Describe(app.Services.GetRequiredService<IOptions<OrleansMockOptions>>().Value);
        foreach (var address in addresses)
        {
            LogListening(app.Logger, address, hosting);
        }
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "OrleansMock listening on {Address} ({Hosting}); API reference at /scalar")]
    private static partial void LogListening(ILogger logger, string address, string hosting);
}
