
namespace Clearinghouse.Domain;

/// <summary>Tuning of recipient grains (configuration section <c>Clearinghouse:Recipients</c>).</summary>
public sealed class RecipientOptions
{
    public const string Section = "Clearinghouse:Recipients";

    /// <summary>How often in-memory hit counts are written to storage. They are also written on deactivation.</summary>
    public TimeSpan HitFlushInterval { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>Half-life of a record's decayed hit rate (also the frequency eviction goes by).</summary>
    public TimeSpan HitHalfLife { get; set; } = TimeSpan.FromDays(7);

    /// <summary>How often a recipient retries violation reports its sender's grain has not acknowledged (a reminder).</summary>
    public TimeSpan ReportRetryPeriod { get; set; } = TimeSpan.FromMinutes(1);

    /// <summary>The most do-not-send requests a recipient may have (one per sender and channel); a new one beyond it is refused.</summary>
    public int MaxDoNotSendRequests { get; set; } = 1000;

    /// <summary>
    /// The most violation reports a recipient keeps waiting for their senders' grains; a check that would record one
    /// more is refused (retry later) until they are delivered.
    /// </summary>
    public int MaxUndeliveredReports { get; set; } = 1000;

    /// <summary>
    /// Maximum entries of a recipient's blocking list, and separately of its allow list, unless the provider
    /// (<c>Clearinghouse:Providers:&lt;id&gt;:MaxRecordsPerRecipient</c>) or the recipient (API) sets another.
    /// </summary>
    public int DefaultMaxRecords { get; set; } = 1000;

    /// <summary>Maximum entries of a recipient's secondary (evicted) list; the longest-evicted go first.</summary>
    public int SecondaryMaxRecords { get; set; } = 1000;

    public EvictionOptions Eviction { get; set; } = new();
}
