namespace Clearinghouse.Domain;

/// <summary>
/// Which hit reports a recipient has counted (<see cref="RecipientState.HitReports"/>), so that a report sent again
/// because its answer was lost (the grain counted it, the reporter saw a failure) is not counted twice. The receipts
/// are persisted with the hits: after a failed write the grain reloads both, and a report whose count was lost with the
/// write is counted when it is sent again. Bounded: receipts older than <paramref name="retention"/> (far longer than a
/// reporter retries) are dropped, and at most <paramref name="maxReceipts"/> are kept (the oldest go first).
/// </summary>
public sealed class HitReportLedger(List<HitReportReceipt> receipts, TimeSpan retention, int maxReceipts)
{
    public const int DefaultMaxReceipts = 512;
    public static readonly TimeSpan DefaultRetention = TimeSpan.FromMinutes(5);

    /// <summary>True the first time <paramref name="id"/> is seen (record it and count its hits); false for a repeat.</summary>
    public bool TryRecord(HitReportId id, DateTimeOffset now)
    {
        Prune(now);
        if (receipts.Exists(r => r.Sequence == id.Sequence && r.Reporter == id.Reporter))
        {
            return false;
        }

        receipts.Add(new HitReportReceipt(id.Reporter, id.Sequence, now));
        if (receipts.Count > maxReceipts)
        {
            receipts.RemoveRange(0, receipts.Count - maxReceipts);
        }

        return true;
    }

    // Receipts are added in time order: the expired ones are at the front.
    private void Prune(DateTimeOffset now)
    {
        var expired = receipts.FindIndex(r => now - r.CountedAt < retention);
        receipts.RemoveRange(0, expired < 0 ? receipts.Count : expired);
    }
}
