using Clearinghouse.Domain;

namespace Clearinghouse.UnitTests.Records;

public class RecordBookTests
{
    private static readonly DateTimeOffset Now = new(2026, 11, 22, 12, 0, 0, TimeSpan.Zero);
    private readonly RecordBook book = new(new RecipientState(), TimeSpan.FromDays(7));
    private int nextId;

    private BlockingRecord Add(string pattern, RecordAction action, MessageChannel channel = MessageChannel.Email, string message = "") =>
        book.Add(RecordRequestValidator.Validate(pattern, channel, action, message, 0, RecordSource.User), Now, () => $"r{++nextId}").Record;

    private Verdict? Check(string sender, MessageChannel channel = MessageChannel.Email, bool verified = true) =>
        book.Index.TryMatch(Address.Parse(sender, "sender"), channel, verified, out var match) ? match.VerdictFor(verified) : null;

    [Fact]
    public void For_an_unverified_sender_domain_subdomain_and_tld_allows_do_not_apply_but_address_allows_do()
    {
        Add("bigmail.example", RecordAction.Allow);
        Add("*.bigmail.example", RecordAction.Allow);
        Add(".example", RecordAction.Reject, message: "no");
        Add("boss@bigmail.example", RecordAction.Allow);

        Assert.Equal(VerdictAction.Accept, Check("a@bigmail.example")!.Action);
        Assert.Equal(VerdictAction.Reject, Check("a@bigmail.example", verified: false)!.Action);
        Assert.Equal(VerdictAction.Reject, Check("a@eu.bigmail.example", verified: false)!.Action);
        Assert.Equal(VerdictAction.Accept, Check("boss@bigmail.example", verified: false)!.Action);
    }

    [Fact]
    public void A_bounce_to_an_unverified_sender_is_dropped_without_a_notice()
    {
        var bounce = Add("promo@shop.example", RecordAction.Bounce, message: "stop");
        Assert.Equal((VerdictAction.Bounce, "stop"), (Check("promo@shop.example")!.Action, Check("promo@shop.example")!.NoticeText));
        var unverified = Check("promo@shop.example", verified: false)!;
        Assert.Equal((VerdictAction.Discard, null, bounce.Id), (unverified.Action, unverified.NoticeText, unverified.MatchedRecordId));
    }

    [Fact]
    public void No_record_means_no_match()
    {
        Add("other@example.com", RecordAction.Reject);
        Assert.Null(Check("someone@example.com"));
    }

    [Fact]
    public void Address_beats_domain_beats_top_level_domain()
    {
        var tld = Add(".xyz", RecordAction.Reject);
        var domain = Add("shop.xyz", RecordAction.Allow);
        var address = Add("spam@shop.xyz", RecordAction.Defer);

        Assert.Equal(address.Id, Check("spam@shop.xyz")?.MatchedRecordId);
        Assert.Equal(domain.Id, Check("news@shop.xyz")?.MatchedRecordId);
        Assert.Equal(tld.Id, Check("news@other.xyz")?.MatchedRecordId);
    }

    [Fact]
    public void An_allowed_address_beats_a_blocked_domain()
    {
        Add("example.com", RecordAction.Reject);
        var friend = Add("friend@example.com", RecordAction.Allow);
        Assert.Equal(VerdictAction.Accept, Check("friend@example.com")?.Action);
        Assert.Equal(friend.Id, Check("friend@example.com")?.MatchedRecordId);
        Assert.Equal(VerdictAction.Reject, Check("stranger@example.com")?.Action);
    }

    [Fact]
    public void A_blocked_address_beats_an_allowed_domain()
    {
        Add("example.com", RecordAction.Allow);
        Add("pest@example.com", RecordAction.Reject);
        Assert.Equal(VerdictAction.Reject, Check("pest@example.com")?.Action);
        Assert.Equal(VerdictAction.Accept, Check("anyone@example.com")?.Action);
    }

    [Fact]
    public void Allow_beats_block_within_the_domain_tier()
    {
        // Both a subdomain pattern and an exact domain match mail.example.com: same tier, so the allow wins.
        var allow = Add("*.example.com", RecordAction.Allow);
        Add("mail.example.com", RecordAction.Reject);
        Assert.Equal(allow.Id, Check("x@mail.example.com")?.MatchedRecordId);

        var book2 = new RecordBook(new RecipientState(), TimeSpan.FromDays(7));
        var request = RecordRequestValidator.Validate("*.example.com", MessageChannel.Email, RecordAction.Reject, "", 0, RecordSource.User);
        book2.Add(request, Now, () => "block");
        book2.Add(RecordRequestValidator.Validate("mail.example.com", MessageChannel.Email, RecordAction.Allow, "", 0, RecordSource.User), Now, () => "allow");
        Assert.True(book2.Index.TryMatch(Address.Parse("x@mail.example.com", "s"), MessageChannel.Email, senderVerified: true, out var match));
        Assert.Equal("allow", match.Record.Id);
    }

    [Fact]
    public void Allow_beats_block_within_the_top_level_tier()
    {
        Add(".uk", RecordAction.Reject);
        var allow = Add(".co.uk", RecordAction.Allow);
        Assert.Equal(allow.Id, Check("x@shop.co.uk")?.MatchedRecordId);
        Assert.Equal(VerdictAction.Reject, Check("x@shop.org.uk")?.Action);
    }

    [Fact]
    public void Among_blocks_in_a_tier_the_longest_domain_match_decides()
    {
        Add("*.example.com", RecordAction.Reject, message: "parent");
        var nearer = Add("*.mail.example.com", RecordAction.Defer, message: "nearer");
        Assert.Equal(nearer.Id, Check("x@a.mail.example.com")?.MatchedRecordId);
    }

    [Fact]
    public void Subdomain_patterns_do_not_match_the_domain_itself()
    {
        Add("*.example.com", RecordAction.Reject);
        Assert.Null(Check("x@example.com"));
        Assert.NotNull(Check("x@deep.sub.example.com"));
    }

    [Fact]
    public void Records_apply_only_to_their_channel()
    {
        Add("bot@chat.example", RecordAction.Reject, MessageChannel.Im, "no bots");
        Assert.Null(Check("bot@chat.example", MessageChannel.Email));
        Assert.Equal("no bots", Check("bot@chat.example", MessageChannel.Im)?.Text);
    }

    [Fact]
    public void Adding_the_same_pattern_and_channel_replaces_the_record_and_keeps_its_id_and_hits()
    {
        var first = Add("spam@example.com", RecordAction.Reject, message: "first");
        book.RecordHits(first.Id, 1, Now);
        var result = book.Add(RecordRequestValidator.Validate("SPAM@example.com", MessageChannel.Email, RecordAction.Defer, "second", 3, RecordSource.User), Now, () => "unused");

        Assert.True(result.Replaced);
        Assert.Equal(first.Id, result.Record.Id);
        Assert.Equal(1, book.Count);
        Assert.Equal(VerdictAction.Defer, Check("spam@example.com")?.Action);
        Assert.Equal(1, book.List(Now).Single().HitCount);
    }

    [Fact]
    public void Removing_a_record_stops_it_matching_and_drops_its_hits()
    {
        var record = Add("spam@example.com", RecordAction.Reject);
        book.RecordHits(record.Id, 1, Now);
        Assert.True(book.Remove(record.Id));
        Assert.False(book.Remove(record.Id));
        Assert.Null(Check("spam@example.com"));
        Assert.Empty(book.List(Now));
    }

    [Fact]
    public void The_null_sender_matches_nothing()
    {
        Add(".com", RecordAction.Reject);
        Assert.False(book.Index.TryMatch(Address.NullSender, MessageChannel.Email, senderVerified: true, out _));
    }

    [Fact]
    public void Hits_are_counted_and_listed()
    {
        var record = Add("spam@example.com", RecordAction.Reject);
        book.RecordHits(record.Id, 1, Now);
        book.RecordHits(record.Id, 1, Now.AddMinutes(1));
        var view = book.List(Now.AddMinutes(1)).Single();
        Assert.Equal(2, view.HitCount);
        Assert.Equal(Now.AddMinutes(1), view.LastHitAt);
    }
}
