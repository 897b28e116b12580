namespace Clearinghouse.Domain;

/// <summary>What a sender's escalation still has to do outside the sender (each step idempotent, then recorded).</summary>
public enum EscalationAction
{
    /// <summary>Hand the open case to the escalation outbox.</summary>
    QueueCase,

    /// <summary>Add the sender to the filter list.</summary>
    List,

    /// <summary>Remove a delisted sender from the filter list.</summary>
    Unlist,
}

/// <summary>
/// A sender's escalation as a state machine: none → escalated (a case is open: queue it, then list the sender) →
/// listed → delisted (remove it from the list). Decisions return the <see cref="EscalationTransition"/> to record; the
/// state changes only by <see cref="Apply"/>, so the same code runs for a live decision and for a replay from storage.
/// The actions (<see cref="Pending"/>) run outside the sender and are idempotent: one repeated after a crash changes
/// nothing twice.
/// </summary>
public sealed class SenderEscalation(EscalationRecord record)
{
    public EscalationRecord Record => record;

    public EscalationState State => record.State;

    public string? CaseId => record.CaseId;

    public EscalationCase? OpenCase => record.OpenCase;

    /// <summary>The next action to run, or null when nothing is pending.</summary>
    public EscalationAction? Pending => record.State switch
    {
        EscalationState.Escalated when !record.CaseQueued => EscalationAction.QueueCase,
        EscalationState.Escalated => EscalationAction.List,
        EscalationState.Delisted when !record.Unlisted => EscalationAction.Unlist,
        _ => null,
    };

    /// <summary>
    /// Opens a case when the standing passes the thresholds in force and the sender is not already escalated or listed
    /// (nor still being removed from the list); the transition to record, or null.
    /// </summary>
    public EscalationTransition? Consider(Address sender, ViolationLedger ledger, RankingView view, DateTimeOffset now)
    {
        if (record.State is not (EscalationState.None or EscalationState.Delisted) || Pending is not null)
        {
            return null;
        }

        var standing = ledger.Standing(now);
        var decision = ThresholdPolicy.Decide(standing, view);
        if (!decision.Escalate)
        {
            return null;
        }

        var caseId = $"case-{Guid.CreateVersion7(now):N}";
        var opened = new EscalationCase(caseId, sender, now, standing, ledger.Providers(now), [.. ledger.Evidence], decision.Reason);
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
                record.OpenCase = null;
                break;
            case EscalationStep.Delisted:
                record.State = EscalationState.Delisted;
                record.DelistedAt = transition.At;
                record.DelistReason = transition.Reason;
                record.OpenCase = null;
                record.Unlisted = false;
                break;
            case EscalationStep.Unlisted:
                record.Unlisted = true;
                break;
            default:
                throw new ArgumentOutOfRangeException(nameof(transition), transition.Step, "unknown escalation step");
        }
    }
}
