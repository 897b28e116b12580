using System.Net;
using System.Threading.Channels;
using Clearinghouse.Contracts;
using Clearinghouse.Domain;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Clearinghouse.Gateway.FilterList;

/// <summary>An update a subscriber receives: a snapshot to replace its copy with, or one change.</summary>
public sealed record ReplicaUpdate(FilterListSlice? Snapshot, FilterChange? Change);

/// <summary>A page of listed entries and the list they were read from (its version and size).</summary>
public sealed record FilterListPage(IReadOnlyList<FilterChange> Entries, long Version, int Listed, long? NextBefore);

/// <summary>A subscriber's view: what it needs to catch up, then the live updates in order.</summary>
public sealed class ReplicaSubscription(FilterListSlice catchUp, ChannelReader<ReplicaUpdate> live, Action unsubscribe) : IDisposable
{
    public FilterListSlice CatchUp => catchUp;

    public ChannelReader<ReplicaUpdate> Live => live;

    public void Dispose() => unsubscribe();
}

/// <summary>
/// This gateway's in-memory copy of the filter list. It observes the filter-list grain (each change is pushed as
/// it is persisted) and catches up by reading from its version whenever it sees a gap, at start, and on every renewal
/// of its subscription, so it never misses a change for long. The verdict path reads <see cref="Match"/> without a
/// grain call; the subscription stream is served from here, so subscribers cost the cluster nothing.
/// Changes are applied and forwarded to subscribers under one lock, so every subscriber sees them in version order,
/// without gaps or repeats.
/// </summary>
public sealed partial class FilterListReplica : IFilterListObserver, IFilterListFeed, IHostedService, IDisposable
{
    /// <summary>How many updates a subscriber may be behind before its stream is ended (it resumes from its version).</summary>
    public const int SubscriberBacklog = 10_000;

    /// <summary>Listed entries read per call when the replica reads the whole list.</summary>
    public const int ListedPageSize = 10_000;

    private readonly IGrainFactory grains;
    private readonly FilterListOptions options;
    private readonly ILogger<FilterListReplica> logger;
    private readonly Lock gate = new();
    private readonly FilterListLog log;
    private readonly List<Channel<ReplicaUpdate>> subscribers = [];
    private readonly List<Action<ReplicaUpdate>> followers = [];
    private readonly List<(long Version, TaskCompletionSource Reached)> versionWaiters = [];
    private readonly SemaphoreSlim catchingUp = new(1, 1);
    private readonly TaskCompletionSource ready = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly CancellationTokenSource stopping = new();
    private volatile FilterListIndex index = new([]);
    private int indexBuilds = 1;
    private long publishedVersion;
    private IFilterListObserver? reference;
    private Task refreshing = Task.CompletedTask;

    public FilterListReplica(IGrainFactory grains, IOptions<FilterListOptions> options, ILogger<FilterListReplica> logger)
    {
        this.grains = grains;
        this.options = options.Value;
        this.logger = logger;
        log = new FilterListLog(this.options.RetainedChanges);
    }

    /// <summary>
    /// The version this replica holds. Read without the lock (a copy published after each change): the DNS blocklist
    /// reads it on every query.
    /// </summary>
    public long Version => Volatile.Read(ref publishedVersion);

    /// <summary>
    /// Completes once this replica holds <paramref name="version"/> (at once if it does), or after
    /// <paramref name="most"/> if it has not got there by then: a change acknowledged by the grain reaches the replicas
    /// by a one-way notification, which may arrive after the acknowledgement.
    /// </summary>
    public async Task WhenAt(long version, TimeSpan most)
    {
        TaskCompletionSource reached;
        lock (gate)
        {
            if (log.Version >= version)
            {
                return;
            }

            reached = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
            versionWaiters.Add((version, reached));
        }

        try
        {
            await reached.Task.WaitAsync(most);
        }
        catch (TimeoutException)
        {
            // Answered anyway: the change is stored; this replica catches up on its own (or has lost its grain).
            lock (gate)
            {
                versionWaiters.Remove((version, reached));
            }
        }
    }

    /// <summary>The version this replica holds and how many entries it lists.</summary>
    public (long Version, int Size) VersionAndSize()
    {
        lock (gate)
        {
            return (log.Version, log.Count);
        }
    }

    /// <summary>How many times the index was built whole (at start, and when the replica was too far behind): changes apply in place, one table entry each.</summary>
    public int IndexBuilds => Volatile.Read(ref indexBuilds);

    /// <summary>Completes once the replica has caught up with the list after start.</summary>
    public Task WhenReady => ready.Task;

    /// <summary>The listed entry matching the sender (hashed address or domain) or the client IP; null when none does.</summary>
    public FilterListing? Match(Address sender, IPAddress? clientIp) => index.Match(sender, clientIp);

    /// <summary>The change that listed <paramref name="entry"/> (when, why, which case), or null when it is not listed.</summary>
    public FilterChange? Find(FilterEntry entry)
    {
        lock (gate)
        {
            return log.TryGetListing(entry, out var added) ? added : null;
        }
    }

    public FilterListSlice Snapshot()
    {
        lock (gate)
        {
            return log.ReadFrom(-1);
        }
    }

    /// <summary>
    /// Listed entries <paramref name="query"/> matches, newest first, at most <paramref name="max"/> listed before
    /// version <paramref name="before"/> (all when null); with the version and size of the list they were read at.
    /// </summary>
    public FilterListPage Search(FilterListQuery query, long? before, int max)
    {
        lock (gate)
        {
            var (page, nextBefore) = query.Page(log.Listed, before, max);
            return new FilterListPage(page, log.Version, log.Count, nextBefore);
        }
    }

    /// <summary>The retained changes <paramref name="query"/> matches, newest first, and the oldest version still retained.</summary>
    public (IReadOnlyList<FilterChange> Changes, long OldestRetained) RecentChanges(FilterListQuery query, int max)
    {
        lock (gate)
        {
            var changes = log.Retained.Reverse().Where(c => query.Matches(c.Entry)).Take(max).ToList();

            return (changes, log.OldestResumableVersion + 1);
        }
    }

    public ReplicaSubscription Subscribe(long fromVersion)
    {
        var channel = System.Threading.Channels.Channel.CreateBounded<ReplicaUpdate>(new BoundedChannelOptions(SubscriberBacklog) { SingleReader = true, SingleWriter = true });
        lock (gate)
        {
            var catchUp = log.ReadFrom(fromVersion);
            subscribers.Add(channel);
            return new ReplicaSubscription(catchUp, channel.Reader, () =>
            {
                lock (gate)
                {
                    subscribers.Remove(channel);
                }
            });
        }
    }

    public IDisposable Follow(long fromVersion, Action<ReplicaUpdate> onUpdate)
    {
        lock (gate)
        {
            onUpdate(new ReplicaUpdate(log.ReadFrom(fromVersion), null));
            followers.Add(onUpdate);
            return new Following(this, onUpdate);
        }
    }

    Task IFilterListObserver.OnChange(FilterChange change)
    {
        bool gap;
        lock (gate)
        {
            gap = change.Version > log.Version + 1;
            if (change.Version == log.Version + 1)
            {
                ApplyLocked([change]);
            }
        }

        if (gap)
        {
            _ = CatchUpInBackgroundAsync();
        }

        return Task.CompletedTask;
    }

    public async Task StartAsync(CancellationToken cancellationToken)
    {
        reference = grains.CreateObjectReference<IFilterListObserver>(this);
        using var patience = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        patience.CancelAfter(TimeSpan.FromSeconds(30));
        while (!ready.Task.IsCompleted && !patience.IsCancellationRequested)
        {
            try
            {
                await RenewAsync(patience.Token);
            }
            catch (Exception error) when (!cancellationToken.IsCancellationRequested)
            {
                if (!patience.IsCancellationRequested)
                {
                    LogRefreshFailed(error);
                    await Task.Delay(TimeSpan.FromMilliseconds(200), CancellationToken.None);
                }
            }
        }

        if (!ready.Task.IsCompleted)
        {
            LogStartedBehind();
        }

        refreshing = RefreshLoopAsync(stopping.Token);
    }

    /// <summary>
    /// Ends the subscribers' feeds first, then leaves the filter-list grain (for at most two seconds: the grain forgets
    /// an observer that stopped answering anyway). Never throws: a stopping silo must go on to leave the cluster.
    /// </summary>
    public async Task StopAsync(CancellationToken cancellationToken)
    {
        await stopping.CancelAsync();
        lock (gate)
        {
            foreach (var subscriber in subscribers)
            {
                subscriber.Writer.TryComplete();
            }
        }

        await refreshing.WaitAsync(cancellationToken).ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
        if (reference is not null)
        {
            try
            {
                await grains.GetGrain<IFilterList>(0).Unsubscribe(reference).WaitAsync(TimeSpan.FromSeconds(2), cancellationToken);
            }
            catch (Exception error)
            {
                LogUnsubscribeFailed(error);
            }

            grains.DeleteObjectReference<IFilterListObserver>(reference);
        }
    }

    public void Dispose()
    {
        stopping.Dispose();
        catchingUp.Dispose();
    }

    private async Task RefreshLoopAsync(CancellationToken cancellationToken)
    {
        using var timer = new PeriodicTimer(options.ReplicaRefreshInterval);
        try
        {
            while (await timer.WaitForNextTickAsync(cancellationToken))
            {
                try
                {
                    await RenewAsync(cancellationToken);
                }
                catch (Exception error) when (!cancellationToken.IsCancellationRequested)
                {
                    LogRefreshFailed(error);
                }
            }
        }
        catch (OperationCanceledException)
        {
        }
    }

    // Subscribing before reading means a change made in between is either read or pushed (or both: the version
    // check drops the repeat).
    private async Task RenewAsync(CancellationToken cancellationToken)
    {
        await grains.GetGrain<IFilterList>(0).Subscribe(reference!).WaitAsync(cancellationToken);
        await CatchUpAsync(cancellationToken);
        ready.TrySetResult();
    }

    private async Task CatchUpAsync(CancellationToken cancellationToken)
    {
        await catchingUp.WaitAsync(cancellationToken);
        try
        {
            var list = grains.GetGrain<IFilterList>(0);
            while (true)
            {
                var slice = await list.Read(Version, 1000).WaitAsync(cancellationToken);
                if (slice.ListedByPages)
                {
                    await ReadListedAsync(list, cancellationToken);
                    continue;
                }

                lock (gate)
                {
                    ApplyLocked(slice.Changes.Where(c => c.Version > log.Version));
                    if (log.Version >= slice.Version || slice.Changes.Count == 0)
                    {
                        return;
                    }
                }
            }
        }
        finally
        {
            catchingUp.Release();
        }
    }

    // Too far behind (or starting): the listed entries as of one version, page by page, replace the copy; the changes
    // after that version follow.
    private async Task ReadListedAsync(IFilterList list, CancellationToken cancellationToken)
    {
        var entries = new List<FilterChange>();
        var asOf = 0L;
        while (true)
        {
            var page = await list.ReadListed(asOf, entries.Count, ListedPageSize).WaitAsync(cancellationToken);
            if (page.Expired)
            {
                (asOf, entries) = (0, []);
                continue;
            }

            asOf = page.AsOfVersion;
            entries.AddRange(page.Entries);
            if (!page.More)
            {
                break;
            }
        }

        var rebuilt = new FilterListIndex(entries);
        lock (gate)
        {
            log.Reset(entries, asOf);
            index = rebuilt;
            Interlocked.Increment(ref indexBuilds);
            PublishLocked(new ReplicaUpdate(log.ReadFrom(-1), null));
            Volatile.Write(ref publishedVersion, log.Version);
            ReleaseVersionWaitersLocked();
            ClearinghouseTelemetry.SetFilterListVersion(log.Version);
        }
    }

    private async Task CatchUpInBackgroundAsync()
    {
        try
        {
            await CatchUpAsync(stopping.Token);
        }
        catch (Exception error) when (!stopping.IsCancellationRequested)
        {
            LogRefreshFailed(error);
        }
    }

    private void ApplyLocked(IEnumerable<FilterChange> changes)
    {
        foreach (var change in changes)
        {
            if (change.Version != log.Version + 1)
            {
                break;
            }

            log.Apply(change);
            index.Apply(change);
            PublishLocked(new ReplicaUpdate(null, change));
            Volatile.Write(ref publishedVersion, log.Version);
            ReleaseVersionWaitersLocked();
            ClearinghouseTelemetry.SetFilterListVersion(log.Version);
        }
    }

    // Followers first, then the version is published (by the caller): see IFilterListFeed.Follow.
    private void ReleaseVersionWaitersLocked()
    {
        for (var i = versionWaiters.Count - 1; i >= 0; i--)
        {
            if (versionWaiters[i].Version <= log.Version)
            {
                versionWaiters[i].Reached.TrySetResult();
                versionWaiters.RemoveAt(i);
            }
        }
    }

    private void PublishLocked(ReplicaUpdate update)
    {
        foreach (var follower in followers)
        {
            follower(update);
        }

        foreach (var subscriber in subscribers)
        {
            if (!subscriber.Writer.TryWrite(update))
            {
                subscriber.Writer.TryComplete(new SubscriberTooSlowException());
            }
        }
    }

    private sealed class Following(FilterListReplica replica, Action<ReplicaUpdate> onUpdate) : IDisposable
    {
        public void Dispose()
        {
            lock (replica.gate)
            {
                replica.followers.Remove(onUpdate);
            }
        }
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "The filter-list replica could not renew its subscription or catch up; it retries")]
    private partial void LogRefreshFailed(Exception error);

    [LoggerMessage(Level = LogLevel.Information, Message = "The filter-list replica could not unsubscribe while stopping; the grain drops it when it stops answering")]
    private partial void LogUnsubscribeFailed(Exception error);

    [LoggerMessage(Level = LogLevel.Error, Message = "The filter-list replica could not catch up at start; verdicts use an empty list until it does")]
    private partial void LogStartedBehind();
}

/// <summary>A subscriber that fell more than <see cref="FilterListReplica.SubscriberBacklog"/> updates behind.</summary>
public sealed class SubscriberTooSlowException() : Exception("the subscriber fell too far behind; subscribe again from its last version");
