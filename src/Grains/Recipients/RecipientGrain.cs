using Clearinghouse.Contracts;
using Clearinghouse.Domain;
using Clearinghouse.Grains.Cluster;
using Clearinghouse.Grains.Persistence;
using Clearinghouse.Grains.Recipients.Cache;
using Clearinghouse.Grains.Recipients.Eviction;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Clearinghouse.Grains.Recipients;

/// <summary>
/// Hosts one recipient's <see cref="RecordBook"/> (records, bounded lists and eviction) and
/// <see cref="DoNotSendBook"/> (requests, violations, reports waiting for their senders). Changes are acknowledged
/// once they are persisted and published (<see cref="PublishAsync"/>): to the recipient's <see cref="RecipientChecks"/>,
/// which decides checks for calls to this grain and for the gateway of this silo without a grain call, and by
/// invalidating every other silo's cached copy (docs/RECIPIENT-CACHE.md). Other silos' read caches read the snapshot
/// with a lease (<see cref="IRecipient.ReadForCache"/>). Checks only tally hits in memory; a grain timer (and
/// deactivation) drains and writes them, with the hits other silos' copies counted.
/// The one check that writes is a violation of a do-not-send request: the report is persisted here before the verdict
/// is answered, then handed to the sender's grain; a reminder retries any the sender's grain has not acknowledged (it
/// counts each report key once, so retries never double-count).
/// </summary>
public sealed partial class RecipientGrain(
    [PersistentState("recipient", StorageNames.Large)] IPersistentState<RecipientState> state,
    IOptions<RecipientOptions> options,
    HigherLevelListSet higherLevelLists,
    RecipientReadCache readCache,
    RecipientCachePublisher cachePublisher,
    ClusterStanding standing,
    IOptions<RecipientCacheOptions> cacheOptions,
    TimeProvider timestamps,
    [FromKeyedServices(ClearinghouseClock.Key)] TimeProvider clock,
    ILogger<RecipientGrain> logger) : Grain, IRecipient, IRemindable, IIncomingGrainCallFilter
{
    private const string ReportReminder = "violation-reports";
    private const int FirstFlushDivisor = 15; // 2 s with the default HitFlushInterval (30 s)
    private static readonly string[] RuleNames = Enum.GetNames<EvictionRule>().Select(n => n.ToLowerInvariant()).ToArray();

    private RecordBook book = null!;
    private DoNotSendBook doNotSend = null!;
    private StateWriter writer = null!;
    private HitReportLedger hitReports = null!;
    private RecipientChecks checks = null!;

    // The published snapshot, its version, and which silos may answer from a copy of it (shared with this silo's
    // cache service, which renews those leases in batches).
    private PublishedRecipient<SiloAddress> published = null!;
    private long activatedAt;

    // Whether a check reached this activation (directly, or for a silo's read cache): an activation only imports used
    // deactivates once idle.
    private bool checkedHere;

    // Memory holds changes that need no acknowledgement but must be written some time (hits, delivered reports).
    private bool unwritten;

    // The hits counted into the book and not yet stored, kept apart: when a write fails, the activation reloads and
    // hands them to the next one (hits are increments: they add up in any order).
    private readonly List<RecordHitCount> unwrittenHits = [];
    private long unwrittenHitsStart; // how many entries have left unwrittenHits since activation (stored, or handed over)

    private RecipientOptions Settings => options.Value;

    public override Task OnActivateAsync(CancellationToken cancellationToken)
    {
        // A recipient's address must never be its grain key: Orleans logs and traces grain ids.
        if (!RecipientKeys.IsKey(this.GetPrimaryKeyString()))
        {
            throw new InvalidOperationException("Recipient grains are keyed by RecipientKeys.For(address); get them through RecipientGrains.Get(address).");
        }

        book = new RecordBook(state.State, Settings.HitHalfLife);
        doNotSend = new DoNotSendBook(state.State, Settings.MaxDoNotSendRequests, Settings.MaxUndeliveredReports);
        writer = new StateWriter(GrainContext, state, logger);
        hitReports = new HitReportLedger(state.State.HitReports, HitReportLedger.DefaultRetention, HitReportLedger.DefaultMaxReceipts);
        checks = new RecipientChecks(clock);
        activatedAt = timestamps.GetTimestamp();
        var leases = new CacheLeases<SiloAddress>(activatedAt, Ticks(cacheOptions.Value.Lease), Ticks(cacheOptions.Value.LeaseMargin));
        published = new PublishedRecipient<SiloAddress>(checks, leases, Guid.NewGuid());
        PublishChecks();
        readCache.Register(this.GetPrimaryKeyString(), published);
        LogActivated(this.GetPrimaryKeyString(), published.Version.Activation);
        // The first flush comes soon: an activation that loaded the state before a predecessor's last write (see
        // OnDeactivateAsync) finds out at its first write, and until then its hit counts lack the predecessor's.
        var interval = Settings.HitFlushInterval;
        this.RegisterGrainTimer(FlushHitsAsync, new GrainTimerCreationOptions(interval / FirstFlushDivisor, interval) { Interleave = true });
        return Task.CompletedTask;
    }

    /// <summary>An activation superseded by another one's write answers nothing more from its older state.</summary>
    Task IIncomingGrainCallFilter.Invoke(IIncomingGrainCallContext context)
    {
        if (published.IsSuperseded)
        {
            DeactivateOnIdle();
            throw new ActivationSupersededException("another activation of this recipient wrote since this one loaded: retry");
        }

        return context.Invoke();
    }

    public override async Task OnDeactivateAsync(DeactivationReason reason, CancellationToken cancellationToken)
    {
        // Checks through this silo's gateway may still be deciding from the snapshot: from here on they hand their hits
        // to the read cache, which sends them to the recipient's next activation.
        LogDeactivating(this.GetPrimaryKeyString(), published.Version.Activation, reason.ReasonCode, reason.Description);
        readCache.Unregister(this.GetPrimaryKeyString(), published);
        checks.Retire();
        if (writer.IsTrusted)
        {
            await FlushHitsAsync(cancellationToken);

            // A timer's flush (it interleaves) may still be writing: the next activation must load what it stores.
            try
            {
                await writer.WhenPersistedAsync();
            }
            catch (StateNotPersistedException)
            {
                // Logged by the writer; the next activation loads what storage holds.
            }
        }

        if (!writer.FailedOnConflict)
        {
            if (!writer.IsTrusted)
            {
                // A write failed otherwise (a timeout): storage may or may not hold the hits since the last good write.
                DrainHits();
                if (unwrittenHits.Count > 0)
                {
                    LogHitsNotHandedOver(unwrittenHits.Sum(h => h.Count));
                }
            }
        }
        else
        {
            // A write was refused for its ETag: it stored nothing, and storage holds another activation's write. A
            // successor activated while a predecessor was still writing its last hits (Orleans does that when the silo
            // holding the directory entry stops) loads the state before that write, and its own next write fails its
            // ETag check. The hits this activation counted are handed to the next one, which adds them to what it loads.
            // (After another failure, such as a timeout, storage may hold them: they are not handed over, and may be lost.)
            DrainHits();
            readCache.HandOver(this.GetPrimaryKeyString(), unwrittenHits);
            unwrittenHitsStart += unwrittenHits.Count;
            unwrittenHits.Clear();
        }
    }

    async Task<AddRecordResult> IRecipient.AddRecord(NewRecord record, ListPolicy? policy)
    {
        ArgumentNullException.ThrowIfNull(record);
        DrainHits(); // eviction weighs entries by how often they are hit
        var (result, evicted) = await book.AddAsync(record, book.MaxRecords(policy, Settings.DefaultMaxRecords), EvictionContext(policy), NewRecordId);
        await PersistAsync();
        CountEvictions(evicted);
        if (!result.Replaced)
        {
            ClearinghouseTelemetry.RecordsAdded.Add(1);
        }

        return result;
    }

    async Task<AddRecordResult[]> IRecipient.ImportRecords(NewRecord[] records, ListPolicy? policy)
    {
        ArgumentNullException.ThrowIfNull(records);
        DrainHits();
        var results = new AddRecordResult[records.Length];
        var evicted = new List<EvictedRecord>();
        for (var i = 0; i < records.Length; i++)
        {
            try
            {
                var (result, evictedNow) = await book.AddAsync(records[i], book.MaxRecords(policy, Settings.DefaultMaxRecords), EvictionContext(policy), NewRecordId);
                results[i] = result;
                evicted.AddRange(evictedNow);
            }
            catch (Exception error) when (i > 0)
            {
                // Memory holds records that storage does not: reload rather than acknowledge part of the import.
                throw writer.Distrust(error);
            }
        }

        await PersistAsync();
        CountEvictions(evicted);
        ClearinghouseTelemetry.RecordsAdded.Add(results.Count(r => !r.Replaced));
        if (!checkedHere)
        {
            DeactivateOnIdle();
        }

        return results;
    }

    async Task<ListInfo> IRecipient.SetListLimit(int? maxRecords, ListPolicy policy)
    {
        if (maxRecords is < 1)
        {
            throw new InvalidFieldException("max_records", "must be at least 1");
        }

        DrainHits();
        var evicted = await book.SetMaxRecordsAsync(maxRecords, policy, Settings.DefaultMaxRecords, EvictionContext(policy));
        await PersistAsync();
        CountEvictions(evicted);
        return ListInfo(policy);
    }

    Task<ListInfo> IRecipient.GetListInfo(ListPolicy policy) => Task.FromResult(ListInfo(policy));

    Task<IReadOnlyList<EvictedRecord>> IRecipient.ListSecondary() =>
        Task.FromResult<IReadOnlyList<EvictedRecord>>(book.Secondary.Reverse().ToList());

    async Task<bool> IRecipient.RemoveRecord(string recordId)
    {
        if (!book.Remove(recordId))
        {
            return false;
        }

        await PersistAsync();
        ClearinghouseTelemetry.RecordsRemoved.Add(1);
        return true;
    }

    Task<IReadOnlyList<RecordView>> IRecipient.ListRecords()
    {
        DrainHits();
        return Task.FromResult(book.List(clock.GetUtcNow()));
    }

    // Not async: only a violation awaits (its report is persisted before the answer); every other check is answered
    // from the published snapshot without allocating a state machine.
    Task<Verdict> IRecipient.Evaluate(CheckRequest request)
    {
        checkedHere = true;
        if (!standing.IsConfirmed)
        {
            return EvaluateOnceConfirmedAsync(request);
        }

        var decision = checks.Decide(request, DoNotSendFact.Unknown);
        if (!decision.IsDecided)
        {
            // The sender has a do-not-send request: once in force, this message is a violation.
            var inForce = doNotSend.TryFindInForce(request.Sender, request.Channel, clock.GetUtcNow(), out var entry) ? entry : null;
            decision = checks.Decide(request, DoNotSendFact.Checked(inForce));
        }

        return decision.Violated is { } violated ? RecordViolationAsync(violated, request, decision.Verdict!) : Task.FromResult(decision.Verdict!);
    }

    async Task<CachedRead> IRecipient.ReadForCache(SiloAddress holder, RecipientSnapshotVersion? known, HitReport? hits)
    {
        checkedHere = true;
        // A silo that may have been declared dead must not hand out what may be stale state.
        await standing.EnsureConfirmedAsync();
        if (hits is not null)
        {
            RecordHits(hits);
        }

        var (current, snapshot) = published.Grant(holder, known, timestamps.GetTimestamp());
        return new CachedRead(current, snapshot, cacheOptions.Value.Lease, GrainContext.Address.SiloAddress!);
    }

    Task IRecipient.RecordHits(HitReport report)
    {
        RecordHits(report);
        return Task.CompletedTask;
    }

    async Task<DoNotSendView> IRecipient.RecordDoNotSend(DoNotSendRequest request)
    {
        ArgumentNullException.ThrowIfNull(request);
        var view = doNotSend.Record(request);
        await PersistAsync();
        return view;
    }

    async Task<bool> IRecipient.WithdrawDoNotSend(Address sender, MessageChannel channel)
    {
        if (!doNotSend.Withdraw(sender, channel))
        {
            return false;
        }

        await PersistAsync();
        return true;
    }

    Task<IReadOnlyList<DoNotSendView>> IRecipient.ListDoNotSend() => Task.FromResult(doNotSend.List());

    async Task IRemindable.ReceiveReminder(string reminderName, TickStatus status)
    {
        if (reminderName == ReportReminder && await DeliverReportsAsync())
        {
            await this.StopReminderAsync(ReportReminder);
        }
    }

    private async Task<Verdict> EvaluateOnceConfirmedAsync(CheckRequest request)
    {
        await standing.EnsureConfirmedAsync();
        return await ((IRecipient)this).Evaluate(request);
    }

    private async Task<Verdict> RecordViolationAsync(DoNotSendEntry entry, CheckRequest request, Verdict verdict)
    {
        var recipient = request.Recipient ?? throw new ArgumentException("a check that can record a violation must carry its recipient", nameof(request));
        if (doNotSend.UndeliveredFull)
        {
            // Perhaps the senders' grains are back: make room before refusing.
            await DeliverReportsAsync();
        }

        var (report, isNew) = doNotSend.RecordViolation(entry, recipient, request, clock.GetUtcNow());
        if (isNew)
        {
            await PersistAsync();
        }

        if (doNotSend.Undelivered.Count > 0 && !await DeliverReportsAsync())
        {
            await this.RegisterOrUpdateReminder(ReportReminder, Settings.ReportRetryPeriod, Settings.ReportRetryPeriod);
        }

        return verdict with { ViolationReportKey = report.ReportKey };
    }

    /// <summary>Hands every undelivered report to its sender's grain; true when none is left.</summary>
    private async Task<bool> DeliverReportsAsync()
    {
        var waiting = doNotSend.Undelivered.Count;
        try
        {
            await doNotSend.DeliverAsync(report => GrainFactory.GetGrain<ISender>(report.Sender.Value).Report(report));
            return true;
        }
        catch (Exception error)
        {
            LogReportDeliveryFailed(error);
            return false;
        }
        finally
        {
            // The acknowledgements need not be persisted at once: a report sent again is counted once.
            unwritten |= doNotSend.Undelivered.Count < waiting;
        }
    }

    private ListInfo ListInfo(ListPolicy? policy) => book.Info(policy, Settings.DefaultMaxRecords, Settings.SecondaryMaxRecords);

    private EvictionContext EvictionContext(ListPolicy? policy) => new(
        EvictionPolicy.From(Settings.Eviction),
        clock.GetUtcNow(),
        Settings.SecondaryMaxRecords,
        keys => higherLevelLists.AreListedAsync(policy?.ProviderId, keys));

    private static void CountEvictions(IReadOnlyList<EvictedRecord> evicted)
    {
        foreach (var entry in evicted)
        {
            ClearinghouseTelemetry.RecordsEvicted.Add(1, new KeyValuePair<string, object?>("rule", RuleNames[(int)entry.Rule]));
        }
    }

    private string NewRecordId() => Guid.CreateVersion7(clock.GetUtcNow()).ToString("N");

    /// <summary>
    /// Writes the state and, once it is stored, publishes it: a check never sees an unacknowledged change. A failed
    /// write throws and the activation reloads (see <see cref="StateWriter"/>).
    /// </summary>
    private async Task PersistAsync()
    {
        DrainHits();
        unwritten = false;
        await WriteAsync();
        await PublishAsync();
    }

    /// <summary>
    /// Publishes the persisted state: to this silo's checks at once, and by invalidating every other silo's cached copy
    /// (or waiting until its lease has run out). The caller acknowledges the write only after this.
    /// </summary>
    private async Task PublishAsync()
    {
        PublishChecks();
        await cachePublisher.InvalidateCopiesAsync(this.GetPrimaryKeyString(), published, activatedAt);
    }

    /// <summary>Hands the checks the snapshot of the persisted records and requests, under a new version.</summary>
    private void PublishChecks() => published.Publish(RecipientSnapshot.Of(book, doNotSend));

    /// <summary>
    /// Counts a report of hits from another silo's read cache, unless it was counted already (sent again because its
    /// answer was lost). Its receipt is written with the hits, so a write that fails forgets both.
    /// </summary>
    private void RecordHits(HitReport report)
    {
        // A report a renewal carried may be waiting in the published entry: its receipt must be in the ledger first.
        DrainHits();
        CountReport(report);
    }

    private void CountReport(HitReport report)
    {
        if (!hitReports.TryRecord(report.Id, clock.GetUtcNow()))
        {
            LogHitReportCountedAlready(report.Id.Reporter, report.Id.Sequence, report.Hits.Sum(h => h.Count));
            return;
        }

        foreach (var hit in report.Hits)
        {
            book.RecordHits(hit.RecordId, hit.Count, hit.LastHit);
        }

        unwrittenHits.AddRange(report.Hits);
        unwritten = true;
    }

    private long Ticks(TimeSpan span) => (long)(span.TotalSeconds * timestamps.TimestampFrequency);

    private void DrainHits()
    {
        foreach (var carried in published.TakeCarriedReports())
        {
            CountReport(carried);
        }

        var drained = checks.TakeHits();
        foreach (var hit in drained)
        {
            book.RecordHits(hit.RecordId, hit.Count, hit.LastHit);
        }

        unwrittenHits.AddRange(drained);
        unwritten |= drained.Count > 0;
    }

    /// <summary>Writes the state; the hits counted until now are no longer "unwritten" once a write that began after this call stored them.</summary>
    private async Task WriteAsync()
    {
        var upTo = unwrittenHitsStart + unwrittenHits.Count;
        await writer.WriteAsync();
        if (upTo > unwrittenHitsStart)
        {
            // An interleaved write (the timer's) may have stored and dropped some of them already.
            var stored = (int)(upTo - unwrittenHitsStart);
            unwrittenHits.RemoveRange(0, stored);
            unwrittenHitsStart += stored;
        }
    }

    private async Task FlushHitsAsync(CancellationToken cancellationToken)
    {
        DrainHits();
        if (!unwritten || !writer.IsTrusted)
        {
            return;
        }

        unwritten = false;
        try
        {
            await WriteAsync();
        }
        catch (Exception error)
        {
            LogHitFlushFailed(error);
        }
    }

    [LoggerMessage(Level = LogLevel.Debug, Message = "Recipient {RecipientKey} activated here as {ActivationId}")]
    private partial void LogActivated(string recipientKey, Guid activationId);

    [LoggerMessage(Level = LogLevel.Debug, Message = "Recipient {RecipientKey} activation {ActivationId} deactivating: {ReasonCode} {Reason}")]
    private partial void LogDeactivating(string recipientKey, Guid activationId, DeactivationReasonCode reasonCode, string reason);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Writing a recipient's hit counts failed; the grain reloads its state and hands the hits since its last write to its next activation")]
    private partial void LogHitFlushFailed(Exception error);

    [LoggerMessage(Level = LogLevel.Warning, Message = "A recipient's activation deactivates after a failed write that was not an ETag conflict with {Hits} hits counted since its last good write; storage may or may not hold them, they are not handed over")]
    private partial void LogHitsNotHandedOver(long hits);

    [LoggerMessage(Level = LogLevel.Debug, Message = "Hit report {Reporter}#{Sequence} ({Hits} hits) was counted already")]
    private partial void LogHitReportCountedAlready(string reporter, long sequence, long hits);

    [LoggerMessage(Level = LogLevel.Warning, Message = "A violation report could not reach the sender's grain; it stays persisted and a reminder retries it")]
    private partial void LogReportDeliveryFailed(Exception error);
}
