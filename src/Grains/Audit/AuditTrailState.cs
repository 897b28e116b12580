namespace Clearinghouse.Grains.Audit;

/// <summary>The audit trail's head as persisted. Add new fields at the end with new ids; never renumber.</summary>
[GenerateSerializer]
public sealed class AuditTrailState
{
    /// <summary>Entries per segment, fixed when the trail is first written: sequence numbers depend on it.</summary>
    [Id(0)]
    public int SegmentSize { get; set; }

    [Id(1)]
    public long Current { get; set; }

    [Id(2)]
    public long Oldest { get; set; }
}
