namespace Clearinghouse.Domain;

/// <summary>One appended change, stored on its own (state <c>filterlist-change-{version}</c>) until a segment holds it.</summary>
[GenerateSerializer]
public sealed class FilterListChangeRecord
{
    [Id(0)]
    public FilterChange? Change { get; set; }
}
