namespace Clearinghouse.Domain;

/// <summary>
/// Where the stored filter list is (state <c>filterlist-head</c>): a base (the listed entries at
/// <see cref="BaseVersion"/>, in <see cref="BaseChunks"/> chunks), then <see cref="SealedSegments"/> segments of
/// <see cref="SegmentSize"/> changes each, then one stored record per change not yet in a segment. Written only when a
/// segment is sealed, never per change. Add new fields at the end with new ids.
/// </summary>
[GenerateSerializer]
public sealed class FilterListHead
{
    [Id(0)]
    public long BaseVersion { get; set; }

    [Id(1)]
    public int BaseChunks { get; set; }

    [Id(2)]
    public int SealedSegments { get; set; }

    [Id(3)]
    public int SegmentSize { get; set; }

    /// <summary>Change records up to this version were deleted after their segment was sealed.</summary>
    [Id(4)]
    public long CleanedThrough { get; set; }

    public long SealedThrough => BaseVersion + ((long)SealedSegments * SegmentSize);
}
