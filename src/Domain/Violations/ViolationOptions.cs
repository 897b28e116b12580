namespace Clearinghouse.Domain;

/// <summary>Counting and ranking of violation reports (configuration section <c>Clearinghouse:Violations</c>).</summary>
public sealed class ViolationOptions
{
    public const string Section = "Clearinghouse:Violations";

    /// <summary>The sliding window reports are counted in (hourly buckets).</summary>
    public TimeSpan Window { get; set; } = TimeSpan.FromDays(30);

    /// <summary>A report's weight halves every half-life of its age, so older reports weigh less.</summary>
    public TimeSpan HalfLife { get; set; } = TimeSpan.FromDays(10);

    /// <summary>How many reports a sender keeps as evidence (one per recipient, newest kept).</summary>
    public int MaxEvidence { get; set; } = 20;

    /// <summary>
    /// How long a report's key is remembered after it arrived, so that a report delivered again is not counted again
    /// (a window longer than the counting window: a late redelivery is still recognised).
    /// </summary>
    public TimeSpan ReportKeyRetention { get; set; } = TimeSpan.FromDays(60);

    /// <summary>
    /// The most reports a sender (or a domain's aggregate) remembers; beyond it the oldest are forgotten first (they
    /// stop counting, and one delivered again would count again).
    /// </summary>
    public int MaxRememberedReports { get; set; } = 1_000_000;

    /// <summary>The most senders a ranking shard keeps scores for; beyond it the lowest scores are dropped.</summary>
    public int MaxRankedSendersPerShard { get; set; } = 250_000;

    /// <summary>
    /// How often a domain's aggregate writes the reports added since its last write (and on deactivation). The aggregate
    /// is informational and rebuilt from nothing else: a crash loses at most this much of it, never a sender's count.
    /// </summary>
    public TimeSpan DomainFlushInterval { get; set; } = TimeSpan.FromSeconds(5);

    /// <summary>How many shard aggregators sender grains report their scores to.</summary>
    public int RankingShards { get; set; } = 4;

    /// <summary>How often each shard sends its score histogram to the ranking root.</summary>
    public TimeSpan RankingInterval { get; set; } = TimeSpan.FromSeconds(5);

    /// <summary>How often a sender's reminder retries an escalation that could not be completed at once.</summary>
    public TimeSpan EscalationRetryPeriod { get; set; } = TimeSpan.FromMinutes(1);

    /// <summary>The thresholds in force until an operator changes them (then the stored ones apply).</summary>
    public ThresholdMode Mode { get; set; } = ThresholdSettings.Default.Mode;

    public int AbsoluteThreshold { get; set; } = ThresholdSettings.Default.AbsoluteThreshold;

    public int RankDivisor { get; set; } = ThresholdSettings.Default.RankDivisor;

    public int MinimumProviders { get; set; } = ThresholdSettings.Default.MinimumProviders;

    public LedgerLimits LedgerLimits() => new(Window, HalfLife, MaxEvidence, ReportKeyRetention, MaxRememberedReports);

    public ThresholdSettings InitialThresholds() => new ThresholdSettings(Mode, AbsoluteThreshold, RankDivisor, MinimumProviders).Validated();
}
