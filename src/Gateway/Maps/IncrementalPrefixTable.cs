using System.Collections.Concurrent;
using System.Numerics;

namespace Clearinghouse.Gateway.Maps;

/// <summary>
/// Longest-prefix match over the networks of one address family (<typeparamref name="TBits"/>: <see cref="uint"/> for
/// IPv4, <see cref="UInt128"/> for IPv6), changed in place: one concurrent hash table per prefix length, probed from
/// the longest length in use down. An add or a remove writes one table entry (and, when a length comes into or goes
/// out of use, republishes the few lengths in use), whatever the number of networks. One writer at a time; lookups
/// take no lock and run beside the writer, each seeing a network either before or after the change that adds or
/// removes it. A caller that needs a lookup to see one version across several changes wraps it (as
/// <c>FilterListIndex</c> does).
/// </summary>
public sealed class IncrementalPrefixTable<TBits, TValue>(int bits)
    where TBits : struct, IBinaryInteger<TBits>
    where TValue : class
{
    // A length's table, once created, is never dropped: a lookup may still hold a list of lengths that includes it.
    private readonly ConcurrentDictionary<TBits, TValue>?[] byLength = new ConcurrentDictionary<TBits, TValue>?[bits + 1];
    private readonly int[] countByLength = new int[bits + 1];
    private volatile int[] lengthsInUse = [];

    /// <summary>How many networks are held (kept by the writer).</summary>
    public int Count { get; private set; }

    /// <summary>Adds or replaces the value of a network (its bits beyond <paramref name="length"/> are ignored); true when it is new.</summary>
    public bool Set(TBits network, int length, TValue value)
    {
        var table = byLength[length] ??= new ConcurrentDictionary<TBits, TValue>();
        if (!table.TryAdd(Mask(network, length), value))
        {
            table[Mask(network, length)] = value;
            return false;
        }

        Count++;
        if (countByLength[length]++ == 0)
        {
            RefreshLengths();
        }

        return true;
    }

    /// <summary>Removes a network; true when it was held.</summary>
    public bool Remove(TBits network, int length)
    {
        if (byLength[length]?.TryRemove(Mask(network, length), out _) != true)
        {
            return false;
        }

        Count--;
        if (--countByLength[length] == 0)
        {
            RefreshLengths();
        }

        return true;
    }

    /// <summary>The value of the longest network of at most <paramref name="maxLength"/> bits containing <paramref name="address"/>.</summary>
    public TValue? Match(TBits address, int maxLength)
    {
        foreach (var length in lengthsInUse)
        {
            if (length <= maxLength && byLength[length]!.TryGetValue(Mask(address, length), out var value))
            {
                return value;
            }
        }

        return null;
    }

    /// <summary>The first <paramref name="length"/> bits of <paramref name="value"/>, the rest cleared.</summary>
    public TBits Mask(TBits value, int length) =>
        length == 0 ? TBits.Zero : value & (TBits.AllBitsSet << (bits - length));

    // Longest first. Costs the number of possible lengths (33 or 129), and runs only when a length comes or goes.
    private void RefreshLengths() =>
        lengthsInUse = [.. Enumerable.Range(0, bits + 1).Where(l => countByLength[l] > 0).Reverse()];
}
