namespace Clearinghouse.Domain;

/// <summary>
/// Builds verdicts with the SMTP replies in DESIGN.md's table: accept and the silent actions answer
/// 250 2.1.5, reject 550 5.7.1 with the recipient's message, defer 450 4.7.1. Which verdict applies is decided by
/// <see cref="VerdictDecision"/> alone.
/// </summary>
public static class VerdictBuilder
{
    public const string DefaultRejectText = "Message refused: the recipient does not accept mail from this sender";
    public const string DefaultDeferText = "The recipient is not accepting mail from this sender now; try again later";
    public const string DefaultBounceNotice = "Your message was not delivered: the recipient does not accept mail from this sender";
    public const string DefaultRecipientMapRejectText = "Message refused: this recipient does not accept mail";
    public const string FilterListRejectText = "Message refused: the sender is on the Clearinghouse filter list for ignoring do-not-send requests";
    public const string DefaultDoNotSendRejectText = "Message refused: the recipient asked this sender to stop sending";
    private const string AcceptText = "Recipient OK";

    public static readonly Verdict NoMatch = new(VerdictAction.Accept, 250, "2.1.5", AcceptText, null, "no record matches the sender");

    public static readonly Verdict NullSender = new(VerdictAction.Accept, 250, "2.1.5", AcceptText, null, "null sender (delivery notification): records do not apply");

    /// <summary>The verdict a record gives when it is the best match for a sender.</summary>
    public static Verdict ForRecord(BlockingRecord record)
    {
        var reason = $"{record.Action.ToString().ToLowerInvariant()} record for {record.Pattern}";
        return record.Action switch
        {
            RecordAction.Allow => new(VerdictAction.Accept, 250, "2.1.5", AcceptText, record.Id, reason),
            RecordAction.Reject => new(VerdictAction.Reject, 550, "5.7.1", TextOr(record.Message, DefaultRejectText), record.Id, reason),
            RecordAction.Discard => new(VerdictAction.Discard, 250, "2.1.5", AcceptText, record.Id, reason),
            RecordAction.Bounce => new(VerdictAction.Bounce, 250, "2.1.5", AcceptText, record.Id, reason, TextOr(record.Message, DefaultBounceNotice)),
            RecordAction.Defer => new(VerdictAction.Defer, 450, "4.7.1", TextOr(record.Message, DefaultDeferText), record.Id, reason),
            _ => throw new ArgumentOutOfRangeException(nameof(record), record.Action, "unknown record action"),
        };
    }

    /// <summary>
    /// A bounce record's verdict for a sender whose domain is not verified: the message is still dropped, but no notice
    /// goes to an address that may be forged (no backscatter).
    /// </summary>
    public static Verdict ForBounceToUnverifiedSender(BlockingRecord record) =>
        new(VerdictAction.Discard, 250, "2.1.5", AcceptText, record.Id, $"bounce record for {record.Pattern}; the sender is not verified, so no notice is sent");

    /// <summary>No record decides, but an entry of the secondary (evicted) list matches: accepted and flagged.</summary>
    public static Verdict FlaggedBySecondaryList(BlockingRecord evicted) =>
        NoMatch with { FlaggedRecordId = evicted.Id, Reason = $"no record matches; the evicted {evicted.Action.ToString().ToLowerInvariant()} record for {evicted.Pattern} flags the sender" };

    /// <summary>The verdict of a provider's recipient map entry, given before the recipient's records are consulted.</summary>
    public static Verdict ForRecipientMap(MapEntry entry) => entry.Action == MapAction.Reject
        ? new(VerdictAction.Reject, 550, "5.7.1", TextOr(entry.Message, DefaultRecipientMapRejectText), null, $"recipient map rejects {entry.Identifier}")
        : new(VerdictAction.Accept, 250, "2.1.5", AcceptText, null, $"recipient map accepts {entry.Identifier}; records are not consulted");

    /// <summary>The verdict for a sender on the global filter list.</summary>
    public static Verdict ForListing(FilterListing listing) =>
        new(VerdictAction.Reject, 550, "5.7.1", FilterListRejectText, null, $"sender on the global filter list (case {listing.CaseId})")
        {
            ListedCaseId = listing.CaseId,
        };

    /// <summary>An entry of the provider's sender list, applied when the recipient's own records do not decide.</summary>
    public static Verdict ForProviderSenderList(BlockingRecord listed, bool senderVerified)
    {
        var verdict = senderVerified || listed.Action != RecordAction.Bounce ? ForRecord(listed) : ForBounceToUnverifiedSender(listed);
        return verdict with { Reason = "provider's sender list: " + verdict.Reason };
    }

    /// <summary>
    /// A message that violates a do-not-send request: refused with the recipient's words. The grain adds the key of
    /// the report it recorded (<see cref="Verdict.ViolationReportKey"/>).
    /// </summary>
    public static Verdict ForViolation(DoNotSendRequest request) =>
        new(
            VerdictAction.Reject,
            550,
            "5.7.1",
            ReplyText.Sanitize(request.Message) is { Length: > 0 } text ? text : $"{DefaultDoNotSendRejectText} (request of {request.RequestedAt:yyyy-MM-dd})",
            null,
            $"violation of a do-not-send request of {request.RequestedAt:u}",
            ViolationRecorded: true);

    private static string TextOr(string message, string fallback) =>
        ReplyText.Sanitize(message) is { Length: > 0 } text ? text : fallback;
}
