namespace Clearinghouse.Grains.Violations;

/// <summary>A sender's last known score in a shard.</summary>
[GenerateSerializer]
public sealed class ShardScore
{
    [Id(0)]
    public double Score { get; set; }

    /// <summary>The hour (since the epoch) the score was computed in; it decays from there.</summary>
    [Id(1)]
    public long Hour { get; set; }
}
