namespace Clearinghouse.Domain;

/// <summary>
/// Violation reports against one sender (or one domain) in a sliding window of hourly buckets. A report counts in the
/// hour of its violating message; its weight halves every half-life of its age. Recipients and providers are counted
/// distinct, by their latest report; the main score is the weighted number of distinct recipients.
/// </summary>
public sealed class ViolationLedger(ViolationLedgerData data, TimeSpan window, TimeSpan halfLife, int maxEvidence)
{
    private readonly long windowHours = Math.Max(1, (long)Math.Ceiling(window.TotalHours));
    private readonly double halfLifeHours = Math.Max(1, halfLife.TotalHours);

    public ViolationLedgerData Data => data;

    public IReadOnlyList<ViolationReport> Evidence => data.Evidence;

    public long TotalReports => data.TotalReports;

    public static long HourOf(DateTimeOffset at) => at.ToUnixTimeSeconds() / 3600;

    /// <summary>Counts <paramref name="report"/> unless its key was counted before; true when it is new.</summary>
    public bool TryAdd(ViolationReport report, DateTimeOffset now)
    {
        if (!data.SeenKeys.TryAdd(report.ReportKey, now))
        {
            return false;
        }

        data.TotalReports++;
        var nowHour = HourOf(now);
        var hour = Math.Min(nowHour, HourOf(report.SecondMessage.Date));
        if (nowHour - hour < windowHours)
        {
            data.HourlyReports[hour] = data.HourlyReports.GetValueOrDefault(hour) + 1;
            Touch(data.RecipientLastHour, report.RecipientHash, hour);
            Touch(data.ProviderLastHour, report.ProviderId, hour);
            Touch(data.SenderLastHour, report.Sender.Value, hour);
            AddEvidence(report);
        }

        Prune(nowHour, now);
        return true;
    }

    public SenderStanding Standing(DateTimeOffset now)
    {
        var nowHour = HourOf(now);
        var reports = 0;
        var weightedReports = 0.0;
        DateTimeOffset? last = null;
        foreach (var (hour, count) in data.HourlyReports)
        {
            if (InWindow(nowHour, hour))
            {
                reports += count;
                weightedReports += count * Weight(nowHour, hour);
            }
        }

        var recipients = 0;
        var weightedRecipients = 0.0;
        foreach (var hour in data.RecipientLastHour.Values)
        {
            if (InWindow(nowHour, hour))
            {
                recipients++;
                weightedRecipients += Weight(nowHour, hour);
                var at = DateTimeOffset.FromUnixTimeSeconds(hour * 3600);
                last = last is null || at > last ? at : last;
            }
        }

        var providers = data.ProviderLastHour.Values.Count(h => InWindow(nowHour, h));
        return new SenderStanding(reports, weightedReports, recipients, weightedRecipients, providers, last);
    }

    public IReadOnlyList<string> Providers(DateTimeOffset now)
    {
        var nowHour = HourOf(now);
        return data.ProviderLastHour.Where(p => InWindow(nowHour, p.Value)).Select(p => p.Key).Order(StringComparer.Ordinal).ToList();
    }

    public int DistinctSenders(DateTimeOffset now)
    {
        var nowHour = HourOf(now);
        return data.SenderLastHour.Values.Count(h => InWindow(nowHour, h));
    }

    /// <summary>Starts counting afresh (after a delisting), keeping the keys so old reports are not counted again.</summary>
    public void Reset()
    {
        data.HourlyReports.Clear();
        data.RecipientLastHour.Clear();
        data.ProviderLastHour.Clear();
        data.SenderLastHour.Clear();
        data.Evidence.Clear();
    }

    private double Weight(long nowHour, long hour) => Math.Pow(0.5, (nowHour - hour) / halfLifeHours);

    private bool InWindow(long nowHour, long hour) => nowHour - hour < windowHours;

    private static void Touch(Dictionary<string, long> lastHour, string key, long hour)
    {
        if (!lastHour.TryGetValue(key, out var known) || hour > known)
        {
            lastHour[key] = hour;
        }
    }

    private void AddEvidence(ViolationReport report)
    {
        var same = data.Evidence.FindIndex(e => e.RecipientHash == report.RecipientHash);
        if (same >= 0)
        {
            data.Evidence.RemoveAt(same);
        }
        else if (data.Evidence.Count >= maxEvidence && data.Evidence.Count > 0)
        {
            data.Evidence.RemoveAt(0);
        }

        data.Evidence.Add(report);
    }

    private void Prune(long nowHour, DateTimeOffset now)
    {
        foreach (var hour in data.HourlyReports.Keys.Where(h => !InWindow(nowHour, h)).ToList())
        {
            data.HourlyReports.Remove(hour);
        }

        RemoveOld(data.RecipientLastHour, nowHour);
        RemoveOld(data.ProviderLastHour, nowHour);
        RemoveOld(data.SenderLastHour, nowHour);

        // Keys are kept a window longer than counts, so a report redelivered late is still recognised.
        var keyHorizon = now - TimeSpan.FromHours(2 * windowHours);
        foreach (var key in data.SeenKeys.Where(k => k.Value < keyHorizon).Select(k => k.Key).ToList())
        {
            data.SeenKeys.Remove(key);
        }
    }

    private void RemoveOld(Dictionary<string, long> lastHour, long nowHour)
    {
        foreach (var key in lastHour.Where(p => !InWindow(nowHour, p.Value)).Select(p => p.Key).ToList())
        {
            lastHour.Remove(key);
        }
    }
}
