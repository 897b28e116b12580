using System.Security.Cryptography;
using System.Text;
using Clearinghouse.Domain;
using Clearinghouse.Grains.Escalation;
using MimeKit;

namespace Clearinghouse.UnitTests.Escalation;

public class EscalationDeliveryTests
{
    private static readonly DateTimeOffset Now = new(2026, 5, 1, 12, 0, 0, TimeSpan.Zero);

    private static EscalationCase Case(params string[] providers)
    {
        var sender = Address.Parse("spam@bulk.example", "sender");
        var report = new ViolationReport("v:1", sender, new string('a', 64), "acme",
            new MessageEvidence("first@bulk.example", Now.AddDays(-5), ""), DoNotSendMethod.OneClick, Now.AddDays(-4),
            new MessageEvidence("second@bulk.example", Now.AddHours(-2), ""), Now, ReportSource.Verdict, MessageChannel.Email);
        return new EscalationCase("case-1", sender, Now, new SenderStanding(6, 6, 6, 6, 2, Now), providers, [report], "6 distinct recipients");
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
        var settings = new ArfMailSettings { Host = "127.0.0.1", From = "reports@clearinghouse.example", To = "abuse@{sender_domain}" };
        var built = ArfReport.Build(settings, new DisclosedCase(Case("acme"), DisclosureLevel.Full), "case-1/isp", "Clearinghouse", Now);
        using var stream = new MemoryStream();
        built.WriteTo(stream);
        stream.Position = 0;
        var parsed = MimeMessage.Load(stream);

        Assert.Equal("abuse@bulk.example", parsed.To.Mailboxes.Single().Address);
        Assert.Equal(built.MessageId, ArfReport.Build(settings, new DisclosedCase(Case("acme"), DisclosureLevel.Full), "case-1/isp", "Clearinghouse", Now.AddHours(1)).MessageId);
        var report = Assert.IsType<MultipartReport>(parsed.Body);
        Assert.Equal("feedback-report", report.ReportType);
        var feedback = Assert.IsType<MessageFeedbackReport>(report[1]);
        Assert.Equal(("abuse", "1", "<spam@bulk.example>", "bulk.example", "6"),
            (feedback.Fields["Feedback-Type"], feedback.Fields["Version"], feedback.Fields["Original-Mail-From"], feedback.Fields["Reported-Domain"], feedback.Fields["Incidents"]));
        var headers = Assert.IsType<TextRfc822Headers>(report[2]);
        Assert.Equal("second@bulk.example", headers.Message!.MessageId);
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
