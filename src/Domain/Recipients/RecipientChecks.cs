using System.Collections.Concurrent;
using System.Collections.Frozen;

namespace Clearinghouse.Domain;

/// <summary>What a recipient's checks are decided from: its records as persisted, indexed. Immutable.</summary>
public sealed record RecipientSnapshot(RecordIndex Records, RecordIndex Secondary, FrozenSet<string> DoNotSendKeys)
{
    public static readonly RecipientSnapshot Empty = new(RecordIndex.Build([]), RecordIndex.Build([]), FrozenSet<string>.Empty);

    /// <summary>The snapshot as it crosses to another silo's read cache.</summary>
    public RecipientSnapshotData ToData() => new(Records.Records, Secondary.Records, [.. DoNotSendKeys]);

    public static RecipientSnapshot From(RecipientSnapshotData data) =>
        new(RecordIndex.Build(data.Records), RecordIndex.Build(data.Secondary), data.DoNotSendKeys.ToFrozenSet(StringComparer.Ordinal));

    /// <summary>The snapshot of a recipient's records and requests as they are now (call it once they are persisted).</summary>
    public static RecipientSnapshot Of(RecordBook records, DoNotSendBook requests) =>
        new(records.Index, records.SecondaryIndex, requests.Keys.ToFrozenSet(StringComparer.Ordinal));
}

/// <summary>
/// The decision side of a recipient, safe to call from any thread: checks are decided (by <see cref="VerdictDecision"/>)
/// from the last published snapshot, and hits are tallied with atomic counters that the owner drains. The recipient's
/// grain publishes its snapshot here after each persisted change (so a check sees exactly the acknowledged writes) and
/// drains the hits into its <see cref="RecordBook"/>; a silo's read cache holds one per cached recipient and sends
/// its hits to the grain.
/// </summary>
public sealed class RecipientChecks(TimeProvider clock, RecipientSnapshot? initial = null)
{
    private readonly ConcurrentDictionary<string, HitTally> tallies = new(StringComparer.Ordinal);
    private RecipientSnapshot snapshot = initial ?? RecipientSnapshot.Empty;
    private volatile bool retired;

    public RecipientSnapshot Snapshot => Volatile.Read(ref snapshot);

    /// <summary>
    /// Whether its owner has taken its last hits (a deactivating grain, a dropped copy): a check decided after that must hand the hit
    /// on itself, or nobody counts it.
    /// </summary>
    public bool IsRetired => retired;

    /// <summary>Marks that the owner drains no more hits from here; call it before the owner's last drain.</summary>
    public void Retire() => retired = true;

    /// <summary>Decides from the published snapshot and counts the hit of the record that decided.</summary>
    public Decision Decide(CheckRequest request, DoNotSendFact doNotSend)
    {
        var decision = VerdictDecision.Decide(new VerdictFacts(request, Snapshot, doNotSend));
        if (decision.Hit is { } hit)
        {
            tallies.GetOrAdd(hit.Record.Id, static _ => new HitTally()).Add(clock.GetUtcNow());
        }

        return decision;
    }

    public void Publish(RecipientSnapshot next) => Volatile.Write(ref snapshot, next);

    /// <summary>Moves the hits tallied since the last drain into <paramref name="book"/>; true when there were any.</summary>
    public bool DrainHitsInto(RecordBook book)
    {
        var any = false;
        foreach (var hit in TakeHits())
        {
            book.RecordHits(hit.RecordId, hit.Count, hit.LastHit);
            any = true;
        }

        return any;
    }

    /// <summary>Takes the hits tallied since the last take, per record.</summary>
    public List<RecordHitCount> TakeHits()
    {
        var taken = new List<RecordHitCount>();
        foreach (var (recordId, tally) in tallies)
        {
            if (tally.TryTake(out var count, out var lastHit))
            {
                taken.Add(new RecordHitCount(recordId, count, lastHit));
            }
        }

        return taken;
    }

    /// <summary>Hits of one record since the last drain: a count and the time of the latest.</summary>
    private sealed class HitTally
    {
        private long count;
        private long lastHitTicks;

        public void Add(DateTimeOffset at)
        {
            Volatile.Write(ref lastHitTicks, at.UtcTicks);
            Interlocked.Increment(ref count);
        }

        public bool TryTake(out long taken, out DateTimeOffset lastHit)
        {
            taken = Interlocked.Exchange(ref count, 0);
            lastHit = new DateTimeOffset(Volatile.Read(ref lastHitTicks), TimeSpan.Zero);
            return taken > 0;
        }
    }
}
