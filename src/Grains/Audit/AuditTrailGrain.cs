using Clearinghouse.Contracts;
using Clearinghouse.Domain;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;

namespace Clearinghouse.Grains.Audit;

/// <summary>
/// The audit trail's head (see <see cref="IAuditTrail"/>). Not reentrant: events are numbered and appended one at a
/// time. Its own state changes only when a segment fills up; a failed write restores the previous head in memory and
/// deactivates the grain, so the next call reloads it.
/// </summary>
public sealed class AuditTrailGrain(
    [PersistentState("audit-trail", StorageNames.Clearinghouse)] IPersistentState<AuditTrailState> state,
    IOptions<AuditOptions> options,
    [FromKeyedServices(ClearinghouseClock.Key)] TimeProvider clock) : Grain, IAuditTrail
{
    private AuditTrailState Head => state.State;

    async Task<AuditEntry> IAuditTrail.Append(AuditEvent auditEvent)
    {
        ArgumentNullException.ThrowIfNull(auditEvent);
        if (!state.RecordExists)
        {
            // Fix the segment size before the first entry is numbered with it.
            await PersistAsync(() => Head.SegmentSize = Math.Max(1, options.Value.SegmentSize));
        }

        var at = clock.GetUtcNow();
        if (await CurrentSegment().Append(auditEvent, at, Head.SegmentSize) is { } entry)
        {
            return entry;
        }

        await StartNextSegmentAsync();
        return await CurrentSegment().Append(auditEvent, at, Head.SegmentSize)
            ?? throw new InvalidOperationException($"audit segment {Head.Current} is full as soon as it starts");
    }

    Task<AuditHead> IAuditTrail.GetHead() =>
        Task.FromResult(new AuditHead(Head.SegmentSize > 0 ? Head.SegmentSize : Math.Max(1, options.Value.SegmentSize), Head.Oldest, Head.Current));

    private IAuditSegment CurrentSegment() => GrainFactory.GetGrain<IAuditSegment>(Head.Current);

    private async Task StartNextSegmentAsync()
    {
        await PersistAsync(() => Head.Current++);
        var retained = Math.Max(1, options.Value.RetainedSegments);
        while (Head.Current - Head.Oldest + 1 > retained)
        {
            await GrainFactory.GetGrain<IAuditSegment>(Head.Oldest).Clear();
            await PersistAsync(() => Head.Oldest++);
        }
    }

    private async Task PersistAsync(Action change)
    {
        var before = (Head.SegmentSize, Head.Current, Head.Oldest);
        change();
        try
        {
            await state.WriteStateAsync();
        }
        catch
        {
            (Head.SegmentSize, Head.Current, Head.Oldest) = before;
            this.DeactivateOnIdle();
            throw;
        }
    }
}
