using System.Data.Common;
using Microsoft.Data.Sqlite;

namespace OrleansMock.Silo.Storage;

/// <summary>
/// The embedded store's SQLite file: grain state and records in one database, WAL journaling with
/// <c>synchronous=FULL</c>, so a commit is on disk before it is acknowledged and survives a crash. A database for
/// data whose last second may be lost (rate-limit buckets) can use <c>NORMAL</c>: still safe against a process crash,
/// not against losing power, and without a flush per commit.
/// </summary>
public sealed class SqliteDatabase(string path, string synchronous = "FULL")
{
    private readonly string _connectionString = new SqliteConnectionStringBuilder
    {
        DataSource = path,
        Mode = SqliteOpenMode.ReadWriteCreate,
        Pooling = true,
        DefaultTimeout = 30,
    }.ToString();

    private readonly Lock _initializing = new();
    private volatile bool _initialized;

    public string FullPath { get; } = Path.GetFullPath(path);

    /// <summary>Creates the folder, the file and the tables if missing. Idempotent; fails with the path in the message.</summary>
    public void EnsureCreated()
    {
        if (_initialized)
        {
            return;
        }
        lock (_initializing)
        {
            if (_initialized)
            {
                return;
            }
            try
            {
                CreatePrivately(FullPath);
                using var connection = OpenRaw();
                // Free pages can be handed back to the file system (Reclaim): a new file gets incremental auto-vacuum
                // before its first table; a file made before that is rebuilt once with it (VACUUM, on this first open).
                if (Scalar(connection, "PRAGMA auto_vacuum;") != 2)
                {
                    Execute(connection, "PRAGMA auto_vacuum=INCREMENTAL;");
                    if (Scalar(connection, "SELECT count(*) FROM sqlite_master;") > 0)
                    {
                        Execute(connection, "VACUUM;");
                    }
                }
                Execute(connection, "PRAGMA journal_mode=WAL; PRAGMA journal_size_limit=67108864;");
                Execute(connection, """
                    CREATE TABLE IF NOT EXISTS grain_state (
                        state_name TEXT NOT NULL,
                        grain_id   TEXT NOT NULL,
                        etag       TEXT NOT NULL,
                        payload    BLOB NOT NULL,
                        updated_at TEXT NOT NULL,
                        PRIMARY KEY (state_name, grain_id)
                    ) WITHOUT ROWID;
                    CREATE TABLE IF NOT EXISTS orleansmock_records (
                        collection TEXT    NOT NULL,
                        scope      TEXT    NOT NULL,
                        grp        TEXT    NOT NULL,
                        id         TEXT    NOT NULL,
                        sort       INTEGER NOT NULL,
                        data       TEXT    NOT NULL,
                        PRIMARY KEY (collection, scope, grp, id)
                    ) WITHOUT ROWID;
                    CREATE INDEX IF NOT EXISTS orleansmock_records_sort ON orleansmock_records (collection, scope, grp, sort, id);
                    """);
            }
            catch (Exception exception) when (exception is SqliteException or IOException or UnauthorizedAccessException)
            {
                throw new InvalidOperationException(
                    $"The embedded store cannot open '{FullPath}': {exception.Message}. Set OrleansMock:DataDir to a writable folder.", exception);
            }
            _initialized = true;
        }
    }

    /// <summary>
    /// The data folder (0700 when we create it) and the database file readable by this user only (0600); SQLite gives
    /// its -wal and -shm files the database file's mode.
    /// </summary>
    private static void CreatePrivately(string file)
    {
        var folder = Path.GetDirectoryName(file)!;
        if (OperatingSystem.IsWindows())
        {
            Directory.CreateDirectory(folder);
            return;
        }
        if (!Directory.Exists(folder))
        {
            Directory.CreateDirectory(folder, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
        }
        try
        {
            using var created = new FileStream(file, new FileStreamOptions
            {
                Mode = FileMode.CreateNew,
                Access = FileAccess.Write,
                UnixCreateMode = UnixFileMode.UserRead | UnixFileMode.UserWrite,
            });
        }
        catch (IOException) when (File.Exists(file))
        {
            // Already there (an earlier run, or a second process on the same folder): tightened below.
        }
        foreach (var existing in new[] { file, file + "-wal", file + "-shm" }.Where(File.Exists))
        {
            try
            {
                File.SetUnixFileMode(existing, UnixFileMode.UserRead | UnixFileMode.UserWrite);
            }
            catch (UnauthorizedAccessException)
            {
                // Someone else's file that we may still write (a shared group): tightening is theirs to do.
            }
        }
    }

    public SqliteConnection Open()
    {
        EnsureCreated();
        return OpenRaw();
    }

    /// <summary>
    /// Opens on the thread pool. Microsoft.Data.Sqlite's async methods run synchronously, so a store that awaits this
    /// with ConfigureAwait(false) does its whole operation (a commit's fsync included) off the caller's thread: a
    /// grain keeps taking requests meanwhile, which is what lets the resource grain batch the writes that arrive.
    /// </summary>
    public Task<DbConnection> OpenAsync() => Task.Run<DbConnection>(Open);

    private SqliteConnection OpenRaw()
    {
        var connection = new SqliteConnection(_connectionString);
        connection.Open();
        // Per connection: FULL makes every commit durable in WAL mode; busy_timeout lets writers queue, not fail.
        Execute(connection, $"PRAGMA synchronous={synchronous}; PRAGMA busy_timeout=10000;");
        return connection;
    }

    /// <summary>
    /// Gives the pages that deletes freed back to the file system when there are at least <paramref name="minPages"/>
    /// of them (an incremental vacuum, then a checkpoint that truncates the write-ahead log). Returns the pages freed.
    /// </summary>
    public long Reclaim(long minPages = 256)
    {
        using var connection = Open();
        var free = Scalar(connection, "PRAGMA freelist_count;");
        if (free < minPages)
        {
            return 0;
        }
        Execute(connection, "PRAGMA incremental_vacuum;");
        Execute(connection, "PRAGMA wal_checkpoint(TRUNCATE);");
        return free;
    }

    private static long Scalar(SqliteConnection connection, string sql)
    {
        using var command = connection.CreateCommand();
        command.CommandText = sql;
        return Convert.ToInt64(command.ExecuteScalar(), System.Globalization.CultureInfo.InvariantCulture);
    }

    private static void Execute(SqliteConnection connection, string sql)
    {
        using var command = connection.CreateCommand();
        command.CommandText = sql;
        command.ExecuteNonQuery();
    }
}
