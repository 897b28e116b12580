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
    [property: Id(10)] string? LastError);
