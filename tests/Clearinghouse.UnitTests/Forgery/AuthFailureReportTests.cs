using Clearinghouse.Domain;
using Clearinghouse.Grains.Forgery;
using MimeKit;

namespace Clearinghouse.UnitTests.Forgery;

/// <summary>The RFC 6591 report a forged domain's owner receives, read back with MimeKit.</summary>
public class AuthFailureReportTests
{
    private static readonly DateTimeOffset Now = new(2026, 5, 1, 12, 0, 0, TimeSpan.Zero);

    internal static ForgeryReport Forgery(long count = 1000) => new(
        "forgery/bank.example/1", "bank.example", Now.AddHours(-1), Now, count, count, 0,
        [new ForgedViolation("v:1", Address.Parse("ceo@bank.example", "sender"), new AuthenticationResults(SpfResult.Fail, DkimResult.None, "", DmarcResult.None),
            new MessageEvidence("m1@forger.example", Now.AddMinutes(-5), ""), Now.AddMinutes(-4))]);

    [Fact]
    public void It_is_a_feedback_report_of_type_auth_failure_with_the_count_and_a_sample()
    {
        var message = AuthFailureReport.Build("reports@clearinghouse.example", Forgery(), "forgery/bank.example/1/domain-owner", "Clearinghouse", Now);
        using var stream = new MemoryStream();
        message.WriteTo(stream);
        stream.Position = 0;
        var parsed = MimeMessage.Load(stream);

        var report = Assert.IsType<MultipartReport>(parsed.Body);
        Assert.Equal("feedback-report", report.ReportType);
        var feedback = Assert.Single(report.OfType<MessageFeedbackReport>());
        Assert.Equal("auth-failure", feedback.Fields["Feedback-Type"]);
        Assert.Equal("spf", feedback.Fields["Auth-Failure"]);
        Assert.Equal("1000", feedback.Fields["Incidents"]);
        Assert.Equal("bank.example", feedback.Fields["Reported-Domain"]);
        Assert.Equal("<ceo@bank.example>", feedback.Fields["Original-Mail-From"]);
        Assert.Equal("1", feedback.Fields["Version"]);
        var results = MimeKit.Cryptography.AuthenticationResults.Parse(System.Text.Encoding.ASCII.GetBytes(feedback.Fields["Authentication-Results"]!));
        var spf = Assert.Single(results.Results);
        Assert.Equal(("spf", "fail"), (spf.Method, spf.Result));
        Assert.Equal("ceo@bank.example", Assert.Single(spf.Properties).Value);
        var headers = Assert.IsType<TextRfc822Headers>(report[2]);
        Assert.Equal("<m1@forger.example>", headers.Message!.Headers[HeaderId.MessageId]?.Trim());
        Assert.Contains("1000 messages claiming a sender at bank.example failed authentication", report.OfType<TextPart>().First().Text);
    }
}
