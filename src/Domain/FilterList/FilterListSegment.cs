namespace Clearinghouse.Domain;

/// <summary>
/// A sealed run of consecutive filter-list changes (state <c>filterlist-segment-{n}</c>), or a chunk of the listed
/// entries of the base (state <c>filterlist-base-{n}</c>, each entry as the change that added it). Written once.
/// </summary>
[GenerateSerializer]
public sealed class FilterListSegment
{
    [Id(0)]
    public List<FilterChange> Changes { get; set; } = [];
}
