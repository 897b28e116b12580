using System.Buffers.Binary;
using System.Security.Cryptography;
using System.Text;

namespace Clearinghouse.Domain;

/// <summary>
/// A forged domain's aggregate over a <see cref="ForgedDomainState"/>: counts each forged report once, collects them
/// into periods of <see cref="ForgeryOptions.ReportPeriod"/> (one opens with the first forgery after the last report),
/// and closes a period that has ended into the one <see cref="ForgeryReport"/> its owner receives. So a forger sending
/// any number of messages makes the clearing house send the owner at most one report per period.
/// </summary>
public sealed class ForgedDomainBook(string domain, ForgedDomainState state, ForgeryOptions options)
{
    /// <summary>Counts <paramref name="forged"/> unless its key was counted before; true when it counted.</summary>
    public bool Record(ForgedViolation forged, DateTimeOffset now)
    {
        var key = KeyOf(forged.ReportKey);
        if (state.PreviousKeys.Contains(key) || state.Open?.Keys.Contains(key) == true)
        {
            return false;
        }

        var period = state.Open ??= new ForgeryPeriod { Start = now };
        if (period.Keys.Count < options.MaxRememberedKeys)
        {
            period.Keys.Add(key);
        }

        var dmarc = AuthenticationRule.AuthFailure(forged.Results) == "dmarc";
        period.Count++;
        state.ForgedReports++;
        if (dmarc)
        {
            period.DmarcFailures++;
            state.DmarcFailures++;
        }
        else
        {
            period.SpfFailures++;
            state.SpfFailures++;
        }

        state.FirstForgedAt ??= now;
        state.LastForgedAt = now;
        period.Samples.Add(forged);
        if (period.Samples.Count > Math.Max(1, options.MaxSamples))
        {
            period.Samples.RemoveAt(0);
        }

        return true;
    }

    /// <summary>When the open period ends (its report is due), or null.</summary>
    public DateTimeOffset? DueAt => state.Open is { } open ? open.Start + options.ReportPeriod : null;

    /// <summary>The closed period's report waiting to be queued, if any.</summary>
    public ForgeryReport? Closing => state.Closing;

    /// <summary>
    /// Closes the open period once it has ended: its report becomes <see cref="Closing"/> (to be queued) and the next
    /// forgery opens a new period. Null when no period is open or it has not ended, or a closed one is still waiting.
    /// </summary>
    public ForgeryReport? CloseIfDue(DateTimeOffset now)
    {
        if (state.Closing is not null || state.Open is not { } open || now < open.Start + options.ReportPeriod)
        {
            return null;
        }

        var report = new ForgeryReport(
            $"forgery/{domain}/{open.Start.ToUnixTimeMilliseconds()}", domain, open.Start, now, open.Count, open.SpfFailures, open.DmarcFailures, [.. open.Samples]);
        state.Closing = report;
        state.PreviousKeys = open.Keys;
        state.Open = null;
        return report;
    }

    /// <summary>Records that the closed period's report is in the outbox.</summary>
    public void Queued(DateTimeOffset now)
    {
        if (state.Closing is null)
        {
            return;
        }

        state.Closing = null;
        state.FailureReportsQueued++;
        state.LastFailureReportAt = now;
    }

    public ForgeryStatus Status() => new(
        domain, state.ForgedReports, state.SpfFailures, state.DmarcFailures, state.FirstForgedAt, state.LastForgedAt,
        state.Open?.Count ?? 0, DueAt, state.FailureReportsQueued, state.LastFailureReportAt);

    private static long KeyOf(string reportKey)
    {
        Span<byte> hash = stackalloc byte[SHA256.HashSizeInBytes];
        SHA256.HashData(Encoding.UTF8.GetBytes(reportKey), hash);
        return BinaryPrimitives.ReadInt64LittleEndian(hash);
    }
}
