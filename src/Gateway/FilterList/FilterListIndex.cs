using System.Buffers.Binary;
using System.Collections.Concurrent;
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
/// The listed entries as the verdict path reads them: lookups take no lock (concurrent dictionaries, and an immutable
/// table of networks swapped whole), and a change is applied in place (one address or domain added or removed; a change
/// of an IP entry rebuilds the table of networks, which costs the number of IP entries, not the size of the list).
/// Changes come from one writer at a time (the replica's lock); lookups run beside them. An unlisted sender costs one
/// SHA-256 and a dictionary lookup when addresses are listed, one lookup per label of its domain when domains are, one
/// per prefix length in use when IP entries are (a network covers its addresses), and nothing at all while the list is
/// empty.
/// </summary>
internal sealed class FilterListIndex
{
    private readonly ConcurrentDictionary<Sha256Key, FilterListing> addresses = [];
    private readonly ConcurrentDictionary<string, FilterListing> domains = new(StringComparer.Ordinal);

    // Sizes kept by the one writer: ConcurrentDictionary's own Count and IsEmpty (when empty) take every lock.
    private volatile int addressCount;
    private volatile int domainCount;

    // IP entries (addresses and networks) by their listed value, kept by the one writer; the table lookups read.
    private readonly Dictionary<string, (IpPrefix Network, FilterListing Listing)> networks = new(StringComparer.Ordinal);
    private volatile PrefixTable<FilterListing> ips = new([]);

    public FilterListIndex(IEnumerable<FilterChange> listed)
    {
        var ipListed = false;
        foreach (var added in listed)
        {
            ipListed |= Add(added, rebuildNetworks: false);
        }

        if (ipListed)
        {
            RebuildNetworks();
        }
    }

    public int Count => addressCount + domainCount + networks.Count;

    /// <summary>Applies one change of the list (an add, or the remove of a listed entry).</summary>
    public void Apply(FilterChange change)
    {
        if (change.Op == FilterChangeOp.Add)
        {
            Add(change, rebuildNetworks: true);
            return;
        }

        switch (change.Entry.Kind)
        {
            case FilterEntryKind.AddressSha256:
                addressCount = Remove(addresses, Sha256Key.FromHex(change.Entry.Value), addressCount);
                break;
            case FilterEntryKind.Domain:
                domainCount = Remove(domains, change.Entry.Value, domainCount);
                break;
            case FilterEntryKind.Ip when networks.Remove(change.Entry.Value):
                RebuildNetworks();
                break;
        }
    }

    // True when it added an IP entry (whose table is rebuilt at once only with rebuildNetworks).
    private bool Add(FilterChange added, bool rebuildNetworks)
    {
        var listing = new FilterListing(added.Entry, added.CaseId, added.Reason);
        switch (added.Entry.Kind)
        {
            case FilterEntryKind.AddressSha256:
                addressCount = Add(addresses, Sha256Key.FromHex(added.Entry.Value), listing, addressCount);
                break;
            case FilterEntryKind.Domain:
                domainCount = Add(domains, added.Entry.Value, listing, domainCount);
                break;
            case FilterEntryKind.Ip when IpPrefix.TryParse(added.Entry.Value, out var network, out _):
                networks[added.Entry.Value] = (network, listing);
                if (rebuildNetworks)
                {
                    RebuildNetworks();
                }

                return true;
        }

        return false;
    }

    private void RebuildNetworks() => ips = new PrefixTable<FilterListing>(networks.Values.Select(n => (n.Network, n.Listing)));

    private static int Add<TKey>(ConcurrentDictionary<TKey, FilterListing> map, TKey key, FilterListing listing, int count)
        where TKey : notnull
    {
        var isNew = !map.ContainsKey(key);
        map[key] = listing;
        return isNew ? count + 1 : count;
    }

    private static int Remove<TKey>(ConcurrentDictionary<TKey, FilterListing> map, TKey key, int count)
        where TKey : notnull => map.TryRemove(key, out _) ? count - 1 : count;

    public FilterListing? Match(Address sender, IPAddress? clientIp)
    {
        if (!sender.IsNullSender)
        {
            if (addressCount > 0 && addresses.TryGetValue(Sha256Key.OfAddress(sender), out var byAddress))
            {
                return byAddress;
            }

            if (domainCount > 0 && MatchDomain(sender.Domain) is { } byDomain)
            {
                return byDomain;
            }
        }

        if (clientIp is not null && ips is { Count: > 0 } table && table.TryMatch(clientIp, out var byIp, out _))
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
