namespace Clearinghouse.Domain;

public enum DeliveryStatus
{
    /// <summary>Not yet delivered; the next attempt is scheduled.</summary>
    Pending = 0,
    Delivered = 1,

    /// <summary>Given up: a permanent refusal, or too many failed attempts. Kept for operators.</summary>
    DeadLetter = 2,
}

/// <summary>One escalation delivery (case × destination) as operators see it.</summary>
[GenerateSerializer, Immutable]
public sealed record DeliveryView(
    [property: Id(0)] string DeliveryId,
    [property: Id(1)] string CaseId,
    [property: Id(2)] string Destination,
    [property: Id(3)] string Transport,
    [property: Id(4)] DeliveryStatus Status,
    [property: Id(5)] int Attempts,
    [property: Id(6)] DateTimeOffset CreatedAt,
    [property: Id(7)] DateTimeOffset? LastAttemptAt,
    [property: Id(8)] DateTimeOffset? NextAttemptAt,
    [property: Id(9)] DateTimeOffset? DeliveredAt,
    [property: Id(10)] string? LastError)
{
    /// <summary>How often an operator sent it again after it was dead-lettered.</summary>
    [Id(11)]
    public int Resends { get; init; }
}

/// <summary>How many of the outbox's deliveries are in each status.</summary>
[GenerateSerializer, Immutable]
public sealed record OutboxCounts([property: Id(0)] int Pending, [property: Id(1)] int Delivered, [property: Id(2)] int DeadLetters);

/// <summary>One escalation case in the outbox as operators see it, with its deliveries (one per destination).</summary>
[GenerateSerializer, Immutable]
public sealed record CaseView(
    [property: Id(0)] string CaseId,
    [property: Id(1)] Address Sender,
    [property: Id(2)] DateTimeOffset OpenedAt,
    [property: Id(3)] string Reason,
    [property: Id(4)] SenderStanding Standing,
    [property: Id(5)] IReadOnlyList<string> ReportingProviders,
    [property: Id(6)] int EvidenceSamples,
    [property: Id(7)] IReadOnlyList<DeliveryView> Deliveries);
