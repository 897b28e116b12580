using System.Buffers.Binary;
using System.Collections.Concurrent;
using System.Net;
using System.Net.Sockets;
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
/// The listed entries as the verdict path reads them, changed in place: every change (an address, a domain or an IP
/// network added or removed) writes one table entry, whatever the size of the list (<see cref="EntryWrites"/> counts
/// them). Changes come from one writer at a time (the replica's lock); lookups take no lock and run beside them, and
/// each lookup answers from one version of the list: a change bumps a sequence number before and after it, and a lookup
/// that saw the number move (or odd) looks again, so it never mixes the states before and after a change, nor those of
/// two changes (a network listed while a longer one is removed is never missed). An unlisted sender costs one SHA-256
/// and a dictionary lookup when addresses are listed, one lookup per label of its domain when domains are, one per
/// prefix length in use when IP entries are (a network covers its addresses), and nothing at all while the list is
/// empty.
/// </summary>
internal sealed class FilterListIndex
{
    private readonly ConcurrentDictionary<Sha256Key, FilterListing> addresses = [];
    private readonly ConcurrentDictionary<string, FilterListing> domains = new(StringComparer.Ordinal);
    private readonly IncrementalPrefixTable<uint, FilterListing> v4 = new(32);
    private readonly IncrementalPrefixTable<UInt128, FilterListing> v6 = new(128);

    // Sizes kept by the one writer: ConcurrentDictionary's own Count and IsEmpty (when empty) take every lock.
    private volatile int addressCount;
    private volatile int domainCount;
    private volatile int ipCount;

    // Odd while a change is being applied; lookups compare it before and after they read.
    private int changeSequence;
    private long entryWrites;

    public FilterListIndex(IEnumerable<FilterChange> listed)
    {
        foreach (var added in listed)
        {
            Add(added);
        }
    }

    public int Count => addressCount + domainCount + ipCount;

    /// <summary>Table entries written or removed since this index was created: one per entry listed at start, at most one per change.</summary>
    public long EntryWrites => Interlocked.Read(ref entryWrites);

    /// <summary>Applies one change of the list (an add, or the remove of a listed entry).</summary>
    public void Apply(FilterChange change)
    {
        Interlocked.Increment(ref changeSequence);
        try
        {
            if (change.Op == FilterChangeOp.Add)
            {
                Add(change);
            }
            else
            {
                Remove(change.Entry);
            }
        }
        finally
        {
            Interlocked.Increment(ref changeSequence);
        }
    }

    private void Add(FilterChange added)
    {
        var listing = new FilterListing(added.Entry, added.CaseId, added.Reason);
        switch (added.Entry.Kind)
        {
            case FilterEntryKind.AddressSha256:
                if (addresses.TryAdd(Sha256Key.FromHex(added.Entry.Value), listing))
                {
                    addressCount++;
                }
                else
                {
                    addresses[Sha256Key.FromHex(added.Entry.Value)] = listing;
                }

                break;
            case FilterEntryKind.Domain:
                if (domains.TryAdd(added.Entry.Value, listing))
                {
                    domainCount++;
                }
                else
                {
                    domains[added.Entry.Value] = listing;
                }

                break;
            case FilterEntryKind.Ip when IpPrefix.TryParse(added.Entry.Value, out var network, out _):
                var isNew = network.Network.AddressFamily == AddressFamily.InterNetwork
                    ? v4.Set(IpPrefix.ToUInt32(network.Network), network.Length, listing)
                    : v6.Set(IpPrefix.ToUInt128(network.Network), network.Length, listing);
                if (isNew)
                {
                    ipCount++;
                }

                break;
            default:
                return;
        }

        Interlocked.Increment(ref entryWrites);
    }

    private void Remove(FilterEntry entry)
    {
        switch (entry.Kind)
        {
            case FilterEntryKind.AddressSha256 when addresses.TryRemove(Sha256Key.FromHex(entry.Value), out _):
                addressCount--;
                break;
            case FilterEntryKind.Domain when domains.TryRemove(entry.Value, out _):
                domainCount--;
                break;
            case FilterEntryKind.Ip when IpPrefix.TryParse(entry.Value, out var network, out _) && RemoveNetwork(network):
                ipCount--;
                break;
            default:
                return;
        }

        Interlocked.Increment(ref entryWrites);
    }

    private bool RemoveNetwork(IpPrefix network) => network.Network.AddressFamily == AddressFamily.InterNetwork
        ? v4.Remove(IpPrefix.ToUInt32(network.Network), network.Length)
        : v6.Remove(IpPrefix.ToUInt128(network.Network), network.Length);

    public FilterListing? Match(Address sender, IPAddress? clientIp)
    {
        Sha256Key? hashed = null;
        var spin = default(SpinWait);
        while (true)
        {
            var before = Volatile.Read(ref changeSequence);
            if ((before & 1) == 0)
            {
                var match = MatchNow(sender, clientIp, ref hashed);
                Interlocked.MemoryBarrier();
                if (Volatile.Read(ref changeSequence) == before)
                {
                    return match;
                }
            }

            spin.SpinOnce();
        }
    }

    // The hashed sender is computed once, at the first lookup that needs it, and kept across retries.
    private FilterListing? MatchNow(Address sender, IPAddress? clientIp, ref Sha256Key? hashed)
    {
        if (!sender.IsNullSender)
        {
            if (addressCount > 0 && addresses.TryGetValue(hashed ??= Sha256Key.OfAddress(sender), out var byAddress))
            {
                return byAddress;
            }

            if (domainCount > 0 && MatchDomain(sender.Domain) is { } byDomain)
            {
                return byDomain;
            }
        }

        if (clientIp is null || ipCount == 0)
        {
            return null;
        }

        return clientIp.AddressFamily switch
        {
            AddressFamily.InterNetwork => v4.Match(IpPrefix.ToUInt32(clientIp), 32),
            AddressFamily.InterNetworkV6 => v6.Match(IpPrefix.ToUInt128(clientIp), 128),
            _ => null,
        };
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
