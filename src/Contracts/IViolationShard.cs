using Clearinghouse.Domain;

namespace Clearinghouse.Contracts;

/// <summary>
/// One of a few shards of the ranking: sender grains report their score here; the shard keeps a histogram of its
/// senders' scores and sends it to the <see cref="IViolationRanking"/> root now and then. Key: the shard number.
/// </summary>
public interface IViolationShard : IGrainWithIntegerKey
{
    /// <summary>Records a sender's current score and answers with the settings and rank cutoffs in force.</summary>
    Task<RankingView> Update(string sender, double score);

    /// <summary>The root tells the shard about new settings or cutoffs.</summary>
    Task Refresh(RankingView view);
}
