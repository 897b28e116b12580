namespace Clearinghouse.Grains.Persistence;

/// <summary>The head of an <see cref="EventLog{TSnapshot, TEvent, TItem}"/>: its last checkpoint. Add new fields at the end with new ids.</summary>
[GenerateSerializer]
public sealed class LogHead<TSnapshot>
{
    /// <summary>The last event batch the snapshot and the chunks include; later batches are in the slots.</summary>
    [Id(0)]
    public long CheckpointSeq { get; set; }

    /// <summary>The chunks stored, oldest first.</summary>
    [Id(1)]
    public List<LogChunkInfo> Chunks { get; set; } = [];

    [Id(2)]
    public TSnapshot? Snapshot { get; set; }
}
