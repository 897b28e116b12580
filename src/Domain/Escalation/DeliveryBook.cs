namespace Clearinghouse.Domain;

/// <summary>
/// The outbox's bookkeeping over an <see cref="OutboxState"/>: which deliveries a case needs, which are due, and how
/// failures are retried (exponential back-off, dead letter after the last attempt or a permanent refusal).
/// </summary>
public sealed class DeliveryBook(OutboxState state, EscalationOptions options)
{
    /// <summary>Finished deliveries kept for operators; older ones (and cases with none left) are dropped.</summary>
    public const int KeptFinished = 1000;

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
    }
}
