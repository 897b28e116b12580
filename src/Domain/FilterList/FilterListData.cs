namespace Clearinghouse.Domain;

/// <summary>The persisted form of a <see cref="FilterListLog"/>. Add new fields at the end with new ids.</summary>
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
