using Clearinghouse.Domain;

namespace Clearinghouse.Grains.Recipients.Cache;

/// <summary>
/// One copy in a batch of lease renewals: the recipient, the version the copy holds, and the hits it counted since its
/// last report with the report id they go under (kept if the holder sends them again by a grain call).
/// </summary>
[GenerateSerializer, Immutable]
public sealed record CopyRenewal(
    [property: Id(0)] string RecipientKey,
    [property: Id(1)] RecipientSnapshotVersion Version,
    [property: Id(2)] RecordHitCount[]? Hits,
    [property: Id(3)] HitReportId? HitsReportId = null)
{
    /// <summary>The hits as a report; a renewal with hits but no id (from a silo of an earlier version) is refused.</summary>
    public HitReport? HitReport => Hits is { Length: > 0 } hits
        ? new HitReport(HitsReportId ?? throw new ArgumentException("a renewal carrying hits must carry their report id", nameof(HitsReportId)), hits)
        : null;
}
