using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Orleans.Storage;
using OrleansMock.Grains;
using OrleansMock.Grains.Storage;
using OrleansMock.Silo;
using OrleansMock.Tests.Http;

namespace OrleansMock.Tests.Storage;

/// <summary>Where the external stores are: the same variables .ci/run exports, with the CI defaults.</summary>
public static class StorageEnvironment
{
    public static string Postgres =>
        Environment.GetEnvironmentVariable("ConnectionStrings__Postgres") is { Length: > 0 } value
            ? value
            : "Host=127.0.0.1;Port=5432;Username=orleansmock;Password=orleansmock;Database=orleansmock";

    /// <summary>MongoDB is tested only when MONGODB_URI names a server (none can be installed on our CI machines).</summary>
    public static string? Mongo => Environment.GetEnvironmentVariable("MONGODB_URI") is { Length: > 0 } value ? value : null;

    public const string MongoSkipReason = "skipped: no MongoDB (MONGODB_URI is not set); the MongoDB contract cases did not run";
}

/// <summary>
/// A one-silo host composed exactly as production composes it (<see cref="OrleansMockSilo.AddOrleansMockGrains"/>) on one
/// storage provider, started, so tests reach the very grain storage and record store a silo would use.
/// </summary>
public sealed class StorageHost : IAsyncDisposable
{
    private readonly IHost _host;

    private StorageHost(IHost host) => _host = host;

    public IGrainStorage GrainStorage => _host.Services.GetRequiredKeyedService<IGrainStorage>(StorageNames.Main);

    public IRecordStore Records => _host.Services.GetRequiredService<IRecordStore>();

    public static async Task<StorageHost> StartAsync(string provider, Dictionary<string, string?> settings)
    {
        settings[OrleansMockSilo.StorageProviderKey] = provider;
        var builder = Host.CreateApplicationBuilder();
        builder.Configuration.AddInMemoryCollection(settings);
        builder.UseOrleans(silo => silo
            .UseLocalhostClustering(ApiFactory.FreePort(), ApiFactory.FreePort())
            .AddOrleansMockGrains(builder.Configuration));
        var host = builder.Build();
        await host.StartAsync();
        return new StorageHost(host);
    }

    public async ValueTask DisposeAsync()
    {
        await _host.StopAsync();
        _host.Dispose();
    }
}

/// <summary>Starts a backend's host once for all the contract cases of that backend.</summary>
public abstract class BackendFixture : IAsyncLifetime
{
    private StorageHost? _host;

    /// <summary>Null when the backend is absent (the cases skip and say why).</summary>
    public StorageHost? Host => _host;

    protected abstract string Provider { get; }

    protected virtual bool Available => true;

    protected abstract Dictionary<string, string?> Settings();

    public async Task InitializeAsync()
    {
        if (Available)
        {
            _host = await StorageHost.StartAsync(Provider, Settings());
        }
    }

    public async Task DisposeAsync()
    {
        if (_host is not null)
        {
            await _host.DisposeAsync();
        }
    }
}

public sealed class MemoryBackend : BackendFixture
{
    protected override string Provider => "Memory";

    protected override Dictionary<string, string?> Settings() => [];
}

public sealed class EmbeddedBackend : BackendFixture
{
    private readonly string _dataDir = Path.Combine(Path.GetTempPath(), "orleansmock-tests", "embedded-" + Guid.NewGuid().ToString("N"));

    protected override string Provider => "Embedded";

    protected override Dictionary<string, string?> Settings() => new() { [OrleansMockSilo.DataDirKey] = _dataDir };
}

public sealed class PostgresBackend : BackendFixture
{
    protected override string Provider => "Postgres";

    protected override Dictionary<string, string?> Settings() => new() { ["ConnectionStrings:Postgres"] = StorageEnvironment.Postgres };
}

public sealed class MongoBackend : BackendFixture
{
    protected override string Provider => "Mongo";

    protected override bool Available => StorageEnvironment.Mongo is not null;

    protected override Dictionary<string, string?> Settings() => new()
    {
        ["ConnectionStrings:Mongo"] = StorageEnvironment.Mongo,
    };
}
