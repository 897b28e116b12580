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
