using Clearinghouse.Domain;
using Orleans.Concurrency;

namespace Clearinghouse.Contracts;

/// <summary>One segment of the audit trail (see <see cref="IAuditTrail"/>). Key: the segment number, from 0.</summary>
public interface IAuditSegment : IGrainWithIntegerKey
{
    /// <summary>Appends, once persisted, or returns null when the segment holds <paramref name="capacity"/> entries already.</summary>
    Task<AuditEntry?> Append(AuditEvent auditEvent, DateTimeOffset at, int capacity);

    /// <summary>Up to <paramref name="max"/> matching entries below sequence <paramref name="before"/>, newest first.</summary>
    [ReadOnly]
    Task<AuditSegmentRead> Read(AuditFilter filter, long before, int max);

    /// <summary>Deletes the segment's entries (it has fallen out of the retained ones).</summary>
    Task Clear();
}
