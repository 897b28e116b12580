using Microsoft.Extensions.DependencyInjection;
using Orleans.Storage;

namespace Clearinghouse.Grains;

/// <summary>
/// Names of the grain storage providers the silo registers. Each grain state names one, by the largest size the
/// state can reach, so that a store with an entity size limit is never asked to hold more: the Azure Storage profile
/// keeps <see cref="Clearinghouse"/> in Azure Table rows (at most about 960 KB of serialized state each) and
/// <see cref="Large"/> in Blobs; the Redis and memory profiles keep both in the same store.
/// </summary>
public static class StorageNames
{
    /// <summary>States bounded well below an Azure Table entity's 1 MB (say, under 500 KB serialized at their limits).</summary>
    public const string Clearinghouse = "clearinghouse";

    /// <summary>
    /// States that can outgrow a table entity: a recipient at its maximum list sizes, the filter list, a sender's or a
    /// domain's ledger, the ranking shards, the outbox, a provider's maps.
    /// </summary>
    public const string Large = "clearinghouse-large";

    /// <summary>Serves <see cref="Large"/> with the provider registered as <see cref="Clearinghouse"/> (stores without a size limit).</summary>
    public static IServiceCollection AddLargeStateInSameStorage(this IServiceCollection services) =>
        services.AddKeyedSingleton<IGrainStorage>(Large, (provider, _) => provider.GetRequiredKeyedService<IGrainStorage>(Clearinghouse));
}
