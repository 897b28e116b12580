using Clearinghouse.Domain;
using Orleans.Concurrency;

namespace Clearinghouse.Contracts;

/// <summary>
/// One reported sender. Key: the normalised sender address. Counts violation reports in a sliding window, owns the
/// sender's escalation state and, when a threshold is passed, opens a case, hands it to the escalation outbox and
/// lists the sender on the filter list.
/// </summary>
public interface ISender : IGrainWithStringKey
{
    /// <summary>Records a report once per <see cref="ViolationReport.ReportKey"/>; answered after it is persisted.</summary>
    Task<ReportOutcome> Report(ViolationReport report);

    Task<SenderStatus> GetStatus();

    /// <summary>Removes the sender from the filter list (appending a remove); false when it was not listed.</summary>
    Task<bool> Delist(string reason);
}

/// <summary>The aggregate of all reported addresses at one domain. Key: the normalised domain.</summary>
public interface ISenderDomain : IGrainWithStringKey
{
    /// <summary>
    /// Adds a report once per key (forwarded by the address's <see cref="ISender"/>). One-way: the sender does not wait
    /// for it, so a domain with many reported addresses is not a queue every report stands in.
    /// </summary>
    [OneWay]
    Task Add(ViolationReport report);

    Task<DomainStatus> GetStatus();
}

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
