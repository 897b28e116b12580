namespace Clearinghouse.Domain;

/// <summary>A provider's persisted maps. Add new fields at the end with new ids; never renumber.</summary>
[GenerateSerializer]
public sealed class ProviderMapsState
{
    /// <summary>Grows by one with every change, so that replicas can tell newer maps from older.</summary>
    [Id(0)]
    public long Version { get; set; }

    /// <summary>Connection map entries by normalised identifier.</summary>
    [Id(1)]
    public Dictionary<string, MapEntry> Connections { get; set; } = new(StringComparer.Ordinal);

    /// <summary>Recipient map entries by normalised identifier.</summary>
    [Id(2)]
    public Dictionary<string, MapEntry> Recipients { get; set; } = new(StringComparer.Ordinal);

    /// <summary>The provider's sender list: blocking entries for all its recipients.</summary>
    [Id(3)]
    public List<BlockingRecord> Senders { get; set; } = [];
}
