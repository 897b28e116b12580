using System.Collections.Frozen;
using Clearinghouse.Domain;

namespace Clearinghouse.UnitTests.Verdicts;

/// <summary>The rule order of <see cref="VerdictDecision"/>, one rule against the next.</summary>
public class VerdictDecisionTests
{
    private static readonly DateTimeOffset Now = new(2026, 11, 22, 12, 0, 0, TimeSpan.Zero);
    private static readonly Address Sender = Address.Parse("news@shop.example", "sender");
    private static readonly FilterListing Listing = new(new FilterEntry(FilterEntryKind.Domain, "shop.example"), "case-1", "ignored requests");
    private int nextId;

    private static CheckRequest Request(bool verified = true, FilterListing? listing = null, BlockingRecord? providerListed = null, Address? sender = null) =>
        new(sender ?? Sender, MessageChannel.Email, verified ? SenderVerification.ByImService : SenderVerification.Unverified)
        {
            Listing = listing,
            ProviderListed = providerListed,
        };

    private BlockingRecord Record(string pattern, RecordAction action, string message = "recipient says no") =>
        new($"r{++nextId}", SenderPattern.Parse(pattern, "pattern"), MessageChannel.Email, action, message, 0, Now, RecordSource.User);

    private static RecipientSnapshot Snapshot(BlockingRecord[]? records = null, BlockingRecord[]? secondary = null, bool doNotSend = false) =>
        new(
            RecordIndex.Build(records ?? []),
            RecordIndex.Build(secondary ?? []),
            doNotSend ? new[] { DoNotSendRequest.KeyFor(Sender, MessageChannel.Email) }.ToFrozenSet() : FrozenSet<string>.Empty);

    private static DoNotSendEntry InForce() => new()
    {
        Request = new DoNotSendRequest(Sender, MessageChannel.Email, DoNotSendMethod.Reply, Now.AddDays(-5), new MessageEvidence("<m1@shop.example>", Now.AddDays(-6), new string('a', 64)), TimeSpan.FromDays(2), "p", "I asked you to stop"),
    };

    private static Decision Decide(CheckRequest request, RecipientSnapshot recipient, DoNotSendFact? doNotSend = null) =>
        VerdictDecision.Decide(new VerdictFacts(request, recipient, doNotSend ?? DoNotSendFact.Checked(null)));

    [Fact]
    public void The_recipient_map_decides_alone_and_only_when_an_entry_matched()
    {
        Assert.Null(VerdictDecision.ByRecipientMap(null));
        var reject = VerdictDecision.ByRecipientMap(new MapEntry("former@acme.example", MapAction.Reject, "", Now))!;
        Assert.Equal((VerdictAction.Reject, 550, VerdictBuilder.DefaultRecipientMapRejectText), (reject.Action, reject.SmtpCode, reject.Text));
        var accept = VerdictDecision.ByRecipientMap(new MapEntry("postmaster@acme.example", MapAction.Accept, "", Now))!;
        Assert.Equal((VerdictAction.Accept, 250), (accept.Action, accept.SmtpCode));
    }

    [Fact]
    public void The_null_sender_is_accepted_whatever_the_lists_say()
    {
        var decision = Decide(Request(listing: Listing, sender: Address.NullSender), Snapshot([Record("shop.example", RecordAction.Reject)]));
        Assert.Same(VerdictBuilder.NullSender, decision.Verdict);
        Assert.Null(decision.Hit);
    }

    [Fact]
    public void A_do_not_send_request_is_left_to_the_grain_when_the_caller_cannot_tell_whether_it_is_in_force()
    {
        var decision = Decide(Request(), Snapshot(doNotSend: true), DoNotSendFact.Unknown);
        Assert.False(decision.IsDecided);
    }

    [Fact]
    public void A_request_in_force_makes_the_message_a_violation_even_against_a_domain_wide_allow()
    {
        var entry = InForce();
        var decision = Decide(Request(), Snapshot([Record("shop.example", RecordAction.Allow)], doNotSend: true), DoNotSendFact.Checked(entry));

        Assert.Same(entry, decision.Violated);
        Assert.Equal((VerdictAction.Reject, 550, "I asked you to stop", true), (decision.Verdict!.Action, decision.Verdict.SmtpCode, decision.Verdict.Text, decision.Verdict.ViolationRecorded));
    }

    [Fact]
    public void An_allow_record_for_the_very_address_overrules_a_request_without_asking_the_grain()
    {
        var allow = Record("news@shop.example", RecordAction.Allow);
        var decision = Decide(Request(), Snapshot([allow], doNotSend: true), DoNotSendFact.Unknown);
        Assert.Equal((VerdictAction.Accept, allow.Id), (decision.Verdict!.Action, decision.Verdict.MatchedRecordId));
        Assert.Null(decision.Violated);
    }

    [Fact]
    public void A_request_not_yet_in_force_leaves_the_decision_to_the_next_rules()
    {
        var reject = Record("shop.example", RecordAction.Reject);
        var decision = Decide(Request(), Snapshot([reject], doNotSend: true), DoNotSendFact.Checked(null));
        Assert.Equal(reject.Id, decision.Verdict!.MatchedRecordId);
        Assert.Null(decision.Violated);
    }

    [Fact]
    public void The_filter_list_rejects_unless_the_recipient_allows_the_sender()
    {
        var listed = Decide(Request(listing: Listing), Snapshot([Record("shop.example", RecordAction.Defer)]));
        Assert.Equal((VerdictAction.Reject, "case-1", (string?)null), (listed.Verdict!.Action, listed.Verdict.ListedCaseId, listed.Verdict.MatchedRecordId));
        Assert.Null(listed.Hit);

        var allow = Record("shop.example", RecordAction.Allow);
        var allowed = Decide(Request(listing: Listing), Snapshot([allow]));
        Assert.Equal((VerdictAction.Accept, allow.Id, (string?)null), (allowed.Verdict!.Action, allowed.Verdict.MatchedRecordId, allowed.Verdict.ListedCaseId));
    }

    [Fact]
    public void A_domain_allow_does_not_lift_the_filter_list_for_an_unverified_sender()
    {
        var decision = Decide(Request(verified: false, listing: Listing), Snapshot([Record("shop.example", RecordAction.Allow)]));
        Assert.Equal(VerdictAction.Reject, decision.Verdict!.Action);
    }

    [Fact]
    public void The_recipients_record_decides_before_the_providers_sender_list_and_counts_a_hit()
    {
        var own = Record("news@shop.example", RecordAction.Defer, "later");
        var decision = Decide(Request(providerListed: Record("shop.example", RecordAction.Reject)), Snapshot([own]));
        Assert.Equal((VerdictAction.Defer, own.Id), (decision.Verdict!.Action, decision.Verdict.MatchedRecordId));
        Assert.Same(own, decision.Hit!.Record);
    }

    [Fact]
    public void The_providers_sender_list_applies_when_the_recipients_records_do_not_decide_and_beats_the_secondary_flag()
    {
        var listed = Record("shop.example", RecordAction.Reject, "provider says no");
        var decision = Decide(Request(providerListed: listed), Snapshot(secondary: [Record("news@shop.example", RecordAction.Reject)]));
        Assert.Equal((VerdictAction.Reject, "provider says no", listed.Id, (string?)null), (decision.Verdict!.Action, decision.Verdict.Text, decision.Verdict.MatchedRecordId, decision.Verdict.FlaggedRecordId));
        Assert.StartsWith("provider's sender list: ", decision.Verdict.Reason, StringComparison.Ordinal);
        Assert.Null(decision.Hit);
    }

    [Fact]
    public void A_providers_bounce_to_an_unverified_sender_is_dropped_without_a_notice()
    {
        var decision = Decide(Request(verified: false, providerListed: Record("shop.example", RecordAction.Bounce)), Snapshot());
        Assert.Equal((VerdictAction.Discard, (string?)null), (decision.Verdict!.Action, decision.Verdict.NoticeText));
    }

    [Fact]
    public void The_secondary_list_flags_and_accepts_when_nothing_else_decides()
    {
        var evicted = Record("news@shop.example", RecordAction.Reject);
        var flagged = Decide(Request(), Snapshot(secondary: [evicted]));
        Assert.Equal((VerdictAction.Accept, evicted.Id, (string?)null), (flagged.Verdict!.Action, flagged.Verdict.FlaggedRecordId, flagged.Verdict.MatchedRecordId));

        Assert.Same(VerdictBuilder.NoMatch, Decide(Request(), Snapshot()).Verdict);
    }
}
