using Clearinghouse.Contracts;
using Clearinghouse.Domain;

namespace Clearinghouse.Grains.Recipients.Eviction;

/// <summary>The global filter list, held by the <see cref="IFilterList"/> grain. It blocks senders on every channel.</summary>
public sealed class GlobalFilterListLevel(IGrainFactory grains) : IHigherLevelLists
{
    public Task<bool[]> AreListedAsync(string? providerId, SenderListKey[] keys) =>
        keys.Length == 0
            ? Task.FromResult(Array.Empty<bool>())
            : grains.GetGrain<IFilterList>(0).Covers(keys.Select(k => k.Pattern).ToArray());
}
