using Microsoft.Extensions.Configuration;
using Orleans.TestingHost;
using OrleansMock.Silo;

namespace OrleansMock.Tests.Grains;

/// <summary>
/// One in-process Orleans cluster (two silos) shared by every grain test: composed exactly as production composes
/// a silo, on the durable embedded store in a temporary folder, whose writes a test can make fail (<see cref="StorageFaults"/>).
/// </summary>
public sealed class ClusterFixture : IAsyncLifetime
{
    public string DataDir { get; } = Path.Combine(Path.GetTempPath(), "orleansmock-tests", "cluster-" + Guid.NewGuid().ToString("N"));

    public InProcessTestCluster Cluster { get; private set; } = null!;

    public IGrainFactory Grains => Cluster.Client;

    public async Task InitializeAsync()
    {
        var configuration = new ConfigurationBuilder()
            .AddInMemoryCollection(new Dictionary<string, string?>
            {
                ["OrleansMock:DataDir"] = DataDir,
                ["OrleansMock:Limits:MaxEndpointsPerProject"] = "5",
            })
            .Build();
        var builder = new InProcessTestClusterBuilder(2);
        builder.ConfigureSilo((_, silo) => silo.AddOrleansMockGrains(configuration).AddStorageFaults(OrleansMock.Grains.StorageNames.Main));
        Cluster = builder.Build();
        await Cluster.DeployAsync();
    }

    public async Task DisposeAsync()
    {
        await Cluster.DisposeAsync();
        Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
        try
        {
            Directory.Delete(DataDir, recursive: true);
        }
        catch (IOException)
        {
        }
    }
}

[CollectionDefinition(Name)]
public sealed class ClusterCollection : ICollectionFixture<ClusterFixture>
{
    public const string Name = "cluster";
}
