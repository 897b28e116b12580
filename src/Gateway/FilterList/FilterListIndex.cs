using System.Buffers.Binary;
using System.Net;
using System.Security.Cryptography;
using Clearinghouse.Domain;
using Clearinghouse.Gateway.Maps;

namespace Clearinghouse.Gateway.FilterList;

/// <summary>A SHA-256 as a dictionary key that needs no string: four 64-bit words.</summary>
internal readonly record struct Sha256Key(ulong A, ulong B, ulong C, ulong D)
{
    public static Sha256Key From(ReadOnlySpan<byte> hash) => new(
        BinaryPrimitives.ReadUInt64BigEndian(hash),
        BinaryPrimitives.ReadUInt64BigEndian(hash[8..]),
        BinaryPrimitives.ReadUInt64BigEndian(hash[16..]),
        BinaryPrimitives.ReadUInt64BigEndian(hash[24..]));

    public static Sha256Key FromHex(string hex) => From(Convert.FromHexString(hex));

    public static Sha256Key OfAddress(Address address)
    {
        Span<byte> hash = stackalloc byte[SHA256.HashSizeInBytes];
        Sha256Hex.Hash(address.Value, hash);
        return From(hash);
    }
}

/// <summary>
/// The listed entries as the verdict path reads them: immutable, rebuilt when the list changes (rarely), so lookups
/// take no lock. An unlisted sender costs one SHA-256 and a dictionary lookup when addresses are listed, one lookup
/// per label of its domain when domains are, one per prefix length in use when IP entries are (a network covers its
/// addresses), and nothing at all while the list is empty.
/// </summary>
internal sealed class FilterListIndex
{
    public static readonly FilterListIndex Empty = new([]);

    private readonly Dictionary<Sha256Key, FilterListing> addresses = [];
    private readonly Dictionary<string, FilterListing> domains = new(StringComparer.Ordinal);
    private readonly PrefixTable<FilterListing> ips;

    public FilterListIndex(IEnumerable<FilterChange> listed)
    {
        var networks = new List<(IpPrefix, FilterListing)>();
        foreach (var added in listed)
        {
            var listing = new FilterListing(added.Entry, added.CaseId, added.Reason);
            switch (added.Entry.Kind)
            {
                case FilterEntryKind.AddressSha256:
                    addresses[Sha256Key.FromHex(added.Entry.Value)] = listing;
                    break;
                case FilterEntryKind.Domain:
                    domains[added.Entry.Value] = listing;
                    break;
                case FilterEntryKind.Ip when IpPrefix.TryParse(added.Entry.Value, out var network, out _):
                    networks.Add((network, listing));
                    break;
            }
        }

        ips = new PrefixTable<FilterListing>(networks);
    }

    public FilterListing? Match(Address sender, IPAddress? clientIp)
    {
        if (!sender.IsNullSender)
        {
            if (addresses.Count > 0 && addresses.TryGetValue(Sha256Key.OfAddress(sender), out var byAddress))
            {
                return byAddress;
            }

            if (domains.Count > 0 && MatchDomain(sender.Domain) is { } byDomain)
            {
                return byDomain;
            }
        }

        if (ips.Count > 0 && clientIp is not null && ips.TryMatch(clientIp, out var byIp, out _))
        {
            return byIp;
        }

        return null;
    }

    // The domain itself, then each parent: a listed domain covers its subdomains.
    private FilterListing? MatchDomain(string domain)
    {
        var lookup = domains.GetAlternateLookup<ReadOnlySpan<char>>();
        foreach (var candidate in new DomainParents(domain, includeSelf: true))
        {
            if (lookup.TryGetValue(candidate, out var hit))
            {
                return hit;
            }
        }

        return null;
    }
}
