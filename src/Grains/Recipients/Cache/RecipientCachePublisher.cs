using Clearinghouse.Domain;
using Clearinghouse.Grains.Cluster;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Clearinghouse.Grains.Recipients.Cache;

/// <summary>
/// The recipient grain's side of the read caches: before a write is acknowledged, every silo that may hold a copy of
/// the old snapshot drops it, or its lease runs out (see docs/RECIPIENT-CACHE.md).
/// </summary>
public sealed partial class RecipientCachePublisher(
    RecipientCacheServiceClient caches,
    RecipientReadCache localCache,
    ClusterStanding standing,
    IClusterMembershipService membership,
    ILocalSiloDetails localSilo,
    IOptions<RecipientCacheOptions> options,
    TimeProvider clock,
    ILogger<RecipientCachePublisher> logger)
{
    private readonly TimeSpan tellEverySiloWindow = options.Value.TellEverySiloAfterMembershipChange;

    /// <summary>
    /// Returns once no silo can answer from a snapshot older than the one just published: each holder dropped its copy
    /// or its lease ran out; and, for a grain activated around an unclean death, once the dead silo's own confirmation
    /// has run out.
    /// </summary>
    public async Task InvalidateCopiesAsync(string recipientKey, PublishedRecipient<SiloAddress> published, long activatedAt)
    {
        var started = clock.GetTimestamp();
        localCache.Invalidate(recipientKey);
        var targets = published.ToInvalidate(started, OtherActiveSilos(), standing.MembershipChangedWithin(tellEverySiloWindow));
        if (targets.Count > 0)
        {
            await Task.WhenAll(targets.Select(t => InvalidateAsync(t.Holder, t.WaitUntil, recipientKey, published)));
        }

        var invalidated = clock.GetElapsedTime(started);
        var held = await WaitAfterUncleanDeathAsync(activatedAt);
        if (invalidated + held >= SlowPublish)
        {
            LogSlowPublish(recipientKey, invalidated.TotalSeconds, targets.Count, held.TotalSeconds);
        }
    }

    // Asked again every tenth of a second: a death first seen is waited for until it is known whether it needs a wait.
    private async Task<TimeSpan> WaitAfterUncleanDeathAsync(long activatedAt)
    {
        var delay = standing.DelayAfterUncleanDeath(activatedAt);
        if (delay <= TimeSpan.Zero)
        {
            return TimeSpan.Zero;
        }

        ClearinghouseTelemetry.WritesHeldAfterDeath.Add(1);
        var waiting = clock.GetTimestamp();
        for (; delay > TimeSpan.Zero; delay = standing.DelayAfterUncleanDeath(activatedAt))
        {
            await Task.Delay(delay < RecheckDeath ? delay : RecheckDeath, clock);
        }

        return clock.GetElapsedTime(waiting);
    }

    private static readonly TimeSpan RecheckDeath = TimeSpan.FromMilliseconds(100);

    // A write held this long by its publication is worth a line in the log: it says which wait held it.
    private static readonly TimeSpan SlowPublish = TimeSpan.FromSeconds(1);

    private async Task InvalidateAsync(SiloAddress holder, long waitUntil, string recipientKey, PublishedRecipient<SiloAddress> published)
    {
        try
        {
            // Which activation asks (a holder where another activation of the recipient is active supersedes that one), and when.
            InvalidationOrigin.Set(published.Version);
            await caches.Invalidate(holder, recipientKey).WaitAsync(Remaining(waitUntil), clock);
            published.Invalidated(holder);
        }
        catch (TimeoutException)
        {
            // Silent past its lease: it re-reads before it answers again.
            RecipientReadCache.CountSilentHolder();
        }
        catch (Exception error)
        {
            // Unreachable (dead, or cut off): it cannot be told, so wait until its lease has run out.
            RecipientReadCache.CountSilentHolder();
            LogHolderUnreachable(error, holder);
            if (Remaining(waitUntil) is { } rest && rest > TimeSpan.Zero)
            {
                await Task.Delay(rest, clock);
            }
        }
    }

    private TimeSpan Remaining(long until)
    {
        var rest = clock.GetElapsedTime(clock.GetTimestamp(), until);
        return rest > TimeSpan.Zero ? rest : TimeSpan.Zero;
    }

    private IEnumerable<SiloAddress> OtherActiveSilos() =>
        membership.CurrentSnapshot.Members.Values
            .Where(m => m.Status == SiloStatus.Active && !m.SiloAddress.Equals(localSilo.SiloAddress))
            .Select(m => m.SiloAddress);

    [LoggerMessage(Level = LogLevel.Warning, Message = "A write to recipient {Recipient} was held {InvalidationSeconds:0.00} s telling {Holders} silos to drop their copies (or waiting out their leases) and {DeathSeconds:0.00} s after a silo was declared dead")]
    private partial void LogSlowPublish(string recipient, double invalidationSeconds, int holders, double deathSeconds);

    [LoggerMessage(Level = LogLevel.Debug, Message = "Silo {Holder} could not be told to drop a cached recipient; waiting until its lease has run out")]
    private partial void LogHolderUnreachable(Exception error, SiloAddress holder);
}
