using Clearinghouse.Domain;
using Orleans.Concurrency;

namespace Clearinghouse.Contracts;

/// <summary>
/// The audit trail's head. Key: 0. Numbers and stamps each event and appends it to the current segment
/// (<see cref="IAuditSegment"/>), starting a new segment when that one is full and deleting the oldest beyond the
/// retained number, so the trail stays bounded and no single grain state grows without end. Operators read it
/// segment by segment from <see cref="GetHead"/>.
/// </summary>
public interface IAuditTrail : IGrainWithIntegerKey
{
    /// <summary>Records <paramref name="auditEvent"/>; answered once it is persisted.</summary>
    Task<AuditEntry> Append(AuditEvent auditEvent);

    [ReadOnly]
    Task<AuditHead> GetHead();
}
