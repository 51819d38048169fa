using System.Threading.Channels;
using Microsoft.Data.Sqlite;
using OrleansMock.Grains.Storage;

namespace OrleansMock.Silo.Storage;

/// <summary>
/// Group commit for the embedded store's record batches: every <see cref="ApplyAsync"/> of every grain goes to one
/// writer, which keeps its connection and statements prepared and commits whatever has queued meanwhile in one
/// transaction. One client pays one commit (its fsync) per change and no connection setup; many clients share a
/// commit. A batch's task completes only after the commit holding it is on disk, so an acknowledged write survives a
/// crash as before. A failing commit of several batches is retried one batch per transaction, so one bad batch fails
/// alone. Everything else (reads, single-record writes) goes to <paramref name="inner"/>.
/// </summary>
public sealed class SqliteGroupCommit(SqliteDatabase database, IRecordStore inner) : IRecordStore, IAsyncDisposable
{
    // Enough to share a commit among many writers without holding the first of them long.
    private const int MaxBatchesPerCommit = 256;

    private readonly Channel<Pending> _queue = Channel.CreateUnbounded<Pending>(new UnboundedChannelOptions { SingleReader = true });
    private Task? _writer;
    private readonly Lock _starting = new();
    private SqliteConnection? _connection;
    private SqliteCommand? _upsert;
    private SqliteCommand? _delete;

    private sealed record Pending(RecordCollection Collection, string Scope, string Group, IReadOnlyList<RecordWrite> Writes, TaskCompletionSource Done);

    public Task ApplyAsync(RecordCollection collection, string scope, string group, IReadOnlyList<RecordWrite> writes)
    {
        if (writes.Count == 0)
        {
            return Task.CompletedTask;
        }
        EnsureWriter();
        // Completed on the writer's thread: a grain's await resumes on the grain's own scheduler anyway, and a thread hop
        // per change is a measurable part of a stub's creation on two cores.
        var pending = new Pending(collection, scope, group, writes, new TaskCompletionSource());
        return _queue.Writer.TryWrite(pending) ? pending.Done.Task : Task.FromException(new ObjectDisposedException(nameof(SqliteGroupCommit)));
    }

    private void EnsureWriter()
    {
        if (_writer is not null)
        {
            return;
        }
        lock (_starting)
        {
            _writer ??= Task.Run(WriteAsync);
        }
    }

    private async Task WriteAsync()
    {
        var batch = new List<Pending>();
        while (await _queue.Reader.WaitToReadAsync().ConfigureAwait(false))
        {
            while (batch.Count < MaxBatchesPerCommit && _queue.Reader.TryRead(out var pending))
            {
                batch.Add(pending);
            }
            Commit(batch);
            batch.Clear();
        }
        Close();
    }

    private void Commit(List<Pending> batch)
    {
        if (TryCommit(batch) is not { } failure)
        {
            batch.ForEach(p => p.Done.TrySetResult());
        }
        else if (batch.Count == 1)
        {
            batch[0].Done.TrySetException(failure);
        }
        else
        {
            foreach (var pending in batch)
            {
                if (TryCommit([pending]) is { } alone)
                {
                    pending.Done.TrySetException(alone);
                }
                else
                {
                    pending.Done.TrySetResult();
                }
            }
        }
    }

    /// <summary>Writes the batches in one transaction; the exception when it did not commit (the connection is then reopened).</summary>
    private Exception? TryCommit(List<Pending> batch)
    {
        try
        {
            var connection = Connection();
            using var transaction = connection.BeginTransaction();
            foreach (var pending in batch)
            {
                foreach (var write in pending.Writes)
                {
                    var command = write.Upsert is null ? _delete! : _upsert!;
                    command.Transaction = transaction;
                    command.Parameters["@collection"].Value = pending.Collection.Name;
                    command.Parameters["@scope"].Value = pending.Scope;
                    command.Parameters["@grp"].Value = pending.Group;
                    command.Parameters["@id"].Value = write.Upsert?.Id ?? write.DeleteId!;
                    if (write.Upsert is { } record)
                    {
                        command.Parameters["@sort"].Value = record.Sort;
                        command.Parameters["@data"].Value = (object?)record.Utf8Json ?? record.Json; // bytes are stored as the text they encode (below)
                    }
                    command.ExecuteNonQuery();
                }
            }
            transaction.Commit();
            return null;
        }
        catch (Exception exception)
        {
            // Whatever the failure, it is these batches' alone: the writer must go on, or every later change would wait forever.
            Close();
            return exception;
        }
    }

    private SqliteConnection Connection()
    {
        if (_connection is not null)
        {
            return _connection;
        }
        _connection = database.Open();
        _upsert = Prepare(_connection, """
            INSERT INTO orleansmock_records (collection, scope, grp, id, sort, data)
            VALUES (@collection, @scope, @grp, @id, @sort, CAST(@data AS TEXT))
            ON CONFLICT (collection, scope, grp, id) DO UPDATE SET sort = excluded.sort, data = excluded.data
            """, "@collection", "@scope", "@grp", "@id", "@sort", "@data");
        _delete = Prepare(_connection, "DELETE FROM orleansmock_records WHERE collection = @collection AND scope = @scope AND grp = @grp AND id = @id",
            "@collection", "@scope", "@grp", "@id");
        return _connection;
    }

    private static SqliteCommand Prepare(SqliteConnection connection, string sql, params string[] parameters)
    {
        var command = connection.CreateCommand();
        command.CommandText = sql;
        foreach (var name in parameters)
        {
            command.Parameters.Add(new SqliteParameter(name, DBNull.Value));
        }
        return command;
    }

    private void Close()
    {
        _upsert?.Dispose();
        _delete?.Dispose();
        _connection?.Dispose();
        (_upsert, _delete, _connection) = (null, null, null);
    }

    public async ValueTask DisposeAsync()
    {
        _queue.Writer.TryComplete();
        if (_writer is { } writer)
        {
            await writer.ConfigureAwait(false);
        }
    }

    public Task<StoredRecord?> GetAsync(RecordCollection collection, string scope, string group, string id) => inner.GetAsync(collection, scope, group, id);

    public Task<bool> InsertAsync(RecordCollection collection, string scope, string group, StoredRecord record) =>
        inner.InsertAsync(collection, scope, group, record);

    public Task<bool> ReplaceAsync(RecordCollection collection, string scope, string group, StoredRecord record) =>
        inner.ReplaceAsync(collection, scope, group, record);

    public Task<bool> DeleteAsync(RecordCollection collection, string scope, string group, string id) => inner.DeleteAsync(collection, scope, group, id);

    public Task<IReadOnlyList<StoredRecord>> ListAsync(RecordCollection collection, string scope, string group, RecordQuery query) =>
        inner.ListAsync(collection, scope, group, query);

    public Task<long> DeleteGroupAsync(RecordCollection collection, string scope, string group) => inner.DeleteGroupAsync(collection, scope, group);
}
