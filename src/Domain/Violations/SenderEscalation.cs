namespace Clearinghouse.Domain;

/// <summary>What a sender's escalation still has to do outside the sender (each step idempotent, then recorded).</summary>
public enum EscalationAction
{
    /// <summary>Hand the open case to the escalation outbox.</summary>
    QueueCase,

    /// <summary>Add the sender to the filter list.</summary>
    List,

    /// <summary>Remove a delisted or expired sender from the filter list.</summary>
    Unlist,
}

/// <summary>
/// A sender's escalation as a state machine: none → escalated (a case is open: queue it, then list the sender) →
/// listed → delisted or expired (remove it from the list) → escalated again, by the full threshold or, within the
/// recurrence period, by new reports from the minimum number of providers (<see cref="ListingTerms"/>). Decisions return the <see cref="EscalationTransition"/> to record; the
/// state changes only by <see cref="Apply"/>, so the same code runs for a live decision and for a replay from storage.
/// The actions (<see cref="Pending"/>) run outside the sender and are idempotent: one repeated after a crash changes
/// nothing twice.
/// </summary>
public sealed class SenderEscalation(EscalationRecord record, ListingTerms terms, RankingBounds bounds)
{
    /// <summary>The reason of an expiry, published with the filter list's remove.</summary>
    public const string ExpiryReason = "expired";

    public EscalationRecord Record => record;

    public EscalationState State => record.State;

    public string? CaseId => record.CaseId;

    public EscalationCase? OpenCase => record.OpenCase;

    /// <summary>The next action to run, or null when nothing is pending.</summary>
    public EscalationAction? Pending => record.State switch
    {
        EscalationState.Escalated when !record.CaseQueued => EscalationAction.QueueCase,
        EscalationState.Escalated => EscalationAction.List,
        EscalationState.Delisted or EscalationState.Expired when !record.Unlisted => EscalationAction.Unlist,
        _ => null,
    };

    /// <summary>
    /// When the listing lapses unless a report renews it: a quiet period after the later of the listing (or the
    /// escalation, until it is listed) and the last report. Null when the sender is neither escalated nor listed.
    /// </summary>
    public DateTimeOffset? ExpiresAt
    {
        get
        {
            if (record.State is not (EscalationState.Escalated or EscalationState.Listed))
            {
                return null;
            }

            var since = record.ListedAt is { } listed && record.State == EscalationState.Listed ? listed : record.EscalatedAt;
            var last = Later(since, record.LastReportAt);
            return last + terms.QuietPeriod;
        }
    }

    /// <summary>After an expiry or a delisting, until when a recurrence lists the sender again; null otherwise.</summary>
    public DateTimeOffset? RecurrenceUntil => record.State switch
    {
        EscalationState.Expired => record.ExpiredAt + terms.RecurrencePeriod,
        EscalationState.Delisted => record.DelistedAt + terms.RecurrencePeriod,
        _ => null,
    };

    /// <summary>
    /// Opens a case when the standing passes the thresholds in force, or, within the recurrence period after an
    /// expiry or a delisting, when new reports come from the minimum number of providers; never while the sender is
    /// escalated or listed (nor still being removed from the list). The transition to record, or null.
    /// </summary>
    public EscalationTransition? Consider(Address sender, ViolationLedger ledger, RankingView view, DateTimeOffset now)
    {
        if (record.State is not (EscalationState.None or EscalationState.Delisted or EscalationState.Expired) || Pending is not null)
        {
            return null;
        }

        var standing = ledger.Standing(now);
        var decision = RecurrenceUntil is { } until && now <= until
            ? ThresholdPolicy.DecideRecurrence(standing, view, record.State == EscalationState.Expired ? "expired" : "delisted")
            : ThresholdPolicy.Decide(standing, view, now, bounds);
        if (!decision.Escalate)
        {
            return null;
        }

        var caseId = $"case-{Guid.CreateVersion7(now):N}";
        var opened = new EscalationCase(caseId, sender, now, standing, ledger.Providers(now), [.. ledger.Evidence], decision.Reason)
        {
            Authentication = ledger.AuthenticationCounts,
        };
        return new EscalationTransition(EscalationStep.Opened, now, opened);
    }

    /// <summary>The transition recording that <paramref name="action"/> is done, or null when it is no longer the pending one.</summary>
    public EscalationTransition? Completed(EscalationAction action, DateTimeOffset now)
    {
        if (Pending != action)
        {
            return null;
        }

        return action switch
        {
            EscalationAction.QueueCase => new EscalationTransition(EscalationStep.CaseQueued, now),
            EscalationAction.List => new EscalationTransition(EscalationStep.Listed, now),
            _ => new EscalationTransition(EscalationStep.Unlisted, now),
        };
    }

    /// <summary>Delists an escalated or listed sender; the transition to record, or null when it is neither.</summary>
    public EscalationTransition? Delist(string reason, DateTimeOffset now) =>
        record.State is EscalationState.Escalated or EscalationState.Listed
            ? new EscalationTransition(EscalationStep.Delisted, now, Reason: reason)
            : null;

    /// <summary>
    /// Lets a listing lapse once its quiet period has passed; the transition to record, or null when the sender is not
    /// listed or not due yet. An escalated sender is listed first (its listing starts the quiet period).
    /// </summary>
    public EscalationTransition? Expire(DateTimeOffset now) =>
        record.State == EscalationState.Listed && Pending is null && ExpiresAt is { } due && now >= due
            ? new EscalationTransition(EscalationStep.Expired, now, Reason: ExpiryReason)
            : null;

    /// <summary>
    /// The audit trail's entry for a lapsed listing, recorded by the step that removes it from the filter list (the
    /// pending <see cref="EscalationAction.Unlist"/> of an expired sender); null in any other state. Its id is derived
    /// from the sender and the case, so that the step run again after a crash or a failed write records the entry once.
    /// </summary>
    public AuditEvent? ExpiryAudit(Address sender)
    {
        if (record.State != EscalationState.Expired || Pending != EscalationAction.Unlist || record.ExpiredAt is not { } expiredAt)
        {
            return null;
        }

        var caseId = record.CaseId ?? "";
        return AuditEvent.Create(
            AuditNames.System,
            AuditNames.SenderExpired,
            AuditNames.Sender(sender),
            ExpiryReason,
            [
                new("case_id", caseId),
                new("listed_at", Text(record.ListedAt)),
                new("last_report_at", Text(record.LastReportAt)),
                new("expired_at", Text(expiredAt)),
                new("quiet_period", terms.QuietPeriod.ToString("c", System.Globalization.CultureInfo.InvariantCulture)),
            ],
            eventId: $"{AuditNames.SenderExpired}/{sender.Value}/{caseId}");
    }

    /// <summary>A counted report renews the listing.</summary>
    public void Renew(DateTimeOffset at) => record.LastReportAt = Later(record.LastReportAt, at);

    public void Apply(EscalationTransition transition)
    {
        switch (transition.Step)
        {
            case EscalationStep.Opened:
                var opened = transition.Case ?? throw new ArgumentException("an opening carries its case", nameof(transition));
                record.State = EscalationState.Escalated;
                record.CaseId = opened.CaseId;
                record.EscalatedAt = transition.At;
                record.OpenCase = opened;
                record.CaseQueued = false;
                record.Unlisted = false;
                record.DelistReason = null;
                break;
            case EscalationStep.CaseQueued:
                record.CaseQueued = true;
                break;
            case EscalationStep.Listed:
                record.State = EscalationState.Listed;
                record.ListedAt = transition.At;
                Remember(new ListingHistoryEntry(ListingChange.Listed, transition.At, record.CaseId, record.OpenCase?.Reason ?? ""));
                record.OpenCase = null;
                break;
            case EscalationStep.Delisted:
                record.State = EscalationState.Delisted;
                record.DelistedAt = transition.At;
                record.DelistReason = transition.Reason;
                record.OpenCase = null;
                record.Unlisted = false;
                Remember(new ListingHistoryEntry(ListingChange.Delisted, transition.At, record.CaseId, transition.Reason ?? ""));
                break;
            case EscalationStep.Expired:
                record.State = EscalationState.Expired;
                record.ExpiredAt = transition.At;
                record.DelistReason = transition.Reason;
                record.Unlisted = false;
                Remember(new ListingHistoryEntry(ListingChange.Expired, transition.At, record.CaseId, transition.Reason ?? ExpiryReason));
                break;
            case EscalationStep.Unlisted:
                record.Unlisted = true;
                break;
            default:
                throw new ArgumentOutOfRangeException(nameof(transition), transition.Step, "unknown escalation step");
        }
    }

    private static string Text(DateTimeOffset? at) => at?.ToString("O", System.Globalization.CultureInfo.InvariantCulture) ?? "";

    private static DateTimeOffset? Later(DateTimeOffset? a, DateTimeOffset? b) => a is null ? b : b is null ? a : a > b ? a : b;

    private void Remember(ListingHistoryEntry entry)
    {
        record.History.Add(entry);
        if (record.History.Count > terms.MaxHistory)
        {
            record.History.RemoveRange(0, record.History.Count - terms.MaxHistory);
        }
    }
}
