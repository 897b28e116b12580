using Orleans.Services;

namespace Clearinghouse.Grains.Recipients.Cache;

/// <summary>The per-silo endpoint of a <see cref="RecipientReadCache"/>: recipient grains on any silo call it to drop copies.</summary>
public interface IRecipientCacheService : IGrainService
{
    /// <summary>Drops this silo's copy of the recipient's snapshot (and any read of it under way); answered once dropped.</summary>
    Task Invalidate(string recipientKey);
}
