using Clearinghouse.Contracts;
using Clearinghouse.Domain;

namespace Clearinghouse.Grains.Recipients.Eviction;

/// <summary>The provider's sender list, held by its <see cref="IProviderMaps"/> grain.</summary>
public sealed class ProviderSenderLists(IGrainFactory grains) : IHigherLevelLists
{
    public Task<bool[]> AreListedAsync(string? providerId, SenderListKey[] keys) =>
        string.IsNullOrEmpty(providerId) || keys.Length == 0
            ? Task.FromResult(new bool[keys.Length])
            : grains.GetGrain<IProviderMaps>(providerId).AreListed(keys);
}
