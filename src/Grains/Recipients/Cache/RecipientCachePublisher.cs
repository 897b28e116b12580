using Clearinghouse.Domain;
using Clearinghouse.Grains.Cluster;
using Microsoft.Extensions.Logging;

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
    TimeProvider clock,
    ILogger<RecipientCachePublisher> logger)
{
    /// <summary>
    /// Returns once no silo can answer from a snapshot older than the one just published: each holder dropped its copy
    /// or its lease ran out; and, for a grain activated around an unclean death, once the dead silo's own confirmation
    /// has run out.
    /// </summary>
    public async Task InvalidateCopiesAsync(string recipientKey, PublishedRecipient<SiloAddress> published, long activatedAt)
    {
        localCache.Invalidate(recipientKey);
        var targets = published.ToInvalidate(clock.GetTimestamp(), OtherActiveSilos());
        if (targets.Count > 0)
        {
            await Task.WhenAll(targets.Select(t => InvalidateAsync(t.Holder, t.WaitUntil, recipientKey, published)));
        }

        if (standing.DelayAfterUncleanDeath(activatedAt) is { } delay && delay > TimeSpan.Zero)
        {
            await Task.Delay(delay, clock);
        }
    }

    private async Task InvalidateAsync(SiloAddress holder, long waitUntil, string recipientKey, PublishedRecipient<SiloAddress> published)
    {
        try
        {
            // For the holder's diagnostics only (a second activation, or a late message): which version asks, and when.
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

    [LoggerMessage(Level = LogLevel.Debug, Message = "Silo {Holder} could not be told to drop a cached recipient; waiting until its lease has run out")]
    private partial void LogHolderUnreachable(Exception error, SiloAddress holder);
}
