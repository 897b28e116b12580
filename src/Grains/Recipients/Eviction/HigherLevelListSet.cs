using Clearinghouse.Domain;

namespace Clearinghouse.Grains.Recipients.Eviction;

/// <summary>Every registered <see cref="IHigherLevelLists"/> at once: an entry is duplicated if any of them lists it.</summary>
public sealed class HigherLevelListSet(IEnumerable<IHigherLevelLists> lists)
{
    public async Task<bool[]> AreListedAsync(string? providerId, SenderListKey[] keys)
    {
        var listed = new bool[keys.Length];
        foreach (var list in lists)
        {
            var answer = await list.AreListedAsync(providerId, keys);
            for (var i = 0; i < listed.Length; i++)
            {
                listed[i] |= answer[i];
            }
        }

        return listed;
    }
}
