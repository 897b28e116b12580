using System.Collections.Concurrent;
using System.Net;
using System.Net.Sockets;
using System.Numerics;
using Clearinghouse.Domain;
using Clearinghouse.Gateway.Maps;

namespace Clearinghouse.Gateway.Dnsbl;

/// <summary>
/// The filter list as the DNS zones read it, changed in place one change at a time (no rebuild per change) by a
/// single writer while queries read it without a lock. Besides the listed entries it counts, for every name above a
/// listed one, how many listed names lie below it, so that an empty non-terminal (<c>0.0.127.zone</c> above
/// <c>2.0.0.127.zone</c>, <c>example.com.zone</c> above <c>mail.example.com.zone</c>) is told from a name that does
/// not exist: query-name minimisation (RFC 9156) stops at an NXDOMAIN.
/// </summary>
public sealed class DnsblIndex
{
    private readonly Dictionary<string, FilterChange> listedByKey = new(StringComparer.Ordinal);
    private readonly NetworkSet<uint> v4 = new(32, 8);
    private readonly NetworkSet<UInt128> v6 = new(128, 4);
    private readonly ConcurrentDictionary<string, FilterListing> domains = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, int> domainsBelow = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, FilterListing> sha1 = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, FilterListing> sha256Base32 = new(StringComparer.Ordinal);
    private long version;

    /// <summary>The filter-list version the index stands at.</summary>
    public long Version => Interlocked.Read(ref version);

    public int Count => listedByKey.Count;

    /// <summary>Replaces everything with a snapshot (the first catch-up, or a replica that fell behind).</summary>
    public void Reset(IEnumerable<FilterChange> listed, long atVersion)
    {
        foreach (var change in listedByKey.Values.ToList())
        {
            Remove(change.Entry);
        }

        foreach (var change in listed)
        {
            Add(change);
        }

        Interlocked.Exchange(ref version, atVersion);
    }

    /// <summary>Applies the next change of the list.</summary>
    public void Apply(FilterChange change)
    {
        if (change.Op == FilterChangeOp.Add)
        {
            Add(change);
        }
        else
        {
            Remove(change.Entry);
        }

        Interlocked.Exchange(ref version, change.Version);
    }

    public IReadOnlyList<FilterChange> Listed() => [.. listedByKey.Values];

    public FilterListing? MatchIp(IpPrefix address) => address.Network.AddressFamily == AddressFamily.InterNetwork
        ? v4.Match(V4Bits(address.Network), 32)
        : v6.Match(V6Bits(address.Network), 128);

    /// <summary>True when some listed network overlaps <paramref name="prefix"/> (so names exist below its name).</summary>
    public bool HasNamesBelow(IpPrefix prefix) => prefix.Network.AddressFamily == AddressFamily.InterNetwork
        ? v4.Overlaps(V4Bits(prefix.Network), prefix.Length)
        : v6.Overlaps(V6Bits(prefix.Network), prefix.Length);

    /// <summary>The listing covering <paramref name="domain"/>: the domain itself or a parent.</summary>
    public FilterListing? MatchDomain(string domain)
    {
        if (domains.IsEmpty)
        {
            return null;
        }

        var lookup = domains.GetAlternateLookup<ReadOnlySpan<char>>();
        foreach (var candidate in new DomainParents(domain, includeSelf: true))
        {
            if (lookup.TryGetValue(candidate, out var listing))
            {
                return listing;
            }
        }

        return null;
    }

    public bool HasDomainsBelow(string domain) => domainsBelow.TryGetValue(domain, out var count) && count > 0;

    public FilterListing? MatchAddressSha1(string hex) => sha1.GetValueOrDefault(hex);

    public FilterListing? MatchAddressSha256Base32(string base32) => sha256Base32.GetValueOrDefault(base32);

    private void Add(FilterChange change)
    {
        if (listedByKey.ContainsKey(change.Entry.Key))
        {
            Remove(change.Entry);
        }

        var listing = new FilterListing(change.Entry, change.CaseId, change.Reason);
        switch (change.Entry.Kind)
        {
            case FilterEntryKind.Ip when IpPrefix.TryParse(change.Entry.Value, out var network, out _):
                AddNetwork(network, listing);
                break;
            case FilterEntryKind.Domain:
                domains[change.Entry.Value] = listing;
                foreach (var parent in new DomainParents(change.Entry.Value, includeSelf: false))
                {
                    domainsBelow.AddOrUpdate(parent.ToString(), 1, (_, count) => count + 1);
                }

                break;
            case FilterEntryKind.AddressSha256:
                sha256Base32[HashedAddressForms.Sha256Base32FromHex(change.Entry.Value)] = listing;
                if (change.Entry.AddressSha1 is { } hex)
                {
                    sha1[hex] = listing;
                }

                break;
            default:
                return;
        }

        listedByKey[change.Entry.Key] = change;
    }

    private void Remove(FilterEntry entry)
    {
        if (!listedByKey.Remove(entry.Key, out var added))
        {
            return;
        }

        switch (added.Entry.Kind)
        {
            case FilterEntryKind.Ip when IpPrefix.TryParse(added.Entry.Value, out var network, out _):
                if (network.Network.AddressFamily == AddressFamily.InterNetwork)
                {
                    v4.Remove(V4Bits(network.Network), network.Length);
                }
                else
                {
                    v6.Remove(V6Bits(network.Network), network.Length);
                }

                break;
            case FilterEntryKind.Domain:
                domains.TryRemove(added.Entry.Value, out _);
                foreach (var parent in new DomainParents(added.Entry.Value, includeSelf: false))
                {
                    var name = parent.ToString();
                    if (domainsBelow.AddOrUpdate(name, 0, (_, count) => count - 1) <= 0)
                    {
                        domainsBelow.TryRemove(name, out _);
                    }
                }

                break;
            case FilterEntryKind.AddressSha256:
                sha256Base32.TryRemove(HashedAddressForms.Sha256Base32FromHex(added.Entry.Value), out _);
                if (added.Entry.AddressSha1 is { } hex)
                {
                    sha1.TryRemove(hex, out _);
                }

                break;
        }
    }

    private void AddNetwork(IpPrefix network, FilterListing listing)
    {
        if (network.Network.AddressFamily == AddressFamily.InterNetwork)
        {
            v4.Add(V4Bits(network.Network), network.Length, listing);
        }
        else
        {
            v6.Add(V6Bits(network.Network), network.Length, listing);
        }
    }

    private static uint V4Bits(IPAddress address) => IpPrefix.ToUInt32(address);

    private static UInt128 V6Bits(IPAddress address) => IpPrefix.ToUInt128(address);

    /// <summary>
    /// Listed networks of one address family: longest match over them (<see cref="IncrementalPrefixTable{TBits, TValue}"/>),
    /// and for each name level of the reverse zone (every 8 bits for IPv4, 4 for IPv6) how many listed networks lie at
    /// or below each prefix of that length.
    /// </summary>
    private sealed class NetworkSet<T>(int bits, int labelBits)
        where T : struct, IBinaryInteger<T>
    {
        private readonly IncrementalPrefixTable<T, FilterListing> networks = new(bits);
        private readonly ConcurrentDictionary<(int Length, T Prefix), int> below = new();

        public void Add(T network, int length, FilterListing listing)
        {
            if (networks.Set(network, length, listing))
            {
                ForEachLevelAtOrAbove(network, length, key => below.AddOrUpdate(key, 1, (_, count) => count + 1));
            }
        }

        public void Remove(T network, int length)
        {
            if (networks.Remove(network, length))
            {
                ForEachLevelAtOrAbove(network, length, key =>
                {
                    if (below.AddOrUpdate(key, 0, (_, count) => count - 1) <= 0)
                    {
                        below.TryRemove(key, out _);
                    }
                });
            }
        }

        /// <summary>The listing of the longest listed network of at most <paramref name="maxLength"/> bits containing <paramref name="address"/>.</summary>
        public FilterListing? Match(T address, int maxLength) => networks.Match(address, maxLength);

        // A listed network overlaps the prefix when it contains it or lies within it.
        public bool Overlaps(T prefix, int length) =>
            Match(prefix, length) is not null || below.ContainsKey((length, networks.Mask(prefix, length)));

        private void ForEachLevelAtOrAbove(T network, int length, Action<(int, T)> action)
        {
            for (var level = labelBits; level <= length && level < bits; level += labelBits)
            {
                action((level, networks.Mask(network, level)));
            }
        }
    }
}
