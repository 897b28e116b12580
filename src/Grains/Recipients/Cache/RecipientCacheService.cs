using Clearinghouse.Domain;
using Clearinghouse.Grains.Cluster;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Orleans.Runtime.Services;

namespace Clearinghouse.Grains.Recipients.Cache;

/// <summary>The <see cref="IRecipientCacheService"/> of this silo: one per silo, addressed by silo.</summary>
public sealed class RecipientCacheService(
    GrainId grainId,
    Silo silo,
    ILoggerFactory loggerFactory,
    RecipientReadCache cache,
    ClusterStanding standing,
    IOptions<RecipientCacheOptions> options,
    TimeProvider clock)
    : GrainService(grainId, silo, loggerFactory), IRecipientCacheService
{
    public Task Invalidate(string recipientKey)
    {
        cache.InvalidateForWriteElsewhere(recipientKey);
        return Task.CompletedTask;
    }

    public Task<RenewedLeases> Renew(SiloAddress holder, CopyRenewal[] copies)
    {
        // Read once before any grant: the grains' leases count from no earlier than the holder's (it read its clock
        // before sending), as with a read from the grain.
        var now = clock.GetTimestamp();

        // A silo that may have been declared dead must not extend what may be stale state: the holder asks the grain.
        var confirmed = standing.IsConfirmed;
        var outcomes = new LeaseRenewal[copies.Length];
        for (var i = 0; i < copies.Length; i++)
        {
            var copy = copies[i];
            outcomes[i] = confirmed && cache.ActiveHere(copy.RecipientKey) is { } published
                ? published.TryRenew(holder, copy.Version, copy.HitReport, now)
                : LeaseRenewal.Gone;
        }

        return Task.FromResult(new RenewedLeases(options.Value.Lease, outcomes));
    }

    public Task Release(SiloAddress holder, string[] recipientKeys)
    {
        foreach (var recipientKey in recipientKeys)
        {
            // A grain that moved meanwhile granted the copy's last lease where it lives now: that lease runs out by itself.
            cache.ActiveHere(recipientKey)?.Invalidated(holder);
        }

        return Task.CompletedTask;
    }
}

/// <summary>Calls the <see cref="IRecipientCacheService"/> of a given silo.</summary>
public sealed class RecipientCacheServiceClient(IServiceProvider services) : GrainServiceClient<IRecipientCacheService>(services)
{
    public Task Invalidate(SiloAddress silo, string recipientKey) => GetGrainService(silo).Invalidate(recipientKey);

    public Task<RenewedLeases> Renew(SiloAddress silo, SiloAddress holder, CopyRenewal[] copies) => GetGrainService(silo).Renew(holder, copies);

    public Task Release(SiloAddress silo, SiloAddress holder, string[] recipientKeys) => GetGrainService(silo).Release(holder, recipientKeys);
}
