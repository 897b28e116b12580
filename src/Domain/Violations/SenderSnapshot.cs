namespace Clearinghouse.Domain;

/// <summary>
/// The bounded part of a <see cref="ReportedSender"/>, stored whole at each checkpoint: its escalation and its
/// ledger's counts and evidence. Add new fields at the end with new ids.
/// </summary>
[GenerateSerializer]
public sealed class SenderSnapshot
{
    [Id(0)]
    public EscalationRecord Escalation { get; set; } = new();

    [Id(1)]
    public LedgerSnapshot Ledger { get; set; } = new();

    /// <summary>
    /// Items of the evidence sample stored by reference to the event batches that hold them (the others are in
    /// <see cref="LedgerSnapshot.Evidence"/>); empty in memory, and in snapshots stored before references.
    /// </summary>
    [Id(2)]
    public List<EvidenceReference> EvidenceReferences { get; set; } = [];
}
