namespace Clearinghouse.Domain;

/// <summary>
/// One reported sender: its <see cref="ViolationLedger"/> and its <see cref="SenderEscalation"/>. Every change is a
/// <see cref="SenderEvent"/>: a decision returns the event to store and applies it, and the same
/// <see cref="Apply"/> replays stored events, so what is stored rebuilds exactly what was decided.
/// </summary>
public sealed class ReportedSender
{
    private readonly ViolationLedger ledger;
    private readonly SenderEscalation escalation;
    private readonly SenderSnapshot snapshot;

    public ReportedSender(Address sender, SenderSnapshot snapshot, LedgerLimits limits, ListingTerms? terms = null, RankingBounds? bounds = null)
    {
        Sender = sender;
        this.snapshot = snapshot;
        ledger = new ViolationLedger(snapshot.Ledger, limits);
        escalation = new SenderEscalation(snapshot.Escalation, terms ?? ListingTerms.Default, bounds ?? RankingBounds.Default);
    }

    public Address Sender { get; }

    public ViolationLedger Ledger => ledger;

    public EscalationState State => escalation.State;

    public string? CaseId => escalation.CaseId;

    public EscalationCase? OpenCase => escalation.OpenCase;

    /// <summary>When the listing lapses unless a report renews it; null when the sender is not escalated or listed.</summary>
    public DateTimeOffset? ExpiresAt => escalation.ExpiresAt;

    /// <summary>Why the sender left the list: an operator's or a request's reason, or "expired" (the filter list's removal's reason).</summary>
    public string? DelistReason => escalation.Record.DelistReason;

    /// <summary>The next escalation action to run outside the sender, or null.</summary>
    public EscalationAction? PendingAction => escalation.Pending;

    /// <summary>Brings back what was stored: the snapshot's chunks of entries, then the events after it, in order.</summary>
    public void Restore(IEnumerable<LedgerEntry> entries, IEnumerable<SenderEvent> events, DateTimeOffset now)
    {
        ledger.Restore(entries, now);
        foreach (var change in events)
        {
            Apply(change);
        }
    }

    /// <summary>
    /// Counts <paramref name="report"/> and decides whether it opens a case. Null when its key was counted before
    /// (nothing changes); otherwise the event to store, already applied.
    /// </summary>
    public SenderEvent? Report(ViolationReport report, RankingView view, DateTimeOffset now)
    {
        if (ledger.Contains(report.ReportKey))
        {
            return null;
        }

        ledger.TryAdd(report, now);
        if (report.IsForged)
        {
            // A forgery of the sender's domain, not the sender's mail: remembered and counted as forged, nothing more.
            return new SenderEvent(now, report, null);
        }

        escalation.Renew(now);
        var opened = escalation.Consider(Sender, ledger, view, now);
        if (opened is not null)
        {
            Transition(opened);
        }

        return new SenderEvent(now, report, opened);
    }

    /// <summary>Records that <paramref name="action"/> is done; the event to store (applied), or null when it no longer applies.</summary>
    public SenderEvent? Complete(EscalationAction action, DateTimeOffset now) => Record(escalation.Completed(action, now), now);

    /// <summary>Delists an escalated or listed sender and starts counting afresh; the event (applied), or null.</summary>
    public SenderEvent? Delist(string reason, DateTimeOffset now) => Record(escalation.Delist(reason, now), now);

    /// <summary>Lets a listing whose quiet period has passed lapse and starts counting afresh; the event (applied), or null.</summary>
    public SenderEvent? Expire(DateTimeOffset now) => Record(escalation.Expire(now), now);

    /// <summary>The audit entry the removal of a lapsed listing records (see <see cref="SenderEscalation.ExpiryAudit"/>), or null.</summary>
    public AuditEvent? ExpiryAudit() => escalation.ExpiryAudit(Sender);

    /// <summary>Applies a stored event (replay).</summary>
    public void Apply(SenderEvent change)
    {
        if (change.Report is { } report)
        {
            ledger.TryAdd(report, change.At);
            if (!report.IsForged)
            {
                escalation.Renew(change.At);
            }
        }

        if (change.Transition is { } transition)
        {
            Transition(transition);
        }
    }

    /// <summary>
    /// A copy of the bounded state as it is now, to store at a checkpoint while later events keep changing the live
    /// one (records inside are immutable and shared).
    /// </summary>
    public SenderSnapshot CopySnapshot() => new()
    {
        Escalation = snapshot.Escalation.Copy(),
        Ledger = snapshot.Ledger.Copy(),
    };

    public SenderStatus Status(DateTimeOffset now)
    {
        var record = escalation.Record;
        return new SenderStatus(
            Sender, record.State, record.CaseId, ledger.Standing(now), ledger.TotalReports, ledger.Evidence.Count,
            record.EscalatedAt, record.ListedAt, record.DelistedAt, ledger.Providers(now))
        {
            ExpiresAt = escalation.ExpiresAt,
            RecurrenceUntil = escalation.RecurrenceUntil,
            History = [.. record.History],
            Authentication = ledger.AuthenticationCounts,
        };
    }

    private SenderEvent? Record(EscalationTransition? transition, DateTimeOffset now)
    {
        if (transition is null)
        {
            return null;
        }

        Transition(transition);
        return new SenderEvent(now, null, transition);
    }

    private void Transition(EscalationTransition transition)
    {
        escalation.Apply(transition);
        if (transition.Step is EscalationStep.Delisted or EscalationStep.Expired)
        {
            ledger.Reset();
        }
    }
}
