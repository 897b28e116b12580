using Clearinghouse.Contracts;
using Clearinghouse.Domain;
using Clearinghouse.Grains.Mail;
using Clearinghouse.Grains.Persistence;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Clearinghouse.Grains.Delisting;

/// <summary>
/// One listed subject's delisting requests (see <see cref="IDelistingRequests"/>), over a <see cref="DelistingBook"/>.
/// Not reentrant: one step at a time. Each step is persisted together with its audit events before anything leaves
/// the grain; the events (and the review queue's copy of a waiting request) are then handed on, and a reminder
/// retries that if it fails. A proven request is removed through the sender's grain (<see cref="ISender.Delist"/>) or,
/// for a domain, by a remove appended to the filter list. Writes go through the shared <see cref="StateWriter"/>
/// (persist, or reload); proving and reviewing are idempotent, so a caller retries them after a failed write.
/// </summary>
public sealed partial class DelistingRequestsGrain(
    [PersistentState("delisting", StorageNames.Clearinghouse)] IPersistentState<DelistingState> state,
    IOptionsMonitor<DelistingOptions> options,
    SmtpTransport mail,
    [FromKeyedServices(ClearinghouseClock.Key)] TimeProvider clock,
    ILogger<DelistingRequestsGrain> logger) : Grain, IDelistingRequests, IRemindable
{
    private const string HandOnReminder = "delisting-hand-on";
    private static readonly TimeSpan MailTimeout = TimeSpan.FromSeconds(30);

    private ListedSubject subject = null!;
    private StateWriter writer = null!;

    private DelistingBook Book => new(state.State, options.CurrentValue);

    public override Task OnActivateAsync(CancellationToken cancellationToken)
    {
        subject = ListedSubject.FromKey(this.GetPrimaryKeyString());
        writer = new StateWriter(GrainContext, state, logger);
        return Task.CompletedTask;
    }

    async Task<DelistingRequestView> IDelistingRequests.Open(ProofMethod method, string explanation, string requester, string linkBase)
    {
        writer.EnsureTrusted();
        var now = clock.GetUtcNow();
        var book = Book;
        book.ExpireDue(now);
        var request = book.Open(subject, method, explanation, requester, now, out var token);
        await PersistStepAsync();
        if (token is not null)
        {
            await MailAsync(book, request, ConfirmationMail.Link(linkBase, request, token));
        }

        await HandOnAsync();
        return View(request);
    }

    async Task<DelistingRequestView> IDelistingRequests.ConfirmByEmail(string requestId, string token, string requester)
    {
        var (book, request) = await OpenRequestAsync(requestId);
        if (request.Method != ProofMethod.Email)
        {
            throw new InvalidFieldException("request_id", "was opened for the DNS proof: check the TXT record instead");
        }

        if (request.Status == DelistingStatus.AwaitingProof)
        {
            if (!DelistingBook.TokenMatches(request, token))
            {
                book.ProofRefused(request, requester, "a confirmation token that does not match the request");
                await PersistStepAsync();
                await HandOnAsync();
                throw new InvalidFieldException("token", "does not match this request");
            }

            book.Prove(request, new DelistingProof(ProofMethod.Email, clock.GetUtcNow(), $"the confirmation link mailed to {subject.Value} was opened and confirmed"), requester);
            await PersistStepAsync();
        }

        return await DecideAsync(book, request);
    }

    async Task<DelistingRequestView> IDelistingRequests.ProveByDns(string requestId, IReadOnlyList<string> txtRecords, string requester)
    {
        var (book, request) = await OpenRequestAsync(requestId);
        if (request.Method != ProofMethod.Dns)
        {
            throw new InvalidFieldException("request_id", "was opened for the email proof: open the mailed link instead");
        }

        if (request.Status == DelistingStatus.AwaitingProof)
        {
            var name = DelistingBook.DnsRecordName(subject);
            if (!txtRecords.Any(r => r.Trim() == request.DnsToken))
            {
                book.ProofRefused(request, requester, $"no TXT record at {name} holds the request's token ({txtRecords.Count} other record(s))");
                await PersistStepAsync();
                await HandOnAsync();
                throw new InvalidFieldException("request_id", $"no TXT record at {name} holds this request's token yet; publish it and check again");
            }

            book.Prove(request, new DelistingProof(ProofMethod.Dns, clock.GetUtcNow(), $"TXT record {name} holds the request's token \"{request.DnsToken}\""), requester);
            await PersistStepAsync();
        }

        return await DecideAsync(book, request);
    }

    async Task<DelistingRequestView> IDelistingRequests.Review(string requestId, bool approve, string operatorName, string reason)
    {
        var (book, request) = await OpenRequestAsync(requestId);
        if (request.Status != DelistingStatus.PendingReview)
        {
            throw new InvalidFieldException("request_id", $"is not waiting for review (it is {request.Status})");
        }

        var removed = approve && await RemoveAsync(request, $"delisting request {request.Id} approved by operator {operatorName}: {reason}");
        book.Reviewed(request, approve, removed, operatorName, reason, clock.GetUtcNow());
        await PersistStepAsync();
        await HandOnAsync();
        return View(request);
    }

    async Task<DelistingRequestView> IDelistingRequests.Get(string requestId)
    {
        var (_, request) = await OpenRequestAsync(requestId);
        return View(request);
    }

    async Task IRemindable.ReceiveReminder(string reminderName, TickStatus status)
    {
        if (reminderName == HandOnReminder)
        {
            await HandOnAsync();
        }
    }

    /// <summary>The request, after expiring what is due (persisted when anything expired).</summary>
    private async Task<(DelistingBook Book, DelistingRequest Request)> OpenRequestAsync(string requestId)
    {
        writer.EnsureTrusted();
        var book = Book;
        var request = book.Find(requestId);
        if (book.ExpireDue(clock.GetUtcNow()))
        {
            await PersistStepAsync();
            await HandOnAsync();
        }

        return (book, request);
    }

    /// <summary>A proven request: removed at once while self-service is left, else queued for operators.</summary>
    private async Task<DelistingRequestView> DecideAsync(DelistingBook book, DelistingRequest request)
    {
        if (request.Status == DelistingStatus.Proven)
        {
            var now = clock.GetUtcNow();
            if (book.SelfServiceAvailable(now))
            {
                var removed = await RemoveAsync(request, $"delisted on request {request.Id} (control proven by {DelistingBook.Name(request.Method)})");
                book.SelfServiceRemoved(request, removed, now);
            }
            else
            {
                book.QueueForReview(request, now);
            }

            await PersistStepAsync();
        }

        await HandOnAsync();
        return View(request);
    }

    private async Task<bool> RemoveAsync(DelistingRequest request, string reason) => subject.Kind switch
    {
        SubjectKind.Address => await GrainFactory.GetGrain<ISender>(subject.Value).Delist(reason),
        _ => await GrainFactory.GetGrain<IFilterList>(0).Append(FilterChangeOp.Remove, subject.Entry, reason, request.Id) is not null,
    };

    private async Task MailAsync(DelistingBook book, DelistingRequest request, string link)
    {
        var relay = options.CurrentValue.Mail!;
        using var timeout = new CancellationTokenSource(MailTimeout);
        DeliveryResult result;
        try
        {
            result = await mail.SendAsync(relay, ConfirmationMail.Build(relay, request, link), timeout.Token);
        }
        catch (OperationCanceledException)
        {
            result = DeliveryResult.Retry($"the relay did not answer within {MailTimeout}");
        }

        if (result.Delivered)
        {
            book.MailSent(request);
        }
        else
        {
            LogMailFailed(request.Id, result.Error);
            book.MailFailed(request, result.Error ?? "", clock.GetUtcNow());
        }

        await PersistStepAsync();
    }

    /// <summary>
    /// Hands the persisted audit events to the trail and keeps the review queue in step. The step that queued them
    /// registered a reminder first (<see cref="PersistStepAsync"/>), so they are handed on even if this silo dies now;
    /// the reminder stops once nothing is left. Handing on twice is harmless (the queue is keyed by request id; the
    /// trail would hold an entry twice, never lose one).
    /// </summary>
    private async Task HandOnAsync()
    {
        var book = Book;
        try
        {
            var reviews = GrainFactory.GetGrain<IDelistingReviews>(0);
            var changed = false;
            foreach (var request in book.Requests)
            {
                if (request.Status == DelistingStatus.PendingReview && !request.Queued)
                {
                    await reviews.Add(View(request));
                    request.Queued = changed = true;
                }
                else if (request.Status != DelistingStatus.PendingReview && request.Queued)
                {
                    await reviews.Remove(request.Id);
                    request.Queued = false;
                    changed = true;
                }
            }

            var trail = GrainFactory.GetGrain<IAuditTrail>(0);
            while (book.PendingAudit.Count > 0)
            {
                await trail.Append(book.PendingAudit[0]);
                book.Audited(1);
                changed = true;
            }

            if (changed)
            {
                await PersistAsync();
            }

            await this.StopReminderAsync(HandOnReminder);
        }
        catch (Exception error)
        {
            // The step itself is persisted: the caller is answered, the reminder hands the rest on.
            LogHandOnFailed(error);
        }
    }

    /// <summary>Persists a step whose audit events (or queue change) are still to be handed on, with a reminder that finishes that.</summary>
    private async Task PersistStepAsync()
    {
        await this.RegisterOrUpdateReminder(HandOnReminder, TimeSpan.FromMinutes(1), TimeSpan.FromMinutes(1));
        await PersistAsync();
    }

    private DelistingRequestView View(DelistingRequest request) => request.View(DelistingBook.DnsRecordName(subject));

    private Task PersistAsync() => writer.WriteAsync();

    [LoggerMessage(Level = LogLevel.Warning, Message = "The confirmation mail of delisting request {RequestId} could not be sent: {Error}")]
    private partial void LogMailFailed(string requestId, string? error);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Delisting steps could not be handed to the audit trail or the review queue yet; a reminder retries")]
    private partial void LogHandOnFailed(Exception error);
}
