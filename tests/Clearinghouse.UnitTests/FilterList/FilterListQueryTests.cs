using Clearinghouse.Domain;

namespace Clearinghouse.UnitTests.FilterList;

/// <summary>
/// How operators search the filter list (the console's filter-list page, <c>SearchFilterList</c>,
/// <c>ListFilterChanges</c>): an address is hashed before it is compared, and the domains that cover it match too;
/// other text matches domains containing it and IP entries starting with it; pages go newest first.
/// </summary>
public class FilterListQueryTests
{
    private static readonly Address Spammer = Address.Parse("spam@mail.bulk.example", "sender");
    private static readonly FilterEntry SpammerEntry = FilterEntry.ForAddress(Spammer);
    private static readonly FilterEntry OtherAddress = FilterEntry.ForAddress(Address.Parse("other@mail.bulk.example", "sender"));
    private static readonly FilterEntry BulkDomain = new(FilterEntryKind.Domain, "bulk.example");
    private static readonly FilterEntry MailDomain = new(FilterEntryKind.Domain, "mail.bulk.example");
    private static readonly FilterEntry UnrelatedDomain = new(FilterEntryKind.Domain, "notbulk.example");
    private static readonly FilterEntry Network = new(FilterEntryKind.Ip, "192.0.2.0/24");
    private static readonly FilterEntry SingleIp = new(FilterEntryKind.Ip, "192.0.2.7");
    private static readonly FilterEntry OtherIp = new(FilterEntryKind.Ip, "198.51.100.1");
    private static readonly FilterEntry[] All = [SpammerEntry, OtherAddress, BulkDomain, MailDomain, UnrelatedDomain, Network, SingleIp, OtherIp];

    private static FilterEntry[] Matching(FilterListQuery query) => [.. All.Where(query.Matches)];

    [Fact]
    public void An_address_is_searched_by_its_hash_and_finds_the_domains_that_cover_it()
    {
        var query = FilterListQuery.Search("  SPAM@Mail.Bulk.Example ", null, "query");
        Assert.Equal([SpammerEntry, BulkDomain, MailDomain], Matching(query));
        Assert.False(query.Everything);

        // Only addresses: the hashed entry alone.
        Assert.Equal([SpammerEntry], Matching(FilterListQuery.Search("spam@mail.bulk.example", FilterEntryKind.AddressSha256, "query")));
    }

    [Fact]
    public void A_hash_or_an_ip_address_matches_exactly_that_entry()
    {
        Assert.Equal([SpammerEntry], Matching(FilterListQuery.Search(SpammerEntry.Value.ToUpperInvariant(), null, "query")));
        Assert.Equal([SingleIp], Matching(FilterListQuery.Search("192.0.2.7", null, "query")));
    }

    [Fact]
    public void Other_text_matches_domains_containing_it_and_ip_entries_starting_with_it_never_a_hash()
    {
        Assert.Equal([BulkDomain, MailDomain, UnrelatedDomain], Matching(FilterListQuery.Search("BULK", null, "query")));
        Assert.Equal([Network, SingleIp], Matching(FilterListQuery.Search("192.0.2", null, "query")));
        Assert.Equal([Network], Matching(FilterListQuery.Search("192.0.2.0/24", null, "query")));

        // Hex digits a hash contains do not find it: an address is never searched by a fragment of its hash.
        Assert.Empty(Matching(FilterListQuery.Search(SpammerEntry.Value[..8], FilterEntryKind.AddressSha256, "query")));
    }

    [Fact]
    public void An_empty_search_matches_every_entry_of_the_kind_asked()
    {
        var everything = FilterListQuery.Search("", null, "query");
        Assert.True(everything.Everything);
        Assert.Equal(All, Matching(everything));
        Assert.Equal([Network, SingleIp, OtherIp], Matching(FilterListQuery.Search(" ", FilterEntryKind.Ip, "query")));
    }

    [Fact]
    public void An_entry_query_names_one_entry_and_not_its_subdomains()
    {
        Assert.Equal([BulkDomain], Matching(FilterListQuery.Entry("Bulk.Example", "query")));
        Assert.Equal([SpammerEntry], Matching(FilterListQuery.Entry("spam@mail.bulk.example", "query")));
        Assert.Equal([SpammerEntry], Matching(FilterListQuery.Entry(SpammerEntry.Value, "query")));
        Assert.Equal([Network], Matching(FilterListQuery.Entry("192.0.2.0/24", "query")));
        Assert.Equal(All, Matching(FilterListQuery.Entry(null, "query")));
    }

    [Theory]
    [InlineData("user@")]
    [InlineData("bulk\u0007.example")]
    public void A_bad_search_is_refused_naming_the_field(string text)
    {
        Assert.Equal("query", Assert.Throws<InvalidFieldException>(() => FilterListQuery.Search(text, null, "query")).Field);
    }

    [Theory]
    [InlineData("not a domain!")]
    [InlineData("user@")]
    [InlineData("192.0.2.1/24")]
    [InlineData("192.0.2.1/33")]
    public void A_bad_entry_is_refused_naming_the_field(string text)
    {
        Assert.Equal("query", Assert.Throws<InvalidFieldException>(() => FilterListQuery.Entry(text, "query")).Field);
    }

    [Fact]
    public void Queries_longer_than_an_address_may_be_are_refused()
    {
        var text = new string('a', FilterListQuery.MaxLength + 1);
        Assert.Equal("query", Assert.Throws<InvalidFieldException>(() => FilterListQuery.Search(text, null, "query")).Field);
        Assert.Equal("query", Assert.Throws<InvalidFieldException>(() => FilterListQuery.Entry(text, "query")).Field);
    }

    [Fact]
    public void Pages_go_newest_first_and_follow_on_below_the_token_without_gaps_or_repeats()
    {
        var at = new DateTimeOffset(2026, 5, 1, 12, 0, 0, TimeSpan.Zero);
        var listed = Enumerable.Range(1, 7)
            .Select(v => new FilterChange(v, FilterChangeOp.Add, new FilterEntry(FilterEntryKind.Domain, $"d{v}.bulk.example"), "test", $"case-{v}", at))
            .Append(new FilterChange(8, FilterChangeOp.Add, OtherIp, "test", "case-8", at))
            .Reverse()
            .ToList();
        var query = FilterListQuery.Search("bulk", null, "query");

        var versions = new List<long>();
        long? before = null;
        var pages = 0;
        do
        {
            var (entries, next) = query.Page(listed, before, 3);
            Assert.InRange(entries.Count, 1, 3);
            versions.AddRange(entries.Select(e => e.Version));
            before = next;
            pages++;
        }
        while (before is not null);

        Assert.Equal([7L, 6, 5, 4, 3, 2, 1], versions);
        Assert.Equal(3, pages);
        Assert.Equal((2, (long?)null), (query.Page(listed, 3, 3).Entries.Count, query.Page(listed, 3, 3).NextBefore));
        Assert.Empty(query.Page(listed, 1, 3).Entries);
    }
}
