namespace Clearinghouse.Domain;

/// <summary>A step of a sender's escalation, as it is recorded (see <see cref="SenderEscalation"/>).</summary>
public enum EscalationStep
{
    /// <summary>A report passed a threshold: a case is open (<see cref="EscalationTransition.Case"/>).</summary>
    Opened = 0,

    /// <summary>The escalation outbox has stored the case (one delivery per destination).</summary>
    CaseQueued = 1,

    /// <summary>The filter list has the sender.</summary>
    Listed = 2,

    /// <summary>An operator delisted the sender (<see cref="EscalationTransition.Reason"/>).</summary>
    Delisted = 3,

    /// <summary>The filter list has the removal of a delisted sender.</summary>
    Unlisted = 4,
}

/// <summary>One recorded step of a sender's escalation; replaying the steps in order rebuilds the state.</summary>
[GenerateSerializer, Immutable]
public sealed record EscalationTransition(
    [property: Id(0)] EscalationStep Step,
    [property: Id(1)] DateTimeOffset At,
    [property: Id(2)] EscalationCase? Case = null,
    [property: Id(3)] string? Reason = null);
