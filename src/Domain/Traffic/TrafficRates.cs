namespace Clearinghouse.Domain;

/// <summary>
/// Turns the silos' cumulative counts (<see cref="SiloTraffic"/>) into rates: per silo, the change between its oldest
/// and newest report within <see cref="Window"/>; for the cluster, the sum over the silos that reported within
/// <see cref="Stale"/>. A silo whose counts went down restarted: its history starts again. Silos not heard from for
/// <see cref="Forget"/> are dropped. Not thread-safe.
/// </summary>
public sealed class TrafficRates
{
    public static readonly TimeSpan Window = TimeSpan.FromSeconds(5);
    public static readonly TimeSpan Stale = TimeSpan.FromSeconds(5);
    public static readonly TimeSpan Forget = TimeSpan.FromMinutes(5);

    private readonly Dictionary<string, List<SiloTraffic>> bySilo = new(StringComparer.Ordinal);

    public void Record(SiloTraffic report)
    {
        if (!bySilo.TryGetValue(report.Silo, out var history))
        {
            bySilo[report.Silo] = history = [];
        }

        if (history.Count > 0 && (Restarted(history[^1], report) || report.At < history[^1].At))
        {
            history.Clear();
        }

        history.Add(report);
        var oldest = report.At - Window;
        var keep = history.FindLastIndex(r => r.At <= oldest);
        if (keep > 0)
        {
            history.RemoveRange(0, keep);
        }
    }

    public ClusterTraffic Read(DateTimeOffset now)
    {
        foreach (var gone in bySilo.Where(s => now - s.Value[^1].At > Forget).Select(s => s.Key).ToList())
        {
            bySilo.Remove(gone);
        }

        var silos = bySilo.Values.Select(history => RatesOf(history, now)).OrderBy(s => s.Silo, StringComparer.Ordinal).ToList();
        var reporting = silos.Where(s => s.Reporting).ToList();
        var verdicts = new double[ClusterTraffic.Actions];
        foreach (var silo in reporting)
        {
            for (var i = 0; i < verdicts.Length && i < silo.VerdictsPerSecond.Count; i++)
            {
                verdicts[i] += silo.VerdictsPerSecond[i];
            }
        }

        return new ClusterTraffic(now, verdicts, reporting.Sum(s => s.ViolationsPerMinute), reporting.Sum(s => s.EscalationsPerMinute), silos);
    }

    private static SiloRates RatesOf(List<SiloTraffic> history, DateTimeOffset now)
    {
        var first = history[0];
        var last = history[^1];
        var seconds = (last.At - first.At).TotalSeconds;
        var verdicts = new double[ClusterTraffic.Actions];
        double violations = 0, escalations = 0, cpu = 0;
        if (seconds > 0)
        {
            for (var i = 0; i < verdicts.Length && i < last.VerdictsByAction.Count && i < first.VerdictsByAction.Count; i++)
            {
                verdicts[i] = (last.VerdictsByAction[i] - first.VerdictsByAction[i]) / seconds;
            }

            violations = (last.Violations - first.Violations) / seconds * 60;
            escalations = (last.Escalations - first.Escalations) / seconds * 60;
            cpu = (last.CpuSeconds - first.CpuSeconds) / seconds * 100;
        }

        return new SiloRates(last.Silo, last.Name, last.At, now - last.At <= Stale, verdicts, violations, escalations, cpu, last.MemoryBytes);
    }

    private static bool Restarted(SiloTraffic previous, SiloTraffic next) =>
        next.Violations < previous.Violations
        || next.Escalations < previous.Escalations
        || next.CpuSeconds < previous.CpuSeconds
        || next.VerdictsByAction.Zip(previous.VerdictsByAction).Any(pair => pair.First < pair.Second);
}
