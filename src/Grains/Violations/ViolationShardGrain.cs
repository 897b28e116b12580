using Clearinghouse.Contracts;
using Clearinghouse.Domain;
using Clearinghouse.Grains.Persistence;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Orleans.Concurrency;

namespace Clearinghouse.Grains.Violations;

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
    private StateWriter writer = null!;
    private bool dirty;

    public override async Task OnActivateAsync(CancellationToken cancellationToken)
    {
        writer = new StateWriter(GrainContext, state, logger);
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
        dirty && writer.IsTrusted ? writer.WriteAsync() : Task.CompletedTask;

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

    Task<IReadOnlyList<RankedSender>> IViolationShard.Top(string query, int max)
    {
        var settings = options.Value;
        var scores = state.State.Scores.Select(s => (s.Key, s.Value.Score, s.Value.Hour));
        return Task.FromResult(RankedSender.Top(scores, SenderQuery.Parse(query, "query"), ViolationLedger.HourOf(clock.GetUtcNow()), settings.Window, settings.HalfLife, max));
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
            if (dirty && writer.IsTrusted)
            {
                dirty = false;
                await writer.WriteAsync();
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
