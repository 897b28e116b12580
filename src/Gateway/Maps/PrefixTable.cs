using System.Net;
using System.Net.Sockets;
using Clearinghouse.Domain;

namespace Clearinghouse.Gateway.Maps;

/// <summary>
/// Longest-prefix match over IPv4 and IPv6 networks: one hash table per prefix length in use, probed from the longest
/// length down, so a lookup costs at most one hash probe per distinct length (at most 33 for IPv4, 129 for IPv6, far
/// fewer in practice) whatever the number of prefixes. Immutable once built.
/// </summary>
public sealed class PrefixTable<T>
    where T : class
{
    private readonly Dictionary<uint, T>?[] v4 = new Dictionary<uint, T>?[33];
    private readonly Dictionary<UInt128, T>?[] v6 = new Dictionary<UInt128, T>?[129];
    private readonly int[] v4Lengths;
    private readonly int[] v6Lengths;

    public PrefixTable(IEnumerable<(IpPrefix Prefix, T Value)> entries)
    {
        foreach (var (prefix, value) in entries)
        {
            if (prefix.Network.AddressFamily == AddressFamily.InterNetwork)
            {
                (v4[prefix.Length] ??= []).TryAdd(Mask(ToUInt32(prefix.Network), prefix.Length), value);
            }
            else
            {
                (v6[prefix.Length] ??= []).TryAdd(Mask(ToUInt128(prefix.Network), prefix.Length), value);
            }

            Count++;
        }

        v4Lengths = Enumerable.Range(0, 33).Where(l => v4[l] is not null).Reverse().ToArray();
        v6Lengths = Enumerable.Range(0, 129).Where(l => v6[l] is not null).Reverse().ToArray();
    }

    public int Count { get; }

    /// <summary>The value of the longest prefix containing <paramref name="address"/>, and that prefix's length.</summary>
    public bool TryMatch(IPAddress address, out T value, out int length)
    {
        if (address.AddressFamily == AddressFamily.InterNetwork)
        {
            var key = ToUInt32(address);
            foreach (var l in v4Lengths)
            {
                if (v4[l]!.TryGetValue(Mask(key, l), out value!))
                {
                    length = l;
                    return true;
                }
            }
        }
        else if (address.AddressFamily == AddressFamily.InterNetworkV6)
        {
            var key = ToUInt128(address);
            foreach (var l in v6Lengths)
            {
                if (v6[l]!.TryGetValue(Mask(key, l), out value!))
                {
                    length = l;
                    return true;
                }
            }
        }

        value = null!;
        length = -1;
        return false;
    }

    private static uint Mask(uint value, int length) => length == 0 ? 0 : value & (uint.MaxValue << (32 - length));

    private static UInt128 Mask(UInt128 value, int length) => length == 0 ? UInt128.Zero : value & (UInt128.MaxValue << (128 - length));

    private static uint ToUInt32(IPAddress address) => IpPrefix.ToUInt32(address);

    private static UInt128 ToUInt128(IPAddress address) => IpPrefix.ToUInt128(address);
}
