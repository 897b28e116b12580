namespace Clearinghouse.Domain;

/// <summary>
/// A recipient's do-not-send requests over a <see cref="RecipientState"/>: which sender is asked to stop, whether a
/// message is a violation, and the violation reports waiting to reach the sender's grain.
/// </summary>
public sealed class DoNotSendBook(RecipientState state)
{
    /// <summary>How many recorded message keys a request remembers for idempotency.</summary>
    public const int RememberedMessages = 256;

    public bool IsEmpty => state.DoNotSend.Count == 0;

    public IReadOnlyList<ViolationReport> Undelivered => state.UndeliveredReports;

    public DoNotSendView Record(DoNotSendRequest request)
    {
        if (!state.DoNotSend.TryGetValue(request.Key, out var entry))
        {
            entry = new DoNotSendEntry();
            state.DoNotSend[request.Key] = entry;
        }

        entry.Request = request;
        return View(entry);
    }

    public bool Withdraw(Address sender, MessageChannel channel) => state.DoNotSend.Remove(DoNotSendRequest.KeyFor(sender, channel));

    public IReadOnlyList<DoNotSendView> List() => state.DoNotSend.Values.Select(View).ToList();

    /// <summary>The request in force against <paramref name="sender"/> at <paramref name="now"/> (past its grace period).</summary>
    public bool TryFindInForce(Address sender, MessageChannel channel, DateTimeOffset now, out DoNotSendEntry entry) =>
        state.DoNotSend.TryGetValue(DoNotSendRequest.KeyFor(sender, channel), out entry!) && now >= entry.Request.InForceFrom;

    /// <summary>
    /// Records the checked message as a violation of <paramref name="entry"/>, once per message: a message without
    /// evidence is identified by the hour it arrived in, so an MTA retrying it does not count many violations.
    /// Returns the report and whether it is new (and so must be persisted and delivered).
    /// </summary>
    public (ViolationReport Report, bool IsNew) RecordViolation(DoNotSendEntry entry, Address recipient, CheckRequest check, DateTimeOffset now)
    {
        var second = check.Message ?? new MessageEvidence("", now, "");
        var messageKey = second.MessageId.Length > 0
            ? second.MessageId
            : $"unidentified/{now.ToUnixTimeSeconds() / 3600}";
        var request = entry.Request;
        var report = new ViolationReport(
            ViolationReport.VerdictKey(recipient, request.Sender, request.Channel, messageKey),
            request.Sender,
            Sha256Hex.Of(recipient.Value),
            check.ProviderId ?? request.ProviderId,
            request.FirstMessage,
            request.Method,
            request.RequestedAt,
            second,
            now,
            ReportSource.Verdict,
            request.Channel);

        if (entry.RecordedMessages.Contains(messageKey))
        {
            return (report, false);
        }

        entry.RecordedMessages.Add(messageKey);
        if (entry.RecordedMessages.Count > RememberedMessages)
        {
            entry.RecordedMessages.RemoveAt(0);
        }

        entry.Violations++;
        entry.LastViolationAt = now;
        state.UndeliveredReports.Add(report);
        return (report, true);
    }

    public void MarkDelivered(ViolationReport report) => state.UndeliveredReports.Remove(report);

    private static DoNotSendView View(DoNotSendEntry entry) => new(entry.Request, entry.Violations, entry.LastViolationAt);
}
