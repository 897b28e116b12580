namespace Clearinghouse.Domain;

/// <summary>One subject's delisting requests as its grain persists them. Add new fields at the end with new ids.</summary>
[GenerateSerializer]
public sealed class DelistingState
{
    /// <summary>The latest requests, oldest first (bounded by <see cref="DelistingOptions.KeptRequests"/>).</summary>
    [Id(0)]
    public List<DelistingRequest> Requests { get; set; } = [];

    /// <summary>When proven requests were removed by self-service (within the self-service period).</summary>
    [Id(1)]
    public List<DateTimeOffset> SelfServiceRemovals { get; set; } = [];

    /// <summary>Audit events persisted with the change they describe and not yet in the audit trail.</summary>
    [Id(2)]
    public List<AuditEvent> PendingAudit { get; set; } = [];
}
