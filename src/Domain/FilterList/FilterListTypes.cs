namespace Clearinghouse.Domain;

public enum FilterEntryKind
{
    /// <summary>The lower-case hex SHA-256 of a normalised address, as hashed-address blocklists publish them.</summary>
    AddressSha256 = 0,

    /// <summary>A domain in clear (it also covers its subdomains).</summary>
    Domain = 1,

    /// <summary>An IP address in clear, or a network in CIDR form (<c>192.0.2.0/24</c>) covering its addresses.</summary>
    Ip = 2,
}

public enum FilterChangeOp
{
    Add = 0,
    Remove = 1,
}

/// <summary>One entry of the global filter list. <see cref="Value"/> is normalised for its kind.</summary>
[GenerateSerializer, Immutable]
public sealed record FilterEntry([property: Id(0)] FilterEntryKind Kind, [property: Id(1)] string Value)
{
    public string Key => $"{(int)Kind}:{Value}";

    /// <summary>
    /// For an address entry listed from the address itself: the lower-case hex SHA-1 of the normalised address, the
    /// form hashed-address DNS lists are queried with (a SHA-256 in hex is 64 characters, longer than a DNS label).
    /// Null for an entry known only by its SHA-256. Not part of <see cref="Key"/>.
    /// </summary>
    [Id(2)]
    public string? AddressSha1 { get; init; }

    public static FilterEntry ForAddress(Address address) =>
        new(FilterEntryKind.AddressSha256, Sha256Hex.Of(address.Value)) { AddressSha1 = HashedAddressForms.Sha1Hex(address) };

    /// <summary>An IP entry: a single address in its plain form, a wider network in CIDR form.</summary>
    public static FilterEntry ForNetwork(IpPrefix prefix) =>
        new(FilterEntryKind.Ip, prefix.Length == prefix.MaxLength ? prefix.Network.ToString() : prefix.ToString());

    /// <summary>Parses an entry as an operator writes it: an address (published hashed), a domain, or an IP address.</summary>
    public static FilterEntry Parse(FilterEntryKind kind, string? value, string field)
    {
        var text = (value ?? "").Trim();
        switch (kind)
        {
            case FilterEntryKind.AddressSha256:
                if (Sha256Hex.IsValid(text))
                {
                    return new FilterEntry(kind, text.ToLowerInvariant());
                }

                return ForAddress(Address.Parse(text, field));
            case FilterEntryKind.Domain:
                if (!DomainName.TryNormalize(text, out var domain, out var problem) || domain.StartsWith('['))
                {
                    throw new InvalidFieldException(field, problem.Length > 0 ? problem : "is not a domain");
                }

                return new FilterEntry(kind, domain);
            case FilterEntryKind.Ip:
                if (!IpPrefix.TryParse(text, out var prefix, out var ipProblem))
                {
                    throw new InvalidFieldException(field, ipProblem);
                }

                return ForNetwork(prefix);
            default:
                throw new InvalidFieldException("kind", "is not a known entry kind");
        }
    }
}

/// <summary>One change of the filter list. Versions start at 1 and have no gaps.</summary>
[GenerateSerializer, Immutable]
public sealed record FilterChange(
    [property: Id(0)] long Version,
    [property: Id(1)] FilterChangeOp Op,
    [property: Id(2)] FilterEntry Entry,
    [property: Id(3)] string Reason,
    [property: Id(4)] string CaseId,
    [property: Id(5)] DateTimeOffset At);

/// <summary>
/// What a reader behind <see cref="Version"/> needs: either the changes after its version (<see cref="Snapshot"/> null),
/// or, when those are no longer retained, a snapshot of the listed entries (each as the change that added it) at
/// <see cref="SnapshotVersion"/> followed by the changes after it.
/// </summary>
[GenerateSerializer, Immutable]
public sealed record FilterListSlice(
    [property: Id(0)] IReadOnlyList<FilterChange>? Snapshot,
    [property: Id(1)] long SnapshotVersion,
    [property: Id(2)] IReadOnlyList<FilterChange> Changes,
    [property: Id(3)] long Version)
{
    /// <summary>
    /// Set by the filter-list grain instead of a snapshot, which may be too large for one message: the reader is too
    /// far behind and reads the listed entries page by page (<c>IFilterList.ReadListed</c>), then the changes after them.
    /// </summary>
    [Id(4)]
    public bool ListedByPages { get; init; }
}

/// <summary>
/// A page of the listed entries as they were at <see cref="AsOfVersion"/> (each as the change that added it).
/// <see cref="Expired"/>: the grain no longer holds that version's listing; start again from the current one.
/// </summary>
[GenerateSerializer, Immutable]
public sealed record FilterListPage(
    [property: Id(0)] long AsOfVersion,
    [property: Id(1)] FilterChange[] Entries,
    [property: Id(2)] bool More,
    [property: Id(3)] bool Expired);

/// <summary>
/// An entry with its case and reason: why the verdict path stopped a sender (the listed entry that matched, passed to
/// the recipient grain), or one entry of an operator's import (<c>IFilterList.AppendAll</c>).
/// </summary>
[GenerateSerializer, Immutable]
public sealed record FilterListing(
    [property: Id(0)] FilterEntry Entry,
    [property: Id(1)] string CaseId,
    [property: Id(2)] string Reason);
