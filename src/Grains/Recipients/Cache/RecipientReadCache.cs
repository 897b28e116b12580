using System.Collections.Concurrent;
using BitFaster.Caching;
using BitFaster.Caching.Lru;
using Clearinghouse.Contracts;
using Clearinghouse.Domain;
using Clearinghouse.Grains.Cluster;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Clearinghouse.Grains.Recipients.Cache;

/// <summary>
/// This silo's memory of recipients, so that its gateway answers checks without a grain call wherever the grain lives
/// (protocol: docs/RECIPIENT-CACHE.md). Grains active here register their live <see cref="RecipientChecks"/> (no copy,
/// no lease: the grain publishes to it before it acknowledges a write). Other recipients are copies read from their
/// grains with a lease, bounded in number (least recently used go first), dropped when their grain invalidates them,
/// renewed ahead of expiry while in use (in one batch per grain silo every
/// <see cref="RecipientCacheOptions.RenewalBatchInterval"/>, through that silo's <see cref="IRecipientCacheService"/>),
/// and read again once the lease has run out. Nothing is answered from memory unless <see cref="ClusterStanding"/>
/// confirms this silo is an active member. Hits counted here reach the grains in batches (every
/// <see cref="RecipientCacheOptions.HitReportInterval"/>, with a lease renewal or by a call of their own; when a copy is
/// dropped; and when the silo stops: once before its grains deactivate and once after, each report awaited and sent
/// again once if it failed).
/// </summary>
public sealed partial class RecipientReadCache : IRecipientReadCache, ILifecycleParticipant<ISiloLifecycle>, IDisposable
{
    private static readonly ConcurrentDictionary<RecipientReadCache, bool> Live = new();

    // How long one hit report may take, and the pause before it is sent once more (to where the grain lives by then: a
    // report that reached an activation as it deactivated on a stopping silo fails, and the grain activates elsewhere).
    private static readonly TimeSpan ReportCallTimeout = TimeSpan.FromSeconds(2);
    private static readonly TimeSpan ResendDelay = TimeSpan.FromMilliseconds(250);

    /// <summary>How long a hit report that fails is sent again with the next reports before its hits are given up.</summary>
    private static readonly TimeSpan HitResendWindow = TimeSpan.FromSeconds(30);
    private static long silentHolders;

    private readonly RecipientCacheOptions options;
    private readonly ClusterStanding standing;
    private readonly IGrainFactory grains;
    private readonly RecipientCacheServiceClient caches;
    private readonly TimeProvider clock;
    private readonly TimeProvider domainClock;
    private readonly ILogger<RecipientReadCache> logger;
    private readonly SiloAddress self;
    private readonly string reporter;
    private readonly long renewAheadTicks;
    private readonly long reportIntervalTicks;
    private readonly ConcurrentDictionary<string, PublishedRecipient<SiloAddress>> local = new(StringComparer.Ordinal);
    private readonly ICache<string, CachedRecipient> copies;
    private readonly ConcurrentDictionary<string, CacheFetch> fetching = new(StringComparer.Ordinal);
    private readonly ConcurrentQueue<PendingHits> droppedHits = new();
    private readonly ConcurrentQueue<(string Key, CachedRecipient Copy)> dueForRenewal = new();
    private readonly CancellationTokenSource stopping = new();
    private Task reporting = Task.CompletedTask;
    private Task renewing = Task.CompletedTask;
    private long hits;
    private long misses;
    private long evictions;
    private long invalidations;
    private long leaseExpiries;
    private long renewedInBatches;
    private long renewalBatches;
    private long renewalReads;
    private long hitReports;
    private long renewalHitReports;
    private long reportSequence;
    private long answeredAfterLastReport;
    private volatile bool lastHitsReported;

    // Set once when the silo stops: no copy is answered from, installed or renewed any more (see ReleaseCopiesAsync).
    private volatile bool released;

    // Process-wide instruments (every silo of a process added up), read when metrics are collected: a check pays an
    // interlocked increment, not a measurement.
    static RecipientReadCache()
    {
        var meter = ClearinghouseTelemetry.Meter;
        meter.CreateObservableCounter("clearinghouse.recipient_cache.hits", () => TotalHits, "{check}", "Checks answered from a silo's memory (its own grains' snapshots and cached copies)");
        meter.CreateObservableCounter("clearinghouse.recipient_cache.misses", () => TotalMisses, "{read}", "Checks that read the recipient from its grain first (not cached, or its lease had run out)");
        meter.CreateObservableCounter("clearinghouse.recipient_cache.evictions", () => TotalEvictions, "{recipient}", "Cached copies dropped to stay within the bound");
        meter.CreateObservableCounter("clearinghouse.recipient_cache.invalidations", () => TotalInvalidations, "{recipient}", "Cached copies dropped because their grain acknowledged a write");
        meter.CreateObservableCounter("clearinghouse.recipient_cache.lease_expiries", () => TotalLeaseExpiries, "{recipient}", "Cached copies found with their lease run out (read again before answering)");
        meter.CreateObservableCounter("clearinghouse.recipient_cache.silent_holders", () => SilentHolders, "{silo}", "Silos a write could not reach and waited out until their lease ran out");
        meter.CreateObservableCounter("clearinghouse.recipient_cache.renewals", () => Total(c => c.renewedInBatches), "{recipient}", "Cached copies whose lease was renewed in a batch (no grain call)");
        meter.CreateObservableCounter("clearinghouse.recipient_cache.renewal_batches", () => Total(c => c.renewalBatches), "{call}", "Batches of lease renewals sent to a grain silo's cache service");
        meter.CreateObservableCounter("clearinghouse.recipient_cache.renewal_reads", () => Total(c => c.renewalReads), "{call}", "Leases renewed by a read from the recipient's grain (a batch could not renew them)");
        meter.CreateObservableCounter("clearinghouse.recipient_cache.hit_reports", () => Total(c => c.hitReports), "{call}", "Calls carrying counted hits to a recipient's grain (not sent with a renewal), each attempt counted");
        meter.CreateObservableCounter("clearinghouse.recipient_cache.renewal_hit_reports", () => Total(c => c.renewalHitReports), "{report}", "Hit reports carried by lease renewals (at most one per copy per report interval)");
        meter.CreateObservableGauge("clearinghouse.recipient_cache.entries", () => TotalCopies, "{recipient}", "Recipients held as cached copies");
    }

    public RecipientReadCache(
        IOptions<RecipientCacheOptions> options,
        ClusterStanding standing,
        IGrainFactory grains,
        RecipientCacheServiceClient caches,
        ILocalSiloDetails localSilo,
        TimeProvider clock,
        [FromKeyedServices(ClearinghouseClock.Key)] TimeProvider domainClock,
        ILogger<RecipientReadCache> logger)
    {
        this.options = options.Value;
        this.standing = standing;
        this.grains = grains;
        this.caches = caches;
        this.clock = clock;
        this.domainClock = domainClock;
        this.logger = logger;
        self = localSilo.SiloAddress;
        reporter = self.ToParsableString(); // with its generation: a restarted silo counts from 1 again under another name
        renewAheadTicks = Ticks(this.options.Lease) / 2;
        reportIntervalTicks = Ticks(this.options.HitReportInterval);
        copies = new ConcurrentLruBuilder<string, CachedRecipient>()
            .WithCapacity(Math.Max(3, this.options.MaxEntries))
            .WithKeyComparer(StringComparer.Ordinal)
            .WithMetrics()
            .Build();
        copies.Events.Value!.ItemRemoved += OnCopyRemoved;
        copies.Events.Value!.ItemUpdated += OnCopyReplaced;
        Live[this] = true;
    }

    /// <summary>Checks answered from this silo's memory since start.</summary>
    public long MemoryAnswers => Interlocked.Read(ref hits);

    /// <summary>Recipients held as copies (grains active here are not counted).</summary>
    public int CopyCount => copies.Count;

    public static long TotalHits => Live.Keys.Sum(c => Interlocked.Read(ref c.hits));

    public static long TotalMisses => Live.Keys.Sum(c => Interlocked.Read(ref c.misses));

    public static long TotalEvictions => Live.Keys.Sum(c => Interlocked.Read(ref c.evictions));

    public static long TotalInvalidations => Live.Keys.Sum(c => Interlocked.Read(ref c.invalidations));

    public static long TotalLeaseExpiries => Live.Keys.Sum(c => Interlocked.Read(ref c.leaseExpiries));

    public static long TotalCopies => Live.Keys.Sum(c => (long)c.copies.Count);

    private static long Total(Func<RecipientReadCache, long> count) => Live.Keys.Sum(count);

    /// <summary>Holders a grain could not reach and waited out (their lease ran out), process-wide.</summary>
    public static long SilentHolders => Interlocked.Read(ref silentHolders);

    public static void CountSilentHolder() => Interlocked.Increment(ref silentHolders);

    public ValueTask<Verdict?> TryCheckAsync(string recipientKey, CheckRequest request)
    {
        if (!standing.IsConfirmed)
        {
            return new((Verdict?)null);
        }

        if (local.TryGetValue(recipientKey, out var active))
        {
            var verdict = Answer(active.Checks, request);
            if (active.Checks.IsRetired)
            {
                // Its grain deactivated while this check decided: the grain's last drain may have missed this hit.
                DropHits(recipientKey, active.Checks);
            }

            return new(verdict);
        }

        if (!options.Enabled || released)
        {
            return new((Verdict?)null);
        }

        CachedRecipient? copy = null;
        if (copies.TryGet(recipientKey, out copy))
        {
            var now = clock.GetTimestamp();
            var leaseUntil = copy.LeaseUntil;
            if (leaseUntil > now)
            {
                if (leaseUntil - now < renewAheadTicks)
                {
                    QueueRenewal(recipientKey, copy);
                }

                var verdict = Answer(copy.Checks, request);
                if (copy.Checks.IsRetired)
                {
                    // Dropped while this check decided: its hits were taken before this one was counted.
                    DropHits(recipientKey, copy.Checks);
                }

                return new(verdict);
            }

            Interlocked.Increment(ref leaseExpiries);
        }

        Interlocked.Increment(ref misses);
        return ReadThenAnswerAsync(recipientKey, request, copy);
    }

    /// <summary>A grain activated in this silo: its checks are answered from its own snapshot.</summary>
    public void Register(string recipientKey, PublishedRecipient<SiloAddress> published)
    {
        local[recipientKey] = published;
        Invalidate(recipientKey);
    }

    /// <summary>A grain of this silo deactivating: from now on its leases are not renewed here.</summary>
    public void Unregister(string recipientKey, PublishedRecipient<SiloAddress> published)
    {
        published.Close();
        local.TryRemove(new KeyValuePair<string, PublishedRecipient<SiloAddress>>(recipientKey, published));
    }

    /// <summary>
    /// Hits a recipient's grain activation counted but could not store (a write failed and it reloads): sent to its next
    /// activation with the next report, under a report id of their own.
    /// </summary>
    public void HandOver(string recipientKey, IReadOnlyCollection<RecordHitCount> hits)
    {
        if (hits.Count > 0)
        {
            QueueHits(new PendingHits(recipientKey, NewReport(hits)));
        }
    }

    /// <summary>What the grain of a recipient active in this silo published; null when it is not active here.</summary>
    public PublishedRecipient<SiloAddress>? ActiveHere(string recipientKey) => local.GetValueOrDefault(recipientKey);

    /// <summary>
    /// <see cref="Invalidate"/> for a write published by a recipient's activation (on another silo, or on this one when
    /// it granted this silo's read cache a lease). A different activation of the recipient active here is a second
    /// activation (Orleans' directory allows that briefly around a membership change): its snapshot and state are older
    /// than the write, so it is superseded (it answers nothing more, refuses its next calls and deactivates; the next call
    /// finds the writer or a fresh activation). A message that arrives after its writer deactivated supersedes an
    /// activation that was current: that costs a reload, never a stale answer.
    /// </summary>
    public void InvalidateForWriteElsewhere(string recipientKey)
    {
        // The writer itself is active here when it holds a lease of its own silo (this silo's read cache activated it).
        if (local.TryGetValue(recipientKey, out var here) && InvalidationOrigin.Activation() is { } writer && writer != here.Version.Activation)
        {
            var version = here.Version;
            here.Supersede();
            ClearinghouseTelemetry.ActivationsSuperseded.Add(1);
            local.TryRemove(new KeyValuePair<string, PublishedRecipient<SiloAddress>>(recipientKey, here));
            LogSecondActivation(recipientKey, writer, InvalidationOrigin.Sent(), version.Activation, version.Sequence);
        }

        Invalidate(recipientKey);
    }

    /// <summary>Drops the copy of a recipient, and makes a read of it under way unable to install what it reads.</summary>
    public void Invalidate(string recipientKey)
    {
        if (fetching.TryRemove(recipientKey, out var fetch))
        {
            fetch.Supersede();
        }

        if (copies.TryRemove(recipientKey))
        {
            Interlocked.Increment(ref invalidations);
        }
    }

    void ILifecycleParticipant<ISiloLifecycle>.Participate(ISiloLifecycle lifecycle)
    {
        lifecycle.Subscribe(nameof(RecipientReadCache), ServiceLifecycleStage.Active, StartAsync, StopAsync);

        // Stops after the silo's grains have deactivated (Orleans' GrainDeactivation stage; participants of one stage
        // stop together, so one stage below it), while messaging still runs: hits counted meanwhile, by checks answered
        // from a deactivating grain's snapshot, handed over by an activation whose write failed, by copies, or carried
        // by a renewal that failed, still go out.
        lifecycle.Subscribe(nameof(RecipientReadCache) + ".LastHits", ServiceLifecycleStage.GrainDeactivation - 1, _ => Task.CompletedTask, _ => ReportLastHitsAsync());
    }

    public void Dispose()
    {
        if (lastHitsReported)
        {
            // What no report will send any more (diagnostics for the rolling chaos run).
            var left = copies.Sum(c => c.Value.Checks.TakeHits().Sum(h => h.Count)) + droppedHits.Sum(d => d.Report.Hits.Sum(h => h.Count));
            if (left > 0 || Interlocked.Read(ref answeredAfterLastReport) > 0)
            {
                LogUnreportedAtStop(left, Interlocked.Read(ref answeredAfterLastReport));
            }
        }

        Live.TryRemove(this, out _);
        stopping.Dispose();
    }

    private Verdict? Answer(RecipientChecks checks, CheckRequest request)
    {
        var decision = checks.Decide(request, DoNotSendFact.Unknown);
        if (!decision.IsDecided)
        {
            return null;
        }

        Interlocked.Increment(ref hits);
        if (lastHitsReported && Interlocked.Increment(ref answeredAfterLastReport) == 1)
        {
            LogAnsweredAfterLastReport();
        }
        return decision.Verdict;
    }

    private async ValueTask<Verdict?> ReadThenAnswerAsync(string recipientKey, CheckRequest request, CachedRecipient? expired)
    {
        var copy = await ReadAsync(recipientKey, expired);
        var verdict = Answer(copy.Checks, request);
        if (copy.Checks.IsRetired)
        {
            // A read superseded by a write, or a copy dropped meanwhile: nobody reports what is tallied on it.
            DropHits(recipientKey, copy.Checks);
        }

        return verdict;
    }

    private void QueueRenewal(string recipientKey, CachedRecipient copy)
    {
        if (!options.BatchRenewals)
        {
            RenewInBackground(recipientKey, copy);
        }
        else if (copy.TryBeginRenewal())
        {
            dueForRenewal.Enqueue((recipientKey, copy));
        }
    }

    private void RenewInBackground(string recipientKey, CachedRecipient copy)
    {
        if (!fetching.ContainsKey(recipientKey))
        {
            Interlocked.Increment(ref renewalReads);
            ReadAsync(recipientKey, copy).ContinueWith(
                static (read, state) => ((RecipientReadCache)state!).LogRenewalFailed(read.Exception!),
                this,
                CancellationToken.None,
                TaskContinuationOptions.OnlyOnFaulted | TaskContinuationOptions.ExecuteSynchronously,
                TaskScheduler.Default);
        }
    }

    /// <summary>One read of a recipient at a time: later callers share it.</summary>
    private Task<CachedRecipient> ReadAsync(string recipientKey, CachedRecipient? held)
    {
        while (true)
        {
            if (fetching.TryGetValue(recipientKey, out var running))
            {
                return running.Result;
            }

            var fetch = new CacheFetch();
            if (fetching.TryAdd(recipientKey, fetch))
            {
                if (released)
                {
                    // Added after the release superseded the reads under way: what it reads is answered, never held.
                    fetch.Supersede();
                }

                _ = RunReadAsync(recipientKey, fetch, held);
                return fetch.Result;
            }
        }
    }

    private async Task RunReadAsync(string recipientKey, CacheFetch fetch, CachedRecipient? held)
    {
        // The lease counts from before the grain grants it, so this copy never outlives the grain's record of it.
        var sent = clock.GetTimestamp();
        var carried = held?.Checks.TakeHits() is { Count: > 0 } taken ? NewReport(taken) : null;
        try
        {
            var read = await grains.GetGrain<IRecipient>(recipientKey).ReadForCache(self, held?.Version, carried);
            var leaseUntil = sent + Ticks(read.Lease);
            var copy = read.Snapshot is null && held is not null && held.Version == read.Version
                ? held
                : new CachedRecipient(new RecipientChecks(domainClock, RecipientSnapshot.From(read.Snapshot!)), read.Version, read.GrainSilo, clock.GetTimestamp());
            if (held is not null)
            {
                held.HitsReportedAt = sent; // its hits went with this read
            }

            var installed = fetch.Install(() =>
            {
                copy.LeaseUntil = leaseUntil;
                if (!ReferenceEquals(copy, held))
                {
                    copies.AddOrUpdate(recipientKey, copy);
                }
            });
            if (!installed)
            {
                // The checks waiting on this read still decide from it, and hand on their own hits.
                copy.Checks.Retire();
            }

            if (held is not null && !ReferenceEquals(copy, held))
            {
                RetireAndDropHits(recipientKey, held.Checks);
            }

            fetch.Complete(copy);
        }
        catch (Exception error)
        {
            if (carried is not null)
            {
                QueueHits(new PendingHits(recipientKey, carried));
            }

            fetch.Fail(error);
        }
        finally
        {
            fetching.TryRemove(new KeyValuePair<string, CacheFetch>(recipientKey, fetch));
        }
    }

    private void OnCopyRemoved(object? sender, ItemRemovedEventArgs<string, CachedRecipient> removed)
    {
        if (removed.Reason == ItemRemovedReason.Evicted)
        {
            Interlocked.Increment(ref evictions);
        }

        if (removed.Value is { } copy)
        {
            RetireAndDropHits(removed.Key, copy.Checks);
        }
    }

    // A read installs its copy over whatever copy the recipient has by then, which need not be the one it renewed (a
    // late renewal answer starts a read for a copy another read already replaced): the replaced copy goes like a
    // dropped one, or the hits tallied on it since its last report are never sent (BitFaster raises ItemUpdated, not
    // ItemRemoved, for a replaced value).
    private void OnCopyReplaced(object? sender, ItemUpdatedEventArgs<string, CachedRecipient> replaced)
    {
        if (replaced.OldValue is { } old && !ReferenceEquals(old, replaced.NewValue))
        {
            old.Checks.Retire();
            if (old.Checks.TakeHits() is { Count: > 0 } pending)
            {
                LogReplacedCopyHits(pending.Sum(h => h.Count));
                QueueHits(new PendingHits(replaced.Key, NewReport(pending)));
            }
        }
    }

    /// <summary>
    /// For a copy no longer held: a check that found it before it went may still count a hit on it, and then takes it
    /// over itself (<see cref="RecipientChecks.IsRetired"/>).
    /// </summary>
    private void RetireAndDropHits(string recipientKey, RecipientChecks checks)
    {
        checks.Retire();
        DropHits(recipientKey, checks);
    }

    /// <summary>Takes what <paramref name="checks"/> tallied, to be sent with the next report.</summary>
    private void DropHits(string recipientKey, RecipientChecks checks)
    {
        if (checks.TakeHits() is { Count: > 0 } pending)
        {
            QueueHits(new PendingHits(recipientKey, NewReport(pending)));
        }
    }

    private Task StartAsync(CancellationToken cancellationToken)
    {
        reporting = Task.Run(() => ReportLoopAsync(stopping.Token), CancellationToken.None);
        renewing = Task.Run(() => RenewLoopAsync(stopping.Token), CancellationToken.None);
        return Task.CompletedTask;
    }

    private async Task StopAsync(CancellationToken cancellationToken)
    {
        await ReleaseCopiesAsync(cancellationToken);
        await stopping.CancelAsync();
        await reporting.ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
        await renewing.ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
        await ReportHitsAsync(force: true);
    }

    /// <summary>
    /// The silo is stopping: it stops answering from copies for good, drops them (their hits go with the stop's reports),
    /// and tells each grain silo, in one call per silo, which of its grains' leases it gives up, so that writes to those
    /// recipients do not wait for this silo's leases to run out. A grain silo that does not answer within half a lease
    /// is left to let them run out.
    /// </summary>
    private async Task ReleaseCopiesAsync(CancellationToken cancellationToken)
    {
        released = true;
        foreach (var fetch in fetching.Values)
        {
            fetch.Supersede();
        }

        var held = copies.Select(c => (c.Key, c.Value.GrainSilo)).ToList();
        foreach (var (recipientKey, _) in held)
        {
            copies.TryRemove(recipientKey);
        }

        var releases = held.GroupBy(c => c.GrainSilo).Select(async group =>
        {
            try
            {
                await caches.Release(group.Key, self, [.. group.Select(c => c.Key)]).WaitAsync(options.Lease / 2, clock, cancellationToken);
            }
            catch (Exception error)
            {
                LogReleaseFailed(error, group.Key, group.Count());
            }
        });
        await Task.WhenAll(releases);
        LogReleased(held.Count);
    }

    private async Task ReportLastHitsAsync()
    {
        await ReportHitsAsync(force: true);
        if (!droppedHits.IsEmpty)
        {
            // No later report will send what failed twice: a last try, then it is logged.
            await ReportHitsAsync(force: true);
        }

        lastHitsReported = true;
    }

    /// <summary>
    /// A report of hits under an id of its own (this silo incarnation, a sequence number), kept when the report is sent
    /// again, so that the grain counts it once even when an earlier attempt was counted but its answer lost.
    /// </summary>
    private HitReport NewReport(IReadOnlyCollection<RecordHitCount> hits) =>
        new(new HitReportId(reporter, Interlocked.Increment(ref reportSequence)), [.. hits]);

    /// <summary>Queues hits for the next report; after the stopping silo's last report there is none, and they are logged as lost.</summary>
    private void QueueHits(PendingHits pending)
    {
        droppedHits.Enqueue(pending);
        if (lastHitsReported)
        {
            LogHitsAfterLastReport(pending.Report.Hits.Sum(h => h.Count));
        }
    }

    private async Task RenewLoopAsync(CancellationToken cancellationToken)
    {
        using var timer = new PeriodicTimer(options.RenewalBatchInterval, clock);
        try
        {
            while (await timer.WaitForNextTickAsync(cancellationToken))
            {
                SendRenewals();
            }
        }
        catch (OperationCanceledException)
        {
        }
    }

    // Copies used in the second half of their lease, one batch per silo where their grains are active.
    private void SendRenewals()
    {
        if (dueForRenewal.IsEmpty)
        {
            return;
        }

        if (released)
        {
            // The copies are gone; a renewal now would only grant a lease a write then waits for.
            dueForRenewal.Clear();
            return;
        }

        var batches = new Dictionary<SiloAddress, List<(string Key, CachedRecipient Copy)>>();
        while (dueForRenewal.TryDequeue(out var due))
        {
            (batches.TryGetValue(due.Copy.GrainSilo, out var batch) ? batch : batches[due.Copy.GrainSilo] = []).Add(due);
        }

        // Not awaited: a silo that does not answer delays only its own batch (bounded by half a lease).
        foreach (var (silo, batch) in batches)
        {
            _ = RenewBatchAsync(silo, batch);
        }
    }

    private async Task RenewBatchAsync(SiloAddress grainSilo, List<(string Key, CachedRecipient Copy)> batch)
    {
        // As with a read, the lease counts from before the grain silo grants it.
        var sent = clock.GetTimestamp();
        var renewals = new CopyRenewal[batch.Count];
        var reportsCarried = 0;
        for (var i = 0; i < batch.Count; i++)
        {
            var (recipientKey, copy) = batch[i];

            // Hits ride along only once a report interval has passed since the copy's last report, as a report of
            // their own would: every report leaves a receipt in the recipient's stored state, and a copy in use is
            // renewed about every half lease (with hits on every renewal, a recipient checked on two other silos
            // stored 7.5 KB after two minutes of the cluster bench, growing to the ledger's 512 receipts; 2.4 KB now).
            HitReport? counted = null;
            if (sent - copy.HitsReportedAt >= reportIntervalTicks)
            {
                copy.HitsReportedAt = sent;
                counted = copy.Checks.TakeHits() is { Count: > 0 } taken ? NewReport(taken) : null;
                reportsCarried += counted is null ? 0 : 1;
            }

            renewals[i] = new CopyRenewal(recipientKey, copy.Version, counted?.Hits, counted?.Id);
        }

        Interlocked.Increment(ref renewalBatches);
        Interlocked.Add(ref renewalHitReports, reportsCarried);
        RenewedLeases answer;
        try
        {
            answer = await caches.Renew(grainSilo, self, renewals).WaitAsync(options.Lease / 2, clock);
        }
        catch (Exception error)
        {
            // Dead, frozen or cut off: each copy answers until its lease runs out; a read finds its grain wherever it is.
            LogBatchRenewalFailed(error, grainSilo, batch.Count);
            for (var i = 0; i < batch.Count; i++)
            {
                KeepHits(renewals[i]);
                batch[i].Copy.EndRenewal();
                RenewInBackground(batch[i].Key, batch[i].Copy);
            }

            return;
        }

        var leaseUntil = sent + Ticks(answer.Lease);
        var renewed = 0;
        for (var i = 0; i < batch.Count; i++)
        {
            var (recipientKey, copy) = batch[i];
            copy.EndRenewal();
            switch (answer.Outcomes[i])
            {
                case LeaseRenewal.Renewed:
                    // A copy dropped meanwhile is no longer reachable: extending it changes nothing.
                    copy.ExtendLease(leaseUntil);
                    renewed++;
                    break;
                case LeaseRenewal.Superseded:
                    // Its grain invalidates it before acknowledging the write; read the new version now.
                    RenewInBackground(recipientKey, copy);
                    break;
                default:
                    // The grain is no longer active there: its hits go to it wherever it is, and so does a read.
                    KeepHits(renewals[i]);
                    RenewInBackground(recipientKey, copy);
                    break;
            }
        }

        Interlocked.Add(ref renewedInBatches, renewed);
    }

    // Under the renewal's report id: if the grain's silo took the hits before the call failed, the grain counts them once.
    private void KeepHits(CopyRenewal renewal)
    {
        if (renewal.HitReport is { } report)
        {
            LogRenewalHitsKept(report.Hits.Sum(h => h.Count), renewal.RecipientKey);
            QueueHits(new PendingHits(renewal.RecipientKey, report));
        }
    }

    private async Task ReportLoopAsync(CancellationToken cancellationToken)
    {
        using var timer = new PeriodicTimer(options.HitReportInterval, clock);
        try
        {
            while (await timer.WaitForNextTickAsync(cancellationToken))
            {
                await ReportHitsAsync(force: false);
            }
        }
        catch (OperationCanceledException)
        {
        }
    }

    /// <summary>
    /// Sends the hits of copies not reported for <see cref="RecipientCacheOptions.HitReportInterval"/> (every copy's when
    /// <paramref name="force"/>; copies renewed lately sent theirs with the renewal) and of dropped copies, one call per
    /// recipient, and waits for them. A report that fails is sent once more after a pause; one that fails again goes
    /// back in the queue for the next report (once), and is then given up and logged.
    /// </summary>
    private async Task ReportHitsAsync(bool force)
    {
        var now = clock.GetTimestamp();
        var reports = new List<PendingHits>();
        foreach (var (recipientKey, copy) in copies)
        {
            if (force || now - copy.HitsReportedAt >= reportIntervalTicks)
            {
                copy.HitsReportedAt = now;
                if (copy.Checks.TakeHits() is { Count: > 0 } counted)
                {
                    reports.Add(new PendingHits(recipientKey, NewReport(counted)));
                }
            }
        }

        while (droppedHits.TryDequeue(out var dropped))
        {
            reports.Add(dropped);
        }

        if (reports.Count > 0)
        {
            await Parallel.ForEachAsync(reports, new ParallelOptions { MaxDegreeOfParallelism = 64 }, (report, _) => new ValueTask(SendAsync(report)));
        }
    }

    private async Task SendAsync(PendingHits report)
    {
        for (var attempt = 1; ; attempt++)
        {
            try
            {
                Interlocked.Increment(ref hitReports);
                await grains.GetGrain<IRecipient>(report.Key).RecordHits(report.Report).WaitAsync(ReportCallTimeout, clock);
                return;
            }
            catch (Exception) when (attempt == 1)
            {
                await Task.Delay(ResendDelay, clock);
            }
            catch (Exception error)
            {
                // Sent again with the next reports (same id, so counted once) while its grain may be moving: a silo
                // stopping cleanly rejects calls to its grains until they have deactivated, which can outlast a report
                // interval.
                var firstFailed = report.FirstFailedAt ?? clock.GetTimestamp();
                if (clock.GetElapsedTime(firstFailed) >= HitResendWindow)
                {
                    LogHitReportFailed(error, report.Report.Hits.Sum(h => h.Count));
                }
                else
                {
                    QueueHits(report with { FirstFailedAt = firstFailed });
                }

                return;
            }
        }
    }

    private long Ticks(TimeSpan span) => (long)(span.TotalSeconds * clock.TimestampFrequency);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Recipient {RecipientKey}: activation {Writer} ({Sent}) published a write while activation {ActivationId} (at version {Sequence}) is active here: two activations at once (unless the message arrived after the writer deactivated); the one here is superseded and deactivates")]
    private partial void LogSecondActivation(string recipientKey, Guid writer, string sent, Guid activationId, long sequence);

    [LoggerMessage(Level = LogLevel.Debug, Message = "Renewing a cached recipient failed; the copy answers until its lease runs out, then the recipient is read again")]
    private partial void LogRenewalFailed(Exception error);

    [LoggerMessage(Level = LogLevel.Debug, Message = "Renewing {Count} cached recipients' leases in a batch at silo {GrainSilo} failed; each is read from its grain instead")]
    private partial void LogBatchRenewalFailed(Exception error, SiloAddress grainSilo, int count);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Sending {Hits} counted hits to a recipient's grain failed for 30 s; they are not counted (or, if a call timed out but went through, counted once)")]
    private partial void LogHitReportFailed(Exception error, long hits);

    [LoggerMessage(Level = LogLevel.Debug, Message = "A cached copy replaced by a newer read still held {Hits} counted hits; they go with the next report")]
    private partial void LogReplacedCopyHits(long hits);

    [LoggerMessage(Level = LogLevel.Warning, Message = "A check was answered from memory after this stopping silo sent its last hit report")]
    private partial void LogAnsweredAfterLastReport();

    [LoggerMessage(Level = LogLevel.Warning, Message = "This silo stops with {Hits} counted hits no report sent ({Answers} checks answered from memory after its last report)")]
    private partial void LogUnreportedAtStop(long hits, long answers);

    [LoggerMessage(Level = LogLevel.Debug, Message = "{Hits} hits carried by a renewal that was not granted go with the next report to {RecipientKey}")]
    private partial void LogRenewalHitsKept(long hits, string recipientKey);

    [LoggerMessage(Level = LogLevel.Information, Message = "This stopping silo gave up its {Count} cached copies; their grains no longer wait for its leases")]
    private partial void LogReleased(int count);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Silo {GrainSilo} was not told that this stopping silo gave up {Count} cached copies; writes there wait until their leases run out")]
    private partial void LogReleaseFailed(Exception error, SiloAddress grainSilo, int count);

    [LoggerMessage(Level = LogLevel.Warning, Message = "{Hits} counted hits were handed back after this stopping silo sent its last hit report; they are not counted")]
    private partial void LogHitsAfterLastReport(long hits);

    /// <summary>Hits counted on one recipient's records, waiting to be sent to its grain.</summary>
    private sealed record PendingHits(string Key, HitReport Report, long? FirstFailedAt = null);

    /// <summary>
    /// A copy of a recipient's snapshot, the silo its grain was active in when read, and its lease (a timestamp of the
    /// silo's monotonic clock).
    /// </summary>
    private sealed class CachedRecipient(RecipientChecks checks, RecipientSnapshotVersion version, SiloAddress grainSilo, long readAt)
    {
        private long leaseUntil = long.MinValue;
        private int renewing;

        public RecipientChecks Checks => checks;

        public RecipientSnapshotVersion Version => version;

        public SiloAddress GrainSilo => grainSilo;

        public long LeaseUntil
        {
            get => Volatile.Read(ref leaseUntil);
            set => Volatile.Write(ref leaseUntil, value);
        }

        /// <summary>Lengthens the lease (never shortens it: a read may have renewed it further meanwhile).</summary>
        public void ExtendLease(long until) => InterlockedMax.Raise(ref leaseUntil, until);

        /// <summary>True for the one caller that queues this copy's renewal; false while a renewal is queued or under way.</summary>
        public bool TryBeginRenewal() => Interlocked.CompareExchange(ref renewing, 1, 0) == 0;

        public void EndRenewal() => Volatile.Write(ref renewing, 0);

        public long HitsReportedAt { get; set; } = readAt;
    }

    /// <summary>
    /// A read of a recipient under way. An invalidation that arrives meanwhile supersedes it: what it read may predate
    /// the write, so it is not installed (the callers waiting on it still get it: they asked before the write was
    /// acknowledged).
    /// </summary>
    private sealed class CacheFetch
    {
        private readonly TaskCompletionSource<CachedRecipient> result = new(TaskCreationOptions.RunContinuationsAsynchronously);
        private readonly Lock gate = new();
        private bool superseded;

        public Task<CachedRecipient> Result => result.Task;

        public void Supersede()
        {
            lock (gate)
            {
                superseded = true;
            }
        }

        /// <summary>Runs <paramref name="install"/> unless the read was superseded; true when it ran.</summary>
        public bool Install(Action install)
        {
            lock (gate)
            {
                if (!superseded)
                {
                    install();
                }

                return !superseded;
            }
        }

        public void Complete(CachedRecipient copy) => result.TrySetResult(copy);

        public void Fail(Exception error) => result.TrySetException(error);
    }
}
