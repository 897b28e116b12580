using Orleans.Services;

namespace Clearinghouse.Grains.Recipients.Cache;

/// <summary>
/// The per-silo endpoint of a <see cref="RecipientReadCache"/>: recipient grains on any silo call it to drop copies,
/// and other silos' caches call it to renew, in one batch, their leases on copies of recipients whose grains are here.
/// </summary>
public interface IRecipientCacheService : IGrainService
{
    /// <summary>Drops this silo's copy of the recipient's snapshot (and any read of it under way); answered once dropped.</summary>
    Task Invalidate(string recipientKey);

    /// <summary>
    /// Renews <paramref name="holder"/>'s leases on copies of recipients whose grains are active in this silo, without a
    /// grain call, and adds the hits the copies counted; a copy a write superseded, or whose grain is not active here,
    /// is not renewed (the holder reads it from its grain).
    /// </summary>
    Task<RenewedLeases> Renew(SiloAddress holder, CopyRenewal[] copies);

    /// <summary>
    /// <paramref name="holder"/> is stopping and has dropped its copies of these recipients for good: their grains active
    /// in this silo forget its leases, so that a write no longer waits for it.
    /// </summary>
    Task Release(SiloAddress holder, string[] recipientKeys);
}
