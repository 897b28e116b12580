using Clearinghouse.Domain;
using Orleans.Concurrency;

namespace Clearinghouse.Contracts;

/// <summary>
/// One provider's connection map, recipient map and sender list (key: the provider id). Every gateway answers from an
/// in-memory replica (<see cref="GetIfNewer"/>); changes are acknowledged once persisted and return the new maps so
/// that the acknowledging gateway installs them before it answers.
/// </summary>
public interface IProviderMaps : IGrainWithStringKey
{
    /// <summary>Adds the entries, replacing those with the same identifier. Identifiers are already normalised.</summary>
    Task<MapChange> PutEntries(MapKind map, MapEntry[] entries);

    Task<MapChange> RemoveEntries(MapKind map, string[] identifiers);

    /// <summary>Adds sender-list entries, replacing those with the same pattern and channel.</summary>
    Task<MapChange> PutSenderListEntries(NewRecord[] entries);

    Task<MapChange> RemoveSenderListEntries(SenderListKey[] keys);

    [ReadOnly]
    Task<ProviderMapsSnapshot> GetSnapshot();

    /// <summary>The maps when their version is above <paramref name="version"/>, else null (nothing to copy).</summary>
    [ReadOnly]
    Task<ProviderMapsSnapshot?> GetIfNewer(long version);

    /// <summary>For each key, whether the sender list holds a blocking entry with the same pattern and channel.</summary>
    [ReadOnly]
    Task<bool[]> AreListed(SenderListKey[] keys);
}
