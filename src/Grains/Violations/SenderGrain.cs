using System.Security.Cryptography;
using System.Text;
using Clearinghouse.Contracts;
using Clearinghouse.Domain;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Clearinghouse.Grains.Violations;

/// <summary>
/// One reported sender (see <see cref="ISender"/>). Not reentrant: reports are counted one at a time. A report is
/// persisted before it is acknowledged; a report that passes a threshold also persists the open case, and a reminder
/// finishes the escalation (outbox, then filter list) if this activation cannot.
/// </summary>
public sealed partial class SenderGrain(
    [PersistentState("sender", StorageNames.Clearinghouse)] IPersistentState<SenderState> state,
    IOptions<ViolationOptions> options,
    [FromKeyedServices(ClearinghouseClock.Key)] TimeProvider clock,
    ILogger<SenderGrain> logger) : Grain, ISender, IRemindable
{
    private const string EscalationReminder = "escalation";
    private static readonly KeyValuePair<string, object?>[] FromVerdict = [new("source", "verdict")];
    private static readonly KeyValuePair<string, object?>[] FromProvider = [new("source", "provider")];

    private ViolationLedger ledger = null!;
    private RankingView lastView = RankingView.Initial;
    private Address sender = null!;

    public override Task OnActivateAsync(CancellationToken cancellationToken)
    {
        var settings = options.Value;
        ledger = new ViolationLedger(state.State.Ledger, settings.Window, settings.HalfLife, settings.MaxEvidence);
        // A key, not input: taken as it is (a sender stored before '*' was refused in named addresses still loads).
        sender = Address.Parse(this.GetPrimaryKeyString(), "sender", allowAsterisk: true);
        lastView = lastView with { Settings = settings.InitialThresholds() };
        return Task.CompletedTask;
    }

    async Task<ReportOutcome> ISender.Report(ViolationReport report)
    {
        ArgumentNullException.ThrowIfNull(report);
        var now = clock.GetUtcNow();
        if (!ledger.TryAdd(report, now))
        {
            return new ReportOutcome(true, state.State.Escalation, state.State.CaseId);
        }

        ClearinghouseTelemetry.Violations.Add(1, report.Source == ReportSource.Verdict ? FromVerdict : FromProvider);
        var standing = ledger.Standing(now);
        var view = await RankAsync(standing.WeightedRecipients);
        if (state.State.Escalation is EscalationState.None or EscalationState.Delisted)
        {
            var decision = ThresholdPolicy.Decide(standing, view);
            if (decision.Escalate)
            {
                Open(standing, decision.Reason, now);
            }
        }

        await state.WriteStateAsync();
        ForwardToDomain(report);
        if (state.State.Escalation == EscalationState.Escalated)
        {
            await CompleteEscalationAsync();
        }

        return new ReportOutcome(false, state.State.Escalation, state.State.CaseId);
    }

    Task<SenderStatus> ISender.GetStatus()
    {
        var now = clock.GetUtcNow();
        var s = state.State;
        return Task.FromResult(new SenderStatus(
            sender, s.Escalation, s.CaseId, ledger.Standing(now), ledger.TotalReports, ledger.Evidence.Count,
            s.EscalatedAt, s.ListedAt, s.DelistedAt, ledger.Providers(now)));
    }

    async Task<bool> ISender.Delist(string reason)
    {
        var s = state.State;
        if (s.Escalation is not (EscalationState.Listed or EscalationState.Escalated))
        {
            return false;
        }

        await GrainFactory.GetGrain<IFilterList>(0).Append(FilterChangeOp.Remove, FilterEntry.ForAddress(sender), reason, s.CaseId ?? "");
        s.Escalation = EscalationState.Delisted;
        s.DelistedAt = clock.GetUtcNow();
        s.OpenCase = null;
        ledger.Reset();
        await state.WriteStateAsync();
        await this.StopReminderAsync(EscalationReminder);
        return true;
    }

    async Task IRemindable.ReceiveReminder(string reminderName, TickStatus status)
    {
        if (reminderName != EscalationReminder)
        {
            return;
        }

        if (state.State.Escalation == EscalationState.Escalated)
        {
            await CompleteEscalationAsync();
        }
        else
        {
            await this.StopReminderAsync(EscalationReminder);
        }
    }

    private void Open(SenderStanding standing, string reason, DateTimeOffset now)
    {
        var s = state.State;
        s.Escalation = EscalationState.Escalated;
        s.CaseId = $"case-{Guid.CreateVersion7(now):N}";
        s.EscalatedAt = now;
        s.OpenCase = new EscalationCase(s.CaseId, sender, now, standing, ledger.Providers(now), [.. ledger.Evidence], reason);
        ClearinghouseTelemetry.Escalations.Add(1);
        LogEscalated(s.CaseId, reason);
    }

    /// <summary>Queues the open case in the outbox and lists the sender; both steps are idempotent, so a retry is safe.</summary>
    private async Task CompleteEscalationAsync()
    {
        var s = state.State;
        if (s.OpenCase is not { } open)
        {
            return;
        }

        try
        {
            await this.RegisterOrUpdateReminder(EscalationReminder, options.Value.EscalationRetryPeriod, options.Value.EscalationRetryPeriod);
            await GrainFactory.GetGrain<IEscalationOutbox>(0).Enqueue(open);
            await GrainFactory.GetGrain<IFilterList>(0).Append(FilterChangeOp.Add, FilterEntry.ForAddress(sender), open.Reason, open.CaseId);
            s.Escalation = EscalationState.Listed;
            s.ListedAt = clock.GetUtcNow();
            s.OpenCase = null;
            await state.WriteStateAsync();
            await this.StopReminderAsync(EscalationReminder);
        }
        catch (Exception error)
        {
            // The report is already persisted: the reminder finishes the escalation later.
            LogEscalationIncomplete(error, open.CaseId);
        }
    }

    private async Task<RankingView> RankAsync(double score)
    {
        try
        {
            lastView = await GrainFactory.GetGrain<IViolationShard>(ShardOf(sender.Value, options.Value.RankingShards)).Update(sender.Value, score);
        }
        catch (Exception error)
        {
            LogRankingUnavailable(error);
        }

        return lastView;
    }

    private void ForwardToDomain(ViolationReport report)
    {
        try
        {
            // One-way: completes at once; the domain aggregate persists it on its own timer.
            _ = GrainFactory.GetGrain<ISenderDomain>(sender.Domain).Add(report);
        }
        catch (Exception error)
        {
            LogDomainForwardFailed(error);
        }
    }

    /// <summary>A stable shard number for a sender (string hash codes differ between processes).</summary>
    public static int ShardOf(string sender, int shards)
    {
        Span<byte> hash = stackalloc byte[SHA256.HashSizeInBytes];
        SHA256.HashData(Encoding.UTF8.GetBytes(sender), hash);
        return (int)(BitConverter.ToUInt32(hash) % (uint)Math.Max(1, shards));
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Sender escalated: case {CaseId}: {Reason}")]
    private partial void LogEscalated(string caseId, string reason);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Escalation of case {CaseId} is not complete yet; a reminder retries it")]
    private partial void LogEscalationIncomplete(Exception error, string caseId);

    [LoggerMessage(Level = LogLevel.Warning, Message = "The ranking shard did not answer; the last known thresholds apply")]
    private partial void LogRankingUnavailable(Exception error);

    [LoggerMessage(Level = LogLevel.Warning, Message = "A report could not be added to its domain's aggregate")]
    private partial void LogDomainForwardFailed(Exception error);
}
