using Orleans.Storage;
using OrleansMock.Grains.Storage;

namespace OrleansMock.Tests.Storage;

// The same contract cases against every backend, each through the silo composition production uses.

[Trait("Category", "Memory")]
public sealed class MemoryGrainStorageContract(MemoryBackend backend) : GrainStorageContract, IClassFixture<MemoryBackend>
{
    protected override Task<IGrainStorage> CreateStorageAsync() => Task.FromResult(backend.Host!.GrainStorage);
}

[Trait("Category", "Memory")]
public sealed class MemoryRecordStoreContract(MemoryBackend backend) : RecordStoreContract, IClassFixture<MemoryBackend>
{
    protected override IRecordStore Store() => backend.Host!.Records;
}

[Trait("Category", "Embedded")]
public sealed class EmbeddedRecordStoreContract(EmbeddedBackend backend) : RecordStoreContract, IClassFixture<EmbeddedBackend>
{
    protected override IRecordStore Store() => backend.Host!.Records;
}

[Trait("Category", "Postgres")]
public sealed class PostgresGrainStorageContract(PostgresBackend backend) : GrainStorageContract, IClassFixture<PostgresBackend>
{
    protected override Task<IGrainStorage> CreateStorageAsync() => Task.FromResult(backend.Host!.GrainStorage);
}

[Trait("Category", "Postgres")]
public sealed class PostgresRecordStoreContract(PostgresBackend backend) : RecordStoreContract, IClassFixture<PostgresBackend>
{
    protected override IRecordStore Store() => backend.Host!.Records;
}

[Trait("Category", "Mongo")]
public sealed class MongoGrainStorageContract(MongoBackend backend) : GrainStorageContract, IClassFixture<MongoBackend>
{
    protected override Task<IGrainStorage> CreateStorageAsync() =>
        Task.FromResult(Require(backend.Host, StorageEnvironment.MongoSkipReason).GrainStorage);
}

[Trait("Category", "Mongo")]
public sealed class MongoRecordStoreContract(MongoBackend backend) : RecordStoreContract, IClassFixture<MongoBackend>
{
    protected override IRecordStore Store()
    {
        Skip.If(backend.Host is null, StorageEnvironment.MongoSkipReason);
        return backend.Host!.Records;
    }
}
