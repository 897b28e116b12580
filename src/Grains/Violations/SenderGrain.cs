using System.Security.Cryptography;
using System.Text;
using Clearinghouse.Contracts;
using Clearinghouse.Domain;
using Clearinghouse.Grains.Persistence;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Orleans.Storage;

namespace Clearinghouse.Grains.Violations;

/// <summary>
/// One reported sender (see <see cref="ISender"/>), a thin host of <see cref="ReportedSender"/>. Not reentrant: reports
/// are counted one at a time, each answered once its event is stored — one small write, whatever the sender's history
/// (<see cref="EventLog{TSnapshot, TEvent, TItem}"/>).
/// <para>
/// A report that passes a threshold stores the open case with it and is answered; the escalation then proceeds from
/// that stored state, never inside a report: a grain timer (at once) and a reminder (registered before the case is
/// stored, so that a crash cannot strand it) run the idempotent steps — queue the case in the outbox, list the
/// sender — and record each when it is done. Reports go on meanwhile (the timer interleaves).
/// </para>
/// The score goes to the ranking shard and the reports to the domain's aggregate on a timer, coalesced, off the
/// report's path; decisions use this silo's <see cref="RankingViewCache"/>.
/// </summary>
public sealed partial class SenderGrain(
    [FromKeyedServices(StorageNames.Clearinghouse)] IGrainStorage storage,
    IOptions<ViolationOptions> options,
    RankingViewCache views,
    [FromKeyedServices(ClearinghouseClock.Key)] TimeProvider clock,
    ILogger<SenderGrain> logger) : Grain, ISender, IRemindable
{
    public const string LogName = "sender-log";
    private const string EscalationReminder = "escalation";
    private static readonly KeyValuePair<string, object?>[] FromVerdict = [new("source", "verdict")];
    private static readonly KeyValuePair<string, object?>[] FromProvider = [new("source", "provider")];

    private readonly List<SenderEvent> unwritten = [];
    private readonly List<LedgerEntry> forDomain = [];
    private EventLog<SenderSnapshot, SenderEvent, LedgerEntry> log = null!;
    private ReportedSender sender = null!;
    private StateWriter writer = null!;
    private IGrainTimer escalationTimer = null!;
    private Task? escalating;
    private bool scoreChanged;

    public override async Task OnActivateAsync(CancellationToken cancellationToken)
    {
        var address = Address.Parse(this.GetPrimaryKeyString(), "sender");
        log = new EventLog<SenderSnapshot, SenderEvent, LedgerEntry>(storage, this.GetGrainId(), LogName);
        var stored = await log.LoadAsync();
        sender = new ReportedSender(address, stored.Snapshot ?? new SenderSnapshot(), options.Value.LedgerLimits());
        sender.Restore(stored.Chunks.SelectMany(c => c.Items), stored.Events, clock.GetUtcNow());
        writer = new StateWriter(GrainContext, WriteAsync, logger);

        var interval = options.Value.RankingInterval;
        this.RegisterGrainTimer(PushAsync, new GrainTimerCreationOptions(interval, interval) { Interleave = true });
        escalationTimer = this.RegisterGrainTimer(EscalateOnTimerAsync, new GrainTimerCreationOptions(Timeout.InfiniteTimeSpan, Timeout.InfiniteTimeSpan) { Interleave = true });
        if (sender.PendingAction is not null)
        {
            escalationTimer.Change(TimeSpan.Zero, Timeout.InfiniteTimeSpan);
        }
    }

    public override Task OnDeactivateAsync(DeactivationReason reason, CancellationToken cancellationToken) =>
        writer.IsTrusted ? PushAsync(cancellationToken) : Task.CompletedTask;

    async Task<ReportOutcome> ISender.Report(ViolationReport report)
    {
        ArgumentNullException.ThrowIfNull(report);
        writer.EnsureTrusted();
        await views.EnsureFreshAsync();
        if (sender.Report(report, views.Current, clock.GetUtcNow()) is not { } counted)
        {
            await writer.WhenPersistedAsync();
            return new ReportOutcome(true, sender.State, sender.CaseId);
        }

        var opened = counted.Transition is { Step: EscalationStep.Opened } transition ? transition : null;
        if (opened is not null)
        {
            LogEscalated(sender.CaseId!, opened.Case!.Reason);
            await EnsureEscalationReminderAsync();
        }

        unwritten.Add(counted);
        await writer.WriteAsync();

        ClearinghouseTelemetry.Violations.Add(1, report.Source == ReportSource.Verdict ? FromVerdict : FromProvider);
        forDomain.Add(new LedgerEntry(report.ReportKey, report.RecipientHash, report.ProviderId, sender.Sender.Value, ViolationLedger.HourOf(report.SecondMessage.Date), 0, 0));
        scoreChanged = true;
        if (opened is not null)
        {
            ClearinghouseTelemetry.Escalations.Add(1);
            escalationTimer.Change(TimeSpan.Zero, Timeout.InfiniteTimeSpan);
        }

        return new ReportOutcome(false, sender.State, sender.CaseId);
    }

    async Task<SenderStatus> ISender.GetStatus()
    {
        await writer.WhenPersistedAsync();
        return sender.Status(clock.GetUtcNow());
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
            await EnsureEscalationReminderAsync();
            unwritten.Add(delisted);
            await writer.WriteAsync();
        }

        // The removal from the filter list, before answering (a failure is retried by the reminder).
        await EscalateAsync();
        return true;
    }

    async Task IRemindable.ReceiveReminder(string reminderName, TickStatus status)
    {
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

    /// <summary>A stable shard number for a sender (string hash codes differ between processes).</summary>
    public static int ShardOf(string sender, int shards)
    {
        Span<byte> hash = stackalloc byte[SHA256.HashSizeInBytes];
        SHA256.HashData(Encoding.UTF8.GetBytes(sender), hash);
        return (int)(BitConverter.ToUInt32(hash) % (uint)Math.Max(1, shards));
    }

    /// <summary>
    /// The reminder that finishes an escalation whatever happens to this activation. Registered before the state that
    /// needs it is stored; when it cannot be, memory already holds the decision, so the activation reloads.
    /// </summary>
    private async Task EnsureEscalationReminderAsync()
    {
        try
        {
            var period = options.Value.EscalationRetryPeriod;
            await this.RegisterOrUpdateReminder(EscalationReminder, period, period);
        }
        catch (Exception error)
        {
            throw writer.Distrust(error);
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
                unwritten.Add(done);
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

    /// <summary>The write of <see cref="writer"/>: the events not yet stored, as one batch (and a checkpoint when due).</summary>
    private Task WriteAsync()
    {
        var events = unwritten.ToList();
        unwritten.Clear();
        return log.WriteAsync(events, () => LedgerChunks.Checkpoint(sender.CopySnapshot(), sender.Ledger));
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

    [LoggerMessage(Level = LogLevel.Warning, Message = "Escalation of case {CaseId} is not complete yet; a reminder retries it")]
    private partial void LogEscalationIncomplete(Exception error, string caseId);

    [LoggerMessage(Level = LogLevel.Warning, Message = "The ranking shard did not answer; the score is sent again later")]
    private partial void LogRankingUnavailable(Exception error);
}
