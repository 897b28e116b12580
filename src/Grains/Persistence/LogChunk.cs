namespace Clearinghouse.Grains.Persistence;

/// <summary>A chunk of an <see cref="EventLog{TSnapshot, TEvent, TItem}"/>: items written once, never changed.</summary>
[GenerateSerializer]
public sealed class LogChunk<TItem>
{
    [Id(0)]
    public List<TItem> Items { get; set; } = [];
}
