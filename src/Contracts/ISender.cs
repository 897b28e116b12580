using Clearinghouse.Domain;

namespace Clearinghouse.Contracts;

/// <summary>
/// One reported sender. Key: the normalised sender address. Counts violation reports in a sliding window, owns the
/// sender's escalation state and, when a threshold is passed, opens a case, hands it to the escalation outbox and
/// lists the sender on the filter list.
/// </summary>
public interface ISender : IGrainWithStringKey
{
    /// <summary>Records a report once per <see cref="ViolationReport.ReportKey"/>; answered after it is persisted.</summary>
    Task<ReportOutcome> Report(ViolationReport report);

    /// <summary>
    /// Records many reports of this sender at once (each once per key, as <see cref="Report"/>), stored in one write;
    /// the outcomes in order, answered once that write has stored them. A failure fails them all and counts none.
    /// </summary>
    Task<ReportOutcome[]> ReportMany(ViolationReport[] reports);

    Task<SenderStatus> GetStatus();

    /// <summary>Reports per hour in the window and the evidence sample's counts (never a recipient).</summary>
    Task<SenderActivity> GetActivity();

    /// <summary>Removes the sender from the filter list (appending a remove); false when it was not listed.</summary>
    Task<bool> Delist(string reason);
}
