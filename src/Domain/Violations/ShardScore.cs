namespace Clearinghouse.Domain;

/// <summary>A sender's score as a ranking shard keeps it: the weighted-recipient score and the hour it was computed in.</summary>
[GenerateSerializer, Immutable]
public sealed record ShardScore(
    [property: Id(0)] string Sender,
    [property: Id(1)] double Score,
    [property: Id(2)] long Hour);
