namespace Clearinghouse.Domain;

/// <summary>
/// The small, bounded part of a <see cref="ViolationLedger"/>, stored whole at each checkpoint: reports per hour (at
/// most one window of hours), the evidence sample and the counters. The entries (keys, recipients, providers) are
/// stored apart, in chunks. Add new fields at the end with new ids.
/// </summary>
[GenerateSerializer]
public sealed class LedgerSnapshot
{
    /// <summary>Counted reports per hour (hours since the Unix epoch) of the violating message, inside the window.</summary>
    [Id(0)]
    public Dictionary<long, int> HourlyReports { get; set; } = [];

    /// <summary>The evidence sample: the latest report of each of the most recently reporting recipients, oldest first.</summary>
    [Id(1)]
    public List<ViolationReport> Evidence { get; set; } = [];

    /// <summary>Reports counted since the ledger began (also the number of the latest entry).</summary>
    [Id(2)]
    public long TotalReports { get; set; }

    /// <summary>Entries numbered below this were counted before a reset (a delisting): they keep only their keys.</summary>
    [Id(3)]
    public long CountingFrom { get; set; } = 1;

    /// <summary>Reports since counting began (the last reset) whose sender was verified (see <see cref="AuthenticationRule"/>).</summary>
    [Id(4)]
    public long VerifiedReports { get; set; }

    /// <summary>Reports since counting began whose sender was neither verified nor forged.</summary>
    [Id(5)]
    public long UnverifiedReports { get; set; }

    /// <summary>Reports since counting began whose sender was forged: remembered, counted toward nothing else.</summary>
    [Id(6)]
    public long ForgedReports { get; set; }

    /// <summary>A copy to store while the ledger goes on changing (the reports inside are immutable and shared).</summary>
    public LedgerSnapshot Copy() => new()
    {
        HourlyReports = new Dictionary<long, int>(HourlyReports),
        Evidence = [.. Evidence],
        TotalReports = TotalReports,
        CountingFrom = CountingFrom,
        VerifiedReports = VerifiedReports,
        UnverifiedReports = UnverifiedReports,
        ForgedReports = ForgedReports,
    };
}
