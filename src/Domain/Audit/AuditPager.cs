namespace Clearinghouse.Domain;

/// <summary>
/// Reads a page of the audit trail, newest first, segment by segment from the newest down. A page reads at most
/// <see cref="MaxSegmentsPerPage"/> segments, so that a filter matching little costs a bounded amount per call: such a
/// page may hold fewer entries than asked, with a token to go on. Reading stops below <see cref="AuditFilter.Since"/>.
/// </summary>
public static class AuditPager
{
    public const int MaxSegmentsPerPage = 16;

    /// <summary>Up to <paramref name="pageSize"/> entries below sequence <paramref name="before"/> (null: the newest); <paramref name="readSegment"/> reads (segment, below, max).</summary>
    public static async Task<AuditPage> ReadAsync(AuditHead head, AuditFilter filter, long? before, int pageSize, Func<long, long, int, Task<AuditSegmentRead>> readSegment)
    {
        ArgumentNullException.ThrowIfNull(head);
        ArgumentNullException.ThrowIfNull(filter);
        ArgumentNullException.ThrowIfNull(readSegment);
        var entries = new List<AuditEntry>();
        var below = before ?? long.MaxValue;
        if (below <= 1)
        {
            return new AuditPage(entries, null);
        }

        var segment = before is null ? head.Current : Math.Min(head.Current, head.SegmentOf(below - 1));
        for (var scanned = 0; segment >= head.Oldest; scanned++, segment--)
        {
            if (scanned == MaxSegmentsPerPage)
            {
                return new AuditPage(entries, head.FirstSequenceOf(segment + 1));
            }

            var read = await readSegment(segment, below, pageSize - entries.Count);
            entries.AddRange(read.Entries);
            if (read.More)
            {
                return new AuditPage(entries, entries[^1].Sequence);
            }

            if (filter.Since is { } since && read.OldestAt is { } oldest && oldest < since)
            {
                return new AuditPage(entries, null);
            }

            if (entries.Count == pageSize)
            {
                return new AuditPage(entries, segment > head.Oldest ? head.FirstSequenceOf(segment) : null);
            }

            below = long.MaxValue;
        }

        return new AuditPage(entries, null);
    }
}
