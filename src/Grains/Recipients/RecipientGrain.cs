using System.Collections.Frozen;
using Clearinghouse.Contracts;
using Clearinghouse.Domain;
using Clearinghouse.Grains.Persistence;
using Clearinghouse.Grains.Recipients.Eviction;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Clearinghouse.Grains.Recipients;

/// <summary>
/// Hosts one recipient's <see cref="RecordBook"/> and <see cref="DoNotSendBook"/>. Changes are acknowledged after they
/// are persisted, and only then published to the recipient's <see cref="RecipientChecks"/>, which decides checks —
/// for calls to this grain and, without a grain call, for the gateway of this silo (<see cref="LocalRecipientChecks"/>).
/// Checks only tally hits in memory; a grain timer (and deactivation) drains and writes them, one write at a time.
/// The one check that writes is a violation of a do-not-send request: the report is persisted here before the verdict
/// is answered, then handed to the sender's grain; a reminder retries any the sender's grain has not acknowledged (it
/// counts each report key once, so retries never double-count).
/// </summary>
public sealed partial class RecipientGrain(
    [PersistentState("recipient", StorageNames.Large)] IPersistentState<RecipientState> state,
    IOptions<RecipientOptions> options,
    IEnumerable<IHigherLevelLists> higherLevelLists,
    LocalRecipientChecks localChecks,
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

    public override Task OnActivateAsync(CancellationToken cancellationToken)
    {
        // A recipient's address must never be its grain key: Orleans logs and traces grain ids.
        if (!RecipientKeys.IsKey(this.GetPrimaryKeyString()))
        {
            throw new InvalidOperationException("Recipient grains are keyed by RecipientKeys.For(address); get them through RecipientGrains.Get(address).");
        }

        book = new RecordBook(state.State, options.Value.HitHalfLife);
        doNotSend = new DoNotSendBook(state.State);
        writer = new StateWriter(GrainContext, state, logger);
        checks = new RecipientChecks(clock);
        PublishChecks();
        localChecks.Register(this.GetPrimaryKeyString(), checks);
        var interval = options.Value.HitFlushInterval;
        this.RegisterGrainTimer(FlushHitsAsync, new GrainTimerCreationOptions(interval, interval) { Interleave = true });
        return Task.CompletedTask;
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
        IReadOnlyList<EvictedRecord> evicted = [];
        if (!book.Replaces(record))
        {
            DrainHits(); // eviction weighs entries by how often they are hit
            evicted = await book.MakeRoomAsync(record.Action == RecordAction.Allow, MaxRecords(policy), EvictionContext(policy));
            CountEvictions(evicted);
        }

        var result = book.Add(record, clock.GetUtcNow(), NewRecordId);
        await PersistAsync();
        if (!result.Replaced)
        {
            ClearinghouseTelemetry.RecordsAdded.Add(1);
        }

        return result with { Evicted = evicted.Count > 0 ? evicted[^1] : null, Evictions = evicted };
    }

    async Task<ListInfo> IRecipient.SetListLimit(int? maxRecords, ListPolicy policy)
    {
        if (maxRecords is < 1)
        {
            throw new InvalidFieldException("max_records", "must be at least 1");
        }

        book.MaxRecordsOverride = maxRecords;
        DrainHits();
        var max = MaxRecords(policy);
        var context = EvictionContext(policy);
        CountEvictions(await book.EvictDownToAsync(allowList: false, max, context));
        CountEvictions(await book.EvictDownToAsync(allowList: true, max, context));
        await PersistAsync();
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

    private async Task<Verdict> RecordViolationAsync(DoNotSendEntry entry, CheckRequest request)
    {
        var recipient = request.Recipient ?? throw new ArgumentException("a check that can record a violation must carry its recipient", nameof(request));
        var (report, isNew) = doNotSend.RecordViolation(entry, recipient, request, clock.GetUtcNow());
        if (isNew)
        {
            await PersistAsync();
        }

        if (doNotSend.Undelivered.Count > 0 && !await DeliverReportsAsync())
        {
            await this.RegisterOrUpdateReminder(ReportReminder, options.Value.ReportRetryPeriod, options.Value.ReportRetryPeriod);
        }

        return DoNotSendBook.ViolationVerdict(entry.Request, report.ReportKey);
    }

    /// <summary>Hands every undelivered report to its sender's grain; true when none is left.</summary>
    private async Task<bool> DeliverReportsAsync()
    {
        foreach (var report in doNotSend.Undelivered.ToList())
        {
            try
            {
                await GrainFactory.GetGrain<ISender>(report.Sender.Value).Report(report);
            }
            catch (Exception error)
            {
                LogReportDeliveryFailed(error);
                return false;
            }

            // The acknowledgement need not be persisted at once: a report sent again is counted once.
            doNotSend.MarkDelivered(report);
            unwritten = true;
        }

        return true;
    }

    private int MaxRecords(ListPolicy? policy) =>
        book.MaxRecordsOverride ?? policy?.ProviderMaxRecords ?? options.Value.DefaultMaxRecords;

    private ListInfo ListInfo(ListPolicy? policy) => new(
        MaxRecords(policy),
        book.MaxRecordsOverride,
        book.CountOf(allowList: false),
        book.CountOf(allowList: true),
        book.Secondary.Count,
        options.Value.SecondaryMaxRecords);

    private EvictionContext EvictionContext(ListPolicy? policy) => new(
        EvictionPolicy.From(options.Value.Eviction),
        clock.GetUtcNow(),
        options.Value.SecondaryMaxRecords,
        keys => AreListedAsync(policy?.ProviderId, keys));

    private async Task<bool[]> AreListedAsync(string? providerId, SenderListKey[] keys)
    {
        var listed = new bool[keys.Length];
        foreach (var list in higherLevelLists)
        {
            var answer = await list.AreListedAsync(providerId, keys);
            for (var i = 0; i < listed.Length; i++)
            {
                listed[i] |= answer[i];
            }
        }

        return listed;
    }

    private static void CountEvictions(IReadOnlyList<EvictedRecord> evicted)
    {
        foreach (var entry in evicted)
        {
            ClearinghouseTelemetry.RecordsEvicted.Add(1, new KeyValuePair<string, object?>("rule", RuleNames[(int)entry.Rule]));
        }
    }

    private string NewRecordId() => Guid.CreateVersion7(clock.GetUtcNow()).ToString("N");

    /// <summary>
    /// Writes the state and, once it is stored, publishes it to the checks: a check never sees an unacknowledged change.
    /// A failed write throws and the activation reloads (see <see cref="StateWriter"/>).
    /// </summary>
    private async Task PersistAsync()
    {
        DrainHits();
        unwritten = false;
        await writer.WriteAsync();
        PublishChecks();
    }

    private void PublishChecks() =>
        checks.Publish(new RecipientSnapshot(book.Index, book.SecondaryIndex, state.State.DoNotSend.Keys.ToFrozenSet(StringComparer.Ordinal)));

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
