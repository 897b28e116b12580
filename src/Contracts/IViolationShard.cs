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

    /// <summary>
    /// The shard's <paramref name="max"/> highest-scoring senders that <paramref name="query"/> (an address, a domain,
    /// or empty for all; see <see cref="SenderQuery"/>) matches, highest first.
    /// </summary>
    Task<IReadOnlyList<RankedSender>> Top(string query, int max);
}
