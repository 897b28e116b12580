namespace Clearinghouse.Grains.Persistence;

/// <summary>The head of an <see cref="EventLog{TSnapshot, TEvent, TItem}"/>: its last checkpoint. Add new fields at the end with new ids.</summary>
[GenerateSerializer]
public sealed class LogHead<TSnapshot>
{
    /// <summary>The last event batch the snapshot and the chunks include; later batches are in the slots.</summary>
    [Id(0)]
    public long CheckpointSeq { get; set; }

    /// <summary>
    /// Chunks listed one by one, oldest first: those stored before chunks were numbered (they are read and dropped as
    /// before; no new chunk is listed here).
    /// </summary>
    [Id(1)]
    public List<LogChunkInfo> Chunks { get; set; } = [];

    [Id(2)]
    public TSnapshot? Snapshot { get; set; }

    /// <summary>The oldest numbered chunk kept: numbered chunks are <see cref="FirstChunk"/> up to <see cref="NextChunk"/> (excluded), after the listed ones.</summary>
    [Id(3)]
    public long FirstChunk { get; set; }

    /// <summary>The number the next chunk gets. Numbered chunks keep the head's size independent of how many there are.</summary>
    [Id(4)]
    public long NextChunk { get; set; }
}
