using Microsoft.Data.Sqlite;
using Microsoft.Extensions.Logging;
using Orleans.Storage;

namespace OrleansMock.Silo.Storage;

/// <summary>
/// The embedded store: grain state in one SQLite file, one row per (state name, grain id), optimistic concurrency
/// by ETag. WAL journaling with <c>synchronous=FULL</c>: a write is on disk before it is acknowledged, so an
/// acknowledged change survives a crash of the process or the machine.
/// </summary>
public sealed partial class SqliteGrainStorage(
    string name,
    SqliteDatabase database,
    IGrainStorageSerializer serializer,
    ILogger<SqliteGrainStorage> logger) : IGrainStorage, ILifecycleParticipant<ISiloLifecycle>
{
    public void Participate(ISiloLifecycle lifecycle) =>
        lifecycle.Subscribe(nameof(SqliteGrainStorage) + "." + name, ServiceLifecycleStage.ApplicationServices, _ => InitializeAsync());

    /// <summary>Opens (creating if needed) the database; fails startup with the path in the message.</summary>
    public Task InitializeAsync()
    {
        database.EnsureCreated();
        LogOpened(logger, database.FullPath);
        return Task.CompletedTask;
    }

    public async Task ReadStateAsync<T>(string stateName, GrainId grainId, IGrainState<T> grainState)
    {
        using var connection = database.Open();
        using var command = connection.CreateCommand();
        command.CommandText = "SELECT etag, payload FROM grain_state WHERE state_name = $state AND grain_id = $grain";
        command.Parameters.AddWithValue("$state", stateName);
        command.Parameters.AddWithValue("$grain", grainId.ToString());
        using var reader = await command.ExecuteReaderAsync();
        if (!await reader.ReadAsync())
        {
            grainState.State = Activator.CreateInstance<T>();
            grainState.ETag = null;
            grainState.RecordExists = false;
            return;
        }
        grainState.ETag = reader.GetString(0);
        grainState.State = serializer.Deserialize<T>(new BinaryData((byte[])reader.GetValue(1)));
        grainState.RecordExists = true;
    }

    public async Task WriteStateAsync<T>(string stateName, GrainId grainId, IGrainState<T> grainState)
    {
        var etag = Guid.NewGuid().ToString("N");
        var payload = serializer.Serialize(grainState.State).ToArray();
        using var connection = database.Open();
        using var command = connection.CreateCommand();
        command.CommandText = grainState.ETag is null
            ? """
              INSERT INTO grain_state (state_name, grain_id, etag, payload, updated_at)
              VALUES ($state, $grain, $etag, $payload, $now) ON CONFLICT DO NOTHING
              """
            : """
              UPDATE grain_state SET etag = $etag, payload = $payload, updated_at = $now
              WHERE state_name = $state AND grain_id = $grain AND etag = $expected
              """;
        command.Parameters.AddWithValue("$state", stateName);
        command.Parameters.AddWithValue("$grain", grainId.ToString());
        command.Parameters.AddWithValue("$etag", etag);
        command.Parameters.AddWithValue("$payload", payload);
        command.Parameters.AddWithValue("$now", DateTimeOffset.UtcNow.ToString("O"));
        command.Parameters.AddWithValue("$expected", (object?)grainState.ETag ?? DBNull.Value);
        if (await command.ExecuteNonQueryAsync() == 0)
        {
            throw Inconsistent(connection, "write", stateName, grainId, grainState.ETag);
        }
        grainState.ETag = etag;
        grainState.RecordExists = true;
    }

    public async Task ClearStateAsync<T>(string stateName, GrainId grainId, IGrainState<T> grainState)
    {
        using var connection = database.Open();
        using var command = connection.CreateCommand();
        // With no ETag the grain believes nothing is stored: clearing then succeeds only if that is still true.
        command.CommandText = grainState.ETag is null
            ? "SELECT NOT EXISTS (SELECT 1 FROM grain_state WHERE state_name = $state AND grain_id = $grain)"
            : "DELETE FROM grain_state WHERE state_name = $state AND grain_id = $grain AND etag = $expected";
        command.Parameters.AddWithValue("$state", stateName);
        command.Parameters.AddWithValue("$grain", grainId.ToString());
        command.Parameters.AddWithValue("$expected", (object?)grainState.ETag ?? DBNull.Value);
        var cleared = grainState.ETag is null ? Convert.ToInt64(await command.ExecuteScalarAsync()) == 1 : await command.ExecuteNonQueryAsync() == 1;
        if (!cleared)
        {
            throw Inconsistent(connection, "clear", stateName, grainId, grainState.ETag);
        }
        grainState.ETag = null;
        grainState.RecordExists = false;
        grainState.State = Activator.CreateInstance<T>();
    }

    private InconsistentStateException Inconsistent(SqliteConnection connection, string operation, string stateName, GrainId grainId, string? expected)
    {
        using var command = connection.CreateCommand();
        command.CommandText = "SELECT etag FROM grain_state WHERE state_name = $state AND grain_id = $grain";
        command.Parameters.AddWithValue("$state", stateName);
        command.Parameters.AddWithValue("$grain", grainId.ToString());
        var stored = command.ExecuteScalar() as string;
        return new InconsistentStateException(
            $"Cannot {operation} state '{stateName}' of {grainId}: the grain expected ETag '{expected ?? "(none)"}' but the store holds '{stored ?? "(none)"}'",
            stored, expected);
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Embedded store open at {Path}")]
    private static partial void LogOpened(ILogger logger, string path);
}
