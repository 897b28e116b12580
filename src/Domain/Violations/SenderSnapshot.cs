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
}
