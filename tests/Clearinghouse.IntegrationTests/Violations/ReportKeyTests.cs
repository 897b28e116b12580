using System.Security.Cryptography;
using System.Text;
using Clearinghouse.Api.V1;
using Google.Protobuf.WellKnownTypes;

namespace Clearinghouse.IntegrationTests;

/// <summary>
/// The idempotency keys over gRPC: a violation is one per (recipient, sender, channel, second message), however it is
/// reported; a provider's report id is its reference, not the key.
/// </summary>
[Collection(HostCollection.Name)]
public class ReportKeyTests(HostFixture fixture)
{
    private static readonly DateTimeOffset Now = DateTimeOffset.UtcNow;

    [Fact]
    public async Task A_report_id_reused_for_another_sender_counts_for_that_sender()
    {
        var (first, second) = (NewSender(), NewSender());
        var recipient = NewRecipient();
        Assert.False((await Submit("shared-id", recipient, first, "m1@bulk.example")).Duplicate);
        Assert.False((await Submit("shared-id", recipient, second, "m1@bulk.example")).Duplicate);

        Assert.Equal(1ul, (await Sender(first)).TotalReports);
        Assert.Equal(1ul, (await Sender(second)).TotalReports);
    }

    [Fact]
    public async Task A_report_id_reused_for_another_recipient_of_the_same_sender_counts_that_recipient()
    {
        var sender = NewSender();
        Assert.False((await Submit("same-id", NewRecipient(), sender, "m1@bulk.example")).Duplicate);
        Assert.False((await Submit("same-id", NewRecipient(), sender, "m1@bulk.example")).Duplicate);

        var status = await Sender(sender);
        Assert.Equal((2ul, 2u), (status.TotalReports, status.Standing.DistinctRecipients));
    }

    [Fact]
    public async Task The_same_violation_reported_under_two_ids_counts_once()
    {
        var (sender, recipient) = (NewSender(), NewRecipient());
        Assert.False((await Submit("id-1", recipient, sender, "m1@bulk.example")).Duplicate);
        Assert.True((await Submit("id-2", recipient, sender, "<m1@bulk.example>")).Duplicate);
        Assert.False((await Submit("id-1", recipient, sender, "m2@bulk.example")).Duplicate);

        Assert.Equal(2ul, (await Sender(sender)).TotalReports);
    }

    [Fact]
    public async Task A_message_a_check_recorded_as_a_violation_counts_once_when_its_provider_reports_it()
    {
        var (sender, recipient) = (NewSender(), NewRecipient());
        await fixture.Host.DoNotSend().RecordRequestAsync(new RecordDoNotSendRequest
        {
            Recipient = recipient,
            Sender = sender,
            Method = DoNotSendMethod.Reply,
            RequestedAt = Timestamp.FromDateTimeOffset(Now.AddDays(-4)),
            FirstMessage = Evidence("first@bulk.example", Now.AddDays(-5)),
        });
        var verdict = await fixture.Host.Verdicts().CheckRecipientAsync(new CheckRecipientRequest
        {
            Sender = sender,
            Recipient = recipient,
            MessageId = "<second@bulk.example>",
            MessageDate = Timestamp.FromDateTimeOffset(Now.AddHours(-1)),
        });
        Assert.True(verdict.ViolationRecorded);

        var reported = await Submit("provider-report", recipient, sender, "second@bulk.example");

        Assert.True(reported.Duplicate);
        Assert.Equal(1ul, (await Sender(sender)).TotalReports);
    }

    private async Task<SubmitViolationResponse> Submit(string reportId, string recipient, string sender, string secondMessageId) =>
        await fixture.Host.Reports().SubmitViolationAsync(new SubmitViolationRequest
        {
            ReportId = reportId,
            Recipient = recipient,
            Sender = sender,
            FirstMessage = Evidence("first@bulk.example", Now.AddDays(-5)),
            RequestMethod = DoNotSendMethod.Reply,
            RequestedAt = Timestamp.FromDateTimeOffset(Now.AddDays(-4)),
            SecondMessage = Evidence(secondMessageId, Now.AddHours(-1)),
        });

    private async Task<SenderReport> Sender(string sender) =>
        await fixture.Host.Operator().GetSenderAsync(new GetSenderRequest { Sender = sender });

    private static string NewSender() => $"s-{Guid.NewGuid():N}@bulk.example";

    private static string NewRecipient() => $"r-{Guid.NewGuid():N}@{TestTenants.AcmeDomain}";

    private static MessageEvidence Evidence(string messageId, DateTimeOffset date) => new()
    {
        MessageId = messageId,
        Date = Timestamp.FromDateTimeOffset(date),
        HeaderDigest = Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(messageId))),
    };
}
