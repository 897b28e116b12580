using Clearinghouse.Contracts;
using Clearinghouse.Domain;
using Clearinghouse.Grains.Persistence;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Orleans.Concurrency;

namespace Clearinghouse.Grains.Violations;

/// <summary>A sender's last known score in a shard.</summary>
[GenerateSerializer]
public sealed class ShardScore
{
    [Id(0)]
    public double Score { get; set; }

    /// <summary>The hour (since the epoch) the score was computed in; it decays from there.</summary>
    [Id(1)]
    public long Hour { get; set; }
}

/// <summary>A shard's persisted scores. Add new fields at the end with new ids.</summary>
[GenerateSerializer]
public sealed class ShardState
{
    [Id(0)]
    public Dictionary<string, ShardScore> Scores { get; set; } = [];
}

/// <summary>
/// One ranking shard (see <see cref="IViolationShard"/>). Reentrant: updates only touch memory; a timer sends the
/// histogram to the root and writes the scores (one write in flight at a time).
/// </summary>
[Reentrant]
public sealed partial class ViolationShardGrain(
    [PersistentState("rankingshard", StorageNames.Clearinghouse)] IPersistentState<ShardState> state,
    IOptions<ViolationOptions> options,
    [FromKeyedServices(ClearinghouseClock.Key)] TimeProvider clock,
    ILogger<ViolationShardGrain> logger) : Grain, IViolationShard
{
    private RankingView view = RankingView.Initial;
    private StateWriteQueue writes = null!;
    private bool dirty;

    public override async Task OnActivateAsync(CancellationToken cancellationToken)
    {
        writes = new StateWriteQueue(() => state.WriteStateAsync());
        view = view with { Settings = options.Value.InitialThresholds() };
        try
        {
            view = await GrainFactory.GetGrain<IViolationRanking>(0).GetView();
        }
        catch (Exception error)
        {
            LogRootUnavailable(error);
        }

        var interval = options.Value.RankingInterval;
        this.RegisterGrainTimer(PushAsync, new GrainTimerCreationOptions(interval, interval) { Interleave = true });
    }

    public override Task OnDeactivateAsync(DeactivationReason reason, CancellationToken cancellationToken) =>
        dirty ? writes.WriteAsync() : Task.CompletedTask;

    Task<RankingView> IViolationShard.Update(string sender, double score)
    {
        state.State.Scores[sender] = new ShardScore { Score = score, Hour = ViolationLedger.HourOf(clock.GetUtcNow()) };
        dirty = true;
        return Task.FromResult(view);
    }

    Task IViolationShard.Refresh(RankingView refreshed)
    {
        view = refreshed;
        return Task.CompletedTask;
    }

    /// <summary>The shard's scores decayed to now, dropping senders whose reports have all left the window.</summary>
    public static ScoreHistogram Histogram(Dictionary<string, ShardScore> scores, long nowHour, TimeSpan window, TimeSpan halfLife)
    {
        var histogram = new ScoreHistogram();
        foreach (var (sender, entry) in scores.ToList())
        {
            var age = nowHour - entry.Hour;
            if (age >= window.TotalHours)
            {
                scores.Remove(sender);
                continue;
            }

            histogram.Add(entry.Score * Math.Pow(0.5, age / Math.Max(1, halfLife.TotalHours)));
        }

        return histogram;
    }

    private async Task PushAsync(CancellationToken cancellationToken)
    {
        var settings = options.Value;
        var histogram = Histogram(state.State.Scores, ViolationLedger.HourOf(clock.GetUtcNow()), settings.Window, settings.HalfLife);
        try
        {
            view = await GrainFactory.GetGrain<IViolationRanking>(0).Merge((int)this.GetPrimaryKeyLong(), histogram);
            if (dirty)
            {
                dirty = false;
                await writes.WriteAsync();
            }
        }
        catch (Exception error)
        {
            LogRootUnavailable(error);
        }
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "The ranking root did not answer; the shard keeps its last view")]
    private partial void LogRootUnavailable(Exception error);
}

/// <summary>The ranking root's persisted state: the operator's threshold settings (histograms are rebuilt by shards).</summary>
[GenerateSerializer]
public sealed class RankingState
{
    [Id(0)]
    public ThresholdSettings? Settings { get; set; }
}

/// <summary>The ranking root (see <see cref="IViolationRanking"/>): merges shard histograms, owns the settings.</summary>
public sealed class ViolationRankingGrain(
    [PersistentState("ranking", StorageNames.Clearinghouse)] IPersistentState<RankingState> state,
    IOptions<ViolationOptions> options) : Grain, IViolationRanking
{
    private readonly Dictionary<int, ScoreHistogram> shards = [];
    private RankingView view = RankingView.Initial;

    public override Task OnActivateAsync(CancellationToken cancellationToken)
    {
        view = view with { Settings = state.State.Settings ?? options.Value.InitialThresholds() };
        return Task.CompletedTask;
    }

    Task<RankingView> IViolationRanking.Merge(int shard, ScoreHistogram histogram)
    {
        shards[shard] = histogram;
        var merged = new ScoreHistogram();
        foreach (var part in shards.Values)
        {
            merged.Merge(part);
        }

        view = new RankingView(view.Settings, merged.Count, merged.Cutoff(100), merged.Cutoff(500), merged.Cutoff(1000));
        return Task.FromResult(view);
    }

    Task<RankingView> IViolationRanking.GetView() => Task.FromResult(view);

    async Task<ThresholdSettings> IViolationRanking.SetSettings(ThresholdSettings settings)
    {
        var valid = settings.Validated();
        state.State.Settings = valid;
        await state.WriteStateAsync();
        view = view with { Settings = valid };
        await Task.WhenAll(Enumerable.Range(0, Math.Max(1, options.Value.RankingShards))
            .Select(shard => GrainFactory.GetGrain<IViolationShard>(shard).Refresh(view)));
        return valid;
    }
}
