namespace Clearinghouse.Domain;

/// <summary>
/// The clock of the domain's own time (grace periods, violation windows, record timestamps): a keyed
/// <see cref="TimeProvider"/> service, so that tests can move it with a fake without also moving Orleans' internal
/// clocks, which use the unkeyed one. Retry timers of the escalation outbox run on real time.
/// </summary>
public static class ClearinghouseClock
{
    public const string Key = "clearinghouse.domain-clock";
}
