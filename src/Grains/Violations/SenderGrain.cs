using System.Security.Cryptography;
using System.Text;
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
/// One reported sender (see <see cref="ISender"/>), a thin host of <see cref="ReportedSender"/>. Each report is decided
/// at once, in memory, and answered once its event is stored — one small write, whatever the sender's history
/// (<see cref="EventLog{TSnapshot, TEvent, TItem}"/>). Reentrant with one write in flight (<see cref="StateWriter"/>):
/// reports that arrive while a write runs share the next one, so a sender reported by many at once is not a queue of
/// writes. An answer is given only once everything it reflects is stored.
/// <para>
/// A report that passes a threshold stores the open case with it and is answered; the escalation then proceeds from
/// that stored state, never inside a report: a grain timer (at once) and a reminder (registered before the case is
/// stored, so that a crash cannot strand it) run the idempotent steps — queue the case in the outbox, list the
/// sender — and record each when it is done. Reports go on meanwhile.
/// </para>
/// A listing lapses after its quiet period (<see cref="ListingTerms"/>): a second durable reminder, registered before
/// the case that leads to the listing is stored and kept while the sender is escalated or listed, checks it every
/// <see cref="ViolationOptions.ExpiryCheckPeriod"/>, so an expiry needs no request and survives a restart or failover.
/// The expiry is stored first; removing it from the filter list and recording it in the audit trail is then an
/// escalation step like the others (idempotent, retried by the escalation reminder until it is recorded as done).
/// <para>
/// A forged report (<see cref="ViolationReport.IsForged"/>) is counted by the forged domain's
/// <see cref="IForgedDomain"/> first, then remembered here as forged: it reaches neither the ranking nor the domain's
/// aggregate and decides nothing.
/// </para>
/// <para>
/// The score goes to the ranking shard and the reports to the domain's aggregate on a timer, coalesced, off the
/// report's path; decisions use this silo's <see cref="RankingViewCache"/>.
/// </para>
/// </summary>
[Reentrant]
public sealed partial class SenderGrain(
    [FromKeyedServices(StorageNames.Large)] IGrainStorage storage,
    IOptions<ViolationOptions> options,
    RankingViewCache views,
    [FromKeyedServices(ClearinghouseClock.Key)] TimeProvider clock,
    ILogger<SenderGrain> logger) : Grain, ISender, IRemindable
{
    public const string LogName = "sender-log";
    private const string EscalationReminder = "escalation";
    private const string ExpiryReminder = "expiry";
    private static readonly KeyValuePair<string, object?>[] FromVerdict = [new("source", "verdict")];
    private static readonly KeyValuePair<string, object?>[] FromProvider = [new("source", "provider")];

    private readonly List<SenderEvent> unwritten = [];
    private readonly List<LedgerEntry> forDomain = [];
    private EventLog<SenderSnapshot, SenderEvent, LedgerEntry> log = null!;
    private SenderEvidence evidence = null!;
    private ReportedSender sender = null!;
    private StateWriter writer = null!;
    private IGrainTimer escalationTimer = null!;
    private Task? escalating;
    private bool scoreChanged;

    // Set with an event that needs the escalation reminder; the write registers it before storing the event.
    private bool reminderNeeded;

    // Set with an event that opens a case: the listing it leads to needs the expiry reminder, registered the same way.
    private bool expiryReminderNeeded;

    public override async Task OnActivateAsync(CancellationToken cancellationToken)
    {
        // A key, not input: taken as it is (a sender stored before '*' was refused in named addresses still loads).
        var address = Address.Parse(this.GetPrimaryKeyString(), "sender", allowAsterisk: true);
        log = OpenLog(storage, this.GetGrainId());
        var stored = await log.LoadAsync();
        var snapshot = stored.Snapshot ?? new SenderSnapshot();
        await SenderEvidence.ResolveAsync(snapshot, log);
        evidence = new SenderEvidence(log.Slots);
        sender = new ReportedSender(address, snapshot, options.Value.LedgerLimits(), options.Value.Listing(), options.Value.Ranking());
        sender.Restore(stored.Chunks.SelectMany(c => c.Items), stored.Events, clock.GetUtcNow());
        writer = new StateWriter(GrainContext, WriteAsync, logger);

        var interval = options.Value.RankingInterval;
        this.RegisterGrainTimer(PushAsync, new GrainTimerCreationOptions(interval, interval) { Interleave = true });
        escalationTimer = this.RegisterGrainTimer(EscalateOnTimerAsync, new GrainTimerCreationOptions(Timeout.InfiniteTimeSpan, Timeout.InfiniteTimeSpan) { Interleave = true });
        if (sender.PendingAction is not null)
        {
            escalationTimer.Change(TimeSpan.Zero, Timeout.InfiniteTimeSpan);
        }

        // A sender listed before listings expired has no expiry reminder yet: it gets one now.
        if (sender.State is EscalationState.Escalated or EscalationState.Listed && await this.GetReminder(ExpiryReminder) is null)
        {
            var period = options.Value.ExpiryCheckPeriod;
            await this.RegisterOrUpdateReminder(ExpiryReminder, period, period);
        }
    }

    public override Task OnDeactivateAsync(DeactivationReason reason, CancellationToken cancellationToken) =>
        writer.IsTrusted ? PushAsync(cancellationToken) : Task.CompletedTask;

    async Task<ReportOutcome> ISender.Report(ViolationReport report)
    {
        ArgumentNullException.ThrowIfNull(report);
        return (await ReportAsync([report]))[0];
    }

    Task<ReportOutcome[]> ISender.ReportMany(ViolationReport[] reports)
    {
        ArgumentNullException.ThrowIfNull(reports);
        return ReportAsync(reports);
    }

    /// <summary>
    /// Counts each report once per key, in order, in memory; stores what was counted in one write (shared with reports
    /// that arrive meanwhile) and answers once it is stored. Every forged report goes to the forged domain before
    /// anything is counted here, so a failure there leaves nothing counted and the caller's retry counts each once.
    /// </summary>
    private async Task<ReportOutcome[]> ReportAsync(IReadOnlyList<ViolationReport> reports)
    {
        writer.EnsureTrusted();
        foreach (var report in reports)
        {
            if (report.IsForged && !sender.Ledger.Contains(report.ReportKey))
            {
                await GrainFactory.GetGrain<IForgedDomain>(report.Sender.Domain).Record(ForgedViolation.Of(report));
            }
        }

        await views.EnsureFreshAsync();
        writer.EnsureTrusted();
        var outcomes = new ReportOutcome[reports.Count];
        var counted = new List<(ViolationReport Report, SenderEvent Event)>();
        for (var i = 0; i < outcomes.Length; i++)
        {
            var change = sender.Report(reports[i], views.Current, clock.GetUtcNow());

            // What the answer says is taken now: everything it reflects is in this write or an earlier one.
            outcomes[i] = new ReportOutcome(change is null, sender.State, sender.CaseId);
            if (change is not null)
            {
                Record(change);
                counted.Add((reports[i], change));
            }
        }

        if (counted.Count == 0)
        {
            await writer.WhenPersistedAsync();
            return outcomes;
        }

        await writer.WriteAsync();
        foreach (var (report, change) in counted)
        {
            Counted(report, change);
        }

        return outcomes;
    }

    /// <summary>What follows a stored report: telemetry, the domain's aggregate and the score, an opened case's escalation.</summary>
    private void Counted(ViolationReport report, SenderEvent change)
    {
        if (report.IsForged)
        {
            ClearinghouseTelemetry.ForgedViolations.Add(1, report.Source == ReportSource.Verdict ? FromVerdict : FromProvider);
            return;
        }

        ClearinghouseTelemetry.Violations.Add(1, report.Source == ReportSource.Verdict ? FromVerdict : FromProvider);
        forDomain.Add(new LedgerEntry(LedgerEntry.DedupeKey(report.ReportKey), report.RecipientHash, report.ProviderId, sender.Sender.Value, ViolationLedger.HourOf(report.SecondMessage.Date), 0, 0));
        scoreChanged = true;
        if (change.Transition is { Step: EscalationStep.Opened } opened)
        {
            LogEscalated(opened.Case!.CaseId, opened.Case.Reason);
            ClearinghouseTelemetry.Escalations.Add(1);
            escalationTimer.Change(TimeSpan.Zero, Timeout.InfiniteTimeSpan);
        }
    }

    async Task<SenderStatus> ISender.GetStatus()
    {
        writer.EnsureTrusted();
        var status = sender.Status(clock.GetUtcNow());
        await writer.WhenPersistedAsync();
        return status;
    }

    async Task<SenderActivity> ISender.GetActivity()
    {
        writer.EnsureTrusted();
        var ledger = sender.Ledger;
        var activity = SenderActivity.Of(sender.Sender, ledger.Snapshot.HourlyReports, ledger.Evidence, ViolationLedger.HourOf(clock.GetUtcNow()), options.Value.Window);
        await writer.WhenPersistedAsync();
        return activity;
    }

    async Task<bool> ISender.Delist(string reason)
    {
        writer.EnsureTrusted();

        // Let a running escalation step finish first, so that its result is recorded before the delisting.
        if (escalating is { IsCompleted: false } running)
        {
            await running.ContinueWith(_ => { }, TaskScheduler.Current);
        }

        var delisted = sender.Delist(reason, clock.GetUtcNow());
        if (delisted is null && sender.PendingAction != EscalationAction.Unlist)
        {
            return false;
        }

        if (delisted is not null)
        {
            Record(delisted);
            await writer.WriteAsync();
        }

        // The removal from the filter list, before answering (a failure is retried by the reminder).
        await EscalateAsync();
        return true;
    }

    async Task IRemindable.ReceiveReminder(string reminderName, TickStatus status)
    {
        if (reminderName == ExpiryReminder)
        {
            await ExpireIfDueAsync();
            return;
        }

        if (reminderName != EscalationReminder)
        {
            return;
        }

        if (sender.PendingAction is null)
        {
            await this.StopReminderAsync(EscalationReminder);
            return;
        }

        await EscalateOnTimerAsync(CancellationToken.None);
    }

    /// <summary>A sender's stored log (its ledger's chunks in <see cref="LedgerEntryCodec"/>'s form).</summary>
    public static EventLog<SenderSnapshot, SenderEvent, LedgerEntry> OpenLog(IGrainStorage storage, GrainId grain) =>
        new(storage, grain, LogName, codec: LedgerEntryCodec.Instance);

    /// <summary>A stable shard number for a sender (string hash codes differ between processes).</summary>
    public static int ShardOf(string sender, int shards)
    {
        Span<byte> hash = stackalloc byte[SHA256.HashSizeInBytes];
        SHA256.HashData(Encoding.UTF8.GetBytes(sender), hash);
        return (int)(BitConverter.ToUInt32(hash) % (uint)Math.Max(1, shards));
    }

    /// <summary>Queues an event for the next write (applied to memory already).</summary>
    private void Record(SenderEvent change)
    {
        unwritten.Add(change);
        reminderNeeded |= change.Transition?.Step is EscalationStep.Opened or EscalationStep.Delisted or EscalationStep.Expired;
        expiryReminderNeeded |= change.Transition?.Step is EscalationStep.Opened;
    }

    /// <summary>
    /// The expiry reminder's tick: a listing past its quiet period lapses (stored, then removed from the filter list);
    /// once the sender is neither escalated nor listed the reminder stops.
    /// </summary>
    private async Task ExpireIfDueAsync()
    {
        writer.EnsureTrusted();
        if (sender.Expire(clock.GetUtcNow()) is { } expired)
        {
            Record(expired);
            await writer.WriteAsync();
            LogExpired(sender.CaseId ?? "");
            await EscalateAsync();
        }

        if (sender.State is not (EscalationState.Escalated or EscalationState.Listed))
        {
            await writer.WhenPersistedAsync();
            await this.StopReminderAsync(ExpiryReminder);
        }
    }

    /// <summary>Runs the pending escalation steps (one run at a time); faults when a step fails.</summary>
    private Task EscalateAsync()
    {
        if (escalating is { IsCompleted: false } running)
        {
            return running;
        }

        return escalating = RunEscalationAsync();
    }

    private async Task RunEscalationAsync()
    {
        while (writer.IsTrusted && sender.PendingAction is { } action)
        {
            await RunStepAsync(action);
            if (sender.Complete(action, clock.GetUtcNow()) is { } done)
            {
                Record(done);
                await writer.WriteAsync();
            }
        }

        if (writer.IsTrusted && sender.PendingAction is null)
        {
            await this.StopReminderAsync(EscalationReminder);
        }
    }

    /// <summary>One escalation step; each is idempotent, so one repeated after a crash changes nothing twice.</summary>
    private async Task RunStepAsync(EscalationAction action)
    {
        var entry = FilterEntry.ForAddress(sender.Sender);
        switch (action)
        {
            case EscalationAction.QueueCase:
                await GrainFactory.GetGrain<IEscalationOutbox>(0).Enqueue(sender.OpenCase!);
                break;
            case EscalationAction.List:
                var open = sender.OpenCase!;
                await GrainFactory.GetGrain<IFilterList>(0).Append(FilterChangeOp.Add, entry, open.Reason, open.CaseId);
                break;
            case EscalationAction.Unlist:
                await GrainFactory.GetGrain<IFilterList>(0).Append(FilterChangeOp.Remove, entry, sender.DelistReason ?? "", sender.CaseId ?? "");

                // An operator's or a request's delisting is audited by whoever asked; an expiry has nobody else to.
                if (sender.ExpiryAudit() is { } expiry)
                {
                    await GrainFactory.GetGrain<IAuditTrail>(0).Append(expiry);
                }

                break;
        }
    }

    private async Task EscalateOnTimerAsync(CancellationToken cancellationToken)
    {
        try
        {
            await EscalateAsync();
        }
        catch (Exception error)
        {
            // The decision is stored: the reminder runs the step again.
            LogEscalationIncomplete(error, sender.CaseId ?? "");
        }
    }

    /// <summary>
    /// The write of <see cref="writer"/>: the events not yet stored, as one batch (and a checkpoint when due). An event
    /// that opens a case or delists needs the escalation reminder, registered first: once the event is stored,
    /// something must finish the escalation whatever happens to this activation (a failure fails the write).
    /// </summary>
    private async Task WriteAsync()
    {
        while (reminderNeeded || expiryReminderNeeded)
        {
            if (reminderNeeded)
            {
                reminderNeeded = false;
                var period = options.Value.EscalationRetryPeriod;
                await this.RegisterOrUpdateReminder(EscalationReminder, period, period);
            }

            if (expiryReminderNeeded)
            {
                expiryReminderNeeded = false;
                var period = options.Value.ExpiryCheckPeriod;
                await this.RegisterOrUpdateReminder(ExpiryReminder, period, period);
            }
        }

        // Taken together with the checkpoint, before anything else is awaited: they match exactly.
        var events = unwritten.ToList();
        unwritten.Clear();
        var batch = log.LastSeq + 1;
        evidence.Written(events, batch);
        await log.WriteAsync(events, () => LedgerChunks.Checkpoint(evidence.ForCheckpoint(sender.CopySnapshot(), batch), sender.Ledger));
    }

    /// <summary>Sends the stored reports to the domain's aggregate (one-way) and the score to the ranking shard.</summary>
    private async Task PushAsync(CancellationToken cancellationToken)
    {
        if (!writer.IsTrusted)
        {
            return;
        }

        if (forDomain.Count > 0)
        {
            var batch = forDomain.ToArray();
            forDomain.Clear();
            _ = GrainFactory.GetGrain<ISenderDomain>(sender.Sender.Domain).Add(batch);
        }

        if (scoreChanged)
        {
            scoreChanged = false;
            var score = sender.Ledger.Standing(clock.GetUtcNow()).WeightedRecipients;
            try
            {
                views.Offer(await GrainFactory.GetGrain<IViolationShard>(ShardOf(sender.Sender.Value, options.Value.RankingShards)).Update(sender.Sender.Value, score));
            }
            catch (Exception error)
            {
                scoreChanged = true;
                LogRankingUnavailable(error);
            }
        }
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Sender escalated: case {CaseId}: {Reason}")]
    private partial void LogEscalated(string caseId, string reason);

    [LoggerMessage(Level = LogLevel.Information, Message = "Listing of case {CaseId} expired after its quiet period")]
    private partial void LogExpired(string caseId);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Escalation of case {CaseId} is not complete yet; a reminder retries it")]
    private partial void LogEscalationIncomplete(Exception error, string caseId);

    [LoggerMessage(Level = LogLevel.Warning, Message = "The ranking shard did not answer; the score is sent again later")]
    private partial void LogRankingUnavailable(Exception error);
}
