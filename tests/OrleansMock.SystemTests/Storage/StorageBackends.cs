using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Orleans.Storage;
using OrleansMock.Grains;
using OrleansMock.Grains.Storage;
using OrleansMock.Silo;
using OrleansMock.Tests.Http;
using OrleansMock.Tests.Services;

namespace OrleansMock.Tests.Storage;

/// <summary>MongoDB, the one store the tests cannot start themselves (PostgreSQL and Redis: <see cref="TestServices"/>).</summary>
public static class StorageEnvironment
{
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

    public IServiceProvider Services => _host.Services;

    public static async Task<StorageHost> StartAsync(string provider, Dictionary<string, string?> settings)
    {
        settings["OrleansMock:Storage:Provider"] = provider;
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

    /// <summary>Null when the backend is absent (the cases skip and say why: <see cref="SkipReason"/>).</summary>
    public StorageHost? Host => _host;

    public string SkipReason { get; private set; } = "";

    protected abstract string Provider { get; }

    /// <summary>The backend's settings, or null and why when it is not available here.</summary>
    protected abstract Task<(Dictionary<string, string?>? Settings, string? SkipReason)> SettingsAsync();

    private Dictionary<string, string?>? _settings;
    private readonly List<StorageHost> _reopened = [];

    public async Task InitializeAsync()
    {
        var (settings, skipReason) = await SettingsAsync();
        SkipReason = skipReason ?? "";
        if (settings is not null)
        {
            _settings = settings;
            _host = await StorageHost.StartAsync(Provider, new Dictionary<string, string?>(settings));
        }
    }

    /// <summary>The grain storage of a second host over the same database: what a restarted silo would read.</summary>
    public async Task<IGrainStorage> ReopenAsync()
    {
        var host = await StorageHost.StartAsync(Provider, new Dictionary<string, string?>(_settings ?? throw new InvalidOperationException(SkipReason)));
        lock (_reopened)
        {
            _reopened.Add(host);
        }
        return host.GrainStorage;
    }

    public async Task DisposeAsync()
    {
        foreach (var host in _reopened.Prepend(_host).OfType<StorageHost>())
        {
            await host.DisposeAsync();
        }
    }
}

public sealed class MemoryBackend : BackendFixture
{
    protected override string Provider => "Memory";

    protected override Task<(Dictionary<string, string?>?, string?)> SettingsAsync() => Task.FromResult<(Dictionary<string, string?>?, string?)>(([], null));
}

public sealed class EmbeddedBackend : BackendFixture
{
    private readonly string _dataDir = Path.Combine(Path.GetTempPath(), "orleansmock-tests", "embedded-" + Guid.NewGuid().ToString("N"));

    public string DatabaseFile => Path.Combine(_dataDir, OrleansMockSilo.EmbeddedDatabaseFile);

    protected override string Provider => "Embedded";

    protected override Task<(Dictionary<string, string?>?, string?)> SettingsAsync() =>
        Task.FromResult<(Dictionary<string, string?>?, string?)>((new() { ["OrleansMock:DataDir"] = _dataDir }, null));
}

public sealed class PostgresBackend : BackendFixture
{
    protected override string Provider => "Postgres";

    protected override async Task<(Dictionary<string, string?>?, string?)> SettingsAsync()
    {
        var postgres = await TestServices.PostgresAsync();
        return postgres.Available ? (new() { ["ConnectionStrings:Postgres"] = postgres.ConnectionString }, null) : (null, postgres.SkipReason);
    }
}

public sealed class MongoBackend : BackendFixture
{
    protected override string Provider => "Mongo";

    protected override Task<(Dictionary<string, string?>?, string?)> SettingsAsync() =>
        Task.FromResult<(Dictionary<string, string?>?, string?)>(StorageEnvironment.Mongo is { } mongo
            ? (new() { ["ConnectionStrings:Mongo"] = mongo }, null)
            : (null, StorageEnvironment.MongoSkipReason));
}
