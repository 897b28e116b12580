namespace Clearinghouse.Domain;

/// <summary>Whether the global list already blocks what a recipient's record blocks (for eviction of duplicates).</summary>
public static class FilterListCoverage
{
    /// <summary>
    /// True when <paramref name="pattern"/>'s senders are all listed: an address by its hash, its domain or a parent
    /// domain; a domain or its subdomains by that domain or a parent (a listed domain covers its subdomains). A
    /// top-level-domain pattern is never covered: the list holds no top-level domains.
    /// </summary>
    public static bool Covers(FilterListLog log, SenderPattern pattern)
    {
        switch (pattern.Kind)
        {
            case PatternKind.Address:
                var address = new Address(pattern.Value, pattern.Value.LastIndexOf('@') + 1);
                return log.TryGetListing(FilterEntry.ForAddress(address), out _) || CoversDomain(log, address.Domain);
            case PatternKind.Domain:
            case PatternKind.Subdomains:
                return CoversDomain(log, pattern.Value);
            default:
                return false;
        }
    }

    private static bool CoversDomain(FilterListLog log, string domain)
    {
        foreach (var candidate in new DomainParents(domain, includeSelf: true))
        {
            if (log.TryGetListing(new FilterEntry(FilterEntryKind.Domain, candidate.ToString()), out _))
            {
                return true;
            }
        }

        return false;
    }
}
