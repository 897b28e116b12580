namespace Clearinghouse.Grains.Violations;

/// <summary>A shard's persisted scores. Add new fields at the end with new ids.</summary>
[GenerateSerializer]
public sealed class ShardState
{
    [Id(0)]
    public Dictionary<string, ShardScore> Scores { get; set; } = [];
}
