using Microsoft.Data.Sqlite;
using OrleansMock.Grains.Storage;
using OrleansMock.Silo.Storage;

namespace OrleansMock.Tests.Storage;

/// <summary>The embedded store's group commit: batches queued together share a commit, and one that fails fails alone.</summary>
public sealed class SqliteGroupCommitTests : IAsyncDisposable
{
    private readonly string _folder = Path.Combine(Path.GetTempPath(), "orleansmock-tests", Guid.NewGuid().ToString("N"));
    private readonly SqliteDatabase _database;
    private readonly SqliteGroupCommit _store;

    public SqliteGroupCommitTests()
    {
        _database = new SqliteDatabase(Path.Combine(_folder, "store.db"));
        _store = new SqliteGroupCommit(_database, new SqlRecordStore(_database.OpenAsync));
    }

    private static RecordWrite Record(string id, string? json = "{}") => RecordWrite.Store(new StoredRecord(id, 1, json!));

    [Fact]
    public async Task A_failing_batch_fails_alone_and_the_batches_queued_with_it_are_stored()
    {
        // Queued back to back without waiting: the writer takes them in one or a few commits. A record without JSON
        // cannot be written (the column is NOT NULL), so that batch's commit fails.
        var writes = Enumerable.Range(0, 40)
            .Select(i => _store.ApplyAsync(RecordCollection.Resources, "p_group", "g", [Record($"r{i:D2}", i == 20 ? null : "{}")]))
            .ToArray();
        await Assert.ThrowsAnyAsync<Exception>(() => writes[20]);
        await Task.WhenAll(writes.Where((_, i) => i != 20));

        var stored = await _store.ListAsync(RecordCollection.Resources, "p_group", "g", new RecordQuery(100));
        Assert.Equal(Enumerable.Range(0, 40).Where(i => i != 20).Select(i => $"r{i:D2}"), stored.Select(r => r.Id));

        // The writer goes on after a failure.
        await _store.ApplyAsync(RecordCollection.Resources, "p_group", "g", [Record("after")]);
        Assert.NotNull(await _store.GetAsync(RecordCollection.Resources, "p_group", "g", "after"));
    }

    [Fact]
    public async Task An_acknowledged_batch_is_in_the_file_for_another_connection()
    {
        await _store.ApplyAsync(RecordCollection.Endpoints, "p_file", "endpoints", [Record("e1", "{\"a\":1}"), RecordWrite.Delete("none")]);
        await using var other = new SqliteConnection($"Data Source={_database.FullPath};Pooling=false");
        other.Open();
        await using var command = other.CreateCommand();
        command.CommandText = "SELECT data FROM orleansmock_records WHERE collection = 'mockendpoints' AND scope = 'p_file' AND id = 'e1'";
        Assert.Equal("{\"a\":1}", await command.ExecuteScalarAsync());
    }

    [Fact]
    public async Task Json_given_as_UTF8_bytes_is_stored_as_text()
    {
        // The request journal hands its batches over as UTF-8; the column keeps text, as for every other record.
        const string json = "{\"path\":\"/caf\u00e9 ✓\"}";
        await _store.ApplyAsync(RecordCollection.Journal, "p_bytes", "requests", [RecordWrite.Store(new StoredRecord("b1", 1, System.Text.Encoding.UTF8.GetBytes(json)))]);
        await using var other = new SqliteConnection($"Data Source={_database.FullPath};Pooling=false");
        other.Open();
        await using var command = other.CreateCommand();
        command.CommandText = "SELECT typeof(data), data FROM orleansmock_records WHERE scope = 'p_bytes' AND id = 'b1'";
        await using var reader = await command.ExecuteReaderAsync();
        Assert.True(await reader.ReadAsync());
        Assert.Equal("text", reader.GetString(0));
        Assert.Equal(json, reader.GetString(1));
    }

    public async ValueTask DisposeAsync()
    {
        await _store.DisposeAsync();
        SqliteConnection.ClearAllPools();
        try
        {
            Directory.Delete(_folder, recursive: true);
        }
        catch (IOException)
        {
            // A file still open elsewhere: the temp folder is cleaned later.
        }
    }
}
