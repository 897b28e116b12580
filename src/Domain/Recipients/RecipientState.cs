namespace Clearinghouse.Domain;

/// <summary>A recipient's persisted state. Add new fields at the end with new ids; never renumber.</summary>
[GenerateSerializer]
public sealed class RecipientState
{
    [Id(0)]
    public List<BlockingRecord> Records { get; set; } = [];

    /// <summary>Hit statistics by record id.</summary>
    [Id(1)]
    public Dictionary<string, HitStatistics> Hits { get; set; } = [];

    /// <summary>The recipient's own maximum list size, overriding the provider's default; null when not set.</summary>
    [Id(2)]
    public int? MaxRecordsOverride { get; set; }

    /// <summary>The secondary list: entries evicted from a full list, oldest eviction first.</summary>
    [Id(3)]
    public List<EvictedRecord> Secondary { get; set; } = [];
    /// <summary>Do-not-send requests by <see cref="DoNotSendRequest.Key"/> (sender and channel).</summary>
    [Id(6)]
    public Dictionary<string, DoNotSendEntry> DoNotSend { get; set; } = [];

    /// <summary>Violation reports persisted here and not yet acknowledged by the sender's grain.</summary>
    [Id(7)]
    public List<ViolationReport> UndeliveredReports { get; set; } = [];

    /// <summary>Hit reports from other silos' read caches counted lately (<see cref="HitReportLedger"/>), oldest first.</summary>
    [Id(8)]
    public List<HitReportReceipt> HitReports { get; set; } = [];
}
