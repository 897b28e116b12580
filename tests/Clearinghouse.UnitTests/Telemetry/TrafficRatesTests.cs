using Clearinghouse.Domain;

namespace Clearinghouse.UnitTests.Telemetry;

/// <summary>What the overview shows: rates per action, per minute and per silo from the silos' cumulative counts.</summary>
public class TrafficRatesTests
{
    private static readonly DateTimeOffset Start = new(2026, 5, 1, 12, 0, 0, TimeSpan.Zero);

    /// <summary>A silo's counts <paramref name="second"/> seconds after start: verdicts by action (accept, reject, discard, bounce, defer).</summary>
    private static SiloTraffic Report(string silo, int second, long[] verdicts, long violations = 0, long escalations = 0, double cpuSeconds = 0) =>
        new(silo, $"silo {silo}", Start.AddSeconds(second), verdicts, violations, escalations, cpuSeconds, 1_000_000);

    [Fact]
    public void Rates_are_the_change_per_action_over_the_window_and_violations_and_escalations_per_minute()
    {
        var rates = new TrafficRates();
        for (var second = 0; second <= 4; second++)
        {
            rates.Record(Report("a", second, [10L * second, 5L * second, 0, 0, second], violations: 2L * second, escalations: second / 2, cpuSeconds: 0.5 * second));
        }

        var traffic = rates.Read(Start.AddSeconds(4));

        Assert.Equal([10, 5, 0, 0, 1], traffic.VerdictsPerSecond);
        Assert.Equal(120, traffic.ViolationsPerMinute);
        Assert.Equal(30, traffic.EscalationsPerMinute);
        var silo = Assert.Single(traffic.Silos);
        Assert.Equal(("a", "silo a", true, 50.0, 1_000_000L), (silo.Silo, silo.Name, silo.Reporting, silo.CpuPercent, silo.MemoryBytes));
    }

    [Fact]
    public void The_window_rolls_so_a_rate_falls_once_the_traffic_stops()
    {
        var rates = new TrafficRates();
        for (var second = 0; second <= 5; second++)
        {
            rates.Record(Report("a", second, [10L * second, 0, 0, 0, 0]));
        }

        Assert.Equal(10, rates.Read(Start.AddSeconds(5)).VerdictsPerSecond[0]);

        // Nothing more for four seconds: the window (5 s) holds one second of traffic over five.
        for (var second = 6; second <= 9; second++)
        {
            rates.Record(Report("a", second, [50, 0, 0, 0, 0]));
        }

        Assert.Equal(2, rates.Read(Start.AddSeconds(9)).VerdictsPerSecond[0]);
        rates.Record(Report("a", 10, [50, 0, 0, 0, 0]));
        Assert.Equal(0, rates.Read(Start.AddSeconds(10)).VerdictsPerSecond[0]);
    }

    [Fact]
    public void The_cluster_is_the_sum_of_the_silos_reporting_and_a_silent_silo_shows_but_is_not_counted_then_goes()
    {
        var rates = new TrafficRates();
        for (var second = 0; second <= 2; second++)
        {
            rates.Record(Report("a", second, [10L * second, 0, 0, 0, 0], violations: second));
            rates.Record(Report("b", second, [5L * second, 0, 0, 0, 0], violations: second));
        }

        var both = rates.Read(Start.AddSeconds(2));
        Assert.Equal(15, both.VerdictsPerSecond[0]);
        Assert.Equal(120, both.ViolationsPerMinute);
        Assert.Equal(["a", "b"], both.Silos.Select(s => s.Silo));

        // b stops reporting: after the stale limit it is shown as not reporting, and left out of the sums.
        for (var second = 3; second <= 9; second++)
        {
            rates.Record(Report("a", second, [10L * second, 0, 0, 0, 0], violations: second));
        }

        var oneSilent = rates.Read(Start.AddSeconds(9));
        Assert.Equal(10, oneSilent.VerdictsPerSecond[0]);
        Assert.Equal(60, oneSilent.ViolationsPerMinute);
        Assert.Equal([("a", true), ("b", false)], oneSilent.Silos.Select(s => (s.Silo, s.Reporting)));

        // After the forget limit it is gone.
        var later = Start.AddSeconds(2) + TrafficRates.Forget + TimeSpan.FromSeconds(1);
        rates.Record(Report("a", (int)(later - Start).TotalSeconds, [10_000, 0, 0, 0, 0]));
        Assert.Equal(["a"], rates.Read(later).Silos.Select(s => s.Silo));
    }

    [Fact]
    public void A_restarted_silo_starts_its_history_again_instead_of_a_negative_rate()
    {
        var rates = new TrafficRates();
        rates.Record(Report("a", 0, [100, 0, 0, 0, 0], violations: 50, cpuSeconds: 30));
        rates.Record(Report("a", 1, [110, 0, 0, 0, 0], violations: 51, cpuSeconds: 30.5));

        // The process restarted: its counts start from zero.
        rates.Record(Report("a", 2, [3, 0, 0, 0, 0], violations: 0, cpuSeconds: 0.1));
        var justRestarted = rates.Read(Start.AddSeconds(2));
        Assert.Equal(0, justRestarted.VerdictsPerSecond[0]);
        Assert.Equal(0, justRestarted.ViolationsPerMinute);

        rates.Record(Report("a", 3, [8, 0, 0, 0, 0], violations: 1, cpuSeconds: 0.35));
        var after = rates.Read(Start.AddSeconds(3));
        Assert.Equal(5, after.VerdictsPerSecond[0]);
        Assert.Equal(60, after.ViolationsPerMinute);
        Assert.Equal(25, after.Silos.Single().CpuPercent, precision: 6);
    }

    [Fact]
    public void A_report_older_than_the_last_one_starts_the_history_again()
    {
        var rates = new TrafficRates();
        rates.Record(Report("a", 10, [100, 0, 0, 0, 0]));
        rates.Record(Report("a", 11, [200, 0, 0, 0, 0]));
        rates.Record(Report("a", 5, [300, 0, 0, 0, 0]));

        var traffic = rates.Read(Start.AddSeconds(6));
        Assert.Equal(0, traffic.VerdictsPerSecond[0]);
        Assert.Equal(Start.AddSeconds(5), traffic.Silos.Single().LastReportAt);
    }
}
