using Clearinghouse.Domain;

namespace Clearinghouse.Contracts;

/// <summary>
/// The forgeries of one domain (key: the normalised domain): counts each forged violation report once and, per
/// <see cref="ForgeryOptions.ReportPeriod"/>, queues one aggregated RFC 6591 failure report for the domain's owner in
/// the escalation outbox.
/// </summary>
public interface IForgedDomain : IGrainWithStringKey
{
    /// <summary>Counts a forged report once per key; answered once persisted. False when it was counted before.</summary>
    Task<bool> Record(ForgedViolation forged);

    Task<ForgeryStatus> GetStatus();
}
