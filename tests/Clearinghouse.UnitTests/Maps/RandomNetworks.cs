using System.Net;
using Clearinghouse.Domain;

namespace Clearinghouse.UnitTests.Maps;

/// <summary>Random IPv4 and IPv6 networks and addresses for tests that compare a prefix table with a linear scan.</summary>
internal static class RandomNetworks
{
    /// <summary>A network of 8–32 bits (IPv4) or 16–128 bits (IPv6).</summary>
    public static IpPrefix Prefix(Random random, bool v6)
    {
        var length = v6 ? random.Next(16, 129) : random.Next(8, 33);
        return new IpPrefix(IpPrefix.Mask(Address(random, v6), length), length);
    }

    public static IPAddress Address(Random random, bool v6)
    {
        var bytes = new byte[v6 ? 16 : 4];
        random.NextBytes(bytes);
        return new IPAddress(bytes);
    }

    /// <summary>A random address inside <paramref name="prefix"/>.</summary>
    public static IPAddress Within(IpPrefix prefix, Random random)
    {
        var bytes = prefix.Network.GetAddressBytes();
        var noise = new byte[bytes.Length];
        random.NextBytes(noise);
        var mask = IpPrefix.Mask(new IPAddress(Enumerable.Repeat((byte)0xff, bytes.Length).ToArray()), prefix.Length).GetAddressBytes();
        for (var i = 0; i < bytes.Length; i++)
        {
            bytes[i] = (byte)((bytes[i] & mask[i]) | (noise[i] & ~mask[i]));
        }

        return new IPAddress(bytes);
    }
}
