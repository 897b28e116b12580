using Microsoft.Extensions.Logging;
using Orleans.Runtime.Services;

namespace Clearinghouse.Grains.Recipients.Cache;

/// <summary>The <see cref="IRecipientCacheService"/> of this silo: one per silo, addressed by silo.</summary>
public sealed class RecipientCacheService(GrainId grainId, Silo silo, ILoggerFactory loggerFactory, RecipientReadCache cache)
    : GrainService(grainId, silo, loggerFactory), IRecipientCacheService
{
    public Task Invalidate(string recipientKey)
    {
        cache.Invalidate(recipientKey);
        return Task.CompletedTask;
    }
}

/// <summary>Calls the <see cref="IRecipientCacheService"/> of a given silo.</summary>
public sealed class RecipientCacheServiceClient(IServiceProvider services) : GrainServiceClient<IRecipientCacheService>(services)
{
    public Task Invalidate(SiloAddress silo, string recipientKey) => GetGrainService(silo).Invalidate(recipientKey);
}
