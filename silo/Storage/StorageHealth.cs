using MongoDB.Bson;
using MongoDB.Driver;
using OrleansMock.Grains.Storage;
using OrleansMock.Silo.Storage.Mongo;
using OrleansMock.Silo.Storage.Postgres;

namespace OrleansMock.Silo.Storage;

/// <summary>Readiness probes, one per backend: a trivial round trip to the store.</summary>
public static class StorageHealth
{
    public static IStorageHealth For(SqliteDatabase database) => new Probe($"embedded SQLite at {database.FullPath}", async cancellationToken =>
    {
        await using var connection = await database.OpenAsync();
        await using var command = connection.CreateCommand();
        command.CommandText = "SELECT count(*) FROM grain_state WHERE 0";
        await command.ExecuteScalarAsync(cancellationToken);
    });

    public static IStorageHealth For(PostgresDatabase database) => new Probe($"PostgreSQL at {database.Description}", async cancellationToken =>
    {
        await using var connection = await database.OpenAsync();
        await using var command = connection.CreateCommand();
        command.CommandText = "SELECT 1";
        await command.ExecuteScalarAsync(cancellationToken);
    });

    public static IStorageHealth For(MongoDatabase database) => new Probe($"MongoDB at {database.Description}", cancellationToken =>
        database.Database.RunCommandAsync<BsonDocument>(new BsonDocument("ping", 1), cancellationToken: cancellationToken));

    public static IStorageHealth Memory() => new Probe("in-memory storage (not durable)", _ => Task.CompletedTask);

    private sealed class Probe(string description, Func<CancellationToken, Task> check) : IStorageHealth
    {
        public string Description => description;

        public Task CheckAsync(CancellationToken cancellationToken) => check(cancellationToken);
    }
}
