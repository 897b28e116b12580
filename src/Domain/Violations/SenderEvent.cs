namespace Clearinghouse.Domain;

/// <summary>
/// One change to a reported sender as it is stored: a report counted (with the case it opened, if any) or a step of
/// its escalation. Replaying a sender's events in order, at their times, rebuilds it exactly.
/// </summary>
[GenerateSerializer, Immutable]
public sealed record SenderEvent(
    [property: Id(0)] DateTimeOffset At,
    [property: Id(1)] ViolationReport? Report,
    [property: Id(2)] EscalationTransition? Transition);
