using Clearinghouse.Contracts;
using Clearinghouse.Domain;
using Clearinghouse.Grains.Persistence;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Orleans.Concurrency;

namespace Clearinghouse.Grains.Forgery;

/// <summary>
/// One forged domain (see <see cref="IForgedDomain"/>), a thin host of <see cref="ForgedDomainBook"/>. Reentrant with
/// one write in flight (<see cref="StateWriter"/>): a forger's burst shares writes. While a period is open (or its
/// closed report is not yet queued) a reminder is kept, registered before the state that needs it is stored, so a
/// period whose silo dies is still closed and reported; a grain timer closes it on time while the grain is active.
/// Closing stores the report first, then queues it in the escalation outbox (idempotent per report id), then records
/// that it is queued: a crash in between queues it again and the outbox ignores the repeat.
/// Periods run on real time (the unkeyed <see cref="TimeProvider"/>), like the timers that drive them.
/// </summary>
[Reentrant]
public sealed partial class ForgedDomainGrain(
    [PersistentState("forgeddomain", StorageNames.Clearinghouse)] IPersistentState<ForgedDomainState> state,
    IOptionsMonitor<ForgeryOptions> options,
    TimeProvider clock,
    ILogger<ForgedDomainGrain> logger) : Grain, IForgedDomain, IRemindable
{
    private const string Reminder = "forgery-report";

    private StateWriter writer = null!;
    private IGrainTimer closeTimer = null!;
    private bool reminderActive;
    private bool closing;

    private ForgedDomainBook Book => new(this.GetPrimaryKeyString(), state.State, options.CurrentValue);

    public override async Task OnActivateAsync(CancellationToken cancellationToken)
    {
        writer = new StateWriter(GrainContext, WriteAsync, logger);
        closeTimer = this.RegisterGrainTimer(_ => CloseIfDueAsync(), new GrainTimerCreationOptions(Timeout.InfiniteTimeSpan, Timeout.InfiniteTimeSpan) { Interleave = true });
        // Only a domain with a period open or closing looks for its reminder (GetSender activates every domain).
        reminderActive = (state.State.Open is not null || state.State.Closing is not null) && await this.GetReminder(Reminder) is not null;
        ScheduleClose();
    }

    async Task<bool> IForgedDomain.Record(ForgedViolation forged)
    {
        ArgumentNullException.ThrowIfNull(forged);
        writer.EnsureTrusted();
        var opens = state.State.Open is null;
        if (!Book.Record(forged, clock.GetUtcNow()))
        {
            await writer.WhenPersistedAsync();
            return false;
        }

        await writer.WriteAsync();
        if (opens)
        {
            LogPeriodOpened(this.GetPrimaryKeyString(), forged.Sender.Value);
            ScheduleClose();
        }

        return true;
    }

    async Task<ForgeryStatus> IForgedDomain.GetStatus()
    {
        var status = Book.Status();
        await writer.WhenPersistedAsync();
        return status;
    }

    Task IRemindable.ReceiveReminder(string reminderName, TickStatus status)
    {
        // It exists, whatever this activation thought: the next write stops it if nothing needs it.
        reminderActive = true;
        return CloseIfDueAsync();
    }

    /// <summary>Closes an ended period and queues its report (one pass at a time); a failure is retried by the reminder.</summary>
    private async Task CloseIfDueAsync()
    {
        if (closing || !writer.IsTrusted)
        {
            return;
        }

        closing = true;
        try
        {
            var book = Book;
            if (book.CloseIfDue(clock.GetUtcNow()) is not null)
            {
                await writer.WriteAsync();
            }

            if (book.Closing is { } report)
            {
                await GrainFactory.GetGrain<IEscalationOutbox>(0).EnqueueForgeryReport(report);
                book.Queued(clock.GetUtcNow());
                LogReportQueued(report.Domain, report.Count, report.ReportId);
                ClearinghouseTelemetry.ForgeryReports.Add(1);
            }

            // Also when nothing changed: the reminder stops once no period is open.
            await writer.WriteAsync();
        }
        catch (Exception error)
        {
            LogCloseFailed(error, this.GetPrimaryKeyString());
        }
        finally
        {
            closing = false;
            if (writer.IsTrusted)
            {
                ScheduleClose();
            }
        }
    }

    private void ScheduleClose()
    {
        var due = state.State.Closing is not null ? clock.GetUtcNow() : Book.DueAt;
        if (due is { } at)
        {
            var wait = at - clock.GetUtcNow();
            closeTimer.Change(wait > TimeSpan.Zero ? wait : TimeSpan.Zero, Timeout.InfiniteTimeSpan);
        }
    }

    /// <summary>
    /// The write of <see cref="writer"/> (one at a time): the reminder is registered before a state that needs it is
    /// stored, and stopped after a state that no longer does.
    /// </summary>
    private async Task WriteAsync()
    {
        var needed = state.State.Open is not null || state.State.Closing is not null;
        if (needed && !reminderActive)
        {
            var settings = options.CurrentValue;
            var due = settings.ReportPeriod > settings.ReminderPeriod ? settings.ReportPeriod : settings.ReminderPeriod;
            await this.RegisterOrUpdateReminder(Reminder, due, settings.ReminderPeriod);
            reminderActive = true;
        }

        await state.WriteStateAsync();
        if (!needed && reminderActive)
        {
            await this.StopReminderAsync(Reminder);
            reminderActive = false;
        }
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Forgeries of {Domain} (first sender {Sender}): a failure-report period opens")]
    private partial void LogPeriodOpened(string domain, string sender);

    [LoggerMessage(Level = LogLevel.Information, Message = "Failure report {ReportId} for {Domain} queued: {Count} forged reports")]
    private partial void LogReportQueued(string domain, long count, string reportId);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Closing the forgery period of {Domain} did not complete; the reminder retries it")]
    private partial void LogCloseFailed(Exception error, string domain);
}
