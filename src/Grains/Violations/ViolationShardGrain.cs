using Clearinghouse.Contracts;
using Clearinghouse.Domain;
using Clearinghouse.Grains.Persistence;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Orleans.Concurrency;
using Orleans.Storage;

namespace Clearinghouse.Grains.Violations;

/// <summary>
/// One ranking shard (see <see cref="IViolationShard"/>), a thin host of <see cref="ShardScores"/>. Reentrant: updates
/// only touch memory. A timer sends the histogram to the root and stores the scores that changed since the last tick
/// as one event (<see cref="EventLog{TSnapshot, TEvent, TItem}"/>); every few hundred ticks a checkpoint rewrites
/// all scores in chunks. A tick with no change writes nothing.
/// </summary>
[Reentrant]
public sealed partial class ViolationShardGrain(
    [FromKeyedServices(StorageNames.Large)] IGrainStorage storage,
    IOptions<ViolationOptions> options,
    [FromKeyedServices(ClearinghouseClock.Key)] TimeProvider clock,
    ILogger<ViolationShardGrain> logger) : Grain, IViolationShard
{
    public const string LogName = "rankingshard-log";
    private const int ChunkSize = 2048;

    private EventLog<ShardCheckpoint, ShardScore, ShardScore> log = null!;
    private ShardScores scores = null!;
    private StateWriter writer = null!;
    private RankingView view = RankingView.Initial;

    public override async Task OnActivateAsync(CancellationToken cancellationToken)
    {
        var settings = options.Value;
        scores = new ShardScores(settings.Window, settings.HalfLife, settings.MaxRankedSendersPerShard);
        log = new EventLog<ShardCheckpoint, ShardScore, ShardScore>(storage, this.GetGrainId(), LogName);
        var stored = await log.LoadAsync();
        foreach (var score in stored.Chunks.SelectMany(c => c.Items).Concat(stored.Events))
        {
            scores.Restore(score);
        }

        writer = new StateWriter(GrainContext, WriteAsync, logger);
        view = view with { Settings = settings.InitialThresholds() };
        try
        {
            view = await GrainFactory.GetGrain<IViolationRanking>(0).GetView();
        }
        catch (Exception error)
        {
            LogRootUnavailable(error);
        }

        var interval = settings.RankingInterval;
        this.RegisterGrainTimer(PushAsync, new GrainTimerCreationOptions(interval, interval) { Interleave = true });
    }

    public override Task OnDeactivateAsync(DeactivationReason reason, CancellationToken cancellationToken) =>
        writer.IsTrusted ? writer.WriteAsync() : Task.CompletedTask;

    Task<RankingView> IViolationShard.Update(string sender, double score)
    {
        scores.Update(sender, score, ViolationLedger.HourOf(clock.GetUtcNow()));
        return Task.FromResult(view);
    }

    Task IViolationShard.Refresh(RankingView refreshed)
    {
        view = refreshed;
        return Task.CompletedTask;
    }

    private async Task PushAsync(CancellationToken cancellationToken)
    {
        var histogram = scores.Histogram(ViolationLedger.HourOf(clock.GetUtcNow()));
        try
        {
            view = await GrainFactory.GetGrain<IViolationRanking>(0).Merge((int)this.GetPrimaryKeyLong(), histogram);
        }
        catch (Exception error)
        {
            LogRootUnavailable(error);
        }

        if (!writer.IsTrusted)
        {
            return;
        }

        try
        {
            await writer.WriteAsync();
        }
        catch (StateNotPersistedException error)
        {
            LogWriteFailed(error);
        }
    }

    /// <summary>The scores changed since the last write, as one event; at a checkpoint, every score, in chunks.</summary>
    private Task WriteAsync() =>
        log.WriteAsync(scores.TakeChanged(), () => new LogCheckpoint<ShardCheckpoint, ShardScore>(
            new ShardCheckpoint { Senders = scores.Count },
            scores.All.Chunk(ChunkSize).Select(chunk => (chunk.ToList(), 0L)).ToList(),
            _ => true));

    [LoggerMessage(Level = LogLevel.Warning, Message = "The ranking root did not answer; the shard keeps its last view")]
    private partial void LogRootUnavailable(Exception error);

    [LoggerMessage(Level = LogLevel.Warning, Message = "A ranking shard could not store its scores; it reloads from storage")]
    private partial void LogWriteFailed(Exception error);
}
