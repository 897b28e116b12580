using Clearinghouse.Contracts;
using Clearinghouse.Domain;
using Clearinghouse.Grains.Persistence;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Clearinghouse.Grains.Violations;

/// <summary>
/// The ranking root (see <see cref="IViolationRanking"/>): merges shard histograms, owns the settings. The view says
/// when the oldest histogram it merged arrived, and has no such time until every shard has sent one, so that ranked
/// mode lists nobody on a partial or stale ranking; a shard silent for two intervals is woken up.
/// </summary>
public sealed class ViolationRankingGrain(
    [PersistentState("ranking", StorageNames.Clearinghouse)] IPersistentState<RankingState> state,
    IOptions<ViolationOptions> options,
    RankingViewCache views,
    [FromKeyedServices(ClearinghouseClock.Key)] TimeProvider clock,
    ILogger<ViolationRankingGrain> logger) : Grain, IViolationRanking
{
    private readonly Dictionary<int, (ScoreHistogram Histogram, DateTimeOffset At)> shards = [];
    private readonly Dictionary<int, DateTimeOffset> wokenAt = [];
    private RankingView view = RankingView.Initial;
    private StateWriter writer = null!;

    public override Task OnActivateAsync(CancellationToken cancellationToken)
    {
        writer = new StateWriter(GrainContext, state, logger);
        view = view with { Settings = state.State.Settings ?? options.Value.InitialThresholds() };
        return Task.CompletedTask;
    }

    Task<RankingView> IViolationRanking.Merge(int shard, ScoreHistogram histogram)
    {
        var now = clock.GetUtcNow();
        shards[shard] = (histogram, now);
        var merged = new ScoreHistogram();
        foreach (var (part, _) in shards.Values)
        {
            merged.Merge(part);
        }

        var expected = Math.Max(1, options.Value.RankingShards);
        var complete = Enumerable.Range(0, expected).All(shards.ContainsKey);
        DateTimeOffset? oldest = complete ? shards.Where(s => s.Key < expected).Min(s => s.Value.At) : null;
        view = new RankingView(view.Settings, merged.Count, merged.Cutoff(100), merged.Cutoff(500), merged.Cutoff(1000), oldest);
        WakeSilentShards(now, expected);
        return Task.FromResult(view);
    }

    Task<RankingView> IViolationRanking.GetView() => Task.FromResult(view);

    async Task<ThresholdSettings> IViolationRanking.SetSettings(ThresholdSettings settings)
    {
        var valid = settings.Validated();
        state.State.Settings = valid;
        await writer.WriteAsync();

        // Only now do readers (GetView and Merge interleave) see the new settings: never unpersisted ones. This silo's
        // senders decide with them at once; the others as their score updates bring them back (RankingInterval).
        view = view with { Settings = valid };
        views.Offer(view);
        await Task.WhenAll(Enumerable.Range(0, Math.Max(1, options.Value.RankingShards))
            .Select(shard => GrainFactory.GetGrain<IViolationShard>(shard).Refresh(view)));
        return valid;
    }

    /// <summary>
    /// A shard that has not sent a histogram for two intervals (never activated, or deactivated while idle) is called,
    /// which activates it and restarts its pushes; at most once per two intervals each.
    /// </summary>
    private void WakeSilentShards(DateTimeOffset now, int expected)
    {
        var silence = options.Value.RankingInterval * 2;
        for (var shard = 0; shard < expected; shard++)
        {
            var heard = shards.TryGetValue(shard, out var last) && now - last.At <= silence;
            if (heard || (wokenAt.TryGetValue(shard, out var woken) && now - woken <= silence))
            {
                continue;
            }

            wokenAt[shard] = now;
            GrainFactory.GetGrain<IViolationShard>(shard).Refresh(view).Ignore();
        }
    }
}
