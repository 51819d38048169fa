using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Logging;
using Orleans.Runtime;
using Orleans.Runtime.Hosting;
using Orleans.Storage;
using OrleansMock.GrainInterfaces;
using OrleansMock.Grains;
using Microsoft.Extensions.Options;
using Orleans.Configuration;
using Orleans.Dashboard;
using OrleansMock.Grains.Storage;
using OrleansMock.Silo.Hosting;
using OrleansMock.Silo.Storage;
using OrleansMock.Silo.Storage.Mongo;
using OrleansMock.Silo.Storage.Postgres;

namespace OrleansMock.Silo;

/// <summary>Composes a silo: OrleansMock's grains with the configured storage. Clustering is the caller's choice.</summary>
public static class OrleansMockSilo
{
    /// <summary>The SQLite file of the embedded store inside the data folder.</summary>
    public const string EmbeddedDatabaseFile = "orleansmock.db";

    /// <summary>The SQLite file of the rate-limit buckets (no flush per commit: see <see cref="SqliteDatabase"/>).</summary>
    public const string EmbeddedRateLimitFile = "ratelimits.db";

    public static ISiloBuilder AddOrleansMockGrains(this ISiloBuilder silo, IConfiguration configuration)
    {
        var options = OrleansMockOptions.Read(configuration);
        silo.Services.AddOrleansMockOptions(configuration);
        silo.Services.TryAddSingleton(TimeProvider.System);
        silo.Services.AddSingleton<SiloWarmup>();
        silo.Services.AddSingleton<ILifecycleParticipant<ISiloLifecycle>>(services => services.GetRequiredService<SiloWarmup>());
        silo.Services.AddSingleton<OrleansMock.Grains.Webhooks.WebhookSender>();
        silo.Services.AddHostedService<WebhookSweep>();
        // Idle rate-limit buckets are collected after a minute; the collector must look more often than that.
        silo.Configure<GrainCollectionOptions>(collection => collection.CollectionQuantum = TimeSpan.FromSeconds(30));
        // Registered after Orleans' default (Newtonsoft with CLR type names) so ours is the one every backend resolves;
        // the default stays as the reader of records written before (see JsonGrainStateSerializer).
        silo.Services.AddSingleton<IGrainStorageSerializer>(services =>
            new JsonGrainStateSerializer(legacy: ActivatorUtilities.CreateInstance<JsonGrainStorageSerializer>(services)));

        switch (options.Storage.Provider)
        {
            case StorageProvider.Embedded:
                var sqlite = new SqliteDatabase(Path.Combine(options.DataPath, EmbeddedDatabaseFile));
                var buckets = new SqliteDatabase(Path.Combine(options.DataPath, EmbeddedRateLimitFile), synchronous: "NORMAL");
                foreach (var (storageName, database) in new[] { (StorageNames.Main, sqlite), (StorageNames.RateLimits, buckets) })
                {
                    silo.Services.AddGrainStorage(storageName, (sp, name) => new MeteredGrainStorage("embedded", new SqliteGrainStorage(
                        name, database, sp.GetRequiredService<IGrainStorageSerializer>(), sp.GetRequiredService<ILogger<SqliteGrainStorage>>())));
                }
                silo.Services.AddSingleton<IRecordStore>(new MeteredRecordStore("embedded", new SqliteGroupCommit(sqlite, new SqlRecordStore(sqlite.OpenAsync))));
                silo.Services.AddSingleton(StorageHealth.For(sqlite));
                silo.Services.AddHostedService(sp => new SqliteSpaceReclaimer([sqlite, buckets], sp.GetRequiredService<ILogger<SqliteSpaceReclaimer>>()));
                break;
            case StorageProvider.Memory:
                silo.AddMemoryGrainStorage(StorageNames.Main);
                silo.AddMemoryGrainStorage(StorageNames.RateLimits);
                silo.Services.AddSingleton<IRecordStore, MemoryRecordStore>();
                silo.Services.AddSingleton(StorageHealth.Memory());
                break;
            case StorageProvider.Postgres:
                var postgres = new PostgresDatabase(RequireConnectionString(configuration, "Postgres"));
                postgres.CheckReachable();
                silo.Services.AddSingleton(postgres);
                foreach (var storageName in new[] { StorageNames.Main, StorageNames.RateLimits })
                {
                    silo.Services.AddGrainStorage(storageName, (sp, name) =>
                        new MeteredGrainStorage("postgres", new PostgresGrainStorage(name, AdoNetProvider(sp, name, postgres), postgres)));
                }
                silo.Services.AddSingleton<IRecordStore>(new MeteredRecordStore("postgres", new SqlRecordStore(postgres.OpenAsync)));
                silo.Services.AddSingleton(StorageHealth.For(postgres));
                break;
            case StorageProvider.Mongo:
                var mongoOptions = configuration.GetSection(MongoStoreOptions.Section).Get<MongoStoreOptions>() ?? new MongoStoreOptions();
                var mongo = new MongoDatabase(RequireConnectionString(configuration, "Mongo"), mongoOptions);
                silo.Services.AddSingleton(mongo);
                foreach (var storageName in new[] { StorageNames.Main, StorageNames.RateLimits })
                {
                    silo.Services.AddGrainStorage(storageName, (sp, name) =>
                        new MeteredGrainStorage("mongo", new MongoGrainStorage(name, mongo, sp.GetRequiredService<IGrainStorageSerializer>())));
                }
                silo.Services.AddSingleton<IRecordStore>(new MeteredRecordStore("mongo", new MongoRecordStore(mongo)));
                silo.Services.AddSingleton(StorageHealth.For(mongo));
                break;
        }
        if (options.Dashboard.Enabled)
        {
            silo.AddDashboard();
        }
        return silo;
    }

    /// <summary>Orleans' ADO.NET provider on Npgsql, storing our JSON rather than its default binary format.</summary>
    private static AdoNetGrainStorage AdoNetProvider(IServiceProvider services, string name, PostgresDatabase database) =>
        ActivatorUtilities.CreateInstance<AdoNetGrainStorage>(services, Options.Create(new AdoNetGrainStorageOptions
        {
            Invariant = "Npgsql",
            ConnectionString = database.ConnectionString,
            GrainStorageSerializer = services.GetRequiredService<IGrainStorageSerializer>(),
        }), name);

    private static string RequireConnectionString(IConfiguration configuration, string name) =>
        configuration.GetConnectionString(name) is { Length: > 0 } value
            ? value
            : throw new InvalidOperationException(
                $"OrleansMock:Storage:Provider={name} needs ConnectionStrings:{name} (environment variable ConnectionStrings__{name}); none is set.");
}
