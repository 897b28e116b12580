using Clearinghouse.Contracts;
using Orleans.Core;
using Orleans.Storage;
using Microsoft.Extensions.Logging;

namespace Clearinghouse.Grains.Persistence;

/// <summary>
/// The one way every grain writes its state: <b>persist, or reload</b>. Writes go one at a time through a
/// <see cref="StateWriteQueue"/>, so a caller's task completes only once a write that began after its change has
/// stored it.
/// <para>
/// When a write fails, memory and storage can no longer be trusted to agree: the write may not have happened (memory
/// is ahead of storage), or it may have happened though the store reported a failure such as a timeout (storage is
/// ahead, and the ETag in memory is stale, so every later write would be refused). The activation is then
/// <em>untrusted</em>: it refuses further writes and answers read from memory (<see cref="EnsureTrusted"/>,
/// <see cref="WhenPersistedAsync"/>), and it deactivates, so that the next call reloads the truth from storage. Every
/// caller whose change was not confirmed gets a <see cref="StateNotPersistedException"/> and retries; grains make their
/// writes idempotent, so a retry after a write that did happen changes nothing twice.
/// </para>
/// <para>
/// Undoing instead was rejected: an exact undo needs a copy of the state before every change (or an inverse of every
/// domain operation), and it is wrong when the store did write but reported a failure. Reloading handles both cases
/// with one rule, for every grain and every storage provider.
/// </para>
/// Use from the grain's own scheduler only (calls, timers, reminders); it takes no locks.
/// </summary>
public sealed partial class StateWriter
{
    private readonly IGrainContext grain;
    private readonly Func<Task> write;
    private readonly ILogger logger;
    private readonly StateWriteQueue queue;
    private Exception? failure;

    /// <param name="grain">The activation to deactivate after a failed write (<c>Grain.GrainContext</c>).</param>
    /// <param name="write">Writes everything the grain holds that must be stored (one or several storage entries).</param>
    /// <param name="logger">Where a failed write is reported.</param>
    public StateWriter(IGrainContext grain, Func<Task> write, ILogger logger)
    {
        this.grain = grain;
        this.write = write;
        this.logger = logger;
        queue = new StateWriteQueue(WriteOnceAsync);
    }

    /// <summary>Writes one <c>[PersistentState]</c> (the usual case).</summary>
    public StateWriter(IGrainContext grain, IStorage state, ILogger logger)
        : this(grain, state.WriteStateAsync, logger)
    {
    }

    /// <summary>False once a write failed: memory may differ from storage until the grain is reactivated.</summary>
    public bool IsTrusted => failure is null;

    /// <summary>
    /// True when the write that failed was refused for its ETag (another activation wrote meanwhile): it stored nothing,
    /// unlike a timeout, after which storage may hold the change.
    /// </summary>
    public bool FailedOnConflict => failure is InconsistentStateException;

    /// <summary>
    /// Stores every change made so far; completes once a write that began after this call has succeeded. Throws
    /// <see cref="StateNotPersistedException"/> when the write fails (the activation then reloads) or when the
    /// activation is already untrusted.
    /// </summary>
    public Task WriteAsync()
    {
        EnsureTrusted();
        return queue.WriteAsync();
    }

    /// <summary>
    /// Completes once every write requested so far has stored its changes, without writing anything itself. Await it
    /// before answering from memory that another interleaved call may have changed and not yet stored (a reentrant
    /// grain, or an "already done" answer to a retried call). Throws as <see cref="WriteAsync"/> does.
    /// </summary>
    public async Task WhenPersistedAsync()
    {
        EnsureTrusted();
        await queue.Latest;
        EnsureTrusted();
    }

    /// <summary>Throws <see cref="StateNotPersistedException"/> when memory can no longer be trusted.</summary>
    public void EnsureTrusted()
    {
        if (failure is { } error)
        {
            throw new StateNotPersistedException($"the grain is reloading its state after a failed write ({error.GetType().Name}); retry");
        }
    }

    /// <summary>
    /// Memory changed and the change cannot be stored now (something it depends on failed): treat it as a failed
    /// write, so the activation reloads. Returns the exception to throw to the caller.
    /// </summary>
    public StateNotPersistedException Distrust(Exception reason)
    {
        Distrust(reason, reason.GetType().Name);
        return new StateNotPersistedException($"the change could not be persisted ({reason.GetType().Name}); retry");
    }

    private async Task WriteOnceAsync()
    {
        // A batch queued behind a failed write must not write: its changes sit on top of memory storage may not hold.
        EnsureTrusted();
        try
        {
            await write();
        }
        catch (Exception error)
        {
            Distrust(error, error.GetType().Name);
            throw new StateNotPersistedException($"the change may not have been persisted ({error.GetType().Name}); retry");
        }
    }

    private void Distrust(Exception error, string what)
    {
        if (failure is not null)
        {
            return;
        }

        failure = error;
        LogReloading(error, grain.GrainId.Type.ToString(), what);
        grain.Deactivate(new DeactivationReason(DeactivationReasonCode.ApplicationError, "a state write failed: reloading the state from storage"));
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "A {GrainType} grain could not persist a change ({Failure}); the activation refuses further writes and reads and deactivates to reload from storage")]
    private partial void LogReloading(Exception error, string grainType, string failure);
}
