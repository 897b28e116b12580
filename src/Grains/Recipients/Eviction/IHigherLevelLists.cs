using Clearinghouse.Contracts;
using Clearinghouse.Domain;

namespace Clearinghouse.Grains.Recipients.Eviction;

/// <summary>
/// A list above a recipient's own (the provider's sender list; the global filter list) that blocks senders for the
/// recipient too, so that a recipient entry it duplicates is the first to go when the recipient's list is full.
/// Every registered implementation is consulted; an entry is a duplicate if any of them lists it.
/// </summary>
public interface IHigherLevelLists
{
    /// <summary>For each key, whether this list blocks the same pattern on the same channel for the provider's recipients.</summary>
    Task<bool[]> AreListedAsync(string? providerId, SenderListKey[] keys);
}

/// <summary>The provider's sender list, held by its <see cref="IProviderMaps"/> grain.</summary>
public sealed class ProviderSenderLists(IGrainFactory grains) : IHigherLevelLists
{
    public Task<bool[]> AreListedAsync(string? providerId, SenderListKey[] keys) =>
        string.IsNullOrEmpty(providerId) || keys.Length == 0
            ? Task.FromResult(new bool[keys.Length])
            : grains.GetGrain<IProviderMaps>(providerId).AreListed(keys);
}

/// <summary>The global filter list, held by the <see cref="IFilterList"/> grain. It blocks senders on every channel.</summary>
public sealed class GlobalFilterListLevel(IGrainFactory grains) : IHigherLevelLists
{
    public Task<bool[]> AreListedAsync(string? providerId, SenderListKey[] keys) =>
        keys.Length == 0
            ? Task.FromResult(Array.Empty<bool>())
            : grains.GetGrain<IFilterList>(0).Covers(keys.Select(k => k.Pattern).ToArray());
}
