namespace Clearinghouse.Domain;

/// <summary>A hit report a recipient counted, kept (persisted with the hits) so that the same report sent again is not counted twice.</summary>
[GenerateSerializer]
public sealed record HitReportReceipt(
    [property: Id(0)] string Reporter,
    [property: Id(1)] long Sequence,
    [property: Id(2)] DateTimeOffset CountedAt);
