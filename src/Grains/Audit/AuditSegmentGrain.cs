using Clearinghouse.Contracts;
using Clearinghouse.Domain;

namespace Clearinghouse.Grains.Audit;

/// <summary>
/// One segment of the audit trail (see <see cref="IAuditSegment"/>). An append is acknowledged once persisted; a
/// failed write is undone in memory and the grain deactivated, so the next call reloads what storage holds.
/// </summary>
public sealed class AuditSegmentGrain(
    [PersistentState("audit-segment", StorageNames.Clearinghouse)] IPersistentState<AuditSegmentState> state) : Grain, IAuditSegment
{
    private AuditSegmentLog log = null!;

    public override Task OnActivateAsync(CancellationToken cancellationToken)
    {
        log = new AuditSegmentLog(this.GetPrimaryKeyLong(), state.State.Entries);
        return Task.CompletedTask;
    }

    async Task<AuditEntry?> IAuditSegment.Append(AuditEvent auditEvent, DateTimeOffset at, int capacity)
    {
        if (log.TryAppend(auditEvent, at, capacity) is not { } entry)
        {
            return null;
        }

        try
        {
            await state.WriteStateAsync();
        }
        catch
        {
            log.RemoveLast(entry);
            this.DeactivateOnIdle();
            throw;
        }

        return entry;
    }

    Task<AuditSegmentRead> IAuditSegment.Read(AuditFilter filter, long before, int max) =>
        Task.FromResult(log.Read(filter, before, Math.Max(1, max)));

    async Task IAuditSegment.Clear()
    {
        state.State.Entries.Clear();
        await state.ClearStateAsync();
        this.DeactivateOnIdle();
    }
}
