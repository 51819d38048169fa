using System.Data.Common;
using Npgsql;

namespace OrleansMock.Silo.Storage.Postgres;

/// <summary>
/// One PostgreSQL database: the connection source, and the idempotent setup step that creates OrleansMock's tables
/// and the named queries of Orleans' ADO.NET provider (<c>schema.sql</c>, embedded in this assembly).
/// </summary>
public sealed class PostgresDatabase : IAsyncDisposable
{
    // Serializes the setup step across silos that start together (any 64-bit constant unique to OrleansMock).
    private const long SchemaLockKey = 0x4F524C4D4F434B;

    private readonly NpgsqlDataSource _dataSource;
    private readonly SemaphoreSlim _schemaOnce = new(1, 1);
    private bool _schemaApplied;

    public PostgresDatabase(string connectionString)
    {
        var builder = new NpgsqlConnectionStringBuilder(connectionString);
        // Durability is set, not assumed: a commit returns only once it is flushed to disk.
        builder.Options = string.IsNullOrEmpty(builder.Options) ? "-c synchronous_commit=on" : builder.Options + " -c synchronous_commit=on";
        ConnectionString = builder.ConnectionString;
        _dataSource = NpgsqlDataSource.Create(ConnectionString);
        Description = $"Host={builder.Host};Port={builder.Port};Database={builder.Database};Username={builder.Username}";
    }

    /// <summary>The connection string Orleans' provider is given (with the durability option added).</summary>
    public string ConnectionString { get; }

    /// <summary>Where the database is, without the password, for messages.</summary>
    public string Description { get; }

    public async Task<DbConnection> OpenAsync() => await _dataSource.OpenConnectionAsync();

    /// <summary>Applies <c>schema.sql</c> once per process; fails with a message naming the server when it is unreachable.</summary>
    public async Task EnsureSchemaAsync(CancellationToken cancellationToken = default)
    {
        await _schemaOnce.WaitAsync(cancellationToken);
        try
        {
            if (_schemaApplied)
            {
                return;
            }
            await using var connection = await OpenForSetupAsync(cancellationToken);
            await using var transaction = await connection.BeginTransactionAsync(cancellationToken);
            await using (var lockCommand = new NpgsqlCommand($"SELECT pg_advisory_xact_lock({SchemaLockKey})", connection, transaction))
            {
                await lockCommand.ExecuteNonQueryAsync(cancellationToken);
            }
            await using (var schema = new NpgsqlCommand(Schema(), connection, transaction))
            {
                await schema.ExecuteNonQueryAsync(cancellationToken);
            }
            await transaction.CommitAsync(cancellationToken);
            _schemaApplied = true;
        }
        finally
        {
            _schemaOnce.Release();
        }
    }

    public async ValueTask DisposeAsync() => await _dataSource.DisposeAsync();

    /// <summary>
    /// Connects once before the silo starts, so an unreachable server is one line naming ConnectionStrings:Postgres
    /// (StartupFailure) instead of the silo's lifecycle logging a stack trace per storage first.
    /// </summary>
    public void CheckReachable()
    {
        try
        {
            using var connection = _dataSource.OpenConnection();
        }
        catch (Exception exception) when (exception is NpgsqlException or TimeoutException or System.Net.Sockets.SocketException)
        {
            throw new InvalidOperationException(
                $"PostgreSQL at {Description} cannot be reached: {exception.Message}. Check ConnectionStrings:Postgres.", exception);
        }
    }

    private async Task<NpgsqlConnection> OpenForSetupAsync(CancellationToken cancellationToken)
    {
        try
        {
            return await _dataSource.OpenConnectionAsync(cancellationToken);
        }
        catch (Exception exception) when (exception is NpgsqlException or TimeoutException or System.Net.Sockets.SocketException)
        {
            throw new InvalidOperationException(
                $"PostgreSQL at {Description} cannot be reached: {exception.Message}. Check ConnectionStrings:Postgres.", exception);
        }
    }

    private static string Schema()
    {
        using var stream = typeof(PostgresDatabase).Assembly.GetManifestResourceStream("OrleansMock.Silo.Storage.Postgres.schema.sql")
            ?? throw new InvalidOperationException("schema.sql is not embedded in the silo assembly");
        using var reader = new StreamReader(stream);
        return reader.ReadToEnd();
    }
}
