namespace Clearinghouse.Grains.Violations;

/// <summary>A ranking shard's snapshot: the scores themselves are in the checkpoint's chunks. Add new fields at the end with new ids.</summary>
[GenerateSerializer]
public sealed class ShardCheckpoint
{
    [Id(0)]
    public int Senders { get; set; }
}
