namespace Clearinghouse.Domain;

/// <summary>A forged domain's aggregate as it is stored. Add new fields at the end with new ids.</summary>
[GenerateSerializer]
public sealed class ForgedDomainState
{
    [Id(0)]
    public long ForgedReports { get; set; }

    [Id(1)]
    public long SpfFailures { get; set; }

    [Id(2)]
    public long DmarcFailures { get; set; }

    [Id(3)]
    public DateTimeOffset? FirstForgedAt { get; set; }

    [Id(4)]
    public DateTimeOffset? LastForgedAt { get; set; }

    /// <summary>The period collecting forgeries now; null when none is open.</summary>
    [Id(5)]
    public ForgeryPeriod? Open { get; set; }

    /// <summary>A closed period's report not yet in the outbox (queued again after a restart: idempotent).</summary>
    [Id(6)]
    public ForgeryReport? Closing { get; set; }

    /// <summary>The last closed period's report keys, so that a report delivered again just after a close counts once.</summary>
    [Id(7)]
    public HashSet<long> PreviousKeys { get; set; } = [];

    [Id(8)]
    public long FailureReportsQueued { get; set; }

    [Id(9)]
    public DateTimeOffset? LastFailureReportAt { get; set; }
}
