namespace Clearinghouse.Domain;

/// <summary>The persisted counts of a <see cref="ViolationLedger"/>. Add new fields at the end with new ids.</summary>
[GenerateSerializer]
public sealed class ViolationLedgerData
{
    /// <summary>Keys of the reports counted, with when they arrived: a report delivered again is counted once.</summary>
    [Id(0)]
    public Dictionary<string, DateTimeOffset> SeenKeys { get; set; } = [];

    /// <summary>Reports per hour (hours since the Unix epoch) of the violating message.</summary>
    [Id(1)]
    public Dictionary<long, int> HourlyReports { get; set; } = [];

    /// <summary>The hour of each recipient's (by SHA-256) latest report.</summary>
    [Id(2)]
    public Dictionary<string, long> RecipientLastHour { get; set; } = [];

    [Id(3)]
    public Dictionary<string, long> ProviderLastHour { get; set; } = [];

    /// <summary>A bounded evidence sample: the latest report of each of the most recently reporting recipients.</summary>
    [Id(4)]
    public List<ViolationReport> Evidence { get; set; } = [];

    [Id(5)]
    public long TotalReports { get; set; }

    /// <summary>The hour of each sender address's latest report (used by a domain's aggregate).</summary>
    [Id(6)]
    public Dictionary<string, long> SenderLastHour { get; set; } = [];
}
