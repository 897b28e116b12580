namespace Clearinghouse.Grains.Persistence;

/// <summary>A chunk of an <see cref="EventLog{TSnapshot, TEvent, TItem}"/>: items written once, never changed. Add new fields at the end with new ids.</summary>
[GenerateSerializer]
public sealed class LogChunk<TItem>
{
    /// <summary>The items as a list (chunks of logs without a codec, and every chunk stored before codecs).</summary>
    [Id(0)]
    public List<TItem> Items { get; set; } = [];

    /// <summary>The items in the log's <see cref="ILogItemCodec{TItem}"/> form, or null.</summary>
    [Id(1)]
    public byte[]? Packed { get; set; }

    /// <summary>The owner's number for the chunk (<see cref="LogChunkInfo.Tag"/>), for chunks numbered in the head's range.</summary>
    [Id(2)]
    public long Tag { get; set; }
}
