namespace Clearinghouse.Domain;

/// <summary>
/// Hits a silo's read cache counted on one recipient's records, sent to its grain under an id that stays the same when
/// the report is sent again: the grain counts each id once (<see cref="HitReportLedger"/>).
/// </summary>
[GenerateSerializer, Immutable]
public sealed record HitReport(
    [property: Id(0)] HitReportId Id,
    [property: Id(1)] RecordHitCount[] Hits);

/// <summary>A hit report's id: the reporting silo incarnation (its address with its generation) and its sequence number there.</summary>
[GenerateSerializer, Immutable]
public readonly record struct HitReportId(
    [property: Id(0)] string Reporter,
    [property: Id(1)] long Sequence);
