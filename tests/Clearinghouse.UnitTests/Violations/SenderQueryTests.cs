using Clearinghouse.Domain;

namespace Clearinghouse.UnitTests.Violations;

/// <summary>
/// How operators ask for reported senders (the senders page, <c>ListTopSenders</c>): one address, or every sender at a
/// domain and below it, and the ranking a shard answers with (highest decayed score first, bounded, within the window).
/// </summary>
public class SenderQueryTests
{
    private static readonly TimeSpan Window = TimeSpan.FromDays(30);
    private static readonly TimeSpan HalfLife = TimeSpan.FromDays(10);

    [Theory]
    [InlineData("")]
    [InlineData("   ")]
    [InlineData(null)]
    public void An_empty_query_matches_every_sender(string? text)
    {
        var query = SenderQuery.Parse(text, "query");
        Assert.Null(query.SingleAddress);
        Assert.True(query.Matches("anyone@anywhere.example"));
    }

    [Fact]
    public void An_address_matches_that_sender_alone_as_normalised()
    {
        var query = SenderQuery.Parse("  Spam@Bulk.EXAMPLE ", "query");
        Assert.Equal("spam@bulk.example", query.SingleAddress);
        Assert.True(query.Matches("spam@bulk.example"));
        Assert.False(query.Matches("spam2@bulk.example"));
        Assert.False(query.Matches("spam@mail.bulk.example"));
    }

    [Theory]
    [InlineData("bulk.example")]
    [InlineData("BULK.example.")]
    [InlineData("*.bulk.example")]
    [InlineData(".bulk.example")]
    public void A_domain_matches_its_senders_and_its_subdomains_senders_and_nothing_that_merely_ends_alike(string text)
    {
        var query = SenderQuery.Parse(text, "query");
        Assert.Null(query.SingleAddress);
        Assert.True(query.Matches("a@bulk.example"));
        Assert.True(query.Matches("b@mail.eu.bulk.example"));
        Assert.False(query.Matches("c@notbulk.example"));
        Assert.False(query.Matches("d@bulk.example.org"));
        Assert.False(query.Matches("e@example"));
    }

    [Fact]
    public void An_internationalised_domain_is_searched_in_punycode()
    {
        var query = SenderQuery.Parse("bücher.example", "query");
        Assert.True(query.Matches("shop@xn--bcher-kva.example"));
    }

    [Theory]
    [InlineData("not a domain!")]
    [InlineData("user@")]
    [InlineData("*@bulk.example")]
    [InlineData("[192.0.2.1]")]
    [InlineData("bulk\u0001.example")]
    public void What_is_neither_an_address_nor_a_domain_is_refused_naming_the_field(string text)
    {
        var error = Assert.Throws<InvalidFieldException>(() => SenderQuery.Parse(text, "query"));
        Assert.Equal("query", error.Field);
    }

    [Fact]
    public void A_query_longer_than_an_address_may_be_is_refused()
    {
        Assert.Equal("query", Assert.Throws<InvalidFieldException>(() => SenderQuery.Parse(new string('a', SenderQuery.MaxLength + 1), "query")).Field);
    }

    [Fact]
    public void The_top_senders_are_the_highest_decayed_scores_in_the_window_that_the_query_matches()
    {
        const long now = 1000;
        var scores = new (string Sender, double Score, long Hour)[]
        {
            ("b@bulk.example", 8, now),
            ("a@bulk.example", 8, now),
            ("old@bulk.example", 40, now - (24 * 10)),    // one half-life ago: 20
            ("gone@bulk.example", 100, now - (24 * 30)),  // left the window
            ("c@mail.bulk.example", 3, now),
            ("x@other.example", 50, now),
        };

        var top = RankedSender.Top(scores, SenderQuery.Parse("bulk.example", "query"), now, Window, HalfLife, 3);

        // Highest first; equal scores by address; bounded by max.
        Assert.Equal([("old@bulk.example", 20.0), ("a@bulk.example", 8.0), ("b@bulk.example", 8.0)], top.Select(t => (t.Sender, t.Score)));
        Assert.Equal(["x@other.example", "old@bulk.example", "a@bulk.example", "b@bulk.example", "c@mail.bulk.example"], RankedSender.Top(scores, SenderQuery.Everyone, now, Window, HalfLife, 10).Select(t => t.Sender));
        Assert.Equal(["c@mail.bulk.example"], RankedSender.Top(scores, SenderQuery.Parse("c@mail.bulk.example", "query"), now, Window, HalfLife, 10).Select(t => t.Sender));
        Assert.Empty(RankedSender.Top(scores, SenderQuery.Everyone, now, Window, HalfLife, 0));
    }
}
