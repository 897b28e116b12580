namespace Clearinghouse.Domain;

/// <summary>The filter list and its replicas (configuration section <c>Clearinghouse:FilterList</c>).</summary>
public sealed class FilterListOptions
{
    public const string Section = "Clearinghouse:FilterList";

    /// <summary>How many recent changes the list and each replica keep; a subscriber further behind gets a snapshot.</summary>
    public int RetainedChanges { get; set; } = 10_000;

    /// <summary>
    /// Changes per stored segment. Each append writes one change record; every this many appends the grain writes them
    /// as one segment (and deletes the records), so a list loads in about (changes / this) reads.
    /// </summary>
    public int SegmentSize { get; set; } = 1000;

    /// <summary>How often a gateway's replica renews its subscription and checks that it missed nothing.</summary>
    public TimeSpan ReplicaRefreshInterval { get; set; } = TimeSpan.FromSeconds(30);
}
