namespace Clearinghouse.Grains.Persistence;

/// <summary>One event batch in a slot of an <see cref="EventLog{TSnapshot, TEvent, TItem}"/>'s ring.</summary>
[GenerateSerializer]
public sealed class LogSlot<TEvent>
{
    [Id(0)]
    public long Seq { get; set; }

    [Id(1)]
    public List<TEvent> Events { get; set; } = [];
}
