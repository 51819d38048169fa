using Microsoft.Extensions.Logging.Abstractions;
using Orleans.Storage;
using OrleansMock.Silo.Storage;

namespace OrleansMock.Tests.Storage;

public sealed class SqliteGrainStorageTests : GrainStorageContract, IDisposable
{
    private readonly string _folder = Path.Combine(Path.GetTempPath(), "orleansmock-tests", Guid.NewGuid().ToString("N"));

    protected override async Task<IGrainStorage> CreateStorageAsync()
    {
        var storage = new SqliteGrainStorage("test", new SqliteDatabase(Path.Combine(_folder, "nested", "store.db")), new JsonGrainStateSerializer(),
            NullLogger<SqliteGrainStorage>.Instance);
        await storage.InitializeAsync();
        return storage;
    }

    // The stored shape is checked here too (it skipped, saying "in memory", which SQLite is not).
    protected override async Task<string?> StoredJsonAsync(string stateName, GrainId grainId)
    {
        await using var connection = new Microsoft.Data.Sqlite.SqliteConnection($"Data Source={Path.Combine(_folder, "nested", "store.db")}");
        await connection.OpenAsync();
        await using var command = connection.CreateCommand();
        command.CommandText = "SELECT payload FROM grain_state WHERE state_name = $state AND grain_id = $grain";
        command.Parameters.AddWithValue("$state", stateName);
        command.Parameters.AddWithValue("$grain", grainId.ToString());
        return await command.ExecuteScalarAsync() is byte[] payload ? System.Text.Encoding.UTF8.GetString(payload) : null;
    }

    [SkippableFact]
    public async Task Unwritable_data_folder_fails_with_the_path_in_the_message()
    {
        var file = Path.Combine(_folder, "a-file");
        Directory.CreateDirectory(_folder);
        await File.WriteAllTextAsync(file, "not a folder");
        var storage = new SqliteGrainStorage("test", new SqliteDatabase(Path.Combine(file, "store.db")), new JsonGrainStateSerializer(), NullLogger<SqliteGrainStorage>.Instance);
        var exception = await Assert.ThrowsAsync<InvalidOperationException>(storage.InitializeAsync);
        Assert.Contains(file, exception.Message);
        Assert.Contains("OrleansMock:DataDir", exception.Message);
    }

    [SkippableFact]
    public async Task Database_files_are_readable_by_their_owner_only()
    {
        if (OperatingSystem.IsWindows())
        {
            throw new SkipException("file modes are a Unix matter");
        }
        var storage = (SqliteGrainStorage)await CreateStorageAsync();
        var state = new GrainState<OrleansMock.Grains.Projects.UniqueKeyState>(new() { HolderId = "x" });
        await storage.WriteStateAsync("slug", GrainId.Create("modetest", "k"), state);
        var file = Path.Combine(_folder, "nested", "store.db");
        foreach (var path in new[] { file, file + "-wal" }.Where(File.Exists))
        {
            Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(path));
        }
        Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute, File.GetUnixFileMode(Path.GetDirectoryName(file)!));
    }

    public void Dispose()
    {
        Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
        try
        {
            Directory.Delete(_folder, recursive: true);
        }
        catch (IOException)
        {
        }
    }
}
