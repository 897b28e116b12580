namespace Clearinghouse.Domain;

/// <summary>One delivery of a case to a destination, as the outbox persists it.</summary>
[GenerateSerializer]
public sealed class OutboxDelivery
{
    /// <summary><c>case id/destination name</c>: the idempotency key the receiver gets.</summary>
    [Id(0)]
    public string DeliveryId { get; set; } = "";

    [Id(1)]
    public string CaseId { get; set; } = "";

    [Id(2)]
    public string Destination { get; set; } = "";

    [Id(3)]
    public string Transport { get; set; } = "";

    [Id(4)]
    public DeliveryStatus Status { get; set; }

    [Id(5)]
    public int Attempts { get; set; }

    [Id(6)]
    public DateTimeOffset CreatedAt { get; set; }

    [Id(7)]
    public DateTimeOffset? LastAttemptAt { get; set; }

    [Id(8)]
    public DateTimeOffset NextAttemptAt { get; set; }

    [Id(9)]
    public DateTimeOffset? DeliveredAt { get; set; }

    [Id(10)]
    public string? LastError { get; set; }

    /// <summary>How often an operator sent it again after it was dead-lettered.</summary>
    [Id(11)]
    public int Resends { get; set; }

    public DeliveryView View() => new(
        DeliveryId, CaseId, Destination, Transport, Status, Attempts, CreatedAt, LastAttemptAt,
        Status == DeliveryStatus.Pending ? NextAttemptAt : null, DeliveredAt, LastError)
    {
        Resends = Resends,
    };
}
