using Clearinghouse.Domain;
using Orleans.Concurrency;

namespace Clearinghouse.Contracts;

/// <summary>The root of the ranking and the owner of the threshold settings. Key: 0.</summary>
public interface IViolationRanking : IGrainWithIntegerKey
{
    /// <summary>A shard's histogram of scores; answers with the merged cutoffs and the settings.</summary>
    /// <remarks>Interleaves (it does not await), so that shards activating while settings change do not deadlock.</remarks>
    [AlwaysInterleave]
    Task<RankingView> Merge(int shard, ScoreHistogram histogram);

    [AlwaysInterleave]
    Task<RankingView> GetView();

    /// <summary>Changes the settings (validated) and tells every shard; applies without a restart.</summary>
    Task<ThresholdSettings> SetSettings(ThresholdSettings settings);
}
