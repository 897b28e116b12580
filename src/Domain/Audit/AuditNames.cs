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

    /// <summary>The clearing house itself, acting on a delisting request's rules (self-service removal, the proof's deadline).</summary>
    public const string SelfService = "self-service";

    /// <summary>The clearing house itself, acting on its own schedule with nobody asking: a listing lapsing after its quiet period.</summary>
    public const string System = "system";

    public static string Sender(Address sender) => $"sender:{sender.Value}";

    public static string Domain(string domain) => $"domain:{domain}";

    public static string Ip(string ip) => $"ip:{ip}";

    /// <summary>A listed entry as a target: <c>sender:</c> is not used for hashed entries, whose address is unknown.</summary>
    public static string Entry(FilterEntry entry) => entry.Kind switch
    {
        FilterEntryKind.Domain => Domain(entry.Value),
        FilterEntryKind.Ip => Ip(entry.Value),
        _ => $"address-sha256:{entry.Value}",
    };

    /// <summary>An escalation delivery, by its id (case id/destination).</summary>
    public static string Delivery(string deliveryId) => $"delivery:{deliveryId}";

    public const string ThresholdsTarget = "thresholds";

    public const string ThresholdsSet = "thresholds.set";
    public const string SenderDelist = "sender.delist";
    public const string SenderExpired = "sender.expired";
    public const string FilterListAdd = "filterlist.add";
    public const string FilterListRemove = "filterlist.remove";
    public const string FilterListImport = "filterlist.import";
    public const string FilterListTarget = "filterlist";
    public const string DeliveryResend = "escalation.resend";
    public const string ConsoleLogin = "console.login";
    public const string ConsoleLockout = "console.lockout";
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
