using System.Collections.Concurrent;
using System.Collections.Frozen;
using System.Diagnostics.CodeAnalysis;

namespace Clearinghouse.Domain;

/// <summary>What a recipient's checks are decided from: its records as persisted, indexed. Immutable.</summary>
public sealed record RecipientSnapshot(RecordIndex Records, RecordIndex Secondary, FrozenSet<string> DoNotSendKeys)
{
    public static readonly RecipientSnapshot Empty = new(RecordIndex.Build([]), RecordIndex.Build([]), FrozenSet<string>.Empty);

    /// <summary>The snapshot of a recipient's records and requests as they are now (call it once they are persisted).</summary>
    public static RecipientSnapshot Of(RecordBook records, DoNotSendBook requests) =>
        new(records.Index, records.SecondaryIndex, requests.Keys.ToFrozenSet(StringComparer.Ordinal));
}

/// <summary>
/// The decision side of a recipient grain, safe to call from any thread: checks are decided from the snapshot the
/// grain publishes after each persisted change (so a check sees exactly the acknowledged writes), and hits are
/// tallied with atomic counters that the grain drains into its <see cref="RecordBook"/> when it flushes. The grain
/// itself decides through it, and so does the gateway of the same process, without a grain call
/// (the silo's LocalRecipientChecks).
/// </summary>
public sealed class RecipientChecks(TimeProvider clock)
{
    private readonly ConcurrentDictionary<string, HitTally> tallies = new(StringComparer.Ordinal);
    private RecipientSnapshot snapshot = RecipientSnapshot.Empty;

    /// <summary>
    /// Decides, unless the sender has a do-not-send request (it may be a violation, which only the grain may record):
    /// then false.
    /// </summary>
    public bool TryDecide(CheckRequest request, [NotNullWhen(true)] out Verdict? verdict) => Decide(request, respectDoNotSend: true, out verdict);

    /// <summary>Decides as if there were no do-not-send request (the grain found none in force).</summary>
    public Verdict DecideIgnoringDoNotSend(CheckRequest request)
    {
        Decide(request, respectDoNotSend: false, out var verdict);
        return verdict!;
    }

    public void Publish(RecipientSnapshot next) => Volatile.Write(ref snapshot, next);

    /// <summary>Moves the hits tallied since the last drain into <paramref name="book"/>; true when there were any.</summary>
    public bool DrainHitsInto(RecordBook book)
    {
        var any = false;
        foreach (var (recordId, tally) in tallies)
        {
            if (tally.TryTake(out var count, out var lastHit))
            {
                book.RecordHits(recordId, count, lastHit);
                any = true;
            }
        }

        return any;
    }

    private bool Decide(CheckRequest request, bool respectDoNotSend, out Verdict? verdict)
    {
        var current = Volatile.Read(ref snapshot);
        if (request.Sender.IsNullSender)
        {
            verdict = VerdictBuilder.NullSender;
            return true;
        }

        var verified = request.SenderVerified;
        var matched = current.Records.TryMatch(request.Sender, request.Channel, verified, out var match);
        var allowed = matched && match!.Record.Action == RecordAction.Allow;

        // An allow record for the very address beats a do-not-send request (allow beats block within a tier);
        // a domain-wide allow record does not.
        if (respectDoNotSend && current.DoNotSendKeys.Count > 0 && !(allowed && match!.Record.Pattern.Kind == PatternKind.Address)
            && current.DoNotSendKeys.Contains(DoNotSendRequest.KeyFor(request.Sender, request.Channel)))
        {
            verdict = null;
            return false;
        }

        if (request.Listing is { } listing && !allowed)
        {
            verdict = FilterListVerdict.For(listing);
            return true;
        }

        if (!matched)
        {
            verdict = current.Secondary.TryMatch(request.Sender, request.Channel, senderVerified: false, out var flagged)
                ? VerdictBuilder.FlaggedBySecondaryList(flagged.Record)
                : VerdictBuilder.NoMatch;
            return true;
        }

        tallies.GetOrAdd(match!.Record.Id, static _ => new HitTally()).Add(clock.GetUtcNow());
        verdict = match.VerdictFor(verified);
        return true;
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
