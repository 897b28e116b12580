using Clearinghouse.Domain;

namespace Clearinghouse.Grains.Violations;

/// <summary>The ranking root's persisted state: the operator's threshold settings (histograms are rebuilt by shards).</summary>
[GenerateSerializer]
public sealed class RankingState
{
    [Id(0)]
    public ThresholdSettings? Settings { get; set; }
}
