namespace Clearinghouse.Domain;

public enum ReportSource
{
    /// <summary>Found by a verdict: a message from the sender after a do-not-send request's grace period.</summary>
    Verdict = 0,

    /// <summary>Submitted by a provider on its user's behalf.</summary>
    Provider = 1,
}

/// <summary>
/// One violation of a do-not-send request, as a sender's grain receives it: the first message, the request and the
/// second message. The recipient appears only as the SHA-256 of its normalised address (enough to count distinct
/// recipients, never shown). <see cref="ReportKey"/> makes delivery idempotent: the same key is counted once.
/// </summary>
/// <remarks>
/// The key is the violation's (<see cref="ViolationKey"/>): the recipient, the sender, the channel and the second
/// message's Message-ID, whoever reports it — a violation found by a check and the same message reported by its
/// provider are one violation. A provider's report id is its own reference, not part of the key: a report sent again
/// (a retry) is the same violation and counts once; the same id reused for another sender, recipient or message is a
/// different violation and counts.
/// </remarks>
[GenerateSerializer, Immutable]
public sealed record ViolationReport(
    [property: Id(0)] string ReportKey,
    [property: Id(1)] Address Sender,
    [property: Id(2)] string RecipientHash,
    [property: Id(3)] string ProviderId,
    [property: Id(4)] MessageEvidence FirstMessage,
    [property: Id(5)] DoNotSendMethod RequestMethod,
    [property: Id(6)] DateTimeOffset RequestedAt,
    [property: Id(7)] MessageEvidence SecondMessage,
    [property: Id(8)] DateTimeOffset ReportedAt,
    [property: Id(9)] ReportSource Source,
    [property: Id(10)] MessageChannel Channel)
{
    /// <summary>Whether the sender was authenticated (<see cref="AuthenticationRule"/>); a forged report does not count toward listing.</summary>
    [Id(11)]
    public SenderAuthentication Authentication { get; init; }

    /// <summary>The authentication results the report was classified by (null for reports stored before they were carried).</summary>
    [Id(12)]
    public AuthenticationResults? AuthenticationResults { get; init; }

    public bool IsForged => Authentication == SenderAuthentication.Forged;

    /// <summary>This report with its authentication results and their classification.</summary>
    public ViolationReport Authenticated(AuthenticationResults? results) => this with
    {
        AuthenticationResults = results,
        Authentication = AuthenticationRule.Classify(results, Sender),
    };

    /// <summary>
    /// The key of a violation, however it was found: one per recipient, sender, channel and second message (its
    /// Message-ID, or for a check without one the recipient's own key for the message, see <see cref="DoNotSendBook"/>).
    /// </summary>
    public static string ViolationKey(Address recipient, Address sender, MessageChannel channel, string messageId) =>
        "v:" + Sha256Hex.Of($"{recipient.Value}\n{sender.Value}\n{(int)channel}\n{messageId}");
}

/// <summary>What a sender's grain answers to a report.</summary>
[GenerateSerializer, Immutable]
public sealed record ReportOutcome(
    [property: Id(0)] bool Duplicate,
    [property: Id(1)] EscalationState State,
    [property: Id(2)] string? CaseId);

/// <summary>Validates a provider's violation report (reports found by verdicts are built by the recipient grain).</summary>
public static class ViolationReportValidator
{
    public const int MaxReportIdLength = 128;

    /// <summary>
    /// Refuses a report without an id or evidence, a request dated before the first message or after the second one,
    /// or a second message sent within the grace period (not yet a violation).
    /// </summary>
    public static ViolationReport Validate(
        string? reportId,
        Address recipient,
        string? sender,
        MessageChannel channel,
        MessageEvidence? firstMessage,
        DoNotSendMethod method,
        DateTimeOffset? requestedAt,
        MessageEvidence? secondMessage,
        string providerId,
        TimeSpan gracePeriod,
        DateTimeOffset now)
    {
        var id = (reportId ?? "").Trim();
        if (id.Length == 0)
        {
            throw new InvalidFieldException("report_id", "is required");
        }

        if (id.Length > MaxReportIdLength || id.Any(char.IsControl))
        {
            throw new InvalidFieldException("report_id", $"must be at most {MaxReportIdLength} printable characters");
        }

        var senderAddress = Address.Parse(sender, "sender");
        if (!Enum.IsDefined(channel))
        {
            throw new InvalidFieldException("channel", "is not a known channel");
        }

        if (firstMessage is null)
        {
            throw new InvalidFieldException("first_message", "is required: the message the request answered");
        }

        if (!Enum.IsDefined(method))
        {
            throw new InvalidFieldException("request_method", "is not a known method");
        }

        if (requestedAt is not { } requested)
        {
            throw new InvalidFieldException("requested_at", "is required");
        }

        if (secondMessage is null)
        {
            throw new InvalidFieldException("second_message", "is required: the message that violated the request");
        }

        if (firstMessage.Date > requested)
        {
            throw new InvalidFieldException("requested_at", "is before the first message");
        }

        if (requested > secondMessage.Date)
        {
            throw new InvalidFieldException("requested_at", "is after the second message: that message cannot violate the request");
        }

        // A difference, not requested + gracePeriod: that overflows for a request dated at the end of the calendar.
        if (secondMessage.Date - requested < gracePeriod)
        {
            throw new InvalidFieldException("second_message.date", $"is within the grace period of {gracePeriod.TotalHours:0.#} hours after the request");
        }

        if (secondMessage.Date > now + DoNotSendValidator.ClockSkew || requested > now + DoNotSendValidator.ClockSkew)
        {
            throw new InvalidFieldException("second_message.date", "is in the future");
        }

        if (string.Equals(firstMessage.MessageId, secondMessage.MessageId, StringComparison.Ordinal))
        {
            throw new InvalidFieldException("second_message.message_id", "is the first message's id: a violation is a later message");
        }

        return new ViolationReport(
            ViolationReport.ViolationKey(recipient, senderAddress, channel, secondMessage.MessageId),
            senderAddress,
            Sha256Hex.Of(recipient.Value),
            providerId,
            firstMessage,
            method,
            requested,
            secondMessage,
            now,
            ReportSource.Provider,
            channel);
    }
}
