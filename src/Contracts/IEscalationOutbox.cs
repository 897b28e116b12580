using Clearinghouse.Domain;

namespace Clearinghouse.Contracts;

/// <summary>
/// The durable outbox of escalation reports. Key: 0. A case becomes one delivery per configured destination that
/// applies to it; each is retried with back-off (across restarts, by reminder) until delivered or dead-lettered.
/// </summary>
public interface IEscalationOutbox : IGrainWithIntegerKey
{
    /// <summary>Queues a case; idempotent per case id. Answered once persisted; delivery happens afterwards.</summary>
    Task<int> Enqueue(EscalationCase escalation);

    /// <summary>
    /// Queues a forged domain's failure report: one delivery to the domain's owner (its DMARC <c>ruf=</c> address, looked
    /// up when it is sent, or the configured fallback); idempotent per report id. Answered once persisted.
    /// </summary>
    Task<bool> EnqueueForgeryReport(ForgeryReport report);

    /// <summary>Deliveries, newest first, optionally only those in <paramref name="status"/>.</summary>
    Task<IReadOnlyList<DeliveryView>> List(DeliveryStatus? status, int max);

    /// <summary>Cases, newest first, with their deliveries; only those with a delivery in <paramref name="status"/> when given.</summary>
    Task<IReadOnlyList<CaseView>> ListCases(DeliveryStatus? status, int max);

    Task<OutboxCounts> Counts();

    /// <summary>Sends a dead letter again (a fresh round of attempts); answered once persisted. Null when no delivery has this id.</summary>
    Task<DeliveryView?> Resend(string deliveryId);
}
