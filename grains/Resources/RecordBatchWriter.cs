using OrleansMock.Grains.Storage;

namespace OrleansMock.Grains.Resources;

/// <summary>
/// Writes a resource's record changes in batches: while one batch is being stored, the writes that arrive queue up and
/// go together in the next (one transaction, one flush). <see cref="CommitAsync"/> completes when its batch is durable;
/// <see cref="DrainAsync"/> awaits the batch in flight (no polling). After a failed batch every queued write fails too
/// and <see cref="Broken"/> says memory is ahead of storage. Runs on the caller's scheduler (the grain's), so it needs no
/// locks.
/// </summary>
public sealed class RecordBatchWriter(Func<RecordWrite[], Task> apply, Action onFailure)
{
    private readonly List<(RecordWrite Write, TaskCompletionSource Done)> _pending = [];
    private Task _flushing = Task.CompletedTask;

    public bool Broken { get; private set; }

    /// <summary>Queues a change for the next batch; completes when that batch is stored, faults when it failed.</summary>
    public Task CommitAsync(RecordWrite write)
    {
        var done = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        _pending.Add((write, done));
        if (_flushing.IsCompleted)
        {
            _flushing = FlushAsync();
        }
        return done.Task;
    }

    /// <summary>Completes when nothing is queued or being stored.</summary>
    public async Task DrainAsync()
    {
        while (!_flushing.IsCompleted)
        {
            await _flushing;
        }
    }

    private async Task FlushAsync()
    {
        while (_pending.Count > 0)
        {
            var batch = _pending.ToArray();
            _pending.Clear();
            try
            {
                await apply([.. batch.Select(b => b.Write)]);
                foreach (var (_, done) in batch)
                {
                    done.SetResult();
                }
            }
            catch (Exception exception)
            {
                // Memory is now ahead of storage: fail everything in flight; the owner reloads from storage.
                Broken = true;
                foreach (var (_, done) in batch.Concat(_pending))
                {
                    done.SetException(exception);
                }
                _pending.Clear();
                onFailure();
            }
        }
    }
}
