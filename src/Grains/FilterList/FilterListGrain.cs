using Clearinghouse.Contracts;
using Clearinghouse.Domain;
using Clearinghouse.Grains.Persistence;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Orleans.Utilities;

namespace Clearinghouse.Grains.FilterList;

/// <summary>
/// The authoritative filter list (see <see cref="IFilterList"/>). Not reentrant: appends are persisted one at a time,
/// in version order, before observers hear of them. Observers are renewed by their replicas; missed notifications
/// are recovered by reading from a version.
/// </summary>
public sealed partial class FilterListGrain(
    [PersistentState("filterlist", StorageNames.Large)] IPersistentState<FilterListData> state,
    IOptions<FilterListOptions> options,
    [FromKeyedServices(ClearinghouseClock.Key)] TimeProvider clock,
    ILogger<FilterListGrain> logger) : Grain, IFilterList
{
    private FilterListLog log = null!;
    private ObserverManager<IFilterListObserver> observers = null!;
    private StateWriter writer = null!;

    public override Task OnActivateAsync(CancellationToken cancellationToken)
    {
        log = new FilterListLog(state.State, options.Value.RetainedChanges);
        writer = new StateWriter(GrainContext, state, logger);
        observers = new ObserverManager<IFilterListObserver>(options.Value.ReplicaRefreshInterval * 4, logger);
        return Task.CompletedTask;
    }

    async Task<FilterChange?> IFilterList.Append(FilterChangeOp op, FilterEntry entry, string reason, string caseId)
    {
        var change = log.Append(op, entry, reason, caseId, clock.GetUtcNow());
        if (change is null)
        {
            return null;
        }

        await writer.WriteAsync();

        LogAppended(change.Version, change.Op, change.CaseId);
        await observers.Notify(o => o.OnChange(change));
        return change;
    }

    Task<FilterListSlice> IFilterList.Read(long fromVersion, int maxChanges) =>
        Task.FromResult(log.ReadFrom(fromVersion, Math.Max(1, maxChanges)));

    Task IFilterList.Subscribe(IFilterListObserver observer)
    {
        observers.Subscribe(observer, observer);
        return Task.CompletedTask;
    }

    Task IFilterList.Unsubscribe(IFilterListObserver observer)
    {
        observers.Unsubscribe(observer);
        return Task.CompletedTask;
    }

    Task<bool[]> IFilterList.Covers(SenderPattern[] patterns) =>
        Task.FromResult(patterns.Select(p => FilterListCoverage.Covers(log, p)).ToArray());

    [LoggerMessage(Level = LogLevel.Information, Message = "Filter list version {Version}: {Op} (case {CaseId})")]
    private partial void LogAppended(long version, FilterChangeOp op, string caseId);
}
