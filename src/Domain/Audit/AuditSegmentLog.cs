namespace Clearinghouse.Domain;

/// <summary>
/// One segment of the audit trail: at most a fixed number of entries, numbered on from the segment's first sequence
/// number (<c>segment × size + 1</c>), oldest first. Not thread-safe.
/// </summary>
public sealed class AuditSegmentLog(long segment, List<AuditEntry> entries)
{
    public int Count => entries.Count;

    /// <summary>
    /// Appends and returns the stamped entry (or the entry already holding this event), or null when the segment
    /// already holds <paramref name="capacity"/> entries.
    /// </summary>
    public AuditEntry? TryAppend(AuditEvent auditEvent, DateTimeOffset at, int capacity)
    {
        if (entries.Find(e => e.Event.EventId == auditEvent.EventId) is { } recorded)
        {
            return recorded;
        }

        if (entries.Count >= capacity)
        {
            return null;
        }

        var entry = new AuditEntry((segment * capacity) + entries.Count + 1, at, auditEvent);
        entries.Add(entry);
        return entry;
    }

    /// <summary>Up to <paramref name="max"/> entries below sequence <paramref name="before"/> that match, newest first.</summary>
    public AuditSegmentRead Read(AuditFilter filter, long before, int max)
    {
        var found = new List<AuditEntry>();
        for (var i = entries.Count - 1; i >= 0; i--)
        {
            var entry = entries[i];
            if (entry.Sequence >= before || !filter.Matches(entry))
            {
                continue;
            }

            if (found.Count == max)
            {
                return new AuditSegmentRead(found, More: true, entries.Count > 0 ? entries[0].At : null);
            }

            found.Add(entry);
        }

        return new AuditSegmentRead(found, More: false, entries.Count > 0 ? entries[0].At : null);
    }
}
