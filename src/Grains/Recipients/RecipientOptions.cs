namespace Clearinghouse.Grains.Recipients;

/// <summary>Tuning of recipient grains (configuration section <c>Clearinghouse:Recipients</c>).</summary>
public sealed class RecipientOptions
{
    public const string Section = "Clearinghouse:Recipients";

    /// <summary>How often in-memory hit counts are written to storage. They are also written on deactivation.</summary>
    public TimeSpan HitFlushInterval { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>Half-life of a record's decayed hit rate.</summary>
    public TimeSpan HitHalfLife { get; set; } = TimeSpan.FromDays(7);

    /// <summary>How often a recipient retries violation reports its sender's grain has not acknowledged (a reminder).</summary>
    public TimeSpan ReportRetryPeriod { get; set; } = TimeSpan.FromMinutes(1);
}
