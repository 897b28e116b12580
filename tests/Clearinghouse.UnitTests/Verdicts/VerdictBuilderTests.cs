using Clearinghouse.Domain;

namespace Clearinghouse.UnitTests.Verdicts;

public class VerdictBuilderTests
{
    private static BlockingRecord Record(RecordAction action, string message = "") =>
        new("r1", SenderPattern.Parse("spam@example.com", "pattern"), MessageChannel.Email, action, message, 0, DateTimeOffset.UnixEpoch, RecordSource.User);

    [Theory]
    [InlineData(RecordAction.Allow, VerdictAction.Accept, 250, "2.1.5")]
    [InlineData(RecordAction.Reject, VerdictAction.Reject, 550, "5.7.1")]
    [InlineData(RecordAction.Discard, VerdictAction.Discard, 250, "2.1.5")]
    [InlineData(RecordAction.Bounce, VerdictAction.Bounce, 250, "2.1.5")]
    [InlineData(RecordAction.Defer, VerdictAction.Defer, 450, "4.7.1")]
    public void Maps_each_action_to_its_SMTP_reply(RecordAction action, VerdictAction expected, int code, string enhanced)
    {
        var verdict = VerdictBuilder.ForRecord(Record(action, "no thanks"));
        Assert.Equal(expected, verdict.Action);
        Assert.Equal(code, verdict.SmtpCode);
        Assert.Equal(enhanced, verdict.EnhancedCode);
        Assert.Equal("r1", verdict.MatchedRecordId);
    }

    [Fact]
    public void Reject_quotes_the_recipients_message()
    {
        var verdict = VerdictBuilder.ForRecord(Record(RecordAction.Reject, "I unsubscribed in March."));
        Assert.Equal("I unsubscribed in March.", verdict.Text);
    }

    [Fact]
    public void Reject_and_defer_without_a_message_get_a_clear_default()
    {
        Assert.Equal(VerdictBuilder.DefaultRejectText, VerdictBuilder.ForRecord(Record(RecordAction.Reject)).Text);
        Assert.Equal(VerdictBuilder.DefaultDeferText, VerdictBuilder.ForRecord(Record(RecordAction.Defer)).Text);
    }

    [Fact]
    public void Bounce_carries_the_notice_for_the_sender()
    {
        var verdict = VerdictBuilder.ForRecord(Record(RecordAction.Bounce, "Please stop."));
        Assert.Equal("Please stop.", verdict.NoticeText);
        Assert.Null(VerdictBuilder.ForRecord(Record(RecordAction.Reject, "x")).NoticeText);
    }
}
