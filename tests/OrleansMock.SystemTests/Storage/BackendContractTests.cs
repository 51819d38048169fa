using System.Text;
using Microsoft.Data.Sqlite;
using Microsoft.Extensions.DependencyInjection;
using MongoDB.Bson;
using MongoDB.Bson.IO;
using MongoDB.Driver;
using OrleansMock.GrainInterfaces;
using OrleansMock.Silo.Storage.Mongo;
using OrleansMock.Silo.Storage.Postgres;
using Orleans.Storage;
using OrleansMock.Grains.Storage;

namespace OrleansMock.Tests.Storage;

// The same contract cases against every backend, each through the silo composition production uses.

[Trait("Category", "Memory")]
public sealed class MemoryGrainStorageContract(MemoryBackend backend) : GrainStorageContract, IClassFixture<MemoryBackend>
{
    protected override Task<IGrainStorage> CreateStorageAsync() => Task.FromResult(backend.Host!.GrainStorage);

    protected override bool Durable => false; // memory storage lives and dies with its host
}

[Trait("Category", "Memory")]
public sealed class MemoryRecordStoreContract(MemoryBackend backend) : RecordStoreContract, IClassFixture<MemoryBackend>
{
    protected override IRecordStore Store() => backend.Host!.Records;
}

[Trait("Category", "Embedded")]
public sealed class EmbeddedGrainStorageContract(EmbeddedBackend backend) : GrainStorageContract, IClassFixture<EmbeddedBackend>
{
    protected override Task<IGrainStorage> CreateStorageAsync() => Task.FromResult(backend.Host!.GrainStorage);

    protected override Task<IGrainStorage> ReopenStorageAsync() => backend.ReopenAsync();

    protected override async Task<string?> StoredJsonAsync(string stateName, GrainId grainId)
    {
        await using var connection = new SqliteConnection($"Data Source={backend.DatabaseFile}");
        await connection.OpenAsync();
        await using var command = connection.CreateCommand();
        command.CommandText = "SELECT payload FROM grain_state WHERE state_name = $state AND grain_id = $grain";
        command.Parameters.AddWithValue("$state", stateName);
        command.Parameters.AddWithValue("$grain", grainId.ToString());
        return await command.ExecuteScalarAsync() is byte[] payload ? Encoding.UTF8.GetString(payload) : null;
    }
}

[Trait("Category", "Embedded")]
public sealed class EmbeddedRecordStoreContract(EmbeddedBackend backend) : RecordStoreContract, IClassFixture<EmbeddedBackend>
{
    protected override IRecordStore Store() => backend.Host!.Records;
}

[Trait("Category", "Postgres")]
public sealed class PostgresGrainStorageContract(PostgresBackend backend) : GrainStorageContract, IClassFixture<PostgresBackend>
{
    protected override Task<IGrainStorage> CreateStorageAsync() => Task.FromResult(Require(backend.Host, backend.SkipReason).GrainStorage);

    protected override Task<IGrainStorage> ReopenStorageAsync() => backend.ReopenAsync();

    protected override async Task<string?> StoredJsonAsync(string stateName, GrainId grainId)
    {
        // Orleans' ADO.NET provider keys rows by hashes; the grain's key is in the type or extension string.
        await using var connection = await backend.Host!.Services.GetRequiredService<PostgresDatabase>().OpenAsync();
        await using var command = connection.CreateCommand();
        command.CommandText = """
            SELECT payloadbinary FROM orleansstorage
            WHERE payloadbinary IS NOT NULL AND position(@key in coalesce(grainidextensionstring, '') || graintypestring) > 0
            """;
        var key = command.CreateParameter();
        key.ParameterName = "key";
        key.Value = grainId.Key.ToString()!;
        command.Parameters.Add(key);
        return await command.ExecuteScalarAsync() is byte[] payload ? Encoding.UTF8.GetString(payload) : null;
    }
}

[Trait("Category", "Postgres")]
public sealed class PostgresRecordStoreContract(PostgresBackend backend) : RecordStoreContract, IClassFixture<PostgresBackend>
{
    protected override IRecordStore Store()
    {
        Skip.If(backend.Host is null, backend.SkipReason);
        return backend.Host!.Records;
    }
}

[Trait("Category", "Mongo")]
public sealed class MongoGrainStorageContract(MongoBackend backend) : GrainStorageContract, IClassFixture<MongoBackend>
{
    protected override Task<IGrainStorage> CreateStorageAsync() =>
        Task.FromResult(Require(backend.Host, StorageEnvironment.MongoSkipReason).GrainStorage);

    protected override Task<IGrainStorage> ReopenStorageAsync() => backend.ReopenAsync();

    private Task<BsonDocument> DocumentAsync(string stateName, GrainId grainId) =>
        backend.Host!.Services.GetRequiredService<MongoDatabase>().Database.GetCollection<BsonDocument>(MongoDatabase.CollectionFor(stateName))
            .Find(Builders<BsonDocument>.Filter.Eq("_id", grainId.ToString())).FirstOrDefaultAsync();

    protected override async Task<string?> StoredJsonAsync(string stateName, GrainId grainId) =>
        (await DocumentAsync(stateName, grainId))?["state"].AsBsonDocument.ToJson(new JsonWriterSettings { OutputMode = JsonOutputMode.RelaxedExtendedJson });

    protected override async Task CheckStoredProjectAsync(GrainId grainId, ProjectInfo project)
    {
        // The guide's {user: 1, createdAt: -1} index needs both at the top level of the document.
        var document = await DocumentAsync("project", grainId);
        Assert.Equal(project.Owner, document["user"].AsString);
        Assert.Equal(project.CreatedAt.UtcDateTime, document["createdAt"].ToUniversalTime());
    }
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
