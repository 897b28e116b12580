using Clearinghouse.Domain;

namespace Clearinghouse.Fuzzing.Targets;

/// <summary>Recipients' messages quoted back in SMTP replies, map messages and delisting reasons.</summary>
public sealed class ReplyTextTarget : TextFuzzTarget
{
    public override string Name => "reply-text";

    public override string Description =>
        "ReplyText.TryValidate and Sanitize (src/Domain/Verdicts/ReplyText.cs). Sanitize never throws; what it makes of " +
        "a validated text is one line without control characters, trimmed, at most 450 characters, valid again and " +
        "unchanged by a second Sanitize.";

    public override IReadOnlyList<string> Dictionary => ["\r\n", "\n", "\u0085", "\u2028", "250 OK", "😀"];

    public override FuzzOutcome Execute(string text)
    {
        var sanitized = ReplyText.Sanitize(text);
        if (!ReplyText.TryValidate(text, out var problem))
        {
            InvariantViolation.Check(problem.Length > 0, "a refusal without a problem");
            return FuzzOutcome.Rejected;
        }

        DomainInvariants.CheckStoredReplyText(sanitized);
        return FuzzOutcome.Accepted;
    }

    protected override IEnumerable<string> SeedTexts() =>
        ["I unsubscribed on 3 March. Please stop.", "", "  padded  ", "line one\r\nline two", new string('x', 450), new string('x', 449) + "😀", "停止发送"];

    protected override string GenerateText(FuzzRandom random) => Grammars.ReplyText(random);
}
