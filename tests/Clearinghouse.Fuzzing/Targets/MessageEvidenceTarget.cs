using Clearinghouse.Domain;

namespace Clearinghouse.Fuzzing.Targets;

/// <summary>Evidence of a message: its Message-ID and header digest (the date is a protobuf Timestamp, fuzzed with the requests).</summary>
public sealed class MessageEvidenceTarget : TextFuzzTarget
{
    private static readonly DateTimeOffset Date = new(2026, 3, 3, 9, 0, 0, TimeSpan.Zero);

    public override string Name => "message-evidence";

    public override string Description =>
        "MessageEvidence.ParseMessageId and Parse (src/Domain/Violations/MessageEvidence.cs); the input is a Message-ID, " +
        "then optionally a line break and a header digest. Accepted evidence has a Message-ID that parses back to " +
        "itself and a lower-case hex SHA-256 digest (or none where none is required).";

    public override IReadOnlyList<string> Dictionary => ["<", ">", "@", "\n", "0123456789abcdef", "ABCDEF"];

    public override FuzzOutcome Execute(string text)
    {
        var newline = text.IndexOf('\n', StringComparison.Ordinal);
        var (messageId, digest) = newline < 0 ? (text, null) : (text[..newline], text[(newline + 1)..]);
        var outcome = FuzzOutcome.Rejected;
        try
        {
            var id = MessageEvidence.ParseMessageId(text, "message_id");
            InvariantViolation.CheckEqual(id, MessageEvidence.ParseMessageId(id, "message_id"), "parsing a Message-ID again");
            InvariantViolation.Check(id.Length <= MessageEvidence.MaxMessageIdLength && !id.Any(c => char.IsControl(c) || char.IsWhiteSpace(c) || c is '<' or '>'), $"an accepted Message-ID {InputText.Quote(id)}");
            outcome = FuzzOutcome.Accepted;
        }
        catch (InvalidFieldException error)
        {
            InvariantViolation.CheckEqual("message_id", error.Field, "the field a Message-ID error names");
        }

        foreach (var digestRequired in (bool[])[true, false])
        {
            try
            {
                DomainInvariants.CheckEvidence(MessageEvidence.Parse(messageId, Date, digest, "first_message", digestRequired));
                outcome = FuzzOutcome.Accepted;
            }
            catch (InvalidFieldException error)
            {
                InvariantViolation.Check(error.Field is "first_message.message_id" or "first_message.header_digest", $"an evidence error names {error.Field}");
            }
        }

        return outcome;
    }

    protected override IEnumerable<string> SeedTexts() =>
    [
        "<20260303.1234@mail.example.com>", "abc@example", " <a@b> ", "<a@b>\n" + new string('a', 64), "<a@b>\n" + new string('F', 64),
        "<a@b>\n", "@right", "left@", new string('m', 996) + "@x",
    ];

    protected override string GenerateText(FuzzRandom random) =>
        random.Chance(0.5) ? Grammars.MessageId(random) : $"{Grammars.MessageId(random)}\n{Grammars.HeaderDigest(random)}";
}
