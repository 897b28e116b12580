namespace Clearinghouse.Domain;

/// <summary>What the edge should do with a message for one recipient.</summary>
public enum VerdictAction
{
    Accept = 0,
    Reject = 1,
    Discard = 2,
    Bounce = 3,
    Defer = 4,
}

/// <summary>
/// The answer to "may this sender reach this recipient": the action, the SMTP reply the edge should give at RCPT
/// (code, RFC 3463 enhanced code, one-line text), the record that decided it and why.
/// <see cref="NoticeText"/> is set for a bounce to a verified sender: the text of the notice to send back.
/// <see cref="FlaggedRecordId"/> names an entry of the recipient's secondary (evicted) list that matches the sender:
/// the message is not blocked for it, only flagged.
/// </summary>
[GenerateSerializer, Immutable]
public sealed record Verdict(
    [property: Id(0)] VerdictAction Action,
    [property: Id(1)] int SmtpCode,
    [property: Id(2)] string EnhancedCode,
    [property: Id(3)] string Text,
    [property: Id(4)] string? MatchedRecordId,
    [property: Id(5)] string Reason,
    [property: Id(6)] string? NoticeText = null,
    [property: Id(7)] bool ViolationRecorded = false,
    [property: Id(8)] string? FlaggedRecordId = null)
{
    /// <summary>The filter-list case that decided the verdict, when the global list rejected the sender.</summary>
    [Id(12)]
    public string? ListedCaseId { get; init; }

    /// <summary>The key of the violation report this message produced (see <see cref="ViolationRecorded"/>).</summary>
    [Id(13)]
    public string? ViolationReportKey { get; init; }
}
