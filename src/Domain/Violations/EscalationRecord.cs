namespace Clearinghouse.Domain;

/// <summary>The persisted state of a <see cref="SenderEscalation"/>. Add new fields at the end with new ids.</summary>
[GenerateSerializer]
public sealed class EscalationRecord
{
    [Id(0)]
    public EscalationState State { get; set; }

    [Id(1)]
    public string? CaseId { get; set; }

    [Id(2)]
    public DateTimeOffset? EscalatedAt { get; set; }

    [Id(3)]
    public DateTimeOffset? ListedAt { get; set; }

    [Id(4)]
    public DateTimeOffset? DelistedAt { get; set; }

    /// <summary>The open case, kept until the sender is listed (or delisted).</summary>
    [Id(5)]
    public EscalationCase? OpenCase { get; set; }

    /// <summary>The outbox has stored the open case.</summary>
    [Id(6)]
    public bool CaseQueued { get; set; }

    /// <summary>After a delisting: the filter list has the removal.</summary>
    [Id(7)]
    public bool Unlisted { get; set; }

    [Id(8)]
    public string? DelistReason { get; set; }

    public EscalationRecord Copy() => (EscalationRecord)MemberwiseClone();
}
