using Clearinghouse.Contracts;
using Clearinghouse.Domain;
using Clearinghouse.Grains.Cluster;
using Clearinghouse.Grains.Persistence;
using Clearinghouse.Grains.Recipients.Eviction;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Clearinghouse.Grains.Recipients;

/// <summary>
/// Hosts one recipient's <see cref="RecordBook"/> (records, bounded lists and eviction) and
/// <see cref="DoNotSendBook"/> (requests, violations, reports waiting for their senders). Changes are acknowledged
/// after they are persisted, and only then published (<see cref="PublishSnapshotAsync"/>) to the recipient's
/// <see cref="RecipientChecks"/>, which decides checks — for calls to this grain and, without a grain call, for the
/// gateway of this silo (<see cref="LocalRecipientChecks"/>). Checks only tally hits in memory; a grain timer (and
/// deactivation) drains and writes them.
/// The one check that writes is a violation of a do-not-send request: the report is persisted here before the verdict
/// is answered, then handed to the sender's grain; a reminder retries any the sender's grain has not acknowledged (it
/// counts each report key once, so retries never double-count).
/// </summary>
public sealed partial class RecipientGrain(
    [PersistentState("recipient", StorageNames.Large)] IPersistentState<RecipientState> state,
    IOptions<RecipientOptions> options,
    HigherLevelListSet higherLevelLists,
    LocalRecipientChecks localChecks,
    ClusterStanding standing,
    [FromKeyedServices(ClearinghouseClock.Key)] TimeProvider clock,
    ILogger<RecipientGrain> logger) : Grain, IRecipient, IRemindable
{
    private const string ReportReminder = "violation-reports";
    private static readonly string[] RuleNames = Enum.GetNames<EvictionRule>().Select(n => n.ToLowerInvariant()).ToArray();

    private RecordBook book = null!;
    private DoNotSendBook doNotSend = null!;
    private StateWriter writer = null!;
    private RecipientChecks checks = null!;

    // Memory holds changes that need no acknowledgement but must be written some time (hits, delivered reports).
    private bool unwritten;

    private RecipientOptions Settings => options.Value;

    public override async Task OnActivateAsync(CancellationToken cancellationToken)
    {
        // A recipient's address must never be its grain key: Orleans logs and traces grain ids.
        if (!RecipientKeys.IsKey(this.GetPrimaryKeyString()))
        {
            throw new InvalidOperationException("Recipient grains are keyed by RecipientKeys.For(address); get them through RecipientGrains.Get(address).");
        }

        book = new RecordBook(state.State, Settings.HitHalfLife);
        doNotSend = new DoNotSendBook(state.State, Settings.MaxDoNotSendRequests, Settings.MaxUndeliveredReports);
        writer = new StateWriter(GrainContext, state, logger);
        checks = new RecipientChecks(clock);
        await PublishSnapshotAsync();
        localChecks.Register(this.GetPrimaryKeyString(), checks);
        var interval = Settings.HitFlushInterval;
        this.RegisterGrainTimer(FlushHitsAsync, new GrainTimerCreationOptions(interval, interval) { Interleave = true });
    }

    public override async Task OnDeactivateAsync(DeactivationReason reason, CancellationToken cancellationToken)
    {
        localChecks.Unregister(this.GetPrimaryKeyString(), checks);
        if (writer.IsTrusted)
        {
            await FlushHitsAsync(cancellationToken);
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
        if (!standing.IsConfirmed)
        {
            return EvaluateOnceConfirmedAsync(request);
        }

        if (checks.TryDecide(request, out var verdict))
        {
            return Task.FromResult(verdict);
        }

        // The sender has a do-not-send request: once in force, this message is a violation.
        return doNotSend.TryFindInForce(request.Sender, request.Channel, clock.GetUtcNow(), out var inForce)
            ? RecordViolationAsync(inForce, request)
            : Task.FromResult(checks.DecideIgnoringDoNotSend(request));
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

    // A silo that may have been declared dead while frozen answers nothing from its state until it has confirmed it is
    // an active member (NotAnActiveMemberException, UNAVAILABLE, when it cannot).
    private async Task<Verdict> EvaluateOnceConfirmedAsync(CheckRequest request)
    {
        await standing.EnsureConfirmedAsync();
        return await ((IRecipient)this).Evaluate(request);
    }

    private async Task<Verdict> RecordViolationAsync(DoNotSendEntry entry, CheckRequest request)
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

        return DoNotSendBook.ViolationVerdict(entry.Request, report.ReportKey);
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
        await writer.WriteAsync();
        await PublishSnapshotAsync();
    }

    /// <summary>
    /// Hands the checks the snapshot of the persisted records and requests: from now on every check (this grain's, and
    /// this silo's gateway's without a grain call) decides by it.
    /// </summary>
    private Task PublishSnapshotAsync()
    {
        checks.Publish(RecipientSnapshot.Of(book, doNotSend));
        return Task.CompletedTask;
    }

    private void DrainHits() => unwritten |= checks.DrainHitsInto(book);

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
            await writer.WriteAsync();
        }
        catch (Exception error)
        {
            LogHitFlushFailed(error);
        }
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Writing a recipient's hit counts failed; the grain reloads its state (hits since the last write are lost)")]
    private partial void LogHitFlushFailed(Exception error);

    [LoggerMessage(Level = LogLevel.Warning, Message = "A violation report could not reach the sender's grain; it stays persisted and a reminder retries it")]
    private partial void LogReportDeliveryFailed(Exception error);
}
