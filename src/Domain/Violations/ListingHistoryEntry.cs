namespace Clearinghouse.Domain;

/// <summary>What happened to a sender's listing.</summary>
public enum ListingChange
{
    /// <summary>Added to the filter list (a case was opened for it).</summary>
    Listed = 0,

    /// <summary>Lapsed after a quiet period without reports.</summary>
    Expired = 1,

    /// <summary>Removed by an operator or a proven delisting request.</summary>
    Delisted = 2,
}

/// <summary>One entry of a sender's listing history, as operators read it.</summary>
[GenerateSerializer, Immutable]
public sealed record ListingHistoryEntry(
    [property: Id(0)] ListingChange Change,
    [property: Id(1)] DateTimeOffset At,
    [property: Id(2)] string? CaseId,
    [property: Id(3)] string Reason);
