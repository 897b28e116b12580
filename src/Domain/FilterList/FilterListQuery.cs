namespace Clearinghouse.Domain;

/// <summary>
/// Which filter-list entries an operator asks for. An address is never compared in clear: it is hashed the way the
/// list publishes it, and (in a search) the domain entries that cover it match too. A search for other text matches
/// domains containing it and IP addresses starting with it; an entry query matches exactly one entry.
/// </summary>
public sealed class FilterListQuery
{
    public const int MaxLength = 320;

    private readonly FilterEntryKind? kind;
    private readonly HashSet<string> exactKeys;
    private readonly string? text;

    private FilterListQuery(FilterEntryKind? kind, HashSet<string> exactKeys, string? text)
    {
        this.kind = kind;
        this.exactKeys = exactKeys;
        this.text = text;
    }

    /// <summary>True when the query names no entry and no text: every entry (of the kind) matches.</summary>
    public bool Everything => exactKeys.Count == 0 && text is null;

    /// <summary>A search: entries like <paramref name="query"/>, of <paramref name="kind"/> when given.</summary>
    public static FilterListQuery Search(string? query, FilterEntryKind? kind, string field)
    {
        var trimmed = Checked(query, field);
        if (trimmed.Length == 0)
        {
            return new FilterListQuery(kind, [], null);
        }

        if (trimmed.Contains('@'))
        {
            var address = Address.Parse(trimmed, field);
            var keys = new HashSet<string>(StringComparer.Ordinal) { FilterEntry.ForAddress(address).Key };
            foreach (var parent in new DomainParents(address.Domain, includeSelf: true))
            {
                keys.Add(new FilterEntry(FilterEntryKind.Domain, parent.ToString()).Key);
            }

            return new FilterListQuery(kind, keys, null);
        }

        // An IP address written in full is one entry; "192.0.2" (which IPAddress.TryParse reads as 192.0.0.2) is text.
        if (Sha256Hex.IsValid(trimmed) || IpPrefix.TryParseAddress(trimmed, out _, out _))
        {
            return new FilterListQuery(kind, [Exact(trimmed, field).Key], null);
        }

        return new FilterListQuery(kind, [], trimmed.ToLowerInvariant());
    }

    /// <summary>One entry: an address (its hashed entry), a hex SHA-256, an IP address or a domain; empty: every entry.</summary>
    public static FilterListQuery Entry(string? query, string field)
    {
        var trimmed = Checked(query, field);
        return trimmed.Length == 0 ? new FilterListQuery(null, [], null) : new FilterListQuery(null, [Exact(trimmed, field).Key], null);
    }

    /// <summary>
    /// One page of the <paramref name="listed"/> entries (each as the change that added it) this query matches, newest
    /// first, below version <paramref name="before"/> when given; and the version to continue below (null on the last page).
    /// </summary>
    public (IReadOnlyList<FilterChange> Entries, long? NextBefore) Page(IEnumerable<FilterChange> listed, long? before, int max)
    {
        var matching = listed
            .Where(c => (before is not { } below || c.Version < below) && Matches(c.Entry))
            .OrderByDescending(c => c.Version)
            .Take(max + 1)
            .ToList();
        var more = matching.Count > max;
        var page = more ? matching[..max] : matching;
        return (page, more && page.Count > 0 ? page[^1].Version : null);
    }

    public bool Matches(FilterEntry entry)
    {
        if (kind is { } only && entry.Kind != only)
        {
            return false;
        }

        if (exactKeys.Count > 0)
        {
            return exactKeys.Contains(entry.Key);
        }

        if (text is null)
        {
            return true;
        }

        return entry.Kind switch
        {
            FilterEntryKind.Domain => entry.Value.Contains(text, StringComparison.Ordinal),
            FilterEntryKind.Ip => entry.Value.StartsWith(text, StringComparison.Ordinal),
            _ => false,
        };
    }

    private static FilterEntry Exact(string text, string field)
    {
        if (text.Contains('@') || Sha256Hex.IsValid(text))
        {
            return FilterEntry.Parse(FilterEntryKind.AddressSha256, text, field);
        }

        // An address or a network ("192.0.2.0/24"); a slash is no part of a domain, so it names a network, or is refused as one.
        return IpPrefix.TryParse(text, out _, out _) || text.Contains('/', StringComparison.Ordinal)
            ? FilterEntry.Parse(FilterEntryKind.Ip, text, field)
            : FilterEntry.Parse(FilterEntryKind.Domain, text, field);
    }

    private static string Checked(string? query, string field)
    {
        var trimmed = (query ?? "").Trim();
        if (trimmed.Length > MaxLength || trimmed.Any(char.IsControl))
        {
            throw new InvalidFieldException(field, $"must be at most {MaxLength} printable characters");
        }

        return trimmed;
    }
}
