using System.Buffers;
using System.Buffers.Binary;
using System.Globalization;
using System.Net;
using System.Net.Sockets;

namespace Clearinghouse.Domain;

/// <summary>
/// An IPv4 or IPv6 network written in CIDR form (<c>192.0.2.0/24</c>, <c>2001:db8::/32</c>); a bare address is a
/// /32 or /128. Parsing is strict: the address must be written in full (no <c>10.1</c> shorthand), the prefix length
/// within 0–32 or 0–128, and no bits set beyond the prefix.
/// </summary>
public readonly record struct IpPrefix(IPAddress Network, int Length)
{
    private static readonly SearchValues<char> HexDigitsAndColon = SearchValues.Create("0123456789abcdefABCDEF:");

    public int MaxLength => Network.AddressFamily == AddressFamily.InterNetwork ? 32 : 128;

    public override string ToString() => string.Create(CultureInfo.InvariantCulture, $"{Network}/{Length}");

    public bool Contains(IPAddress address) =>
        address.AddressFamily == Network.AddressFamily && SharePrefix(address, Network, Length);

    /// <summary>True when the first <paramref name="length"/> bits of two addresses of the same family are equal.</summary>
    public static bool SharePrefix(IPAddress a, IPAddress b, int length)
    {
        Span<byte> x = stackalloc byte[16];
        Span<byte> y = stackalloc byte[16];
        if (!a.TryWriteBytes(x, out var lengthX) || !b.TryWriteBytes(y, out var lengthY) || lengthX != lengthY)
        {
            return false;
        }

        var fullBytes = length / 8;
        if (!x[..fullBytes].SequenceEqual(y[..fullBytes]))
        {
            return false;
        }

        var remainingBits = length % 8;
        if (remainingBits == 0)
        {
            return true;
        }

        var mask = (byte)(0xff << (8 - remainingBits));
        return (x[fullBytes] & mask) == (y[fullBytes] & mask);
    }

    /// <summary>An IPv4-mapped IPv6 address (<c>::ffff:192.0.2.1</c>) as the IPv4 address it stands for.</summary>
    public static IPAddress Canonical(IPAddress address) => address.IsIPv4MappedToIPv6 ? address.MapToIPv4() : address;

    /// <summary>
    /// Parses an IP address written in full: a dotted quad of decimal numbers 0-255 without leading zeros, or IPv6 text
    /// (hex groups, <c>::</c>, a dotted quad at the end) without brackets, zone or port. <see cref="IPAddress.TryParse(ReadOnlySpan{char}, out IPAddress?)"/>
    /// alone also takes <c>010.0.0.1</c> as octal (8.0.0.1), <c>0x7f.1</c>, <c>10.1</c> and <c>[::1]:25</c>.
    /// </summary>
    public static bool TryParseAddress(ReadOnlySpan<char> text, out IPAddress address, out string problem)
    {
        address = IPAddress.None;
        text = text.Trim();
        if (text.IsEmpty)
        {
            problem = "is required";
            return false;
        }

        if (!IsWrittenInFull(text) || !IPAddress.TryParse(text, out var parsed))
        {
            problem = $"'{text}' is not an IP address (IPv4: four decimal numbers 0-255 without leading zeros)";
            return false;
        }

        address = Canonical(parsed);
        problem = "";
        return true;
    }

    public static bool TryParse(ReadOnlySpan<char> text, out IpPrefix prefix, out string problem)
    {
        prefix = default;
        text = text.Trim();
        var slash = text.IndexOf('/');
        var addressText = slash >= 0 ? text[..slash] : text;
        if (!TryParseAddress(addressText, out var address, out problem))
        {
            problem = $"'{text}' is not a valid IP address or CIDR";
            return false;
        }

        var max = address.AddressFamily == AddressFamily.InterNetwork ? 32 : 128;
        var length = max;
        if (slash >= 0)
        {
            var lengthText = text[(slash + 1)..];
            if (!int.TryParse(lengthText, NumberStyles.None, CultureInfo.InvariantCulture, out length))
            {
                problem = $"'{text}' is not a valid CIDR: the prefix length '{lengthText}' is not a number";
                return false;
            }

            if (length > max)
            {
                problem = $"prefix length {length} is out of range 0-{max} for '{text}'";
                return false;
            }
        }

        var network = Mask(address, length);
        if (!network.Equals(address))
        {
            problem = $"'{text}' has bits set beyond the prefix length; the network is {network}/{length}";
            return false;
        }

        prefix = new IpPrefix(network, length);
        problem = "";
        return true;
    }

    // Only hex digits, ':' and '.' in IPv6 text, and any dotted quad (IPv4, or the end of IPv6 text) strictly decimal.
    private static bool IsWrittenInFull(ReadOnlySpan<char> text)
    {
        var lastColon = text.LastIndexOf(':');
        if (lastColon >= 0 && !text[..lastColon].ContainsAnyExcept(HexDigitsAndColon))
        {
            var tail = text[(lastColon + 1)..];
            return tail.Contains('.') ? IsDottedQuad(tail) : !tail.ContainsAnyExcept(HexDigitsAndColon);
        }

        return lastColon < 0 && IsDottedQuad(text);
    }

    private static bool IsDottedQuad(ReadOnlySpan<char> text)
    {
        var parts = 0;
        foreach (var range in text.Split('.'))
        {
            var part = text[range];
            if (++parts > 4 || part.Length is 0 or > 3 || part.ContainsAnyExceptInRange('0', '9') || (part.Length > 1 && part[0] == '0')
                || int.Parse(part, CultureInfo.InvariantCulture) > 255)
            {
                return false;
            }
        }

        return parts == 4;
    }

    /// <summary>An IPv4 address as a 32-bit number (most significant octet first).</summary>
    public static uint ToUInt32(IPAddress address)
    {
        Span<byte> bytes = stackalloc byte[4];
        address.TryWriteBytes(bytes, out _);
        return BinaryPrimitives.ReadUInt32BigEndian(bytes);
    }

    /// <summary>An IPv6 address as a 128-bit number.</summary>
    public static UInt128 ToUInt128(IPAddress address)
    {
        Span<byte> bytes = stackalloc byte[16];
        address.TryWriteBytes(bytes, out _);
        return BinaryPrimitives.ReadUInt128BigEndian(bytes);
    }

    public static IPAddress Mask(IPAddress address, int length)
    {
        Span<byte> bytes = stackalloc byte[16];
        address.TryWriteBytes(bytes, out var count);
        bytes = bytes[..count];
        for (var i = 0; i < bytes.Length; i++)
        {
            var bitsHere = Math.Clamp(length - (i * 8), 0, 8);
            bytes[i] &= (byte)(0xff << (8 - bitsHere));
        }

        return new IPAddress(bytes);
    }
}
