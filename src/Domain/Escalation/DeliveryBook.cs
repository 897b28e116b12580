namespace Clearinghouse.Domain;

/// <summary>
/// The outbox's bookkeeping over an <see cref="OutboxState"/>: which deliveries a case needs, which are due, and how
/// failures are retried (exponential back-off, dead letter after the last attempt or a permanent refusal).
/// </summary>
public sealed class DeliveryBook(OutboxState state, EscalationOptions options)
{
    /// <summary>Finished deliveries kept for operators; older ones (and cases with none left) are dropped.</summary>
    public const int KeptFinished = 1000;

    /// <summary>The destination name of a forged domain's failure report: its owner, found when the report is sent.</summary>
    public const string DomainOwner = "domain-owner";

    /// <summary>The transport of failure reports: an RFC 6591 report by e-mail.</summary>
    public const string AuthFailureTransport = "auth-failure-email";

    public int Pending => state.Deliveries.Count(d => d.Status == DeliveryStatus.Pending);

    /// <summary>Adds one delivery per destination that applies to the case; returns how many were added (0 when the case was queued before).</summary>
    public int Enqueue(EscalationCase escalation, DateTimeOffset now)
    {
        var added = 0;
        foreach (var (name, destination) in options.Destinations.OrderBy(d => d.Key, StringComparer.Ordinal))
        {
            if (destination.Kind == DestinationKind.ReportingProvider && !escalation.ReportingProviders.Contains(destination.Provider ?? ""))
            {
                continue;
            }

            var id = $"{escalation.CaseId}/{name}";
            if (state.Deliveries.Any(d => d.DeliveryId == id))
            {
                continue;
            }

            state.Deliveries.Add(new OutboxDelivery
            {
                DeliveryId = id,
                CaseId = escalation.CaseId,
                Destination = name,
                Transport = destination.Transport,
                CreatedAt = now,
                NextAttemptAt = now,
            });
            added++;
        }

        if (added > 0)
        {
            state.Cases[escalation.CaseId] = escalation;
        }

        return added;
    }

    /// <summary>Adds the one delivery of a forged domain's failure report; false when it was queued before.</summary>
    public bool EnqueueForgeryReport(ForgeryReport report, DateTimeOffset now)
    {
        var id = $"{report.ReportId}/{DomainOwner}";
        if (state.Deliveries.Any(d => d.DeliveryId == id))
        {
            return false;
        }

        state.ForgeryReports[report.ReportId] = report;
        state.Deliveries.Add(new OutboxDelivery
        {
            DeliveryId = id,
            CaseId = report.ReportId,
            Destination = DomainOwner,
            Transport = AuthFailureTransport,
            CreatedAt = now,
            NextAttemptAt = now,
        });
        return true;
    }

    /// <summary>The failure report a delivery sends, or null when it delivers an escalation case.</summary>
    public ForgeryReport? ForgeryReportOf(OutboxDelivery delivery) => state.ForgeryReports.GetValueOrDefault(delivery.CaseId);

    public IReadOnlyList<OutboxDelivery> Due(DateTimeOffset now) =>
        state.Deliveries.Where(d => d.Status == DeliveryStatus.Pending && d.NextAttemptAt <= now).ToList();

    public DateTimeOffset? NextDue() =>
        state.Deliveries.Where(d => d.Status == DeliveryStatus.Pending).Select(d => (DateTimeOffset?)d.NextAttemptAt).Min();

    public EscalationCase? CaseOf(OutboxDelivery delivery) => state.Cases.GetValueOrDefault(delivery.CaseId);

    public void Record(OutboxDelivery delivery, DeliveryResult result, DateTimeOffset now)
    {
        delivery.Attempts++;
        delivery.LastAttemptAt = now;
        if (result.Delivered)
        {
            delivery.Status = DeliveryStatus.Delivered;
            delivery.DeliveredAt = now;
            delivery.LastError = null;
        }
        else
        {
            delivery.LastError = result.Error;
            if (result.Permanent || delivery.Attempts >= options.MaxAttempts)
            {
                delivery.Status = DeliveryStatus.DeadLetter;
            }
            else
            {
                delivery.NextAttemptAt = now + RetryDelay(delivery.Attempts);
            }
        }

        Trim();
    }

    /// <summary>The wait after <paramref name="failedAttempts"/> failures: doubling from the first delay, capped.</summary>
    public TimeSpan RetryDelay(int failedAttempts)
    {
        var factor = Math.Pow(2, Math.Clamp(failedAttempts - 1, 0, 30));
        var delay = options.FirstRetryDelay * factor;
        return delay > options.MaxRetryDelay ? options.MaxRetryDelay : delay;
    }

    /// <summary>How many deliveries are pending, delivered and dead-lettered.</summary>
    public OutboxCounts Counts()
    {
        int pending = 0, delivered = 0, dead = 0;
        foreach (var delivery in state.Deliveries)
        {
            switch (delivery.Status)
            {
                case DeliveryStatus.Pending:
                    pending++;
                    break;
                case DeliveryStatus.Delivered:
                    delivered++;
                    break;
                default:
                    dead++;
                    break;
            }
        }

        return new OutboxCounts(pending, delivered, dead);
    }

    /// <summary>
    /// Makes a dead-lettered delivery pending again, due now, with a fresh round of attempts; null when no delivery
    /// has this id. Refuses (naming <c>delivery_id</c>) one that is not dead-lettered or whose case is no longer kept.
    /// </summary>
    public OutboxDelivery? Resend(string deliveryId, DateTimeOffset now)
    {
        var delivery = state.Deliveries.FirstOrDefault(d => d.DeliveryId == deliveryId);
        if (delivery is null)
        {
            return null;
        }

        if (delivery.Status != DeliveryStatus.DeadLetter)
        {
            throw new InvalidFieldException("delivery_id", $"the delivery is {(delivery.Status == DeliveryStatus.Pending ? "still pending" : "delivered")}: only a dead letter is sent again");
        }

        if (!state.Cases.ContainsKey(delivery.CaseId) && !state.ForgeryReports.ContainsKey(delivery.CaseId))
        {
            throw new InvalidFieldException("delivery_id", "its case is no longer kept in the outbox");
        }

        delivery.Status = DeliveryStatus.Pending;
        delivery.Attempts = 0;
        delivery.NextAttemptAt = now;
        delivery.Resends++;
        return delivery;
    }

    /// <summary>Cases, newest first, with their deliveries; only those with a delivery in <paramref name="status"/> when given.</summary>
    public IReadOnlyList<CaseView> Cases(DeliveryStatus? status, int max) =>
        state.Deliveries
            .GroupBy(d => d.CaseId, StringComparer.Ordinal)
            .Where(g => state.Cases.ContainsKey(g.Key) && (status is null || g.Any(d => d.Status == status)))
            .Select(g => (Case: state.Cases[g.Key], Deliveries: g.OrderBy(d => d.Destination, StringComparer.Ordinal).Select(d => d.View()).ToList()))
            .OrderByDescending(c => c.Case.OpenedAt)
            .ThenBy(c => c.Case.CaseId, StringComparer.Ordinal)
            .Take(max)
            .Select(c => new CaseView(c.Case.CaseId, c.Case.Sender, c.Case.OpenedAt, c.Case.Reason, c.Case.Standing, c.Case.ReportingProviders, c.Case.Evidence.Count, c.Deliveries))
            .ToList();

    public IReadOnlyList<DeliveryView> List(DeliveryStatus? status, int max) =>
        state.Deliveries
            .Where(d => status is null || d.Status == status)
            .OrderByDescending(d => d.CreatedAt)
            .ThenBy(d => d.DeliveryId, StringComparer.Ordinal)
            .Take(max)
            .Select(d => d.View())
            .ToList();

    private void Trim()
    {
        var finished = state.Deliveries.Where(d => d.Status != DeliveryStatus.Pending).ToList();
        if (finished.Count <= KeptFinished)
        {
            return;
        }

        foreach (var old in finished.OrderBy(d => d.LastAttemptAt).Take(finished.Count - KeptFinished))
        {
            state.Deliveries.Remove(old);
        }

        var live = state.Deliveries.Select(d => d.CaseId).ToHashSet(StringComparer.Ordinal);
        foreach (var caseId in state.Cases.Keys.Where(c => !live.Contains(c)).ToList())
        {
            state.Cases.Remove(caseId);
        }

        foreach (var reportId in state.ForgeryReports.Keys.Where(r => !live.Contains(r)).ToList())
        {
            state.ForgeryReports.Remove(reportId);
        }
    }
}
