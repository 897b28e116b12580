namespace Clearinghouse.Grains.Cluster;

/// <summary>How a silo confirms that it is still an active cluster member (configuration section <c>Clearinghouse:Cluster:Standing</c>).</summary>
public sealed class ClusterStandingOptions
{
    public const string Section = "Clearinghouse:Cluster:Standing";

    /// <summary>How often the silo reads its own row of the membership table.</summary>
    public TimeSpan ConfirmInterval { get; set; } = TimeSpan.FromSeconds(1);

    /// <summary>
    /// How long a read that found the silo active lets it answer from memory (counted from when the read started).
    /// Longer tolerates a slower membership store; it is also how long writes to grains activated just after a silo was
    /// declared dead wait (see docs/RECIPIENT-CACHE.md).
    /// </summary>
    public TimeSpan ConfirmValidity { get; set; } = TimeSpan.FromSeconds(5);

    /// <summary>How long a check waits for a confirmation when the last one has run out, before it is refused.</summary>
    public TimeSpan ConfirmWait { get; set; } = TimeSpan.FromSeconds(1);
}
