using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.Extensions.Configuration;

namespace OrleansMock.Silo;

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
        if (!IsConfigured(builder.Configuration))
        {
            builder.WebHost.UseUrls(fallback);
        }
        return builder;
    }

    public static bool IsConfigured(IConfiguration configuration) =>
        !string.IsNullOrWhiteSpace(configuration[WebHostDefaults.ServerUrlsKey])
        || !string.IsNullOrWhiteSpace(configuration[WebHostDefaults.HttpPortsKey])
        || !string.IsNullOrWhiteSpace(configuration[WebHostDefaults.HttpsPortsKey])
        || configuration.GetSection("Kestrel:Endpoints").GetChildren().Any();
}
