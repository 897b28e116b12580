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

    private const string ViolationKeyPrefix = "v:";
    private const int ViolationKeyLength = 66;
    private const int DedupeKeyLength = 34;

    /// <summary>
    /// The part of a report key a ledger remembers and compares (and a chunk stores): a violation key
    /// (<see cref="ViolationReport.ViolationKey"/>, <c>v:</c> and the 64 hex digits of a SHA-256) by its first 128 bits
    /// (<c>v:</c> and 32 hex digits), any other key whole. The key is internal — it recognises a report delivered again
    /// and is never shown — so 128 bits suffice: two of the at most 1,000,000 keys a ledger remembers
    /// (<see cref="LedgerLimits.MaxEntries"/>) share their first 128 bits with a probability of about
    /// n²/2¹²⁹ = 10¹²/6.8·10³⁸ ≈ 1.5·10⁻²⁷, and such a pair would cost one violation being answered as a duplicate.
    /// </summary>
    public static string DedupeKey(string key) =>
        key.Length == ViolationKeyLength && key.StartsWith(ViolationKeyPrefix, StringComparison.Ordinal) ? key[..DedupeKeyLength] : key;
}
