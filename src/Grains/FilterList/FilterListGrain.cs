using Clearinghouse.Contracts;
using Clearinghouse.Domain;
using Clearinghouse.Grains.Persistence;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Orleans.Storage;
using Orleans.Utilities;

namespace Clearinghouse.Grains.FilterList;

/// <summary>
/// The authoritative filter list (see <see cref="IFilterList"/>): the whole list in memory (<see cref="FilterListLog"/>),
/// stored as an append-only log (<see cref="FilterListStore"/>: an append writes only the change). Not reentrant:
/// appends are persisted one at a time, in version order, before observers hear of them. Observers are renewed by their
/// replicas; missed notifications are recovered by reading from a version.
/// </summary>
public sealed partial class FilterListGrain(
    [FromKeyedServices(StorageNames.Large)] IGrainStorage storage,
    IOptions<FilterListOptions> options,
    [FromKeyedServices(ClearinghouseClock.Key)] TimeProvider clock,
    ILogger<FilterListGrain> logger) : Grain, IFilterList
{
    // A reader too far behind pages through the listing as it was at one version, kept while readers page.
    private (long Version, FilterChange[] Entries)? listing;
    private FilterListLog log = null!;
    private FilterListStore store = null!;
    private ObserverManager<IFilterListObserver> observers = null!;
    private StateWriter writer = null!;

    public override async Task OnActivateAsync(CancellationToken cancellationToken)
    {
        log = new FilterListLog(options.Value.RetainedChanges);
        store = new FilterListStore(storage, this.GetGrainId(), Math.Max(1, options.Value.SegmentSize), logger);
        await store.LoadAsync(log);
        writer = new StateWriter(GrainContext, store.WriteAppendedAsync, logger);
        observers = new ObserverManager<IFilterListObserver>(options.Value.ReplicaRefreshInterval * 4, logger);

        // Sealing runs beside appends (it writes other records), so it never holds one up.
        var seal = TimeSpan.FromSeconds(1);
        this.RegisterGrainTimer(SealAsync, new GrainTimerCreationOptions(seal, seal) { Interleave = true });
    }

    async Task<FilterChange?> IFilterList.Append(FilterChangeOp op, FilterEntry entry, string reason, string caseId)
    {
        var change = log.Append(op, entry, reason, caseId, clock.GetUtcNow());
        if (change is null)
        {
            return null;
        }

        // Persist or reload: a failed write throws StateNotPersistedException and the activation reloads.
        store.Append(change);
        await writer.WriteAsync();

        LogAppended(change.Version, change.Op, change.CaseId);
        await observers.Notify(o => o.OnChange(change));
        return change;
    }

    async Task<FilterChange?[]> IFilterList.AppendAll(FilterChangeOp op, FilterListing[] entries)
    {
        var at = clock.GetUtcNow();
        var changes = entries.Select(e => log.Append(op, e.Entry, e.Reason, e.CaseId, at)).ToArray();
        var appended = changes.OfType<FilterChange>().ToArray();
        if (appended.Length == 0)
        {
            return changes;
        }

        store.Append(appended);
        await writer.WriteAsync();

        LogAppendedAll(appended.Length, appended[0].Version, appended[^1].Version, op);
        foreach (var change in appended)
        {
            await observers.Notify(o => o.OnChange(change));
        }

        return changes;
    }

    Task<FilterListSlice> IFilterList.Read(long fromVersion, int maxChanges) =>
        Task.FromResult(log.CanResumeFrom(fromVersion)
            ? log.ReadFrom(fromVersion, Math.Max(1, maxChanges))
            : new FilterListSlice(null, log.Version, [], log.Version) { ListedByPages = true });

    Task<FilterListPage> IFilterList.ReadListed(long asOfVersion, int skip, int maxEntries)
    {
        if (asOfVersion == 0 && listing?.Version != log.Version)
        {
            listing = (log.Version, log.Listed.ToArray());
        }

        if (listing is not { } held || (asOfVersion != 0 && held.Version != asOfVersion))
        {
            return Task.FromResult(new FilterListPage(asOfVersion, [], More: false, Expired: true));
        }

        var from = Math.Clamp(skip, 0, held.Entries.Length);
        var page = held.Entries[from..Math.Min(held.Entries.Length, from + Math.Max(1, maxEntries))];
        return Task.FromResult(new FilterListPage(held.Version, page, More: from + page.Length < held.Entries.Length, Expired: false));
    }

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

    private async Task SealAsync(CancellationToken cancellationToken)
    {
        if (store.Unsealed < store.SegmentSize || !writer.IsTrusted)
        {
            return;
        }

        try
        {
            await store.SealAsync();
        }
        catch (Exception error)
        {
            // The changes stay in their own records, which a load reads; sealing is tried again.
            LogSealFailed(error);
        }
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Filter list version {Version}: {Op} (case {CaseId})")]
    private partial void LogAppended(long version, FilterChangeOp op, string caseId);

    [LoggerMessage(Level = LogLevel.Information, Message = "Filter list versions {First} to {Last}: {Count} changes, {Op}")]
    private partial void LogAppendedAll(int count, long first, long last, FilterChangeOp op);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Sealing filter-list changes into a segment failed; retried")]
    private partial void LogSealFailed(Exception error);
}
