using Clearinghouse.Contracts;
using Clearinghouse.Domain;
using Clearinghouse.Grains.Forgery;
using Clearinghouse.Grains.Persistence;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Orleans.Concurrency;

namespace Clearinghouse.Grains.Escalation;

/// <summary>
/// The escalation outbox (see <see cref="IEscalationOutbox"/>). Reentrant so that a slow receiver does not hold up
/// queuing or reading; one delivery pass runs at a time and writes go through a <see cref="StateWriter"/>: an answer
/// read from memory (a case already queued, the list of deliveries) waits until that memory is persisted. While
/// active, a grain timer wakes it for the next due retry; a reminder, kept while anything is pending, wakes it after
/// a restart. Retries run on real time (the unkeyed <see cref="TimeProvider"/>), like the timers that drive them.
/// </summary>
[Reentrant]
public sealed partial class EscalationOutboxGrain(
    [PersistentState("outbox", StorageNames.Large)] IPersistentState<OutboxState> state,
    IOptionsMonitor<EscalationOptions> options,
    EscalationDispatcher dispatcher,
    ForgeryReportSender forgeryReports,
    TimeProvider clock,
    ILogger<EscalationOutboxGrain> logger) : Grain, IEscalationOutbox, IRemindable
{
    private const string Reminder = "outbox";
    private static readonly KeyValuePair<string, object?>[] Delivered = [new("outcome", "delivered")];
    private static readonly KeyValuePair<string, object?>[] DeadLettered = [new("outcome", "dead_letter")];

    private StateWriter writer = null!;
    private IGrainTimer wakeUp = null!;
    private bool delivering;

    private DeliveryBook Book => new(state.State, options.CurrentValue);

    public override Task OnActivateAsync(CancellationToken cancellationToken)
    {
        writer = new StateWriter(GrainContext, state, logger);
        wakeUp = this.RegisterGrainTimer(_ => DeliverDueAsync(), new GrainTimerCreationOptions(Timeout.InfiniteTimeSpan, Timeout.InfiniteTimeSpan) { Interleave = true });
        ScheduleNext();
        return Task.CompletedTask;
    }

    async Task<int> IEscalationOutbox.Enqueue(EscalationCase escalation)
    {
        ArgumentNullException.ThrowIfNull(escalation);
        writer.EnsureTrusted();
        var added = Book.Enqueue(escalation, clock.GetUtcNow());
        if (added == 0)
        {
            // Queued before — perhaps by a call whose write is still running: answer only once it is stored.
            await writer.WhenPersistedAsync();
            return 0;
        }

        await StoreDueAsync();
        return added;
    }

    async Task<bool> IEscalationOutbox.EnqueueForgeryReport(ForgeryReport report)
    {
        ArgumentNullException.ThrowIfNull(report);
        writer.EnsureTrusted();
        if (!Book.EnqueueForgeryReport(report, clock.GetUtcNow()))
        {
            await writer.WhenPersistedAsync();
            return false;
        }

        await StoreDueAsync();
        return true;
    }

    async Task<IReadOnlyList<DeliveryView>> IEscalationOutbox.List(DeliveryStatus? status, int max)
    {
        await writer.WhenPersistedAsync();
        return Book.List(status, Math.Clamp(max, 1, DeliveryBook.KeptFinished));
    }

    async Task<IReadOnlyList<CaseView>> IEscalationOutbox.ListCases(DeliveryStatus? status, int max)
    {
        await writer.WhenPersistedAsync();
        return Book.Cases(status, Math.Clamp(max, 1, DeliveryBook.KeptFinished));
    }

    async Task<OutboxCounts> IEscalationOutbox.Counts()
    {
        await writer.WhenPersistedAsync();
        return Book.Counts();
    }

    async Task<DeliveryView?> IEscalationOutbox.Resend(string deliveryId)
    {
        writer.EnsureTrusted();
        if (Book.Resend(deliveryId, clock.GetUtcNow()) is not { } delivery)
        {
            return null;
        }

        await StoreDueAsync();
        LogResent(delivery.DeliveryId, delivery.Resends);
        return delivery.View();
    }

    Task IRemindable.ReceiveReminder(string reminderName, TickStatus status) => DeliverDueAsync();

    /// <summary>
    /// Stores deliveries just made due and starts a pass. The reminder first: once they are stored, something must wake
    /// the outbox after a restart.
    /// </summary>
    private async Task StoreDueAsync()
    {
        await this.RegisterOrUpdateReminder(Reminder, options.CurrentValue.ReminderPeriod, options.CurrentValue.ReminderPeriod);
        await writer.WriteAsync();
        ClearinghouseTelemetry.SetOutboxBacklog(Book.Pending);
        wakeUp.Change(TimeSpan.Zero, Timeout.InfiniteTimeSpan);
    }

    private async Task DeliverDueAsync()
    {
        if (delivering || !writer.IsTrusted)
        {
            return;
        }

        delivering = true;
        try
        {
            var book = Book;
            var due = book.Due(clock.GetUtcNow());
            if (due.Count > 0)
            {
                var results = await Task.WhenAll(due.Select(AttemptAsync));
                var now = clock.GetUtcNow();
                for (var i = 0; i < due.Count; i++)
                {
                    book.Record(due[i], results[i], now);
                    Count(due[i]);
                }

                await writer.WriteAsync();
            }

            ClearinghouseTelemetry.SetOutboxBacklog(book.Pending);
            if (book.Pending == 0)
            {
                await this.StopReminderAsync(Reminder);
            }
        }
        catch (Exception error)
        {
            LogPassFailed(error);
        }
        finally
        {
            delivering = false;
            if (writer.IsTrusted)
            {
                ScheduleNext();
            }
        }
    }

    private async Task<DeliveryResult> AttemptAsync(OutboxDelivery delivery)
    {
        var settings = options.CurrentValue;
        if (Book.ForgeryReportOf(delivery) is { } forgery)
        {
            return await AttemptAsync(delivery, token => forgeryReports.SendAsync(forgery, delivery.DeliveryId, token));
        }

        if (Book.CaseOf(delivery) is not { } escalation)
        {
            return DeliveryResult.Refused("the case is no longer in the outbox");
        }

        if (!settings.Destinations.TryGetValue(delivery.Destination, out var destination))
        {
            return DeliveryResult.Refused($"destination '{delivery.Destination}' is no longer configured");
        }

        return await AttemptAsync(delivery, token => dispatcher.SendAsync(delivery.Destination, destination, escalation, delivery.DeliveryId, token));
    }

    /// <summary>One attempt within the attempt timeout; a timeout or an exception is worth retrying.</summary>
    private async Task<DeliveryResult> AttemptAsync(OutboxDelivery delivery, Func<CancellationToken, Task<DeliveryResult>> send)
    {
        var settings = options.CurrentValue;
        using var timeout = new CancellationTokenSource(settings.AttemptTimeout);
        try
        {
            return await send(timeout.Token);
        }
        catch (OperationCanceledException)
        {
            return DeliveryResult.Retry($"no answer within {settings.AttemptTimeout}");
        }
        catch (Exception error)
        {
            LogAttemptFailed(error, delivery.DeliveryId);
            return DeliveryResult.Retry(error.Message);
        }
    }

    private void Count(OutboxDelivery delivery)
    {
        switch (delivery.Status)
        {
            case DeliveryStatus.Delivered:
                ClearinghouseTelemetry.EscalationDeliveries.Add(1, Delivered);
                break;
            case DeliveryStatus.DeadLetter:
                ClearinghouseTelemetry.EscalationDeliveries.Add(1, DeadLettered);
                LogDeadLetter(delivery.DeliveryId, delivery.Attempts, delivery.LastError);
                break;
            default:
                LogRetryScheduled(delivery.DeliveryId, delivery.Attempts, delivery.NextAttemptAt, delivery.LastError);
                break;
        }
    }

    private void ScheduleNext()
    {
        if (Book.NextDue() is { } next)
        {
            var wait = next - clock.GetUtcNow();
            wakeUp.Change(wait > TimeSpan.Zero ? wait : TimeSpan.Zero, Timeout.InfiniteTimeSpan);
        }
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Escalation delivery {DeliveryId} failed (attempt {Attempts}); next attempt at {NextAttemptAt:u}: {Error}")]
    private partial void LogRetryScheduled(string deliveryId, int attempts, DateTimeOffset nextAttemptAt, string? error);

    [LoggerMessage(Level = LogLevel.Error, Message = "Escalation delivery {DeliveryId} is dead-lettered after {Attempts} attempts: {Error}")]
    private partial void LogDeadLetter(string deliveryId, int attempts, string? error);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Escalation delivery {DeliveryId} threw")]
    private partial void LogAttemptFailed(Exception error, string deliveryId);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Escalation delivery {DeliveryId} is sent again by an operator (resend {Resends})")]
    private partial void LogResent(string deliveryId, int resends);

    [LoggerMessage(Level = LogLevel.Error, Message = "An outbox delivery pass failed; the reminder retries it")]
    private partial void LogPassFailed(Exception error);
}
