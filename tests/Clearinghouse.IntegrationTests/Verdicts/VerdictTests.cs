using Clearinghouse.Api.V1;
using Clearinghouse.Grains.Recipients.Cache;
using Grpc.Core;
using Microsoft.Extensions.DependencyInjection;

namespace Clearinghouse.IntegrationTests;

[Collection(HostCollection.Name)]
public class VerdictTests(HostFixture fixture)
{
    private readonly Records.RecordsClient records = fixture.Host.Records();
    private readonly Verdicts.VerdictsClient verdicts = fixture.Host.Verdicts();

    private static string NewRecipient() => $"user-{Guid.NewGuid():N}@{TestTenants.AcmeDomain}";

    [Fact]
    public async Task A_reject_record_rejects_with_550_and_the_recipients_message_until_it_is_removed()
    {
        var recipient = NewRecipient();
        var added = await records.AddRecordAsync(new AddRecordRequest
        {
            Recipient = recipient,
            Pattern = "Newsletter@Shop.example",
            Action = RecordAction.Reject,
            Message = "I unsubscribed on 3 March. Stop.",
        });
        Assert.False(added.Replaced);

        var verdict = await verdicts.CheckRecipientAsync(new CheckRecipientRequest { Sender = "newsletter@shop.example", Recipient = recipient.ToUpperInvariant() });
        Assert.Equal(VerdictAction.Reject, verdict.Action);
        Assert.Equal(550u, verdict.SmtpCode);
        Assert.Equal("5.7.1", verdict.EnhancedCode);
        Assert.Equal("I unsubscribed on 3 March. Stop.", verdict.Text);
        Assert.Equal(added.Record.Id, verdict.MatchedRecordId);

        var removed = await records.RemoveRecordAsync(new RemoveRecordRequest { Recipient = recipient, RecordId = added.Record.Id });
        Assert.True(removed.Removed);

        var after = await verdicts.CheckRecipientAsync(new CheckRecipientRequest { Sender = "newsletter@shop.example", Recipient = recipient });
        Assert.Equal(VerdictAction.Accept, after.Action);
        Assert.Equal(250u, after.SmtpCode);
        Assert.Equal("", after.MatchedRecordId);
    }

    [Fact]
    public async Task A_silo_answers_its_own_active_recipients_without_a_grain_call_and_sees_every_acknowledged_write()
    {
        var local = fixture.Host.Services.GetRequiredService<RecipientReadCache>();
        var recipient = NewRecipient();
        var added = await Add(recipient, "pest@shop.example", RecordAction.Reject, "no");
        var before = local.MemoryAnswers;

        Assert.Equal(VerdictAction.Reject, (await Check("pest@shop.example", recipient)).Action);
        await records.RemoveRecordAsync(new RemoveRecordRequest { Recipient = recipient, RecordId = added.Id });
        Assert.Equal(VerdictAction.Accept, (await Check("pest@shop.example", recipient)).Action);
        await Add(recipient, "pest@shop.example", RecordAction.Defer, "later");
        Assert.Equal(VerdictAction.Defer, (await Check("pest@shop.example", recipient)).Action);
        Assert.Equal(VerdictAction.Defer, (await Check("pest@shop.example", recipient)).Action);

        Assert.Equal(before + 4, local.MemoryAnswers);
        var listed = (await records.ListRecordsAsync(new ListRecordsRequest { Recipient = recipient })).Records.Single();
        Assert.Equal(2ul, listed.HitCount);
    }

    [Fact]
    public async Task Each_action_answers_with_its_SMTP_reply()
    {
        var recipient = NewRecipient();
        await Add(recipient, "defer.example", RecordAction.Defer, "later please");
        await Add(recipient, "discard.example", RecordAction.Discard, "");
        await Add(recipient, "bounce.example", RecordAction.Bounce, "please stop writing to me");

        var defer = await Check("x@defer.example", recipient);
        Assert.Equal((VerdictAction.Defer, 450u, "4.7.1", "later please"), (defer.Action, defer.SmtpCode, defer.EnhancedCode, defer.Text));

        var discard = await Check("x@discard.example", recipient);
        Assert.Equal((VerdictAction.Discard, 250u), (discard.Action, discard.SmtpCode));

        // No client IP, so the sender is not verified: dropped without a notice (SenderVerificationTests has the notice).
        var bounce = await Check("x@bounce.example", recipient);
        Assert.Equal((VerdictAction.Discard, 250u, ""), (bounce.Action, bounce.SmtpCode, bounce.NoticeText));
    }

    [Fact]
    public async Task An_IM_handle_is_blocked_with_the_recipients_message_on_the_im_channel_only()
    {
        var recipient = $"friend-{Guid.NewGuid():N}@{TestTenants.AcmeDomain}";
        await records.AddRecordAsync(new AddRecordRequest
        {
            Recipient = recipient,
            Pattern = "spambot@chat.example",
            Channel = Channel.Im,
            Action = RecordAction.Reject,
            Message = "Do not message me.",
        });

        var im = await verdicts.CheckRecipientAsync(new CheckRecipientRequest { Sender = "SpamBot@chat.example", Recipient = recipient, Channel = Channel.Im });
        Assert.Equal(VerdictAction.Reject, im.Action);
        Assert.Equal("Do not message me.", im.Text);

        var email = await verdicts.CheckRecipientAsync(new CheckRecipientRequest { Sender = "spambot@chat.example", Recipient = recipient, Channel = Channel.Email });
        Assert.Equal(VerdictAction.Accept, email.Action);
    }

    [Fact]
    public async Task Listing_shows_the_records_with_their_hits()
    {
        var recipient = NewRecipient();
        var added = await Add(recipient, "*.promo.example", RecordAction.Reject, "no");
        await Check("a@mail.promo.example", recipient);
        await Check("b@news.promo.example", recipient);

        var listed = (await records.ListRecordsAsync(new ListRecordsRequest { Recipient = recipient })).Records.Single();
        Assert.Equal(added.Id, listed.Id);
        Assert.Equal("*.promo.example", listed.Pattern);
        Assert.Equal(2ul, listed.HitCount);
        Assert.NotNull(listed.LastHitAt);
    }

    [Fact]
    public async Task The_stream_answers_a_thousand_mixed_checks_each_by_its_id()
    {
        var recipients = Enumerable.Range(0, 10).Select(_ => NewRecipient()).ToArray();
        var expectations = new Dictionary<string, VerdictAction>();
        foreach (var (recipient, i) in recipients.Select((r, i) => (r, i)))
        {
            await Add(recipient, $"spam{i}@bulk.example", RecordAction.Reject, $"no {i}");
            await Add(recipient, "defer.example", RecordAction.Defer, "");
            await Add(recipient, ".xyz", RecordAction.Discard, "");
            await Add(recipient, "friend@cheap.xyz", RecordAction.Allow, "");
        }

        var senders = new (string Sender, Func<int, int, VerdictAction> Expect)[]
        {
            ("spam{0}@bulk.example", (r, s) => r == s ? VerdictAction.Reject : VerdictAction.Accept),
            ("news@defer.example", (_, _) => VerdictAction.Defer),
            ("promo@cheap.xyz", (_, _) => VerdictAction.Discard),
            ("friend@cheap.xyz", (_, _) => VerdictAction.Accept),
            ("someone@elsewhere.example", (_, _) => VerdictAction.Accept),
        };

        var requests = new List<StreamCheckRequest>();
        var expected = new Dictionary<ulong, (VerdictAction? Action, string? Error)>();
        var random = new Random(1234);
        for (ulong id = 1; id <= 1000; id++)
        {
            if (id % 97 == 0)
            {
                requests.Add(new StreamCheckRequest { Id = id, Check = new CheckRecipientRequest { Sender = "not an address", Recipient = recipients[0] } });
                expected[id] = (null, "sender");
                continue;
            }

            var r = random.Next(recipients.Length);
            var s = random.Next(senders.Length);
            var senderIndex = random.Next(recipients.Length);
            var sender = string.Format(System.Globalization.CultureInfo.InvariantCulture, senders[s].Sender, senderIndex);
            requests.Add(new StreamCheckRequest { Id = id, Check = new CheckRecipientRequest { Sender = sender, Recipient = recipients[r] } });
            expected[id] = (senders[s].Expect(r, senderIndex), null);
        }

        using var call = verdicts.CheckStream();
        var reading = Task.Run(async () =>
        {
            var answers = new List<StreamCheckResponse>();
            await foreach (var answer in call.ResponseStream.ReadAllAsync())
            {
                answers.Add(answer);
            }

            return answers;
        });
        foreach (var request in requests)
        {
            await call.RequestStream.WriteAsync(request);
        }

        await call.RequestStream.CompleteAsync();
        var received = await reading;

        Assert.Equal(1000, received.Count);
        Assert.Equal(1000, received.Select(a => a.Id).Distinct().Count());
        foreach (var answer in received)
        {
            var (action, errorField) = expected[answer.Id];
            if (errorField is not null)
            {
                Assert.Equal(StreamCheckResponse.ResultOneofCase.Error, answer.ResultCase);
                Assert.Equal((int)StatusCode.InvalidArgument, answer.Error.Code);
                Assert.StartsWith(errorField + ":", answer.Error.Message);
            }
            else
            {
                Assert.Equal(StreamCheckResponse.ResultOneofCase.Verdict, answer.ResultCase);
                Assert.True(action == answer.Verdict.Action, $"check {answer.Id}: expected {action}, got {answer.Verdict.Action} ({answer.Verdict.Reason})");
            }
        }
    }

    [Fact]
    public async Task The_null_sender_is_accepted()
    {
        var recipient = NewRecipient();
        await Add(recipient, ".example", RecordAction.Reject, "no");
        var verdict = await Check("<>", recipient);
        Assert.Equal(VerdictAction.Accept, verdict.Action);
    }

    private async Task<BlockingRecord> Add(string recipient, string pattern, RecordAction action, string message) =>
        (await records.AddRecordAsync(new AddRecordRequest { Recipient = recipient, Pattern = pattern, Action = action, Message = message })).Record;

    private async Task<Verdict> Check(string sender, string recipient) =>
        await verdicts.CheckRecipientAsync(new CheckRecipientRequest { Sender = sender, Recipient = recipient });
}
