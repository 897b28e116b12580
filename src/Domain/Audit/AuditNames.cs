namespace Clearinghouse.Domain;

/// <summary>
/// How actors, actions and targets are written in the audit trail, so that operators can filter on them. Actions are
/// dotted (<c>delisting.request</c>); a filter on <c>delisting</c> matches every delisting step.
/// </summary>
public static class AuditNames
{
    /// <summary>An operator, by the name of its credential (<c>Clearinghouse:Operators:&lt;name&gt;</c>).</summary>
    public static string Operator(string name) => $"operator:{name}";

    /// <summary>Someone on the public site, by the client address the request came from.</summary>
    public static string Requester(string clientAddress) => $"requester:{clientAddress}";

    /// <summary>The clearing house itself, acting on a rule (self-service delisting, expiry).</summary>
    public const string SelfService = "self-service";

    public static string Sender(Address sender) => $"sender:{sender.Value}";

    public static string Domain(string domain) => $"domain:{domain}";

    public const string ThresholdsTarget = "thresholds";

    public const string ThresholdsSet = "thresholds.set";
    public const string SenderDelist = "sender.delist";
    public const string DelistingRequest = "delisting.request";
    public const string DelistingProofSent = "delisting.proof_sent";
    public const string DelistingProofFailed = "delisting.proof_failed";
    public const string DelistingProven = "delisting.proven";
    public const string DelistingRemoved = "delisting.removed";
    public const string DelistingQueued = "delisting.queued";
    public const string DelistingApproved = "delisting.approved";
    public const string DelistingRefused = "delisting.refused";
    public const string DelistingExpired = "delisting.expired";
}
