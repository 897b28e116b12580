using System.Security.Cryptography;
using System.Text;
using Clearinghouse.Domain;
using Clearinghouse.Grains.Escalation;
using MimeKit;

namespace Clearinghouse.UnitTests.Escalation;

public class EscalationDeliveryTests
{
    private static readonly DateTimeOffset Now = new(2026, 5, 1, 12, 0, 0, TimeSpan.Zero);

    private static EscalationCase Case(params string[] providers) => Case(new MessageEvidence("second@bulk.example", Now.AddHours(-2), ""), providers);

    private static EscalationCase Case(MessageEvidence second, params string[] providers)
    {
        var sender = Address.Parse("spam@bulk.example", "sender");
        var report = new ViolationReport("v:1", sender, new string('a', 64), "acme",
            new MessageEvidence("first@bulk.example", Now.AddDays(-5), ""), DoNotSendMethod.OneClick, Now.AddDays(-4),
            second, Now, ReportSource.Verdict, MessageChannel.Email);
        return new EscalationCase("case-1", sender, Now, new SenderStanding(6, 6, 6, 6, 2, Now), providers, [report], "6 distinct recipients");
    }

    private static readonly ArfMailSettings ArfSettings = new() { Host = "127.0.0.1", From = "reports@clearinghouse.example", To = "abuse@{sender_domain}" };

    private static MimeMessage SentAndParsed(MimeMessage built)
    {
        using var stream = new MemoryStream();
        built.WriteTo(stream);
        stream.Position = 0;
        return MimeMessage.Load(stream);
    }

    private static EscalationOptions Options() => new()
    {
        FirstRetryDelay = TimeSpan.FromSeconds(10),
        MaxRetryDelay = TimeSpan.FromSeconds(60),
        MaxAttempts = 4,
        Destinations =
        {
            ["police"] = new() { Kind = DestinationKind.LawEnforcement, Webhook = new() { Url = "http://127.0.0.1/p", Secret = "0123456789abcdef" } },
            ["acme"] = new() { Kind = DestinationKind.ReportingProvider, Provider = "acme", Webhook = new() { Url = "http://127.0.0.1/a", Secret = "0123456789abcdef" } },
            ["zeta"] = new() { Kind = DestinationKind.ReportingProvider, Provider = "zeta", Webhook = new() { Url = "http://127.0.0.1/z", Secret = "0123456789abcdef" } },
        },
    };

    [Fact]
    public void A_case_becomes_one_delivery_per_applicable_destination_once()
    {
        var book = new DeliveryBook(new OutboxState(), Options());
        Assert.Equal(2, book.Enqueue(Case("acme", "other"), Now));
        Assert.Equal(0, book.Enqueue(Case("acme", "other"), Now));
        Assert.Equal(["case-1/acme", "case-1/police"], book.List(null, 10).Select(d => d.DeliveryId).Order(StringComparer.Ordinal));
    }

    [Fact]
    public void Failures_back_off_exponentially_and_end_in_the_dead_letters()
    {
        var book = new DeliveryBook(new OutboxState(), Options());
        book.Enqueue(Case("nobody"), Now);
        var delivery = book.Due(Now).Single();
        var at = Now;
        var waits = new List<TimeSpan>();
        for (var attempt = 1; attempt <= 3; attempt++)
        {
            book.Record(delivery, DeliveryResult.Retry("HTTP 503"), at);
            waits.Add(delivery.NextAttemptAt - at);
            Assert.Empty(book.Due(at));
            at = delivery.NextAttemptAt;
            Assert.Single(book.Due(at));
        }

        Assert.Equal([TimeSpan.FromSeconds(10), TimeSpan.FromSeconds(20), TimeSpan.FromSeconds(40)], waits);
        Assert.Equal(TimeSpan.FromSeconds(60), book.RetryDelay(10));
        book.Record(delivery, DeliveryResult.Retry("HTTP 503"), at);
        Assert.Equal((DeliveryStatus.DeadLetter, 4), (delivery.Status, delivery.Attempts));
        Assert.Equal(0, book.Pending);
    }

    [Fact]
    public void A_permanent_refusal_is_dead_lettered_at_once()
    {
        var book = new DeliveryBook(new OutboxState(), Options());
        book.Enqueue(Case(), Now);
        var delivery = book.Due(Now).Single();
        book.Record(delivery, DeliveryResult.Refused("HTTP 410"), Now);
        Assert.Equal((DeliveryStatus.DeadLetter, "HTTP 410"), (delivery.Status, delivery.LastError));
    }

    [Fact]
    public void A_delivery_is_pending_then_delivered_or_dead_and_the_counts_say_so()
    {
        var book = new DeliveryBook(new OutboxState(), Options());
        book.Enqueue(Case("acme"), Now);
        var (acme, police) = (book.Due(Now).Single(d => d.Destination == "acme"), book.Due(Now).Single(d => d.Destination == "police"));
        Assert.Equal(new OutboxCounts(2, 0, 0), book.Counts());
        Assert.Equal(Now, book.NextDue());

        book.Record(acme, DeliveryResult.Retry("HTTP 503"), Now);
        book.Record(acme, DeliveryResult.Success, Now.AddSeconds(10));
        Assert.Equal((DeliveryStatus.Delivered, (DateTimeOffset?)Now.AddSeconds(10), (string?)null, 2), (acme.Status, acme.DeliveredAt, acme.LastError, acme.Attempts));
        book.Record(police, DeliveryResult.Refused("HTTP 404"), Now);

        Assert.Equal(new OutboxCounts(0, 1, 1), book.Counts());
        Assert.Null(book.NextDue());
        Assert.Empty(book.Due(Now.AddDays(1)));
        Assert.Equal(["case-1/police"], book.List(DeliveryStatus.DeadLetter, 10).Select(d => d.DeliveryId));
        Assert.Equal(["case-1/acme"], book.List(DeliveryStatus.Delivered, 10).Select(d => d.DeliveryId));
    }

    [Fact]
    public void A_dead_letter_is_sent_again_with_a_fresh_round_of_attempts_and_nothing_else_is()
    {
        var book = new DeliveryBook(new OutboxState(), Options());
        book.Enqueue(Case("acme"), Now);
        var (acme, police) = (book.Due(Now).Single(d => d.Destination == "acme"), book.Due(Now).Single(d => d.Destination == "police"));

        Assert.Null(book.Resend("case-1/nowhere", Now));
        Assert.Equal("delivery_id", Assert.Throws<InvalidFieldException>(() => book.Resend(police.DeliveryId, Now)).Field);
        book.Record(acme, DeliveryResult.Success, Now);
        Assert.Contains("delivered", Assert.Throws<InvalidFieldException>(() => book.Resend(acme.DeliveryId, Now)).Problem);

        book.Record(police, DeliveryResult.Refused("HTTP 404"), Now);
        var later = Now.AddHours(3);
        var resent = book.Resend(police.DeliveryId, later)!;
        Assert.Equal((DeliveryStatus.Pending, 0, 1, later), (resent.Status, resent.Attempts, resent.Resends, resent.NextAttemptAt));
        Assert.Equal([police.DeliveryId], book.Due(later).Select(d => d.DeliveryId));

        // Dead again after a full round of attempts (4), then sent again once more.
        for (var attempt = 0; attempt < 4; attempt++)
        {
            book.Record(resent, DeliveryResult.Retry("HTTP 503"), later);
        }

        Assert.Equal(DeliveryStatus.DeadLetter, resent.Status);
        Assert.Equal(2, book.Resend(police.DeliveryId, later)!.Resends);
    }

    [Fact]
    public void Cases_are_listed_newest_first_with_their_deliveries_by_destination_and_filtered_by_status()
    {
        var book = new DeliveryBook(new OutboxState(), Options());
        book.Enqueue(Case("acme", "zeta"), Now);
        book.Enqueue(Case("acme") with { CaseId = "case-2", OpenedAt = Now.AddHours(1) }, Now.AddHours(1));
        book.Record(book.Due(Now).Single(d => d.DeliveryId == "case-1/zeta"), DeliveryResult.Refused("HTTP 410"), Now);

        var all = book.Cases(null, 10);
        Assert.Equal(["case-2", "case-1"], all.Select(c => c.CaseId));
        Assert.Equal(["acme", "police", "zeta"], all[1].Deliveries.Select(d => d.Destination));
        Assert.Equal(["case-1"], book.Cases(DeliveryStatus.DeadLetter, 10).Select(c => c.CaseId));
        Assert.Equal(["case-2"], book.Cases(null, 1).Select(c => c.CaseId));
        Assert.Empty(book.Cases(DeliveryStatus.Delivered, 10));
    }

    [Fact]
    public void The_oldest_finished_deliveries_and_their_cases_go_beyond_the_kept_number()
    {
        var options = Options();
        options.Destinations.Remove("acme");
        options.Destinations.Remove("zeta");
        var book = new DeliveryBook(new OutboxState(), options);
        for (var i = 0; i <= DeliveryBook.KeptFinished; i++)
        {
            var at = Now.AddMinutes(i);
            book.Enqueue(Case() with { CaseId = $"case-{i:D4}", OpenedAt = at }, at);
            book.Record(book.Due(at).Single(), DeliveryResult.Success, at);
        }

        Assert.Equal(new OutboxCounts(0, DeliveryBook.KeptFinished, 0), book.Counts());
        Assert.DoesNotContain(book.Cases(null, 2000), c => c.CaseId == "case-0000");
        Assert.Contains(book.Cases(null, 2000), c => c.CaseId == "case-0001");
        Assert.Null(book.Resend("case-0000/police", Now));
    }

    [Fact]
    public void The_webhook_signature_is_the_hmac_of_timestamp_and_body()
    {
        var body = Encoding.UTF8.GetBytes("{\"case_id\":\"case-1\"}");
        var expected = Convert.ToHexStringLower(HMACSHA256.HashData(Encoding.UTF8.GetBytes("secret"), Encoding.UTF8.GetBytes("1700000000.{\"case_id\":\"case-1\"}")));
        Assert.Equal("v1=" + expected, WebhookTransport.Sign("secret", "1700000000", body));
        Assert.NotEqual(WebhookTransport.Sign("secret", "1700000001", body), WebhookTransport.Sign("secret", "1700000000", body));
    }

    [Fact]
    public void The_ARF_report_parses_back_with_the_RFC_5965_fields()
    {
        var built = ArfReport.Build(ArfSettings, new DisclosedCase(Case("acme"), DisclosureLevel.Full), "case-1/isp", "Clearinghouse", Now);
        var parsed = SentAndParsed(built);

        Assert.Equal("abuse@bulk.example", parsed.To.Mailboxes.Single().Address);
        Assert.Equal(built.MessageId, ArfReport.Build(ArfSettings, new DisclosedCase(Case("acme"), DisclosureLevel.Full), "case-1/isp", "Clearinghouse", Now.AddHours(1)).MessageId);
        var report = Assert.IsType<MultipartReport>(parsed.Body);
        Assert.Equal("feedback-report", report.ReportType);
        var feedback = Assert.IsType<MessageFeedbackReport>(report[1]);
        Assert.Equal(("abuse", "1", "<spam@bulk.example>", "bulk.example", "6"),
            (feedback.Fields["Feedback-Type"], feedback.Fields["Version"], feedback.Fields["Original-Mail-From"], feedback.Fields["Reported-Domain"], feedback.Fields["Incidents"]));

        // The violating message's headers: exactly the Message-ID the evidence holds, nothing made up.
        var headers = Assert.IsType<TextRfc822Headers>(report[2]);
        Assert.Equal("second@bulk.example", headers.Message!.MessageId);
        Assert.Equal(["Message-ID"], headers.Message.Headers.Select(h => h.Field));
    }

    [Fact]
    public void An_ARF_report_of_a_violation_without_a_Message_ID_carries_no_made_up_header_and_says_what_is_missing()
    {
        var built = ArfReport.Build(ArfSettings, new DisclosedCase(Case(new MessageEvidence("", Now.AddHours(-2), ""), "acme"), DisclosureLevel.Full), "case-1/isp", "Clearinghouse", Now);
        var report = Assert.IsType<MultipartReport>(SentAndParsed(built).Body);

        var headers = Assert.IsType<TextRfc822Headers>(report[2]);
        Assert.Empty(headers.Message?.Headers ?? []);
        using var raw = new MemoryStream();
        built.WriteTo(raw);
        // A made-up Message-Id is "<random@host>"; the host name alone can occur by chance in a random MIME boundary.
        Assert.DoesNotContain("@" + System.Net.Dns.GetHostName(), Encoding.UTF8.GetString(raw.ToArray()), StringComparison.OrdinalIgnoreCase);

        var summary = Assert.IsType<TextPart>(report[0]).Text;
        Assert.DoesNotContain("<>", summary);
        Assert.Contains("second message (its Message-ID is not known", summary);
        Assert.Contains("header digest not known", summary);
    }

    [Fact]
    public void A_webhook_document_has_no_message_id_or_digest_it_was_not_given()
    {
        var document = EvidenceDocument.For(new DisclosedCase(Case(new MessageEvidence("", Now, ""), "acme"), DisclosureLevel.Full), "case-1/police", "police", DestinationKind.LawEnforcement, "Clearinghouse");
        using var json = System.Text.Json.JsonDocument.Parse(document.ToUtf8());
        var violation = json.RootElement.GetProperty("violations")[0];
        Assert.False(violation.GetProperty("second_message").TryGetProperty("message_id", out _));
        Assert.False(violation.GetProperty("second_message").TryGetProperty("header_digest", out _));
        Assert.Equal("first@bulk.example", violation.GetProperty("first_message").GetProperty("message_id").GetString());
    }

    // Found by fuzzing: MimeKit's MessageId setter threw on Message-IDs the report API accepts (so every delivery of the
    // case failed) and rewrote others ("a@b," became "a@b"); the report now quotes the id as the evidence holds it.
    [Theory]
    [InlineData("x@y(")]
    [InlineData("second@bulk.example,")]
    [InlineData("a@\"b\"")]
    [InlineData("x@.")]
    public void The_ARF_report_quotes_any_accepted_Message_ID_as_given(string messageId)
    {
        var accepted = MessageEvidence.ParseMessageId(messageId, "message_id");
        var escalation = Case("acme");
        var report = escalation.Evidence[0] with { SecondMessage = new MessageEvidence(accepted, Now.AddHours(-2), "") };
        var settings = new ArfMailSettings { Host = "127.0.0.1", From = "reports@clearinghouse.example", To = "abuse@{sender_domain}" };

        var built = ArfReport.Build(settings, new DisclosedCase(escalation with { Evidence = [report] }, DisclosureLevel.Full), "case-1/isp", "Clearinghouse", Now);
        using var stream = new MemoryStream();
        built.WriteTo(stream);
        stream.Position = 0;

        var headers = Assert.IsType<TextRfc822Headers>(Assert.IsType<MultipartReport>(MimeMessage.Load(stream).Body)[2]);
        Assert.Equal($"<{messageId}>", headers.Message!.Headers[HeaderId.MessageId]?.Trim());
    }

    [Fact]
    public void Misconfigured_destinations_are_named()
    {
        var problems = new EscalationOptionsValidator().Validate(null, new EscalationOptions
        {
            Destinations =
            {
                ["both"] = new() { Webhook = new() { Url = "http://x", Secret = "0123456789abcdef" }, Email = new() { Host = "h", From = "a@b", To = "c@d" } },
                ["weak"] = new() { Webhook = new() { Url = "http://x", Secret = "short" } },
                ["who"] = new() { Kind = DestinationKind.ReportingProvider, Email = new() { Host = "h", From = "a@b", To = "c@d" } },
            },
        });
        Assert.True(problems.Failed);
        Assert.Contains("both", problems.FailureMessage);
        Assert.Contains("weak", problems.FailureMessage);
        Assert.Contains("who", problems.FailureMessage);
    }
}
