namespace Clearinghouse.Domain;

/// <summary>
/// The audit trail's bounds (configuration section <c>Clearinghouse:Audit</c>): entries are kept in segments of
/// <see cref="SegmentSize"/>, at most <see cref="RetainedSegments"/> of them; when a new segment starts beyond that, the
/// oldest is deleted. The segment size is fixed when the trail is first written (sequence numbers depend on it).
/// </summary>
public sealed class AuditOptions
{
    public const string Section = "Clearinghouse:Audit";

    public int SegmentSize { get; set; } = 1000;

    public int RetainedSegments { get; set; } = 100;
}
