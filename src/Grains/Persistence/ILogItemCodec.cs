namespace Clearinghouse.Grains.Persistence;

/// <summary>
/// A compact stored form for the items of an <see cref="EventLog{TSnapshot, TEvent, TItem}"/>'s chunks (instead of
/// a serialized list). A log given one still reads chunks stored as lists.
/// </summary>
public interface ILogItemCodec<TItem>
{
    byte[] Pack(IReadOnlyList<TItem> items);

    List<TItem> Unpack(byte[] packed);
}
