using System.Net;
using Clearinghouse.Domain;

namespace Clearinghouse.Gateway.Maps;

public enum ConnectionMatchKind
{
    None,
    Ip,
    Helo,
}

/// <summary>The connection map entry that decides for a client, and what matched it.</summary>
public readonly record struct ConnectionMatch(MapEntry? Entry, ConnectionMatchKind Kind);

/// <summary>
/// A provider's connection map compiled for lookups. The client IP decides first, by the longest matching prefix (an
/// exact address is a /32 or /128), so that an accept for a trusted network overrides a wider reject; the HELO name,
/// which the client chooses, is consulted only when no IP entry matches: the exact name first, then the longest
/// <c>*.domain</c> entry above it.
/// </summary>
public sealed class ConnectionMap
{
    private readonly PrefixTable<MapEntry> prefixes;
    private readonly Dictionary<string, MapEntry> heloNames = new(StringComparer.Ordinal);
    private readonly Dictionary<string, MapEntry> heloParents = new(StringComparer.Ordinal);

    public ConnectionMap(IEnumerable<MapEntry> entries)
    {
        var networks = new List<(IpPrefix, MapEntry)>();
        foreach (var entry in entries)
        {
            if (!MapIdentifier.TryParse(MapKind.Connection, entry.Identifier, out var identifier, out _))
            {
                continue; // validated before it was stored; a later, stricter parser must not stop the gateway
            }

            switch (identifier.Kind)
            {
                case MapIdentifierKind.IpPrefix:
                    networks.Add((identifier.Prefix, entry));
                    break;
                case MapIdentifierKind.HeloName:
                    heloNames[identifier.Value] = entry;
                    break;
                case MapIdentifierKind.HeloSubdomains:
                    heloParents[identifier.Domain] = entry;
                    break;
            }
        }

        prefixes = new PrefixTable<MapEntry>(networks);
    }

    public int Count => prefixes.Count + heloNames.Count + heloParents.Count;

    /// <summary>Decides for a client; <paramref name="helo"/> is normalised (lower case, ASCII) or null.</summary>
    public ConnectionMatch Match(IPAddress clientIp, string? helo)
    {
        if (prefixes.TryMatch(clientIp, out var byIp, out _))
        {
            return new ConnectionMatch(byIp, ConnectionMatchKind.Ip);
        }

        if (helo is not null
            && (heloNames.TryGetValue(helo, out var byName) || DomainSuffixLookup.TryMatchLongestParent(heloParents, helo, out byName)))
        {
            return new ConnectionMatch(byName, ConnectionMatchKind.Helo);
        }

        return default;
    }
}

/// <summary>
/// A provider's recipient map compiled for lookups, each entry's verdict built once: the address, then the exact
/// domain, then the longest <c>*.domain</c> entry above it.
/// </summary>
public sealed class RecipientMap
{
    private readonly Dictionary<string, MapEntry> addresses = new(StringComparer.Ordinal);
    private readonly Dictionary<string, MapEntry> domains = new(StringComparer.Ordinal);
    private readonly Dictionary<string, MapEntry> parents = new(StringComparer.Ordinal);

    public RecipientMap(IEnumerable<MapEntry> entries)
    {
        foreach (var entry in entries)
        {
            if (!MapIdentifier.TryParse(MapKind.Recipient, entry.Identifier, out var identifier, out _))
            {
                continue;
            }

            var (target, key) = identifier.Kind switch
            {
                MapIdentifierKind.RecipientAddress => (addresses, identifier.Value),
                MapIdentifierKind.RecipientDomain => (domains, identifier.Domain),
                _ => (parents, identifier.Domain),
            };
            target[key] = entry;
        }
    }

    public int Count => addresses.Count + domains.Count + parents.Count;

    /// <summary>The entry that decides for <paramref name="recipient"/>, or null when none does.</summary>
    public MapEntry? Match(Address recipient)
    {
        if (Count == 0)
        {
            return null;
        }

        return addresses.TryGetValue(recipient.Value, out var entry)
            || domains.TryGetValue(recipient.Domain, out entry)
            || DomainSuffixLookup.TryMatchLongestParent(parents, recipient.Domain, out entry)
            ? entry
            : null;
    }
}

/// <summary>Everything the gateway answers from memory for one provider, at one version of its maps.</summary>
public sealed class CompiledProviderMaps(ProviderMapsSnapshot snapshot)
{
    public long Version { get; } = snapshot.Version;

    public ConnectionMap Connections { get; } = new(snapshot.Connections);

    public RecipientMap Recipients { get; } = new(snapshot.Recipients);

    /// <summary>The provider's sender list, with the same precedence as a recipient's records.</summary>
    public RecordIndex Senders { get; } = RecordIndex.Build(snapshot.Senders);
}
