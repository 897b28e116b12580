namespace Clearinghouse.Domain;

/// <summary>
/// Where a sender stands: none → escalated (a case is open and being sent) → listed → delisted (by an operator or a
/// proven request) or expired (a quiet period without reports); from either of those it can be listed again.
/// </summary>
public enum EscalationState
{
    None = 0,
    Escalated = 1,
    Listed = 2,
    Delisted = 3,
    Expired = 4,
}

/// <summary>A sender's (or a domain's) violation counts in the sliding window as of one moment.</summary>
[GenerateSerializer, Immutable]
public sealed record SenderStanding(
    [property: Id(0)] int ReportsInWindow,
    [property: Id(1)] double WeightedReports,
    [property: Id(2)] int DistinctRecipients,
    [property: Id(3)] double WeightedRecipients,
    [property: Id(4)] int DistinctProviders,
    [property: Id(5)] DateTimeOffset? LastReportAt)
{
    public static readonly SenderStanding Empty = new(0, 0, 0, 0, 0, null);
}

/// <summary>Everything an authority or ISP receives about one escalated sender.</summary>
[GenerateSerializer, Immutable]
public sealed record EscalationCase(
    [property: Id(0)] string CaseId,
    [property: Id(1)] Address Sender,
    [property: Id(2)] DateTimeOffset OpenedAt,
    [property: Id(3)] SenderStanding Standing,
    [property: Id(4)] IReadOnlyList<string> ReportingProviders,
    [property: Id(5)] IReadOnlyList<ViolationReport> Evidence,
    [property: Id(6)] string Reason)
{
    /// <summary>The sender's reports when the case opened, by how their sender was authenticated (null in cases opened before they were counted).</summary>
    [Id(7)]
    public AuthenticationCounts? Authentication { get; init; }
}

/// <summary>A sender's state as operators read it.</summary>
[GenerateSerializer, Immutable]
public sealed record SenderStatus(
    [property: Id(0)] Address Sender,
    [property: Id(1)] EscalationState State,
    [property: Id(2)] string? CaseId,
    [property: Id(3)] SenderStanding Standing,
    [property: Id(4)] long TotalReports,
    [property: Id(5)] int EvidenceSamples,
    [property: Id(6)] DateTimeOffset? EscalatedAt,
    [property: Id(7)] DateTimeOffset? ListedAt,
    [property: Id(8)] DateTimeOffset? DelistedAt,
    [property: Id(9)] IReadOnlyList<string> ReportingProviders)
{
    /// <summary>When the listing lapses unless a new report renews it (escalated or listed senders only).</summary>
    [Id(10)]
    public DateTimeOffset? ExpiresAt { get; init; }

    /// <summary>
    /// After an expiry or a delisting: until when new reports from the minimum number of providers list the sender
    /// again, without the full threshold.
    /// </summary>
    [Id(11)]
    public DateTimeOffset? RecurrenceUntil { get; init; }

    /// <summary>Every listing, expiry and delisting, oldest first (the newest <see cref="ListingTerms.MaxHistory"/>).</summary>
    [Id(12)]
    public IReadOnlyList<ListingHistoryEntry> History { get; init; } = [];

    /// <summary>Reports since counting began by how their sender was authenticated (forged ones count toward nothing else).</summary>
    [Id(13)]
    public AuthenticationCounts Authentication { get; init; } = AuthenticationCounts.None;
}

/// <summary>A domain's aggregate over all its reported addresses.</summary>
[GenerateSerializer, Immutable]
public sealed record DomainStatus(
    [property: Id(0)] string Domain,
    [property: Id(1)] SenderStanding Standing,
    [property: Id(2)] int DistinctSenders);
