using Clearinghouse.Contracts;
using Clearinghouse.Domain;
using Clearinghouse.Grains.Persistence;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Clearinghouse.Grains.Audit;

/// <summary>
/// The audit trail's head (see <see cref="IAuditTrail"/>). Not reentrant: events are numbered and appended one at a
/// time. Its own state changes only when the trail starts and when a segment fills up; it writes through the shared
/// <see cref="StateWriter"/> (persist, or reload). An event appended again after a failure lands once in its segment.
/// </summary>
public sealed class AuditTrailGrain(
    [PersistentState("audit-trail", StorageNames.Clearinghouse)] IPersistentState<AuditTrailState> state,
    IOptions<AuditOptions> options,
    [FromKeyedServices(ClearinghouseClock.Key)] TimeProvider clock,
    ILogger<AuditTrailGrain> logger) : Grain, IAuditTrail
{
    private StateWriter writer = null!;

    private AuditTrailState Head => state.State;

    public override Task OnActivateAsync(CancellationToken cancellationToken)
    {
        writer = new StateWriter(GrainContext, state, logger);
        return Task.CompletedTask;
    }

    async Task<AuditEntry> IAuditTrail.Append(AuditEvent auditEvent)
    {
        ArgumentNullException.ThrowIfNull(auditEvent);
        writer.EnsureTrusted();
        if (Head.SegmentSize == 0)
        {
            // Fix the segment size before the first entry is numbered with it.
            Head.SegmentSize = Math.Max(1, options.Value.SegmentSize);
            await writer.WriteAsync();
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
        Head.Current++;
        await writer.WriteAsync();
        var retained = Math.Max(1, options.Value.RetainedSegments);
        while (Head.Current - Head.Oldest + 1 > retained)
        {
            await GrainFactory.GetGrain<IAuditSegment>(Head.Oldest).Clear();
            Head.Oldest++;
            await writer.WriteAsync();
        }
    }
}
