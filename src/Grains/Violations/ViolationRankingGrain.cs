using Clearinghouse.Contracts;
using Clearinghouse.Domain;
using Clearinghouse.Grains.Persistence;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Clearinghouse.Grains.Violations;

/// <summary>The ranking root (see <see cref="IViolationRanking"/>): merges shard histograms, owns the settings.</summary>
public sealed class ViolationRankingGrain(
    [PersistentState("ranking", StorageNames.Clearinghouse)] IPersistentState<RankingState> state,
    IOptions<ViolationOptions> options,
    RankingViewCache views,
    ILogger<ViolationRankingGrain> logger) : Grain, IViolationRanking
{
    private readonly Dictionary<int, ScoreHistogram> shards = [];
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
        await writer.WriteAsync();

        // Only now do readers (GetView and Merge interleave) see the new settings: never unpersisted ones. This silo's
        // senders decide with them at once; the others as their score updates bring them back (RankingInterval).
        view = view with { Settings = valid };
        views.Offer(view);
        await Task.WhenAll(Enumerable.Range(0, Math.Max(1, options.Value.RankingShards))
            .Select(shard => GrainFactory.GetGrain<IViolationShard>(shard).Refresh(view)));
        return valid;
    }
}
