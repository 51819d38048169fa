using System.Data.Common;
using OrleansMock.Grains.Storage;

namespace OrleansMock.Silo.Storage;

/// <summary>
/// Record storage on a SQL database (SQLite or PostgreSQL): one row per record in <c>orleansmock_records</c>,
/// keyset paging on (sort, id). The dialects agree on everything used here, so one class serves both. Every operation
/// leaves the caller's context at its first await (ConfigureAwait(false)): the rest runs on the thread pool, not on
/// the calling grain's scheduler.
/// </summary>
public sealed class SqlRecordStore(Func<Task<DbConnection>> open) : IRecordStore
{
    private const string Key = "collection = @collection AND scope = @scope AND grp = @grp";

    public async Task<StoredRecord?> GetAsync(RecordCollection collection, string scope, string group, string id)
    {
        await using var connection = await open().ConfigureAwait(false);
        await using var command = Command(connection, $"SELECT id, sort, data FROM orleansmock_records WHERE {Key} AND id = @id", collection, scope, group);
        Add(command, "@id", id);
        await using var reader = await command.ExecuteReaderAsync();
        return await reader.ReadAsync() ? Read(reader) : null;
    }

    public async Task<bool> InsertAsync(RecordCollection collection, string scope, string group, StoredRecord record)
    {
        await using var connection = await open().ConfigureAwait(false);
        await using var command = Command(connection, """
            INSERT INTO orleansmock_records (collection, scope, grp, id, sort, data)
            VALUES (@collection, @scope, @grp, @id, @sort, @data) ON CONFLICT DO NOTHING
            """, collection, scope, group);
        AddRecord(command, record);
        return await command.ExecuteNonQueryAsync() == 1;
    }

    public async Task<bool> ReplaceAsync(RecordCollection collection, string scope, string group, StoredRecord record)
    {
        await using var connection = await open().ConfigureAwait(false);
        await using var command = Command(connection, $"UPDATE orleansmock_records SET sort = @sort, data = @data WHERE {Key} AND id = @id",
            collection, scope, group);
        AddRecord(command, record);
        return await command.ExecuteNonQueryAsync() == 1;
    }

    public async Task<bool> DeleteAsync(RecordCollection collection, string scope, string group, string id)
    {
        await using var connection = await open().ConfigureAwait(false);
        await using var command = Command(connection, $"DELETE FROM orleansmock_records WHERE {Key} AND id = @id", collection, scope, group);
        Add(command, "@id", id);
        return await command.ExecuteNonQueryAsync() == 1;
    }

    public async Task<IReadOnlyList<StoredRecord>> ListAsync(RecordCollection collection, string scope, string group, RecordQuery query)
    {
        var direction = query.Descending ? "DESC" : "ASC";
        var after = query.AfterSort is null ? "" : query.Descending ? " AND (sort, id) < (@afterSort, @afterId)" : " AND (sort, id) > (@afterSort, @afterId)";
        await using var connection = await open().ConfigureAwait(false);
        await using var command = Command(connection,
            $"SELECT id, sort, data FROM orleansmock_records WHERE {Key}{after} ORDER BY sort {direction}, id {direction} LIMIT @limit",
            collection, scope, group);
        Add(command, "@limit", Math.Max(0, query.Limit));
        if (query.AfterSort is { } afterSort)
        {
            Add(command, "@afterSort", afterSort);
            Add(command, "@afterId", query.AfterId ?? "");
        }
        var records = new List<StoredRecord>();
        await using var reader = await command.ExecuteReaderAsync();
        while (await reader.ReadAsync())
        {
            records.Add(Read(reader));
        }
        return records;
    }

    public async Task ApplyAsync(RecordCollection collection, string scope, string group, IReadOnlyList<RecordWrite> writes)
    {
        await using var connection = await open().ConfigureAwait(false);
        await using var transaction = await connection.BeginTransactionAsync();
        foreach (var write in writes)
        {
            await using var command = write.Upsert is { } record
                ? Command(connection, """
                    INSERT INTO orleansmock_records (collection, scope, grp, id, sort, data)
                    VALUES (@collection, @scope, @grp, @id, @sort, @data)
                    ON CONFLICT (collection, scope, grp, id) DO UPDATE SET sort = excluded.sort, data = excluded.data
                    """, collection, scope, group)
                : Command(connection, $"DELETE FROM orleansmock_records WHERE {Key} AND id = @id", collection, scope, group);
            command.Transaction = transaction;
            if (write.Upsert is { } upsert)
            {
                AddRecord(command, upsert);
            }
            else
            {
                Add(command, "@id", write.DeleteId!);
            }
            await command.ExecuteNonQueryAsync();
        }
        await transaction.CommitAsync();
    }

    public async Task<long> DeleteGroupAsync(RecordCollection collection, string scope, string group)
    {
        await using var connection = await open().ConfigureAwait(false);
        await using var command = Command(connection, $"DELETE FROM orleansmock_records WHERE {Key}", collection, scope, group);
        return await command.ExecuteNonQueryAsync();
    }

    private static DbCommand Command(DbConnection connection, string sql, RecordCollection collection, string scope, string group)
    {
        var command = connection.CreateCommand();
        command.CommandText = sql;
        Add(command, "@collection", collection.Name);
        Add(command, "@scope", scope);
        Add(command, "@grp", group);
        return command;
    }

    private static void AddRecord(DbCommand command, StoredRecord record)
    {
        Add(command, "@id", record.Id);
        Add(command, "@sort", record.Sort);
        Add(command, "@data", record.Json);
    }

    private static void Add(DbCommand command, string name, object value)
    {
        var parameter = command.CreateParameter();
        parameter.ParameterName = name;
        parameter.Value = value;
        command.Parameters.Add(parameter);
    }

    private static StoredRecord Read(DbDataReader reader) => new(reader.GetString(0), reader.GetInt64(1), reader.GetString(2));
}
