namespace Clearinghouse.Domain;

/// <summary>
/// Appended changes stored on their own (state <c>filterlist-change-{version}</c>, the version of <see cref="Change"/>)
/// until a segment holds them: one change, or a batch of an import (<see cref="Change"/>, then <see cref="Following"/>,
/// in version order). A batch never crosses a segment boundary, so a segment deletes whole records.
/// </summary>
[GenerateSerializer]
public sealed class FilterListChangeRecord
{
    [Id(0)]
    public FilterChange? Change { get; set; }

    /// <summary>The changes after <see cref="Change"/> stored in the same record (an import's batch); null for one change.</summary>
    [Id(1)]
    public FilterChange[]? Following { get; set; }
}
