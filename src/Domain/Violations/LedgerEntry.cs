namespace Clearinghouse.Domain;

/// <summary>
/// What a <see cref="ViolationLedger"/> remembers of one counted report for as long as it keeps its key: the key (a
/// report delivered again is recognised), the recipient (by SHA-256), the provider, the sender (for a domain's
/// aggregate; empty in a sender's own ledger), the hour the report counts in, the hour it arrived and its number
/// (the ledger's count of reports when it arrived), and whether it was forged. Small and immutable: stored in append-only chunks.
/// </summary>
[GenerateSerializer, Immutable]
public sealed record LedgerEntry(
    [property: Id(0)] string Key,
    [property: Id(1)] string RecipientHash,
    [property: Id(2)] string ProviderId,
    [property: Id(3)] string Sender,
    [property: Id(4)] long Hour,
    [property: Id(5)] long ArrivedHour,
    [property: Id(6)] long Number)
{
    /// <summary>A forged report: remembered by its key only, counted toward nothing (no recipient, provider or hour).</summary>
    [Id(7)]
    public bool Forged { get; init; }
}
