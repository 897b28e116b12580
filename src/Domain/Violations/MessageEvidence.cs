namespace Clearinghouse.Domain;

/// <summary>
/// What identifies one message without its content: its Message-ID (without the angle brackets), its date, and
/// the hex SHA-256 of its header block as the provider received it (empty when the caller did not have it).
/// </summary>
[GenerateSerializer, Immutable]
public sealed record MessageEvidence(
    [property: Id(0)] string MessageId,
    [property: Id(1)] DateTimeOffset Date,
    [property: Id(2)] string HeaderDigest)
{
    /// <summary>RFC 5322's line limit; a Message-ID is one header line.</summary>
    public const int MaxMessageIdLength = 998;

    /// <summary>
    /// Validates evidence given by a caller; <paramref name="field"/> prefixes the field names in errors
    /// (<c>first_message.message_id</c>). The digest is required unless <paramref name="digestRequired"/> is false.
    /// </summary>
    public static MessageEvidence Parse(string? messageId, DateTimeOffset? date, string? headerDigest, string field, bool digestRequired = true)
    {
        var id = ParseMessageId(messageId, Join(field, "message_id"));
        if (date is null)
        {
            throw new InvalidFieldException(Join(field, "date"), "is required");
        }

        var digest = (headerDigest ?? "").Trim().ToLowerInvariant();
        if (digest.Length == 0 && digestRequired)
        {
            throw new InvalidFieldException(Join(field, "header_digest"), "is required (hex SHA-256 of the message's header block)");
        }

        if (digest.Length > 0 && !Sha256Hex.IsValid(digest))
        {
            throw new InvalidFieldException(Join(field, "header_digest"), "is not a hex SHA-256 (64 hexadecimal digits)");
        }

        return new MessageEvidence(id, date.Value, digest);
    }

    public static string ParseMessageId(string? input, string field)
    {
        var text = (input ?? "").Trim();
        if (text.Length >= 2 && text[0] == '<' && text[^1] == '>')
        {
            text = text[1..^1].Trim();
        }

        if (text.Length == 0)
        {
            throw new InvalidFieldException(field, "is required");
        }

        if (text.Length > MaxMessageIdLength)
        {
            throw new InvalidFieldException(field, $"is longer than {MaxMessageIdLength} characters");
        }

        if (text.Any(c => char.IsControl(c) || char.IsWhiteSpace(c) || c is '<' or '>'))
        {
            throw new InvalidFieldException(field, "contains spaces, control characters or angle brackets");
        }

        if (text.IndexOf('@', StringComparison.Ordinal) is <= 0 || text[^1] == '@')
        {
            throw new InvalidFieldException(field, "is not of the form left@right (RFC 5322 msg-id)");
        }

        return text;
    }

    private static string Join(string prefix, string name) => prefix.Length == 0 ? name : $"{prefix}.{name}";
}
