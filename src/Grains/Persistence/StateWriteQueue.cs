namespace Clearinghouse.Grains.Persistence;

/// <summary>
/// Keeps at most one storage write in flight for a grain whose calls or timers interleave (concurrent
/// <c>WriteStateAsync</c> calls conflict on the ETag). Callers that ask while a write runs share the next one,
/// which starts after it and includes all their changes: each caller's task completes only after a write that
/// began after its request. Use from the grain's own scheduler only; it takes no locks.
/// </summary>
public sealed class StateWriteQueue(Func<Task> write)
{
    private TaskCompletionSource? nextWrite;
    private Task latest = Task.CompletedTask;
    private bool draining;

    /// <summary>
    /// The latest write requested so far (queued, in flight or finished): once it completes, every change whose
    /// write was requested before has been stored — or it faults.
    /// </summary>
    public Task Latest => latest;

    public Task WriteAsync()
    {
        nextWrite ??= new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        latest = nextWrite.Task;
        if (!draining)
        {
            draining = true;
            _ = DrainAsync();
        }

        return latest;
    }

    private async Task DrainAsync()
    {
        while (nextWrite is { } batch)
        {
            nextWrite = null;
            try
            {
                await write();
                batch.SetResult();
            }
            catch (Exception error)
            {
                batch.SetException(error);
            }
        }

        draining = false;
    }
}
