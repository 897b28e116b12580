namespace Clearinghouse.Domain;

/// <summary>The two maps a provider keeps (seed 004): senders to accept or reject at CONNECT, recipients at RCPT.</summary>
public enum MapKind
{
    /// <summary>Keys: an IP address, a CIDR (IPv4 or IPv6), a HELO name, or <c>*.domain</c> for any HELO name under it.</summary>
    Connection = 0,

    /// <summary>Keys: a recipient address, a domain, or <c>*.domain</c> for its subdomains.</summary>
    Recipient = 1,
}

public enum MapAction
{
    Accept = 0,
    Reject = 1,
}

/// <summary>One entry of a provider's map; <see cref="Identifier"/> is normalised (see <see cref="MapIdentifier"/>).</summary>
[GenerateSerializer, Immutable]
public sealed record MapEntry(
    [property: Id(0)] string Identifier,
    [property: Id(1)] MapAction Action,
    [property: Id(2)] string Message,
    [property: Id(3)] DateTimeOffset CreatedAt);

/// <summary>
/// Everything a gateway needs to answer from memory for one provider: its connection map, its recipient map and its
/// sender list (the provider's own blocking list, a higher-level list for its recipients). <see cref="Version"/> grows
/// with every change, so a replica keeps the newest it has seen.
/// </summary>
[GenerateSerializer, Immutable]
public sealed record ProviderMapsSnapshot(
    [property: Id(0)] long Version,
    [property: Id(1)] MapEntry[] Connections,
    [property: Id(2)] MapEntry[] Recipients,
    [property: Id(3)] BlockingRecord[] Senders)
{
    public static readonly ProviderMapsSnapshot Empty = new(0, [], [], []);
}

/// <summary>The outcome of a change to a provider's maps: how many entries it changed, and the maps after it.</summary>
[GenerateSerializer, Immutable]
public sealed record MapChange(
    [property: Id(0)] int Added,
    [property: Id(1)] int Replaced,
    [property: Id(2)] int Removed,
    [property: Id(3)] ProviderMapsSnapshot Snapshot);

/// <summary>A sender-list entry's key: one pattern on one channel.</summary>
[GenerateSerializer, Immutable]
public sealed record SenderListKey(
    [property: Id(0)] SenderPattern Pattern,
    [property: Id(1)] MessageChannel Channel);
