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
    private bool draining;

    public Task WriteAsync()
    {
        nextWrite ??= new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var requested = nextWrite.Task;
        if (!draining)
        {
            draining = true;
            _ = DrainAsync();
        }

        return requested;
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
