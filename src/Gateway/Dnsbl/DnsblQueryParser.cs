using System.Globalization;
using System.Net;
using Clearinghouse.Domain;

namespace Clearinghouse.Gateway.Dnsbl;

public enum DnsblZoneKind
{
    /// <summary>IP entries: IPv4 as reversed octets, IPv6 as 32 reversed nibbles (RFC 5782 section 2).</summary>
    Ip,

    /// <summary>Domain entries (RHSBL, RFC 5782 section 3): an entry covers its subdomains.</summary>
    Domain,

    /// <summary>Address entries by hex SHA-1 (40) or base32 SHA-256 (52) of the normalised address.</summary>
    Address,
}

/// <summary>One served zone: its kind and its name (lower case, no trailing dot).</summary>
public sealed class DnsblZone
{
    public DnsblZone(DnsblZoneKind kind, string name)
    {
        Kind = kind;
        Name = name.Trim().TrimEnd('.').ToLowerInvariant();
        Labels = Name.Split('.');
        if (Name.Length == 0 || Labels.Any(label => label.Length is 0 or > 63))
        {
            throw new ArgumentException($"'{name}' is not a zone name", nameof(name));
        }
    }

    public DnsblZoneKind Kind { get; }

    public string Name { get; }

    public string[] Labels { get; }
}

/// <summary>The zones a server answers for, and whether query names carry an access key.</summary>
public sealed class DnsblZones(IEnumerable<DnsblZone> zones, bool requireAccessKey)
{
    public IReadOnlyList<DnsblZone> All { get; } = [.. zones.OrderByDescending(z => z.Labels.Length)];

    public bool RequireAccessKey { get; } = requireAccessKey;
}

public enum DnsblQueryKind
{
    /// <summary>Not a DNS name (an empty or over-long label): FORMERR.</summary>
    Malformed,

    /// <summary>Under none of the zones: REFUSED.</summary>
    OutsideZones,

    /// <summary>A zone's apex: SOA and NS.</summary>
    Apex,

    /// <summary>An access key and nothing below it: an empty non-terminal (or REFUSED for an unknown key).</summary>
    AccessKeyOnly,

    /// <summary>A name of the zone that no entry can have (not an IP, not a hash): NXDOMAIN.</summary>
    NotListable,

    /// <summary>An IPv4 and/or IPv6 address (full length) or the prefix a partial name stands for (an empty non-terminal if anything is listed under it).</summary>
    Ip,

    /// <summary>A domain name (lower case) in the domain zone.</summary>
    Domain,

    /// <summary>A hex SHA-1 (lower case) in the address zone.</summary>
    AddressSha1,

    /// <summary>A base32 SHA-256 (lower case) in the address zone.</summary>
    AddressSha256,
}

/// <summary>
/// What a query name asks: which zone, which access key, and the subject in the zone's own terms. For
/// <see cref="DnsblQueryKind.Ip"/>, <see cref="V4"/> and <see cref="V6"/> are the readings of the name that are
/// valid: a full address (/32, /128), or for fewer labels the network they stand for (both when every label is a
/// single digit, which reads as octets and as nibbles). An IPv4-mapped IPv6 address reads as its IPv4 address.
/// </summary>
public sealed record DnsblQuery(DnsblQueryKind Kind, DnsblZone? Zone = null, string? AccessKey = null)
{
    public IpPrefix? V4 { get; init; }

    public IpPrefix? V6 { get; init; }

    /// <summary>The domain name or hash, lower case.</summary>
    public string Subject { get; init; } = "";
}

/// <summary>
/// Reads a DNS blocklist query name into a <see cref="DnsblQuery"/>. A pure function of the name (its labels, or its
/// text with or without a trailing dot) and the zones: nothing is looked up, nothing is thrown. Case-insensitive.
/// With <see cref="DnsblZones.RequireAccessKey"/>, the label just left of the zone is the access key.
/// </summary>
public static class DnsblQueryParser
{
    public static DnsblQuery Parse(string name, DnsblZones zones)
    {
        var text = name.EndsWith('.') ? name[..^1] : name;
        if (text.Length is 0 or > 253)
        {
            return new DnsblQuery(DnsblQueryKind.Malformed);
        }

        return Parse(text.Split('.'), zones);
    }

    public static DnsblQuery Parse(IReadOnlyList<string> labels, DnsblZones zones)
    {
        if (labels.Any(label => label.Length is 0 or > 63))
        {
            return new DnsblQuery(DnsblQueryKind.Malformed);
        }

        var zone = zones.All.FirstOrDefault(z => IsUnder(labels, z.Labels));
        if (zone is null)
        {
            return new DnsblQuery(DnsblQueryKind.OutsideZones);
        }

        var subject = labels.Take(labels.Count - zone.Labels.Length).Select(AsciiLower).ToArray();
        string? key = null;
        if (zones.RequireAccessKey && subject.Length > 0)
        {
            key = subject[^1];
            subject = subject[..^1];
            if (subject.Length == 0)
            {
                return new DnsblQuery(DnsblQueryKind.AccessKeyOnly, zone, key);
            }
        }

        if (subject.Length == 0)
        {
            return new DnsblQuery(DnsblQueryKind.Apex, zone);
        }

        return zone.Kind switch
        {
            DnsblZoneKind.Ip => ParseIp(subject, zone, key),
            DnsblZoneKind.Domain => ParseDomain(subject, zone, key),
            _ => ParseHash(subject, zone, key),
        };
    }

    // DNS names compare case-insensitively in ASCII only (RFC 4343): a culture's or Unicode's case mapping would
    // read "\u212A" (KELVIN SIGN) as "k" and answer for a name nobody listed.
    private static string AsciiLower(string label) =>
        string.Create(label.Length, label, static (chars, text) =>
        {
            for (var i = 0; i < text.Length; i++)
            {
                chars[i] = char.IsAsciiLetterUpper(text[i]) ? (char)(text[i] | 0x20) : text[i];
            }
        });

    private static bool IsUnder(IReadOnlyList<string> labels, string[] zone)
    {
        if (labels.Count < zone.Length)
        {
            return false;
        }

        var offset = labels.Count - zone.Length;
        for (var i = 0; i < zone.Length; i++)
        {
            if (!labels[offset + i].Equals(zone[i], StringComparison.OrdinalIgnoreCase))
            {
                return false;
            }
        }

        return true;
    }

    private static DnsblQuery ParseIp(string[] reversed, DnsblZone zone, string? key)
    {
        var v4 = reversed.Length <= 4 ? ReadOctets(reversed) : null;
        var v6 = reversed.Length <= 32 ? ReadNibbles(reversed) : null;
        if (v4 is null && v6 is null)
        {
            return new DnsblQuery(DnsblQueryKind.NotListable, zone, key);
        }

        if (v6 is { Length: 128 } mapped && mapped.Network.IsIPv4MappedToIPv6)
        {
            (v4, v6) = (new IpPrefix(mapped.Network.MapToIPv4(), 32), null);
        }

        return new DnsblQuery(DnsblQueryKind.Ip, zone, key) { V4 = v4, V6 = v6 };
    }

    // Decimal octets 0-255 without leading zeros, most significant last.
    private static IpPrefix? ReadOctets(string[] reversed)
    {
        Span<byte> bytes = stackalloc byte[4];
        for (var i = 0; i < reversed.Length; i++)
        {
            var label = reversed[reversed.Length - 1 - i];
            if (label.Length > 3 || (label.Length > 1 && label[0] == '0') || !label.All(char.IsAsciiDigit)
                || !byte.TryParse(label, NumberStyles.None, CultureInfo.InvariantCulture, out bytes[i]))
            {
                return null;
            }
        }

        return new IpPrefix(new IPAddress(bytes), reversed.Length * 8);
    }

    // Single hex digits, most significant last.
    private static IpPrefix? ReadNibbles(string[] reversed)
    {
        Span<byte> bytes = stackalloc byte[16];
        for (var i = 0; i < reversed.Length; i++)
        {
            var label = reversed[reversed.Length - 1 - i];
            if (label.Length != 1 || !char.IsAsciiHexDigit(label[0]))
            {
                return null;
            }

            var nibble = (byte)Convert.ToInt32(label, 16);
            bytes[i / 2] |= (byte)(i % 2 == 0 ? nibble << 4 : nibble);
        }

        return new IpPrefix(new IPAddress(bytes), reversed.Length * 4);
    }

    private static DnsblQuery ParseDomain(string[] labels, DnsblZone zone, string? key)
    {
        // Host names (letters, digits, hyphens; underscores for service names), IDNs in their A-label form.
        if (labels.Any(label => !label.All(c => char.IsAsciiLetterOrDigit(c) || c is '-' or '_')))
        {
            return new DnsblQuery(DnsblQueryKind.NotListable, zone, key);
        }

        return new DnsblQuery(DnsblQueryKind.Domain, zone, key) { Subject = string.Join('.', labels) };
    }

    private static DnsblQuery ParseHash(string[] labels, DnsblZone zone, string? key)
    {
        if (labels.Length == 1)
        {
            var label = labels[0];
            if (label.Length == HashedAddressForms.Sha1HexLength && label.All(char.IsAsciiHexDigit))
            {
                return new DnsblQuery(DnsblQueryKind.AddressSha1, zone, key) { Subject = label };
            }

            Span<byte> hash = stackalloc byte[32];
            if (label.Length == HashedAddressForms.Sha256Base32Length && HashedAddressForms.TryDecodeBase32(label, hash, out var written) && written == hash.Length)
            {
                return new DnsblQuery(DnsblQueryKind.AddressSha256, zone, key) { Subject = label };
            }
        }

        return new DnsblQuery(DnsblQueryKind.NotListable, zone, key);
    }
}
