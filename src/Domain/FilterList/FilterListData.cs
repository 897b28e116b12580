namespace Clearinghouse.Domain;

/// <summary>
/// The filter list as an earlier version stored it, whole, under state <c>filterlist</c>: the filter-list grain reads
/// it once and moves it into the log layout (<see cref="FilterListHead"/>). Never renumber its ids.
/// </summary>
[GenerateSerializer]
public sealed class FilterListData
{
    [Id(0)]
    public long Version { get; set; }

    /// <summary>Listed entries by <see cref="FilterEntry.Key"/>, each with the change that added it.</summary>
    [Id(1)]
    public Dictionary<string, FilterChange> Listed { get; set; } = [];

    /// <summary>The most recent changes, oldest first, with consecutive versions ending at <see cref="Version"/>.</summary>
    [Id(2)]
    public List<FilterChange> Tail { get; set; } = [];
}
