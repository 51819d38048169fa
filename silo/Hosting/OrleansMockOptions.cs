using System.ComponentModel;
using System.Globalization;
using System.Net;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using OrleansMock.GrainInterfaces;

namespace OrleansMock.Silo.Hosting;

/// <summary>Embedded hosts a silo in the front end's process; Cluster makes a process a member or client of separately run silos.</summary>
[TypeConverter(typeof(ChoiceConverter<HostingMode>))]
public enum HostingMode
{
    Embedded,
    Cluster,
}

/// <summary>The storage backends OrleansMock can run on (<c>OrleansMock:Storage:Provider</c>).</summary>
[TypeConverter(typeof(ChoiceConverter<StorageProvider>))]
public enum StorageProvider
{
    Embedded,
    Memory,
    Postgres,
    Mongo,
}

/// <summary>
/// The settings under <c>OrleansMock</c> that decide how a process is hosted: mode, data folder, storage, silo
/// addresses, cluster identity, dashboard. Bound once by <see cref="OrleansMockConfiguration"/> and validated at
/// startup; README's configuration table lists the keys. The areas grains read too (limits, rate limits, tester) are
/// their own options classes in grain-interfaces, bound in the same place.
/// </summary>
public sealed class OrleansMockOptions
{
    public const string Section = "OrleansMock";
    public const int DefaultSiloPort = 11111;
    public const int DefaultGatewayPort = 30000;

    public HostingMode Mode { get; set; } = HostingMode.Embedded;

    /// <summary>The data folder of the embedded store and signing key, relative to the working directory.</summary>
    public string DataDir { get; set; } = "data";

    public StorageSettings Storage { get; set; } = new();
    public SiloSettings Silo { get; set; } = new();
    public ClusterIdentity Cluster { get; set; } = new();
    public DashboardSettings Dashboard { get; set; } = new();

    /// <summary>The data folder as an absolute path.</summary>
    public string DataPath => Path.GetFullPath(string.IsNullOrWhiteSpace(DataDir) ? "data" : DataDir);

    public sealed class StorageSettings
    {
        public StorageProvider Provider { get; set; } = StorageProvider.Embedded;
    }

    public sealed class SiloSettings
    {
        /// <summary>Silo-to-silo port; unset means 11111 in Cluster mode and a free loopback port in Embedded mode.</summary>
        public int? SiloPort { get; set; }
        public int GatewayPort { get; set; } = DefaultGatewayPort;
        public string? AdvertisedAddress { get; set; }
    }

    public sealed class ClusterIdentity
    {
        public string ServiceId { get; set; } = "orleansmock";
        public string ClusterId { get; set; } = "default";
    }

    public sealed class DashboardSettings
    {
        public bool Enabled { get; set; }
        public string? AdminKey { get; set; }
    }

    /// <summary>
    /// Binds and validates the settings from configuration, for decisions taken while the host is composed (which
    /// Orleans role to take); the same validator runs again at startup for the bound options.
    /// </summary>
    public static OrleansMockOptions Read(IConfiguration configuration)
    {
        var options = configuration.GetSection(Section).Get<OrleansMockOptions>() ?? new OrleansMockOptions();
        var result = new Validator().Validate(null, options);
        return result.Failed ? throw new OptionsValidationException(Section, typeof(OrleansMockOptions), result.Failures) : options;
    }

    /// <summary>One message per invalid setting, each naming its key.</summary>
    public sealed class Validator : IValidateOptions<OrleansMockOptions>
    {
        public ValidateOptionsResult Validate(string? name, OrleansMockOptions options)
        {
            var failures = new List<string>();
            foreach (var (key, port) in new[] { ("Silo:SiloPort", options.Silo.SiloPort ?? 0), ("Silo:GatewayPort", options.Silo.GatewayPort) })
            {
                if (port is < 0 or > 65535)
                {
                    failures.Add($"{Section}:{key}='{port}' is not a TCP port (0-65535).");
                }
            }
            if (options.Silo.AdvertisedAddress is { Length: > 0 } advertised && !IPAddress.TryParse(advertised, out _))
            {
                failures.Add($"{Section}:Silo:AdvertisedAddress='{advertised}' is not an IP address.");
            }
            foreach (var (key, value) in new[] { ("Cluster:ServiceId", options.Cluster.ServiceId), ("Cluster:ClusterId", options.Cluster.ClusterId) })
            {
                if (value.Length is 0 or > 100 || !value.All(c => char.IsAsciiLetterOrDigit(c) || c is '-' or '_' or '.'))
                {
                    failures.Add($"{Section}:{key}='{value}' may only hold letters, digits, '-', '_' and '.' (1 to 100).");
                }
            }
            if (options.Dashboard.Enabled && string.IsNullOrWhiteSpace(options.Dashboard.AdminKey))
            {
                failures.Add($"{Section}:Dashboard:Enabled=true needs {Section}:Dashboard:AdminKey: the dashboard is admin-only.");
            }
            return failures.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(failures);
        }
    }
}

/// <summary>Binds every OrleansMock options class once, each validated when the host starts.</summary>
public static class OrleansMockConfiguration
{
    /// <param name="configuration">The configuration the host was composed from (the silo's and the front end's, or a test's).</param>
    public static IServiceCollection AddOrleansMockOptions(this IServiceCollection services, IConfiguration configuration)
    {
        if (services.Any(service => service.ServiceType == typeof(IValidateOptions<OrleansMockOptions>)))
        {
            return services; // an embedded silo and its front end share one container
        }
        services.AddSingleton<IValidateOptions<OrleansMockOptions>, OrleansMockOptions.Validator>();
        services.AddSingleton<IValidateOptions<MockLimits>, LimitsValidation.Limits>();
        services.AddSingleton<IValidateOptions<TesterOptions>, LimitsValidation.Tester>();
        services.AddSingleton<IValidateOptions<RateLimitOptions>, LimitsValidation.RateLimits>();
        services.AddOptions<OrleansMockOptions>().Bind(configuration.GetSection(OrleansMockOptions.Section)).ValidateOnStart();
        services.AddOptions<MockLimits>().Bind(configuration.GetSection(MockLimits.Section)).ValidateOnStart();
        services.AddOptions<RateLimitOptions>().Bind(configuration.GetSection(RateLimitOptions.Section))
            .Configure<IOptions<OrleansMockOptions>>((limits, mock) =>
            {
                // The embedded default runs on one developer's machine, whose tests and browser are one client: the
                // hosted default (100 a minute per address) would throttle them within minutes. Cluster mode keeps it.
                if (mock.Value.Mode == HostingMode.Embedded && configuration[$"{RateLimitOptions.Section}:MockPerClient:Limit"] is null)
                {
                    limits.MockPerClient.Limit = RateLimitOptions.EmbeddedMockPerClientLimit;
                }
            })
            .ValidateOnStart();
        services.AddOptions<TesterOptions>().Bind(configuration.GetSection(TesterOptions.Section)).ValidateOnStart();
        return services;
    }
}

/// <summary>
/// Reads an enum setting case-insensitively; anything else (a number included) fails with a message listing the
/// accepted names, which the configuration binder wraps with the key.
/// </summary>
public sealed class ChoiceConverter<T> : EnumConverter where T : struct, Enum
{
    public ChoiceConverter() : base(typeof(T))
    {
    }

    public override object? ConvertFrom(ITypeDescriptorContext? context, CultureInfo? culture, object value) =>
        value is string text && string.IsNullOrWhiteSpace(text) ? default(T)
        : value is string name && !name.Any(char.IsAsciiDigit) && Enum.TryParse<T>(name.Trim(), ignoreCase: true, out var parsed) ? parsed
            : throw new FormatException($"'{value}' is not one of {string.Join(", ", Enum.GetNames<T>())}.");
}
