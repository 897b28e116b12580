using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using Clearinghouse.Api.V1;
using Clearinghouse.Grains.Escalation;
using Google.Protobuf.WellKnownTypes;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Time.Testing;
using MimeKit;

namespace Clearinghouse.IntegrationTests;

/// <summary>
/// The whole story of issue 3 over gRPC against the real host: do-not-send requests at two providers, violations
/// after the grace period (on a fake clock), one escalation, signed webhooks to a real HTTP receiver, an ARF report
/// to a real SMTP server, the filter-list feed, and the global list in later verdicts.
/// </summary>
public sealed class EscalationEndToEndTests : IAsyncLifetime
{
    private const string Spammer = "promo@spammer.example";
    private static readonly Dictionary<string, string> Secrets = new()
    {
        ["police"] = "police-secret-0123456789",
        ["ftc"] = "ftc-secret-0123456789abc",
        ["acme-abuse"] = "acme-secret-0123456789ab",
        ["third-abuse"] = "third-secret-0123456789a",
    };

    private readonly FakeTimeProvider clock = new(new DateTimeOffset(2026, 3, 1, 9, 0, 0, TimeSpan.Zero));
    private WebhookReceiver receiver = null!;
    private SmtpSink smtp = null!;
    private ClearinghouseTestHost host = null!;

    public async Task InitializeAsync()
    {
        receiver = await WebhookReceiver.StartAsync();
        smtp = await SmtpSink.StartAsync();
        var settings = new Dictionary<string, string?>
        {
            ["Clearinghouse:FilterList:RetainedChanges"] = "1",
            ["Clearinghouse:Violations:RankingInterval"] = "00:00:00.200",
            ["Clearinghouse:Escalation:FirstRetryDelay"] = "00:00:00.200",
            ["Clearinghouse:Escalation:Destinations:police:Kind"] = "LawEnforcement",
            ["Clearinghouse:Escalation:Destinations:police:Webhook:Url"] = receiver.Url("/police"),
            ["Clearinghouse:Escalation:Destinations:police:Webhook:Secret"] = Secrets["police"],
            ["Clearinghouse:Escalation:Destinations:ftc:Kind"] = "FederalAuthority",
            ["Clearinghouse:Escalation:Destinations:ftc:Webhook:Url"] = receiver.Url("/ftc"),
            ["Clearinghouse:Escalation:Destinations:ftc:Webhook:Secret"] = Secrets["ftc"],
            ["Clearinghouse:Escalation:Destinations:acme-abuse:Kind"] = "ReportingProvider",
            ["Clearinghouse:Escalation:Destinations:acme-abuse:Provider"] = "acme",
            ["Clearinghouse:Escalation:Destinations:acme-abuse:Webhook:Url"] = receiver.Url("/acme"),
            ["Clearinghouse:Escalation:Destinations:acme-abuse:Webhook:Secret"] = Secrets["acme-abuse"],
            ["Clearinghouse:Escalation:Destinations:third-abuse:Kind"] = "ReportingProvider",
            ["Clearinghouse:Escalation:Destinations:third-abuse:Provider"] = "third",
            ["Clearinghouse:Escalation:Destinations:third-abuse:Webhook:Url"] = receiver.Url("/third"),
            ["Clearinghouse:Escalation:Destinations:third-abuse:Webhook:Secret"] = Secrets["third-abuse"],
            ["Clearinghouse:Escalation:Destinations:isp:Kind"] = "SenderIsp",
            ["Clearinghouse:Escalation:Destinations:isp:Email:Host"] = "127.0.0.1",
            ["Clearinghouse:Escalation:Destinations:isp:Email:Port"] = smtp.Port.ToString(System.Globalization.CultureInfo.InvariantCulture),
            ["Clearinghouse:Escalation:Destinations:isp:Email:Security"] = "None",
            ["Clearinghouse:Escalation:Destinations:isp:Email:From"] = "reports@clearinghouse.example",
            ["Clearinghouse:Escalation:Destinations:isp:Email:To"] = "abuse@{sender_domain}",
        };
        host = await ClearinghouseTestHost.StartAsync(settings, services => services.AddKeyedSingleton<TimeProvider>(Clearinghouse.Domain.ClearinghouseClock.Key, clock));
    }

    public async Task DisposeAsync()
    {
        await host.DisposeAsync();
        await smtp.DisposeAsync();
        await receiver.DisposeAsync();
    }

    [Fact]
    public async Task Six_recipients_at_two_providers_list_a_sender_that_ignores_their_requests()
    {
        await using var early = FilterListSubscriber.Start(host.FilterList(), 0);
        var recipients = new[]
        {
            ("u1@acme.example", TestTenants.AcmeKey), ("u2@acme.example", TestTenants.AcmeKey), ("u3@acme.example", TestTenants.AcmeKey),
            ("v1@other.example", TestTenants.OtherKey), ("v2@other.example", TestTenants.OtherKey), ("v3@other.example", TestTenants.OtherKey),
        };

        foreach (var ((recipient, key), index) in recipients.Select((r, i) => (r, i)))
        {
            var entry = await host.DoNotSend(key).RecordRequestAsync(new RecordDoNotSendRequest
            {
                Recipient = recipient,
                Sender = "Promo@Spammer.example",
                Method = DoNotSendMethod.OneClick,
                RequestedAt = Timestamp.FromDateTimeOffset(clock.GetUtcNow().AddHours(-1)),
                FirstMessage = Evidence($"first-{index}", clock.GetUtcNow().AddHours(-3)),
            });
            Assert.Equal(Spammer, entry.Sender);
            Assert.Equal(TimeSpan.FromHours(48), entry.GracePeriod.ToTimeSpan());
        }

        // Within the grace period the sender may still send.
        clock.Advance(TimeSpan.FromHours(24));
        var early1 = await Check(recipients[0], "within-grace@spammer.example");
        Assert.Equal((VerdictAction.Accept, false), (early1.Action, early1.ViolationRecorded));

        clock.Advance(TimeSpan.FromHours(26));
        for (var i = 0; i < recipients.Length; i++)
        {
            var verdict = await Check(recipients[i], $"second-{i}@spammer.example");
            Assert.Equal((VerdictAction.Reject, 550u, "5.7.1", true), (verdict.Action, verdict.SmtpCode, verdict.EnhancedCode, verdict.ViolationRecorded));
            Assert.NotEmpty(verdict.ViolationReportKey);

            // The same message checked again is the same violation: it is not counted twice.
            var again = await Check(recipients[i], $"second-{i}@spammer.example");
            Assert.Equal((true, verdict.ViolationReportKey), (again.ViolationRecorded, again.ViolationReportKey));

            var status = await host.Operator().GetSenderAsync(new GetSenderRequest { Sender = Spammer });
            Assert.Equal((ulong)(i + 1), status.TotalReports);

            // The sixth report opens the case and is answered; the escalation proceeds from the stored case.
            Assert.Contains(status.State, (EscalationState[])(i < 5 ? [EscalationState.None] : [EscalationState.Escalated, EscalationState.Listed]));
        }

        var listed = await WaitForSenderAsync(s => s.State == EscalationState.Listed);
        Assert.Equal(EscalationState.Listed, listed.State);
        Assert.Equal((6u, 2u), (listed.Standing.DistinctRecipients, listed.Standing.DistinctProviders));
        Assert.Equal(["acme", "other"], listed.ReportingProviders);
        var caseId = listed.CaseId;
        Assert.NotEmpty(caseId);

        // The subscriber that joined before receives the add: the address as its SHA-256, with reason and case.
        await early.WaitForAsync(u => u.Count >= 1, TimeSpan.FromSeconds(10));
        var add = early.Changes.Single();
        Assert.Equal((1ul, FilterChangeOp.Add, FilterEntryKind.AddressSha256, Sha256(Spammer), caseId), (add.Version, add.Op, add.Kind, add.Value, add.CaseId));
        Assert.Contains("6 distinct recipients", add.Reason);

        // One signed webhook per applicable destination; the provider that did not report gets nothing.
        await receiver.WaitUntilAsync(r => r.Count >= 3, TimeSpan.FromSeconds(10));
        await AssertWebhooksAsync(caseId, recipients.Select(r => Sha256(r.Item1)).ToHashSet());

        // The sender's ISP gets an ARF report over SMTP.
        var mail = (await smtp.WaitForMessagesAsync(1, TimeSpan.FromSeconds(10))).Single();
        AssertArfReport(mail, caseId);

        // The next verdict at either provider rejects the sender through the global list, unless the recipient allows it.
        var atAcme = await host.Verdicts().CheckRecipientAsync(new CheckRecipientRequest { Sender = Spammer, Recipient = "fresh@acme.example" });
        var atOther = await host.Verdicts(TestTenants.OtherKey).CheckRecipientAsync(new CheckRecipientRequest { Sender = Spammer, Recipient = "fresh@other.example" });
        foreach (var verdict in new[] { atAcme, atOther })
        {
            Assert.Equal((VerdictAction.Reject, 550u, caseId, false), (verdict.Action, verdict.SmtpCode, verdict.ListedCaseId, verdict.ViolationRecorded));
        }

        // (An address-level allow: domain-level allows apply only to a sender verified by SPF, and this check has no client IP.)
        await host.Records().AddRecordAsync(new AddRecordRequest { Recipient = "friend@acme.example", Pattern = Spammer, Action = RecordAction.Allow });
        var allowed = await host.Verdicts().CheckRecipientAsync(new CheckRecipientRequest { Sender = Spammer, Recipient = "friend@acme.example" });
        Assert.Equal(VerdictAction.Accept, allowed.Action);

        // An operator delists: a remove is appended, and the sender passes again.
        var delisted = await host.Operator().DelistAsync(new DelistRequest { Sender = Spammer, Reason = "settled with the regulator" });
        Assert.True(delisted.Delisted);
        await early.WaitForAsync(u => u.Count >= 2, TimeSpan.FromSeconds(10));
        var remove = early.Changes[1];
        Assert.Equal((2ul, FilterChangeOp.Remove, Sha256(Spammer), "settled with the regulator"), (remove.Version, remove.Op, remove.Value, remove.Reason));
        Assert.Equal(2, early.Updates.Count);
        var after = await host.Verdicts().CheckRecipientAsync(new CheckRecipientRequest { Sender = Spammer, Recipient = "fresh@acme.example" });
        Assert.Equal(VerdictAction.Accept, after.Action);

        // Resuming from version 1 gives exactly the missed change; from 0 (older than the one retained change) a
        // snapshot first. Neither repeats anything afterwards.
        await using var resumed = FilterListSubscriber.Start(host.FilterList(), 1);
        await using var behind = FilterListSubscriber.Start(host.FilterList(), 0);
        await resumed.WaitForAsync(u => u.Count >= 1, TimeSpan.FromSeconds(10));
        await behind.WaitForAsync(u => u.Count >= 1, TimeSpan.FromSeconds(10));
        await Settle.UntilQuietAsync(() => resumed.Updates.Count + behind.Updates.Count + receiver.Received.Count + smtp.Messages().Count, TimeSpan.FromMilliseconds(500));
        Assert.Equal(2ul, resumed.Changes.Single().Version);
        Assert.Single(resumed.Updates);
        var snapshot = behind.Updates.Single();
        Assert.Equal((FilterListUpdate.UpdateOneofCase.Snapshot, 2ul, 0), (snapshot.UpdateCase, snapshot.Snapshot.Version, snapshot.Snapshot.Entries.Count));

        // Exactly one delivery per destination, still.
        Assert.Equal(3, receiver.Received.Count);
        Assert.Single(smtp.Messages());
    }

    private async Task<SenderReport> WaitForSenderAsync(Func<SenderReport, bool> condition)
    {
        var deadline = DateTime.UtcNow.AddSeconds(10);
        while (true)
        {
            var status = await host.Operator().GetSenderAsync(new GetSenderRequest { Sender = Spammer });
            if (condition(status) || DateTime.UtcNow > deadline)
            {
                return status;
            }

            await Task.Delay(20);
        }
    }

    private async Task<Verdict> Check((string Recipient, string Key) to, string messageId) =>
        await host.Verdicts(to.Key).CheckRecipientAsync(new CheckRecipientRequest
        {
            Sender = Spammer,
            Recipient = to.Recipient,
            MessageId = $"<{messageId}>",
            MessageDate = Timestamp.FromDateTimeOffset(clock.GetUtcNow()),
            HeaderDigest = Sha256(messageId),
        });

    private async Task AssertWebhooksAsync(string caseId, HashSet<string> recipientHashes)
    {
        await Settle.UntilQuietAsync(() => receiver.Received.Count, TimeSpan.FromMilliseconds(500));
        var received = receiver.Received;
        Assert.Equal(["/acme", "/ftc", "/police"], received.Select(r => r.Path).Order(StringComparer.Ordinal));
        var idsByDestination = new Dictionary<string, HashSet<string>>();
        foreach (var webhook in received)
        {
            var destination = webhook.Path switch { "/acme" => "acme-abuse", "/ftc" => "ftc", _ => "police" };
            var timestamp = webhook.Header(WebhookTransport.TimestampHeader);
            var expected = "v1=" + Convert.ToHexStringLower(HMACSHA256.HashData(
                Encoding.UTF8.GetBytes(Secrets[destination]),
                (byte[])[.. Encoding.UTF8.GetBytes(timestamp + "."), .. webhook.Body]));
            Assert.Equal(expected, webhook.Header(WebhookTransport.SignatureHeader));
            Assert.Equal($"{caseId}/{destination}", webhook.Header(WebhookTransport.IdempotencyHeader));

            using var json = JsonDocument.Parse(webhook.Body);
            var root = json.RootElement;
            Assert.Equal(caseId, root.GetProperty("case_id").GetString());
            Assert.Equal(Spammer, root.GetProperty("sender").GetString());
            Assert.Equal("full", root.GetProperty("disclosure").GetString());
            var violations = root.GetProperty("violations");
            var first = violations[0];
            Assert.StartsWith("first-", first.GetProperty("first_message").GetProperty("message_id").GetString());
            Assert.StartsWith("second-", first.GetProperty("second_message").GetProperty("message_id").GetString());
            Assert.Equal("one_click", first.GetProperty("request_method").GetString());
            var text = Encoding.UTF8.GetString(webhook.Body);
            Assert.DoesNotContain("@acme.example", text);
            Assert.DoesNotContain("@other.example", text);

            // Recipients appear only as identifiers keyed for this destination: no receiver can confirm a guess.
            var ids = violations.EnumerateArray().Select(v => v.GetProperty("recipient_id").GetString()!).ToHashSet();
            Assert.Empty(ids.Intersect(recipientHashes));
            Assert.DoesNotContain(recipientHashes, text.Contains);
            idsByDestination[destination] = ids;

            if (destination == "acme-abuse")
            {
                // A reporting provider receives only its own users' evidence: no other provider's name or Message-IDs.
                Assert.Equal(3, violations.GetArrayLength());
                Assert.Equal(["acme"], root.GetProperty("reporting_providers").EnumerateArray().Select(p => p.GetString()));
                Assert.All(violations.EnumerateArray(), v => Assert.Equal("acme", v.GetProperty("provider_id").GetString()));
                Assert.DoesNotContain("\"other\"", text);
                foreach (var otherUsers in new[] { 3, 4, 5 })
                {
                    Assert.DoesNotContain($"first-{otherUsers}@", text);
                    Assert.DoesNotContain($"second-{otherUsers}@", text);
                }
            }
            else
            {
                Assert.Equal(6, violations.GetArrayLength());
                Assert.Equal(6, ids.Count);
                Assert.Equal(["acme", "other"], root.GetProperty("reporting_providers").EnumerateArray().Select(p => p.GetString()));
            }
        }

        // Each destination has its own key: the same recipients get other identifiers elsewhere.
        Assert.Empty(idsByDestination["police"].Intersect(idsByDestination["ftc"]));
        Assert.Empty(idsByDestination["acme-abuse"].Intersect(idsByDestination["police"]));
    }

    private static void AssertArfReport(MimeMessage mail, string caseId)
    {
        Assert.Equal("abuse@spammer.example", mail.To.Mailboxes.Single().Address);
        Assert.Equal("reports@clearinghouse.example", mail.From.Mailboxes.Single().Address);
        var report = Assert.IsType<MultipartReport>(mail.Body);
        Assert.Equal("feedback-report", report.ReportType);
        Assert.Equal(3, report.Count);
        Assert.IsType<TextPart>(report[0]);
        var feedback = Assert.IsType<MessageFeedbackReport>(report[1]);
        Assert.Equal("abuse", feedback.Fields["Feedback-Type"]);
        Assert.Equal("1", feedback.Fields["Version"]);
        Assert.Equal("<promo@spammer.example>", feedback.Fields["Original-Mail-From"]);
        Assert.Equal("spammer.example", feedback.Fields["Reported-Domain"]);
        Assert.Equal("6", feedback.Fields["Incidents"]);
        Assert.False(string.IsNullOrEmpty(feedback.Fields["Arrival-Date"]));
        // Only the headers the evidence holds: the Message-ID (the envelope sender is Original-Mail-From above).
        var headers = Assert.IsType<TextRfc822Headers>(report[2]);
        Assert.NotNull(headers.Message);
        Assert.StartsWith("second-", headers.Message.MessageId);
        Assert.Empty(headers.Message.From);
        Assert.Equal(caseId, mail.Headers["X-Clearinghouse-Case"]);

        // The sender's ISP gets the messages, not who reported them (its default disclosure level).
        var summary = Assert.IsType<TextPart>(report[0]).Text;
        Assert.Contains("first-", summary);
        Assert.DoesNotContain("acme", summary);
        Assert.DoesNotContain("other", summary);
    }

    private static MessageEvidence Evidence(string id, DateTimeOffset date) => new()
    {
        MessageId = $"{id}@spammer.example",
        Date = Timestamp.FromDateTimeOffset(date),
        HeaderDigest = Sha256(id),
    };

    private static string Sha256(string text) => Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(text)));
}
