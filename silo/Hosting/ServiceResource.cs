using System.Reflection;
using OpenTelemetry.Resources;

namespace OrleansMock.Silo.Hosting;

/// <summary>The OpenTelemetry resource of an OrleansMock process: service name, version and instance (host and process).</summary>
public static class ServiceResource
{
    public static ResourceBuilder AddOrleansMockService(this ResourceBuilder resource, string serviceName) =>
        resource.AddService(
            serviceName,
            serviceNamespace: "orleansmock",
            serviceVersion: typeof(ServiceResource).Assembly.GetCustomAttribute<AssemblyInformationalVersionAttribute>()?.InformationalVersion ?? "unknown",
            serviceInstanceId: $"{Environment.MachineName}:{Environment.ProcessId}");
}
