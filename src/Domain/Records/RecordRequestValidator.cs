namespace Clearinghouse.Domain;

/// <summary>Turns a caller's raw record fields into a <see cref="NewRecord"/>, or says which field is wrong.</summary>
public static class RecordRequestValidator
{
    public static NewRecord Validate(string? pattern, MessageChannel channel, RecordAction action, string? message, int threatLevel, RecordSource source)
    {
        var senderPattern = SenderPattern.Parse(pattern, "pattern");

        if (!Enum.IsDefined(channel))
        {
            throw new InvalidFieldException("channel", "is not a known channel");
        }

        if (!Enum.IsDefined(action))
        {
            throw new InvalidFieldException("action", "is not a known action");
        }

        if (!Enum.IsDefined(source))
        {
            throw new InvalidFieldException("source", "is not a known source");
        }

        if (threatLevel is < 0 or > BlockingRecord.MaxThreatLevel)
        {
            throw new InvalidFieldException("threat_level", $"must be between 0 and {BlockingRecord.MaxThreatLevel}");
        }

        var text = message ?? "";
        if (!ReplyText.TryValidate(text, out var problem))
        {
            throw new InvalidFieldException("message", problem);
        }

        return new NewRecord(senderPattern, channel, action, ReplyText.Sanitize(text), threatLevel, source);
    }
}
