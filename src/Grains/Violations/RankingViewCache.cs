using Clearinghouse.Contracts;
using Clearinghouse.Domain;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Clearinghouse.Grains.Violations;

/// <summary>
/// The thresholds in force and the rank cutoffs, as this silo's sender grains decide with them, so that a report
/// needs no call to the ranking. Kept fresh by what the ranking shards answer to the sender grains' score updates
/// (every <see cref="ViolationOptions.RankingInterval"/>) and by the ranking root when an operator changes the settings
/// on this silo; when nothing refreshed it for two intervals, the next report asks the root once for the whole silo.
/// </summary>
public sealed partial class RankingViewCache(IGrainFactory grains, IOptions<ViolationOptions> options, TimeProvider clock, ILogger<RankingViewCache> logger)
{
    private readonly Lock gate = new();
    private RankingView? view;
    private DateTimeOffset refreshedAt;
    private Task? refreshing;

    /// <summary>The view to decide with now (the configured thresholds until the root has answered once).</summary>
    public RankingView Current => Volatile.Read(ref view) ?? RankingView.Initial with { Settings = options.Value.InitialThresholds() };

    public void Offer(RankingView fresh)
    {
        lock (gate)
        {
            view = fresh;
            refreshedAt = clock.GetUtcNow();
        }
    }

    /// <summary>Completes at once while the view is fresh; otherwise after one call to the root shared by all callers.</summary>
    public Task EnsureFreshAsync()
    {
        lock (gate)
        {
            if (view is not null && clock.GetUtcNow() - refreshedAt < options.Value.RankingInterval * 2)
            {
                return Task.CompletedTask;
            }

            // On the thread pool: not tied to the scheduler of whichever grain asked first.
            return refreshing ??= Task.Run(RefreshAsync);
        }
    }

    private async Task RefreshAsync()
    {
        try
        {
            Offer(await grains.GetGrain<IViolationRanking>(0).GetView());
        }
        catch (Exception error)
        {
            // Decide with the last view known; the next report asks again.
            LogRootUnavailable(error);
        }
        finally
        {
            lock (gate)
            {
                refreshing = null;
            }
        }
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "The ranking root did not answer; senders decide with the last thresholds known")]
    private partial void LogRootUnavailable(Exception error);
}
