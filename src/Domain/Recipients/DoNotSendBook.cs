namespace Clearinghouse.Domain;

/// <summary>
/// A recipient's do-not-send requests over a <see cref="RecipientState"/>: which sender is asked to stop, whether a
/// message is a violation, and the violation reports waiting to reach the sender's grain. Bounded: at most
/// <paramref name="maxRequests"/> requests and <paramref name="maxUndelivered"/> reports waiting; beyond either the
/// write is refused (<see cref="LimitReachedException"/>) and nothing changes.
/// </summary>
public sealed class DoNotSendBook(RecipientState state, int maxRequests = int.MaxValue, int maxUndelivered = int.MaxValue)
{
    /// <summary>How many recorded message keys a request remembers for idempotency.</summary>
    public const int RememberedMessages = 256;

    public bool IsEmpty => state.DoNotSend.Count == 0;

    public IReadOnlyList<ViolationReport> Undelivered => state.UndeliveredReports;

    /// <summary>True when no more reports may wait: a new violation is refused until some are delivered.</summary>
    public bool UndeliveredFull => state.UndeliveredReports.Count >= maxUndelivered;

    /// <summary>The keys of the requests (<see cref="DoNotSendRequest.Key"/>), for the checks' snapshot.</summary>
    public IEnumerable<string> Keys => state.DoNotSend.Keys;

    public DoNotSendView Record(DoNotSendRequest request)
    {
        if (!state.DoNotSend.TryGetValue(request.Key, out var entry))
        {
            if (state.DoNotSend.Count >= maxRequests)
            {
                throw new LimitReachedException("sender", $"the recipient has {state.DoNotSend.Count} do-not-send requests, the most allowed (Clearinghouse:Recipients:MaxDoNotSendRequests); withdraw one first", retryLater: false);
            }

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
            ViolationReport.ViolationKey(recipient, request.Sender, request.Channel, messageKey),
            request.Sender,
            Sha256Hex.Of(recipient.Value),
            check.ProviderId ?? request.ProviderId,
            request.FirstMessage,
            request.Method,
            request.RequestedAt,
            second,
            now,
            ReportSource.Verdict,
            request.Channel).Authenticated(AuthenticationRule.FromVerification(check.Verification));

        if (entry.RecordedMessages.Contains(messageKey))
        {
            return (report, false);
        }

        if (UndeliveredFull)
        {
            throw new LimitReachedException("recipient", $"{state.UndeliveredReports.Count} violation reports are waiting to reach their senders (Clearinghouse:Recipients:MaxUndeliveredReports); retry later", retryLater: true);
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

    /// <summary>
    /// Hands the waiting reports to <paramref name="send"/>, oldest first, forgetting each once it is sent; a failure
    /// stops the round (it propagates) and the rest keep waiting.
    /// </summary>
    public async Task DeliverAsync(Func<ViolationReport, Task> send)
    {
        foreach (var report in state.UndeliveredReports.ToList())
        {
            await send(report);
            state.UndeliveredReports.Remove(report);
        }
    }

    private static DoNotSendView View(DoNotSendEntry entry) => new(entry.Request, entry.Violations, entry.LastViolationAt);
}
