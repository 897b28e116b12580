using Clearinghouse.Api.V1;
using Clearinghouse.Contracts;
using Clearinghouse.Domain;
using Microsoft.Extensions.DependencyInjection;
using FilterEntryKind = Clearinghouse.Api.V1.FilterEntryKind;
using FilterChangeOp = Clearinghouse.Domain.FilterChangeOp;
using MapAction = Clearinghouse.Api.V1.MapAction;
using MapEntry = Clearinghouse.Api.V1.MapEntry;
using MapKind = Clearinghouse.Api.V1.MapKind;
using RecordAction = Clearinghouse.Api.V1.RecordAction;

namespace Clearinghouse.IntegrationTests.Policy;

/// <summary>A real Postfix asks the policy listener; swaks speaks SMTP to Postfix.</summary>
[Collection(PostfixEdgeCollection.Name)]
public class PostfixPolicyTests(PostfixEdgeFixture edge)
{
    private int Policy => edge.Postfix.Port("policy");

    [Fact]
    public async Task A_reject_record_answers_with_the_recipients_message_and_code_for_that_recipient_only()
    {
        var alice = Recipient("alice");
        var bob = Recipient("bob");
        await AddRecord(alice, "news@shop.policy.test", RecordAction.Reject, "I unsubscribed on 3 March. Stop.");

        var result = await Swaks.SendAsync(Policy, "news@shop.policy.test", $"{alice},{bob}");
        AssertRefused(result.ReplyTo(alice), "550 5.7.1", "I unsubscribed on 3 March. Stop.");
        Assert.StartsWith("<-  250 ", result.ReplyTo(bob), StringComparison.Ordinal);
    }

    [Fact]
    public async Task An_accepted_message_is_delivered_and_a_deferred_one_gets_450()
    {
        var carol = Recipient("carol");
        var subject = "accept-" + Guid.NewGuid().ToString("n");
        var accepted = await Swaks.SendAsync(Policy, "friend@friends.policy.test", carol, deliver: true, subject: subject);
        Assert.StartsWith("<-  250 ", accepted.ReplyTo(carol), StringComparison.Ordinal);
        Assert.Single(await edge.WaitForMailAsync(m => m.Subject == subject, TimeSpan.FromSeconds(20)));

        var dave = Recipient("dave");
        await AddRecord(dave, "*.later.policy.test", RecordAction.Defer, "Busy until Monday");
        var deferred = await Swaks.SendAsync(Policy, "a@mx.later.policy.test", dave);
        AssertRefused(deferred.ReplyTo(dave), "450 4.7.1", "Busy until Monday");
    }

    [Fact]
    public async Task A_discard_record_accepts_the_message_and_drops_it()
    {
        var erin = Recipient("erin");
        await AddRecord(erin, "promo@junk.policy.test", RecordAction.Discard);
        var dropped = "discard-" + Guid.NewGuid().ToString("n");
        var kept = "control-" + Guid.NewGuid().ToString("n");

        var result = await Swaks.SendAsync(Policy, "promo@junk.policy.test", erin, deliver: true, subject: dropped);
        Assert.StartsWith("<-  250 ", result.ReplyTo(erin), StringComparison.Ordinal);
        Assert.Contains("<-  250 2.0.0 Ok: queued", result.Transcript, StringComparison.Ordinal);
        await Swaks.SendAsync(Policy, "friend@friends.policy.test", erin, deliver: true, subject: kept);

        // The message sent after it arrives; the discarded one never does.
        Assert.Single(await edge.WaitForMailAsync(m => m.Subject == kept, TimeSpan.FromSeconds(20)));
        Assert.DoesNotContain(edge.Sink.Messages(), m => m.Subject == dropped);
        Assert.Contains("discard: RCPT from", edge.Postfix.Log(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_bounce_record_drops_the_message_and_mails_the_verified_sender_a_notice()
    {
        var frank = Recipient("frank");
        var sender = $"list-{Guid.NewGuid():n}@{PostfixEdgeFixture.VerifiedDomain}";
        await AddRecord(frank, sender, RecordAction.Bounce, "Please remove me from your list");
        var subject = "bounce-" + Guid.NewGuid().ToString("n");

        var result = await Swaks.SendAsync(Policy, sender, frank, deliver: true, subject: subject);
        Assert.StartsWith("<-  250 ", result.ReplyTo(frank), StringComparison.Ordinal);

        var notice = Assert.Single(await edge.WaitForMailAsync(m => m.To.Mailboxes.Any(b => b.Address == sender), TimeSpan.FromSeconds(20)));
        Assert.Equal(PostfixEdgeFixture.NoticeFrom, notice.From.Mailboxes.Single().Address);
        Assert.Equal("auto-replied", notice.Headers["Auto-Submitted"]);
        Assert.Contains("Please remove me from your list", notice.TextBody, StringComparison.Ordinal);
        Assert.DoesNotContain(edge.Sink.Messages(), m => m.Subject == subject);
    }

    [Fact]
    public async Task A_connection_map_reject_refuses_the_client_at_RCPT_by_default_and_at_CONNECT_without_delay_reject()
    {
        await edge.Host.ProviderMaps().PutMapEntriesAsync(new PutMapEntriesRequest
        {
            Map = MapKind.Connection,
            Entries = { new MapEntry { Identifier = "127.0.0.20", Action = MapAction.Reject, Message = "Your host is compromised" } },
        });
        var grace = Recipient("grace");

        var atRcpt = await Swaks.SendAsync(Policy, "x@any.policy.test", grace, clientAddress: "127.0.0.20");
        AssertRefused(atRcpt.ReplyTo(grace), "554 5.7.1", "Your host is compromised");

        var atConnect = await Swaks.SendAsync(edge.Postfix.Port("connect"), "x@any.policy.test", grace, clientAddress: "127.0.0.20");
        Assert.Contains("554 5.7.1 <unknown[127.0.0.20]>: Client host rejected: Your host is compromised", atConnect.Transcript, StringComparison.Ordinal);
        Assert.Contains("reject: CONNECT from unknown[127.0.0.20]", edge.Postfix.Log(), StringComparison.Ordinal);

        // Another client is not affected.
        Assert.StartsWith("<-  250 ", (await Swaks.SendAsync(Policy, "x@any.policy.test", grace, clientAddress: "127.0.0.19")).ReplyTo(grace), StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_client_IP_or_sender_on_the_global_filter_list_is_refused()
    {
        var listed = await edge.ListAsync(FilterEntryKind.Ip, "127.0.0.16/30", "botnet range");
        var heidi = Recipient("heidi");
        var byIp = await Swaks.SendAsync(Policy, "x@any.policy.test", heidi, clientAddress: "127.0.0.17");
        AssertRefused(byIp.ReplyTo(heidi), "554 5.7.1", "Connection refused: the client IP is on the Clearinghouse filter list");

        var spammer = Address.Parse($"spam-{Guid.NewGuid():n}@bulk.policy.test", "sender");
        await edge.Host.Services.GetRequiredService<IGrainFactory>().GetGrain<IFilterList>(0)
            .Append(FilterChangeOp.Add, FilterEntry.ForAddress(spammer), "ignored do-not-send requests", "case-policy");
        var bySender = await Swaks.SendAsync(Policy, spammer.Value, heidi);
        AssertRefused(bySender.ReplyTo(heidi), "550 5.7.1", FilterListVerdict.RejectText);
        Assert.NotEmpty(listed.CaseId);
    }

    private static string Recipient(string name) => $"{name}-{Guid.NewGuid():n}@acme.example";

    // Postfix puts "<address>: Recipient address rejected:" (or "Client host rejected:") before the policy's text.
    private static void AssertRefused(string reply, string codes, string text)
    {
        Assert.StartsWith("<** " + codes + " ", reply, StringComparison.Ordinal);
        Assert.EndsWith(": " + text, reply, StringComparison.Ordinal);
    }

    private async Task AddRecord(string recipient, string pattern, RecordAction action, string message = "") =>
        await edge.Host.Records().AddRecordAsync(new AddRecordRequest { Recipient = recipient, Pattern = pattern, Action = action, Message = message });
}
