using Clearinghouse.Domain;

namespace Clearinghouse.Grains.Violations;

/// <summary>A sender's persisted state. Add new fields at the end with new ids; never renumber.</summary>
[GenerateSerializer]
public sealed class SenderState
{
    [Id(0)]
    public ViolationLedgerData Ledger { get; set; } = new();

    [Id(1)]
    public EscalationState Escalation { get; set; }

    [Id(2)]
    public string? CaseId { get; set; }

    [Id(3)]
    public DateTimeOffset? EscalatedAt { get; set; }

    [Id(4)]
    public DateTimeOffset? ListedAt { get; set; }

    [Id(5)]
    public DateTimeOffset? DelistedAt { get; set; }

    /// <summary>The case being escalated, kept until it is queued in the outbox and listed.</summary>
    [Id(6)]
    public EscalationCase? OpenCase { get; set; }
}
