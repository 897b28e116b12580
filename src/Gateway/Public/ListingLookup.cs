using Clearinghouse.Contracts;
using Clearinghouse.Domain;
using Clearinghouse.Gateway.FilterList;
using Microsoft.Extensions.Options;

namespace Clearinghouse.Gateway.Public;

/// <summary>
/// What the public lookup says about a sender address, a domain or an IP address: whether it is listed (by its own
/// entry or, for an address or a domain, by a listed parent domain), since when, why (the listing's reason, never its
/// evidence), when the listing expires, and how to ask for removal.
/// </summary>
public sealed record ListingAnswer(
    string Query,
    string Kind,
    bool Listed,
    string? ListedAs,
    DateTimeOffset? ListedSince,
    string? Reason,
    string? CaseId,
    DateTimeOffset? ExpiresAt,
    string? HowToRemove,
    string? RemovalUrl);

/// <summary>
/// Answers lookups from this gateway's filter-list replica (addresses are listed hashed: the query is hashed the same
/// way), and asks a listed address's grain when it was listed. No grain is called for what is not listed.
/// </summary>
public sealed class ListingLookup(FilterListReplica replica, IGrainFactory grains, IOptions<PublicSiteOptions> options)
{
    public async Task<ListingAnswer> LookupAsync(string? query)
    {
        var subject = ListedSubject.Parse(query, "q");
        var kind = subject.Kind.ToString().ToLowerInvariant();
        var (listing, listedAs) = Find(subject);
        if (listing is null)
        {
            return new ListingAnswer(subject.Value, kind, false, null, null, null, null, null, null, null);
        }

        var since = listing.At;
        if (listedAs.Kind == SubjectKind.Address)
        {
            var status = await grains.GetGrain<ISender>(subject.Value).GetStatus();
            since = status.ListedAt ?? since;
        }

        // ExpiresAt stays null until listings expire (issue 13, listing lifecycle: the expiry work fills it).
        var (howTo, url) = HowToRemove(listedAs);
        return new ListingAnswer(subject.Value, kind, true, listedAs.Key, since, listing.Reason, listing.CaseId, ExpiresAt: null, howTo, url);
    }

    /// <summary>The subject's own entry, else the nearest listed parent domain (a listed domain covers its subdomains).</summary>
    private (FilterChange? Listing, ListedSubject ListedAs) Find(ListedSubject subject)
    {
        if (replica.Find(subject.Entry) is { } own)
        {
            return (own, subject);
        }

        if (subject.Kind == SubjectKind.Ip)
        {
            return (null, subject);
        }

        foreach (var parent in new DomainParents(subject.ProofDomain, includeSelf: subject.Kind == SubjectKind.Address))
        {
            var domain = new ListedSubject(SubjectKind.Domain, parent.ToString());
            if (replica.Find(domain.Entry) is { } covering)
            {
                return (covering, domain);
            }
        }

        return (null, subject);
    }

    private (string Text, string? Url) HowToRemove(ListedSubject listedAs)
    {
        var site = options.Value;
        if (listedAs.Kind == SubjectKind.Ip)
        {
            return ($"An IP address is not removed by self-service: ask the clearing house's operators{(site.Contact is { Length: > 0 } contact ? $" ({contact})" : "")}.", null);
        }

        var url = $"{site.LinkBase}/delist?subject={Uri.EscapeDataString(listedAs.Value)}";
        var proof = listedAs.Kind == SubjectKind.Address
            ? "a confirmation link mailed to the address, or a DNS TXT record under its domain"
            : "a DNS TXT record under the domain";
        return ($"Ask for the removal of {listedAs.Value} and prove control of it: {proof}.", url);
    }
}
