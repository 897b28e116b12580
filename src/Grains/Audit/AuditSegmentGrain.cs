using Clearinghouse.Contracts;
using Clearinghouse.Domain;
using Clearinghouse.Grains.Persistence;
using Microsoft.Extensions.Logging;

namespace Clearinghouse.Grains.Audit;

/// <summary>
/// One segment of the audit trail (see <see cref="IAuditSegment"/>). An append is acknowledged once persisted, through
/// the shared <see cref="StateWriter"/> (persist, or reload); an event appended again is recorded once.
/// </summary>
public sealed class AuditSegmentGrain(
    [PersistentState("audit-segment", StorageNames.Clearinghouse)] IPersistentState<AuditSegmentState> state,
    ILogger<AuditSegmentGrain> logger) : Grain, IAuditSegment
{
    private AuditSegmentLog log = null!;
    private StateWriter writer = null!;
    private StateWriter clearer = null!;

    public override Task OnActivateAsync(CancellationToken cancellationToken)
    {
        log = new AuditSegmentLog(this.GetPrimaryKeyLong(), state.State.Entries);
        writer = new StateWriter(GrainContext, state, logger);
        clearer = new StateWriter(GrainContext, state.ClearStateAsync, logger);
        return Task.CompletedTask;
    }

    async Task<AuditEntry?> IAuditSegment.Append(AuditEvent auditEvent, DateTimeOffset at, int capacity)
    {
        writer.EnsureTrusted();
        var count = log.Count;
        var entry = log.TryAppend(auditEvent, at, capacity);
        if (entry is not null && log.Count > count)
        {
            await writer.WriteAsync();
        }
        else if (entry is not null)
        {
            // Recorded before: answer once that write is known to have stored it.
            await writer.WhenPersistedAsync();
        }

        return entry;
    }

    Task<AuditSegmentRead> IAuditSegment.Read(AuditFilter filter, long before, int max) =>
        Task.FromResult(log.Read(filter, before, Math.Max(1, max)));

    async Task IAuditSegment.Clear()
    {
        state.State.Entries.Clear();
        await clearer.WriteAsync();
        this.DeactivateOnIdle();
    }
}
