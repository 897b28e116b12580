using System.Text;
using Clearinghouse.Domain;
using Clearinghouse.Gateway.Policy;
using Clearinghouse.Gateway.Verdicts;

namespace Clearinghouse.UnitTests.Policy;

public class PolicyActionsTests
{
    private static Verdict VerdictOf(RecordAction action, string message = "I unsubscribed in March") =>
        VerdictBuilder.ForRecord(new BlockingRecord("r1", SenderPattern.Parse("news@shop.example", "pattern"), MessageChannel.Email, action, message, 0, DateTimeOffset.UnixEpoch, RecordSource.User));

    [Fact]
    public void Each_verdict_has_the_action_of_the_design_table()
    {
        Assert.Equal("550 5.7.1 I unsubscribed in March", PolicyActions.ForRecipient(VerdictOf(RecordAction.Reject), false));
        Assert.Equal("DEFER_IF_PERMIT 4.7.1 I unsubscribed in March", PolicyActions.ForRecipient(VerdictOf(RecordAction.Defer), false));
        Assert.StartsWith("DISCARD ", PolicyActions.ForRecipient(VerdictOf(RecordAction.Discard), false), StringComparison.Ordinal);
        Assert.StartsWith("DISCARD ", PolicyActions.ForRecipient(VerdictOf(RecordAction.Bounce), false), StringComparison.Ordinal);
        Assert.Equal("DUNNO", PolicyActions.ForRecipient(VerdictBuilder.NoMatch, false));
    }

    [Fact]
    public void An_allow_record_answers_DUNNO_unless_configured_to_answer_OK()
    {
        Assert.Equal("DUNNO", PolicyActions.ForRecipient(VerdictOf(RecordAction.Allow), allowRecordsAnswerOk: false));
        Assert.Equal("OK", PolicyActions.ForRecipient(VerdictOf(RecordAction.Allow), allowRecordsAnswerOk: true));
        Assert.Equal("DUNNO", PolicyActions.ForRecipient(VerdictBuilder.NoMatch, allowRecordsAnswerOk: true));
    }

    [Fact]
    public void Connection_verdicts_and_the_failure_modes()
    {
        Assert.Equal("554 5.7.1 No thanks", PolicyActions.ForConnection(new ConnectionVerdict(true, 554, "5.7.1", "No thanks", "192.0.2.0/24", "map")));
        Assert.Equal("DUNNO", PolicyActions.ForConnection(ConnectionVerdict.NoMatch));
        Assert.Equal("DUNNO", PolicyActions.WhenUnavailable(PolicyFailureMode.Open));
        Assert.StartsWith("DEFER_IF_PERMIT 4.3.0 ", PolicyActions.WhenUnavailable(PolicyFailureMode.Closed), StringComparison.Ordinal);
    }

    [Fact]
    public void A_reply_is_one_line_of_valid_UTF8_ending_with_an_empty_line()
    {
        var nasty = new Verdict(VerdictAction.Reject, 550, "5.7.1", "line one\r\nline two\u0000 \ud800 \u00e9t\u00e9", null, "r");
        var bytes = PolicyActions.Encode(PolicyActions.ForRecipient(nasty, false));
        var text = new UTF8Encoding(false, throwOnInvalidBytes: true).GetString(bytes);
        Assert.StartsWith("action=550 5.7.1 line one  line two", text, StringComparison.Ordinal);
        Assert.EndsWith("\n\n", text, StringComparison.Ordinal);
        Assert.Equal(2, text.Count(c => c == '\n'));
        Assert.Contains("\u00e9t\u00e9", text, StringComparison.Ordinal);
    }
}
