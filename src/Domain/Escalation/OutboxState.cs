namespace Clearinghouse.Domain;

/// <summary>The outbox's persisted state. Add new fields at the end with new ids.</summary>
[GenerateSerializer]
public sealed class OutboxState
{
    /// <summary>Cases with at least one delivery kept, by case id.</summary>
    [Id(0)]
    public Dictionary<string, EscalationCase> Cases { get; set; } = [];

    [Id(1)]
    public List<OutboxDelivery> Deliveries { get; set; } = [];

    /// <summary>Forged domains' failure reports with a delivery kept, by report id (the deliveries' case id).</summary>
    [Id(2)]
    public Dictionary<string, ForgeryReport> ForgeryReports { get; set; } = [];
}
