namespace Clearinghouse.Domain;

/// <summary>
/// One recipient's rule for one sender pattern on one channel. Immutable: hit statistics live beside it in
/// <see cref="HitStatistics"/> so that counting hits never rewrites the record.
/// </summary>
[GenerateSerializer, Immutable]
public sealed record BlockingRecord(
    [property: Id(0)] string Id,
    [property: Id(1)] SenderPattern Pattern,
    [property: Id(2)] MessageChannel Channel,
    [property: Id(3)] RecordAction Action,
    [property: Id(4)] string Message,
    [property: Id(5)] int ThreatLevel,
    [property: Id(6)] DateTimeOffset CreatedAt,
    [property: Id(7)] RecordSource Source)
{
    public const int MaxThreatLevel = 9;
}

/// <summary>A record as the caller asks for it, validated by <see cref="RecordRequestValidator"/> before it reaches a grain.</summary>
[GenerateSerializer, Immutable]
public sealed record NewRecord(
    [property: Id(0)] SenderPattern Pattern,
    [property: Id(1)] MessageChannel Channel,
    [property: Id(2)] RecordAction Action,
    [property: Id(3)] string Message,
    [property: Id(4)] int ThreatLevel,
    [property: Id(5)] RecordSource Source);

/// <summary>A record together with its hit statistics, as listed back to its owner.</summary>
[GenerateSerializer, Immutable]
public sealed record RecordView(
    [property: Id(0)] BlockingRecord Record,
    [property: Id(1)] long HitCount,
    [property: Id(2)] DateTimeOffset? LastHitAt,
    [property: Id(3)] double DecayedHitRate);

/// <summary>
/// The outcome of adding a record: the stored record, whether it replaced one for the same pattern and channel, and
/// the entries evicted to make room (<see cref="Evictions"/>, in eviction order; <see cref="Evicted"/> is the last).
/// </summary>
[GenerateSerializer, Immutable]
public sealed record AddRecordResult(
    [property: Id(0)] BlockingRecord Record,
    [property: Id(1)] bool Replaced,
    [property: Id(2)] EvictedRecord? Evicted = null,
    [property: Id(3)] IReadOnlyList<EvictedRecord>? Evictions = null);
