using Microsoft.Data.Sqlite;
using OrleansMock.Grains.Storage;
using OrleansMock.Silo.Storage;

namespace OrleansMock.Tests.Storage;

/// <summary>
/// The embedded store gives deleted data's space back (issue 30.4: deleting a project whose import had grown the data
/// folder by 770 MB did not shrink it).
/// </summary>
public sealed class SqliteSpaceTests : IDisposable
{
    private readonly string _folder = Path.Combine(Path.GetTempPath(), "orleansmock-tests", Guid.NewGuid().ToString("N"));

    private long Bytes(string file) => new[] { file, file + "-wal" }.Where(File.Exists).Sum(f => new FileInfo(f).Length);

    [Fact]
    public async Task Deleted_records_space_goes_back_to_the_file_system()
    {
        var file = Path.Combine(_folder, "store.db");
        var database = new SqliteDatabase(file);
        var store = new SqlRecordStore(database.OpenAsync);
        var blob = new string('x', 8 * 1024);
        await store.ApplyAsync(RecordCollection.Endpoints, "p_big", "endpoints",
            [.. Enumerable.Range(0, 1500).Select(i => RecordWrite.Store(new StoredRecord($"e{i:D4}", i, $"{{\"b\":\"{blob}\"}}")))]);
        database.Reclaim(minPages: 0); // checkpoint: what was written is in the database file
        var full = Bytes(file);
        Assert.True(full > 12_000_000, $"the records took {full} bytes");

        Assert.Equal(1500, await store.DeleteGroupAsync(RecordCollection.Endpoints, "p_big", "endpoints"));
        Assert.True(database.Reclaim() > 0);
        var after = Bytes(file);
        Assert.True(after < full / 10, $"{full} bytes before the delete, {after} after reclaiming");
    }

    [Fact]
    public void A_store_made_without_auto_vacuum_is_rebuilt_with_it_once()
    {
        var file = Path.Combine(_folder, "old.db");
        Directory.CreateDirectory(_folder);
        using (var connection = new SqliteConnection($"Data Source={file};Pooling=False"))
        {
            connection.Open();
            using var command = connection.CreateCommand();
            command.CommandText = "CREATE TABLE t (x INTEGER); INSERT INTO t VALUES (1);"; // auto_vacuum NONE, as stores made before
            command.ExecuteNonQuery();
        }
        new SqliteDatabase(file).EnsureCreated();
        using var check = new SqliteConnection($"Data Source={file};Pooling=False");
        check.Open();
        using var mode = check.CreateCommand();
        mode.CommandText = "PRAGMA auto_vacuum; ";
        Assert.Equal(2L, mode.ExecuteScalar()); // INCREMENTAL
        mode.CommandText = "SELECT x FROM t;";
        Assert.Equal(1L, mode.ExecuteScalar()); // the data is still there
    }

    public void Dispose()
    {
        SqliteConnection.ClearAllPools();
        try
        {
            Directory.Delete(_folder, recursive: true);
        }
        catch (IOException)
        {
        }
    }
}
