using System.Diagnostics.CodeAnalysis;
using Clearinghouse.Domain;

namespace Clearinghouse.Grains.Recipients;

/// <summary>A record with the verdict it gives, computed once when the index is built.</summary>
public sealed record IndexedRecord(BlockingRecord Record, Verdict Verdict);

/// <summary>
/// Records of one recipient indexed by pattern value, per channel. Immutable: rebuilt when the records change,
/// which is rare next to checks.
/// </summary>
internal sealed class RecordIndex
{
    private readonly Dictionary<string, IndexedRecord>[] byKind;

    private RecordIndex(Dictionary<string, IndexedRecord>[] byKind) => this.byKind = byKind;

    private static int Slot(Channel channel, PatternKind kind) => ((int)channel * 4) + (int)kind;

    public static RecordIndex Build(IEnumerable<BlockingRecord> records)
    {
        var byKind = new Dictionary<string, IndexedRecord>[8];
        for (var i = 0; i < byKind.Length; i++)
        {
            byKind[i] = new Dictionary<string, IndexedRecord>(StringComparer.Ordinal);
        }

        foreach (var record in records)
        {
            // One record per (pattern, channel) is an invariant of RecordBook.Add; the last one wins if storage says otherwise.
            byKind[Slot(record.Channel, record.Pattern.Kind)][record.Pattern.Value] = new IndexedRecord(record, VerdictBuilder.ForRecord(record));
        }

        return new RecordIndex(byKind);
    }

    public bool TryMatch(Address sender, Channel channel, [NotNullWhen(true)] out IndexedRecord? match)
    {
        match = null;
        if (sender.IsNullSender)
        {
            return false;
        }

        if (byKind[Slot(channel, PatternKind.Address)].TryGetValue(sender.Value, out match))
        {
            return true;
        }

        return TryMatchDomainTier(sender.Domain, channel, out match)
            || TryMatchTopLevelTier(sender.Domain, channel, out match);
    }

    // Domain tier: the exact domain, then *.parent for each parent from the longest down.
    private bool TryMatchDomainTier(string domain, Channel channel, [NotNullWhen(true)] out IndexedRecord? match)
    {
        IndexedRecord? bestBlock = null;
        if (byKind[Slot(channel, PatternKind.Domain)].TryGetValue(domain, out var exact) && IsAllow(exact, ref bestBlock))
        {
            match = exact;
            return true;
        }

        return TryMatchParents(byKind[Slot(channel, PatternKind.Subdomains)], domain, bestBlock, out match);
    }

    private bool TryMatchTopLevelTier(string domain, Channel channel, [NotNullWhen(true)] out IndexedRecord? match) =>
        TryMatchParents(byKind[Slot(channel, PatternKind.TopLevelDomain)], domain, bestBlock: null, out match);

    /// <summary>
    /// Looks up every parent of <paramref name="domain"/>, longest first. The first allow wins outright;
    /// otherwise the longest blocking match (or <paramref name="bestBlock"/> if one was already found).
    /// </summary>
    private static bool TryMatchParents(Dictionary<string, IndexedRecord> byParent, string domain, IndexedRecord? bestBlock, [NotNullWhen(true)] out IndexedRecord? match)
    {
        if (byParent.Count > 0)
        {
            var lookup = byParent.GetAlternateLookup<ReadOnlySpan<char>>();
            var rest = domain.AsSpan();
            for (var dot = rest.IndexOf('.'); dot >= 0; dot = rest.IndexOf('.'))
            {
                rest = rest[(dot + 1)..];
                if (lookup.TryGetValue(rest, out var hit) && IsAllow(hit, ref bestBlock))
                {
                    match = hit;
                    return true;
                }
            }
        }

        match = bestBlock;
        return match is not null;
    }

    private static bool IsAllow(IndexedRecord hit, ref IndexedRecord? bestBlock)
    {
        if (hit.Record.Action == RecordAction.Allow)
        {
            return true;
        }

        bestBlock ??= hit;
        return false;
    }
}
