using Clearinghouse.Domain;

namespace Clearinghouse.Grains.Recipients;

/// <summary>A recipient's persisted state. Add new fields at the end with new ids; never renumber.</summary>
[GenerateSerializer]
public sealed class RecipientState
{
    [Id(0)]
    public List<BlockingRecord> Records { get; set; } = [];

    /// <summary>Hit statistics by record id.</summary>
    [Id(1)]
    public Dictionary<string, HitStatistics> Hits { get; set; } = [];
}
