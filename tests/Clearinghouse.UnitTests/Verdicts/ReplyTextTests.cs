using Clearinghouse.Domain;

namespace Clearinghouse.UnitTests.Verdicts;

public class ReplyTextTests
{
    [Fact]
    public void Removes_line_breaks_and_control_characters()
    {
        Assert.Equal("stop  sending me", ReplyText.Sanitize("stop\r\nsending\tme"));
        Assert.DoesNotContain('\r', ReplyText.Sanitize("a\rb\nc"));
        Assert.DoesNotContain('\n', ReplyText.Sanitize("a\rb\nc"));
        Assert.Equal("a b", ReplyText.Sanitize("a\u0000b"));
    }

    [Fact]
    public void An_injected_SMTP_reply_line_stays_on_one_line()
    {
        var text = ReplyText.Sanitize("go away\r\n250 2.0.0 OK");
        Assert.Equal("go away  250 2.0.0 OK", text);
    }

    [Fact]
    public void Cuts_to_450_characters_without_splitting_a_surrogate_pair()
    {
        Assert.Equal(450, ReplyText.Sanitize(new string('x', 1000)).Length);
        var emoji = new string('x', 449) + "😀" + "tail";
        var cut = ReplyText.Sanitize(emoji);
        Assert.True(cut.Length <= 450);
        Assert.False(char.IsHighSurrogate(cut[^1]));
    }

    [Fact]
    public void Keeps_UTF8_text()
    {
        Assert.Equal("Bitte keine Werbung mehr, danke schön", ReplyText.Sanitize(" Bitte keine Werbung mehr, danke schön "));
    }

    [Fact]
    public void Validation_refuses_over_long_and_broken_text()
    {
        Assert.True(ReplyText.TryValidate(new string('x', 450), out _));
        Assert.False(ReplyText.TryValidate(new string('x', 451), out var tooLong));
        Assert.Contains("450", tooLong);
        Assert.False(ReplyText.TryValidate("broken \ud800 surrogate", out _));
    }
}
