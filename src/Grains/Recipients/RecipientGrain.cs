using Clearinghouse.Contracts;
using Clearinghouse.Domain;
using Clearinghouse.Grains.Persistence;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Clearinghouse.Grains.Recipients;

/// <summary>
/// Hosts one recipient's <see cref="RecordBook"/>. Record changes are acknowledged after they are persisted;
/// checks only count hits in memory, and a grain timer (and deactivation) flushes them, one write at a time.
/// </summary>
public sealed partial class RecipientGrain(
    [PersistentState("recipient", StorageNames.Clearinghouse)] IPersistentState<RecipientState> state,
    IOptions<RecipientOptions> options,
    TimeProvider clock,
    ILogger<RecipientGrain> logger) : Grain, IRecipient
{
    private RecordBook book = null!;
    private StateWriteQueue writes = null!;
    private bool hitsDirty;

    // Set when a write failed: memory may hold changes storage does not, so nothing more is written from this
    // activation and it is deactivated to reload the truth from storage.
    private bool stateSuspect;

    public override Task OnActivateAsync(CancellationToken cancellationToken)
    {
        // A recipient's address must never be its grain key: Orleans logs and traces grain ids.
        if (!RecipientKeys.IsKey(this.GetPrimaryKeyString()))
        {
            throw new InvalidOperationException("Recipient grains are keyed by RecipientKeys.For(address); get them through RecipientGrains.Get(address).");
        }

        book = new RecordBook(state.State, options.Value.HitHalfLife);
        writes = new StateWriteQueue(() => state.WriteStateAsync());
        var interval = options.Value.HitFlushInterval;
        this.RegisterGrainTimer(FlushHitsAsync, new GrainTimerCreationOptions(interval, interval) { Interleave = true });
        return Task.CompletedTask;
    }

    public override async Task OnDeactivateAsync(DeactivationReason reason, CancellationToken cancellationToken)
    {
        await FlushHitsAsync(cancellationToken);
    }

    async Task<AddRecordResult> IRecipient.AddRecord(NewRecord record)
    {
        ArgumentNullException.ThrowIfNull(record);
        var result = book.Add(record, clock.GetUtcNow(), NewRecordId);
        await PersistAsync();
        if (!result.Replaced)
        {
            ClearinghouseTelemetry.RecordsAdded.Add(1);
        }

        return result;
    }

    async Task<bool> IRecipient.RemoveRecord(string recordId)
    {
        if (!book.Remove(recordId))
        {
            return false;
        }

        await PersistAsync();
        ClearinghouseTelemetry.RecordsRemoved.Add(1);
        return true;
    }

    Task<IReadOnlyList<RecordView>> IRecipient.ListRecords() => Task.FromResult(book.List(clock.GetUtcNow()));

    Task<Verdict> IRecipient.Evaluate(CheckRequest request)
    {
        if (request.Sender.IsNullSender)
        {
            return Task.FromResult(VerdictBuilder.NullSender);
        }

        if (!book.TryMatch(request.Sender, request.Channel, out var match))
        {
            return Task.FromResult(VerdictBuilder.NoMatch);
        }

        book.RecordHit(match.Record.Id, clock.GetUtcNow());
        hitsDirty = true;
        return Task.FromResult(match.Verdict);
    }

    private string NewRecordId() => Guid.CreateVersion7(clock.GetUtcNow()).ToString("N");

    private async Task PersistAsync()
    {
        try
        {
            hitsDirty = false;
            await writes.WriteAsync();
        }
        catch
        {
            stateSuspect = true;
            this.DeactivateOnIdle();
            throw;
        }
    }

    private async Task FlushHitsAsync(CancellationToken cancellationToken)
    {
        if (!hitsDirty || stateSuspect)
        {
            return;
        }

        hitsDirty = false;
        try
        {
            await writes.WriteAsync();
        }
        catch (Exception error)
        {
            hitsDirty = true;
            LogHitFlushFailed(error);
        }
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Writing a recipient's hit counts failed; they are kept in memory and retried")]
    private partial void LogHitFlushFailed(Exception error);
}
