namespace Clearinghouse.Domain;

/// <summary>Hits of one record counted somewhere other than its grain (a silo's read cache), sent to the grain in batches.</summary>
[GenerateSerializer, Immutable]
public sealed record RecordHitCount(
    [property: Id(0)] string RecordId,
    [property: Id(1)] long Count,
    [property: Id(2)] DateTimeOffset LastHit);
