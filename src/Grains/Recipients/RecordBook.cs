using System.Diagnostics.CodeAnalysis;
using Clearinghouse.Domain;

namespace Clearinghouse.Grains.Recipients;

/// <summary>
/// A recipient's records and the rules for choosing among them, over a <see cref="RecipientState"/>.
/// Matching uses an index by pattern value, so a check costs a few dictionary lookups (one per label of the
/// sender's domain), not a scan of the list.
/// Precedence: the most specific tier wins (address &gt; domain/subdomain &gt; top-level domain); within a tier an allow
/// record beats a blocking one; among records of the same kind the longest domain match wins.
/// </summary>
public sealed class RecordBook
{
    private readonly RecipientState state;
    private readonly TimeSpan hitHalfLife;
    private RecordIndex index;

    public RecordBook(RecipientState state, TimeSpan hitHalfLife)
    {
        this.state = state;
        this.hitHalfLife = hitHalfLife;
        index = RecordIndex.Build(state.Records);
    }

    public int Count => state.Records.Count;

    public IReadOnlyList<BlockingRecord> Records => state.Records;

    /// <summary>Adds <paramref name="request"/>, replacing a record with the same pattern and channel (same id, hits kept).</summary>
    public AddRecordResult Add(NewRecord request, DateTimeOffset now, Func<string> newId)
    {
        var existingAt = state.Records.FindIndex(r => r.Pattern == request.Pattern && r.Channel == request.Channel);
        if (existingAt >= 0)
        {
            var existing = state.Records[existingAt];
            var replacement = existing with
            {
                Action = request.Action,
                Message = request.Message,
                ThreatLevel = request.ThreatLevel,
                Source = request.Source,
            };
            state.Records[existingAt] = replacement;
            Reindex();
            return new AddRecordResult(replacement, Replaced: true);
        }

        var record = new BlockingRecord(newId(), request.Pattern, request.Channel, request.Action, request.Message, request.ThreatLevel, now, request.Source);
        state.Records.Add(record);
        Reindex();
        return new AddRecordResult(record, Replaced: false);
    }

    public bool Remove(string recordId)
    {
        var removed = state.Records.RemoveAll(r => r.Id == recordId) > 0;
        if (removed)
        {
            state.Hits.Remove(recordId);
            Reindex();
        }

        return removed;
    }

    public IReadOnlyList<RecordView> List(DateTimeOffset now) =>
        state.Records
            .Select(r => state.Hits.TryGetValue(r.Id, out var hits)
                ? new RecordView(r, hits.Count, hits.LastHitAt, hits.ScoreAsOf(now, hitHalfLife))
                : new RecordView(r, 0, null, 0))
            .ToList();

    /// <summary>Finds the deciding record for <paramref name="sender"/>, if any, without counting a hit.</summary>
    public bool TryMatch(Address sender, Channel channel, [NotNullWhen(true)] out IndexedRecord? match) =>
        index.TryMatch(sender, channel, out match);

    /// <summary>Counts a hit on <paramref name="recordId"/> in memory.</summary>
    public void RecordHit(string recordId, DateTimeOffset now)
    {
        if (!state.Hits.TryGetValue(recordId, out var hits))
        {
            hits = new HitStatistics();
            state.Hits[recordId] = hits;
        }

        hits.RecordHit(now, hitHalfLife);
    }

    private void Reindex() => index = RecordIndex.Build(state.Records);
}
