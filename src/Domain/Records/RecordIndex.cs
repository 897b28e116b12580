using System.Diagnostics.CodeAnalysis;

namespace Clearinghouse.Domain;

/// <summary>A record with the verdicts it gives, computed once when the index is built.</summary>
public sealed class IndexedRecord
{
    private readonly Verdict unverifiedVerdict;

    public IndexedRecord(BlockingRecord record)
    {
        Record = record;
        Verdict = VerdictBuilder.ForRecord(record);
        unverifiedVerdict = record.Action == RecordAction.Bounce ? VerdictBuilder.ForBounceToUnverifiedSender(record) : Verdict;
    }

    public BlockingRecord Record { get; }

    /// <summary>The verdict for a verified sender.</summary>
    public Verdict Verdict { get; }

    /// <summary>The verdict for this sender: a bounce notice goes only to a verified sender (no backscatter to forgeries).</summary>
    public Verdict VerdictFor(bool senderVerified) => senderVerified ? Verdict : unverifiedVerdict;
}

/// <summary>
/// Records indexed by pattern value, per channel, with the precedence rules: the most specific tier wins
/// (address &gt; domain/subdomain &gt; top-level domain); within a tier an allow record beats a blocking one; among
/// blocking records of a tier the longest domain match wins. Domain-, subdomain- and TLD-level allow records apply
/// only to a verified sender (seed 002: a forged common domain must not slip through). Immutable: rebuilt when the
/// records change, which is rare next to checks. Used for a recipient's records and for a provider's sender list.
/// </summary>
public sealed class RecordIndex
{
    public static readonly RecordIndex Empty = Build([]);

    private readonly Dictionary<string, IndexedRecord>[] byKind;

    private RecordIndex(Dictionary<string, IndexedRecord>[] byKind, BlockingRecord[] records)
    {
        this.byKind = byKind;
        Records = records;
    }

    public int Count => Records.Length;

    /// <summary>The records indexed, as given (to ship the index to another process, which builds it again).</summary>
    public BlockingRecord[] Records { get; }

    private static int Slot(MessageChannel channel, PatternKind kind) => ((int)channel * 4) + (int)kind;

    public static RecordIndex Build(IEnumerable<BlockingRecord> records)
    {
        var byKind = new Dictionary<string, IndexedRecord>[8];
        for (var i = 0; i < byKind.Length; i++)
        {
            byKind[i] = new Dictionary<string, IndexedRecord>(StringComparer.Ordinal);
        }

        var all = records.ToArray();
        foreach (var record in all)
        {
            // One record per (pattern, channel) is an invariant of RecordBook.Add; the last one wins if storage says otherwise.
            byKind[Slot(record.Channel, record.Pattern.Kind)][record.Pattern.Value] = new IndexedRecord(record);
        }

        return new RecordIndex(byKind, all);
    }

    public bool TryMatch(Address sender, MessageChannel channel, bool senderVerified, [NotNullWhen(true)] out IndexedRecord? match)
    {
        match = null;
        if (sender.IsNullSender || Count == 0)
        {
            return false;
        }

        if (byKind[Slot(channel, PatternKind.Address)].TryGetValue(sender.Value, out match))
        {
            return true;
        }

        return TryMatchDomainTier(sender.Domain, channel, senderVerified, out match)
            || TryMatchTopLevelTier(sender.Domain, channel, senderVerified, out match);
    }

    // Domain tier: the exact domain, then *.parent for each parent from the longest down.
    private bool TryMatchDomainTier(string domain, MessageChannel channel, bool senderVerified, [NotNullWhen(true)] out IndexedRecord? match)
    {
        IndexedRecord? bestBlock = null;
        if (byKind[Slot(channel, PatternKind.Domain)].TryGetValue(domain, out var exact) && IsApplicableAllow(exact, senderVerified, ref bestBlock))
        {
            match = exact;
            return true;
        }

        return TryMatchParents(byKind[Slot(channel, PatternKind.Subdomains)], domain, senderVerified, bestBlock, out match);
    }

    private bool TryMatchTopLevelTier(string domain, MessageChannel channel, bool senderVerified, [NotNullWhen(true)] out IndexedRecord? match) =>
        TryMatchParents(byKind[Slot(channel, PatternKind.TopLevelDomain)], domain, senderVerified, bestBlock: null, out match);

    /// <summary>
    /// Looks up every parent of <paramref name="domain"/>, longest first. The first applicable allow wins outright;
    /// otherwise the longest blocking match (or <paramref name="bestBlock"/> if one was already found).
    /// </summary>
    private static bool TryMatchParents(Dictionary<string, IndexedRecord> byParent, string domain, bool senderVerified, IndexedRecord? bestBlock, [NotNullWhen(true)] out IndexedRecord? match)
    {
        if (byParent.Count > 0)
        {
            var lookup = byParent.GetAlternateLookup<ReadOnlySpan<char>>();
            foreach (var parent in new DomainParents(domain))
            {
                if (lookup.TryGetValue(parent, out var hit) && IsApplicableAllow(hit, senderVerified, ref bestBlock))
                {
                    match = hit;
                    return true;
                }
            }
        }

        match = bestBlock;
        return match is not null;
    }

    /// <summary>True for an allow record that applies; remembers the first blocking hit; skips an allow for an unverified sender.</summary>
    private static bool IsApplicableAllow(IndexedRecord hit, bool senderVerified, ref IndexedRecord? bestBlock)
    {
        if (hit.Record.Action == RecordAction.Allow)
        {
            return senderVerified;
        }

        bestBlock ??= hit;
        return false;
    }
}
