using Clearinghouse.Domain;

namespace Clearinghouse.UnitTests.Violations;

public class ViolationLedgerTests
{
    private static readonly DateTimeOffset Now = new(2026, 5, 1, 12, 0, 0, TimeSpan.Zero);
    private static readonly Address Sender = Address.Parse("spam@bulk.example", "sender");

    internal static ViolationReport Report(string key, string recipient, string provider, DateTimeOffset at) =>
        new(key, Sender, Sha256Hex.Of(recipient), provider,
            new MessageEvidence("first@bulk.example", at.AddDays(-5), ""), DoNotSendMethod.Reply, at.AddDays(-4),
            new MessageEvidence($"{key}@bulk.example", at, ""), at, ReportSource.Provider, MessageChannel.Email);

    internal static LedgerLimits Limits(int maxEvidence = 20, int maxEntries = 1_000_000) =>
        new(TimeSpan.FromDays(30), TimeSpan.FromDays(10), maxEvidence, TimeSpan.FromDays(60), maxEntries);

    private static ViolationLedger Ledger(int maxEvidence = 20, int maxEntries = 1_000_000) => new(new LedgerSnapshot(), Limits(maxEvidence, maxEntries));

    [Fact]
    public void A_report_key_is_counted_once()
    {
        var ledger = Ledger();
        Assert.NotNull(ledger.TryAdd(Report("k1", "a@x.example", "acme", Now), Now));
        Assert.Null(ledger.TryAdd(Report("k1", "a@x.example", "acme", Now), Now));
        Assert.Equal(1, ledger.Standing(Now).ReportsInWindow);
        Assert.Equal(1, ledger.TotalReports);
    }

    [Fact]
    public void Recipients_and_providers_are_counted_distinct()
    {
        var ledger = Ledger();
        ledger.TryAdd(Report("k1", "a@x.example", "acme", Now), Now);
        ledger.TryAdd(Report("k2", "a@x.example", "acme", Now), Now);
        ledger.TryAdd(Report("k3", "b@x.example", "acme", Now), Now);
        ledger.TryAdd(Report("k4", "c@y.example", "other", Now), Now);

        var standing = ledger.Standing(Now);
        Assert.Equal((4, 3, 2), (standing.ReportsInWindow, standing.DistinctRecipients, standing.DistinctProviders));
        Assert.Equal(3.0, standing.WeightedRecipients, 6);
        Assert.Equal(["acme", "other"], ledger.Providers(Now));
    }

    [Fact]
    public void Older_reports_weigh_less_and_leave_the_window_after_thirty_days()
    {
        var ledger = Ledger();
        ledger.TryAdd(Report("old", "a@x.example", "acme", Now.AddDays(-10)), Now);
        ledger.TryAdd(Report("new", "b@x.example", "other", Now), Now);

        var standing = ledger.Standing(Now);
        Assert.Equal(2, standing.DistinctRecipients);
        Assert.Equal(1.5, standing.WeightedRecipients, 6);

        var later = ledger.Standing(Now.AddDays(25));
        Assert.Equal(1, later.DistinctRecipients);
        Assert.Equal(Math.Pow(0.5, 2.5), later.WeightedRecipients, 6);
        Assert.Equal(0, ledger.Standing(Now.AddDays(31)).ReportsInWindow);
    }

    [Fact]
    public void A_recipient_counts_by_its_latest_report()
    {
        var ledger = Ledger();
        ledger.TryAdd(Report("old", "a@x.example", "acme", Now.AddDays(-10)), Now);
        ledger.TryAdd(Report("new", "a@x.example", "acme", Now), Now);
        ledger.TryAdd(Report("between", "a@x.example", "acme", Now.AddDays(-5)), Now);

        var standing = ledger.Standing(Now);
        Assert.Equal((1, 1.0), (standing.DistinctRecipients, standing.WeightedRecipients));
        Assert.Equal(Now.AddMinutes(-Now.Minute), standing.LastReportAt);
    }

    [Fact]
    public void A_report_of_a_violation_older_than_the_window_is_kept_as_seen_but_not_counted()
    {
        var ledger = Ledger();
        Assert.NotNull(ledger.TryAdd(Report("ancient", "a@x.example", "acme", Now.AddDays(-40)), Now));
        Assert.Equal(SenderStanding.Empty with { LastReportAt = null }, ledger.Standing(Now));
        Assert.Null(ledger.TryAdd(Report("ancient", "a@x.example", "acme", Now.AddDays(-40)), Now));
    }

    [Fact]
    public void The_evidence_sample_is_bounded_and_keeps_one_report_per_recipient()
    {
        var ledger = Ledger(maxEvidence: 3);
        for (var i = 0; i < 5; i++)
        {
            ledger.TryAdd(Report($"k{i}", $"r{i}@x.example", "acme", Now), Now);
        }

        ledger.TryAdd(Report("again", "r4@x.example", "acme", Now), Now);
        Assert.Equal(["k2", "k3", "again"], ledger.Evidence.Select(e => e.ReportKey));
    }

    [Fact]
    public void A_reset_starts_counting_afresh_but_remembers_the_keys()
    {
        var ledger = Ledger();
        ledger.TryAdd(Report("k1", "a@x.example", "acme", Now), Now);
        ledger.Reset();
        Assert.Equal(0, ledger.Standing(Now).DistinctRecipients);
        Assert.Null(ledger.TryAdd(Report("k1", "a@x.example", "acme", Now), Now));
    }

    [Fact]
    public void Keys_are_forgotten_after_the_retention_oldest_first()
    {
        var ledger = Ledger();
        ledger.TryAdd(Report("k1", "a@x.example", "acme", Now.AddDays(-1)), Now.AddDays(-1));
        ledger.TryAdd(Report("k2", "b@x.example", "acme", Now), Now);

        // 60 days after k1 arrived, a report arriving forgets it (and only it): k1 delivered again would count again.
        var later = Now.AddDays(59).AddHours(1);
        ledger.TryAdd(Report("k3", "c@x.example", "acme", later), later);
        Assert.Equal(2, ledger.EntryCount);
        Assert.False(ledger.Contains("k1"));
        Assert.True(ledger.Contains("k2"));
        Assert.Equal(1, ledger.ForgottenThrough);
    }

    [Fact]
    public void Beyond_the_maximum_the_oldest_reports_are_forgotten_and_stop_counting()
    {
        var ledger = Ledger(maxEntries: 3);
        for (var i = 0; i < 5; i++)
        {
            ledger.TryAdd(Report($"k{i}", $"r{i}@x.example", "acme", Now), Now);
        }

        Assert.Equal(3, ledger.EntryCount);
        Assert.False(ledger.Contains("k1"));
        Assert.Equal((5, 3), (ledger.Standing(Now).ReportsInWindow, ledger.Standing(Now).DistinctRecipients));
        Assert.Equal(5, ledger.TotalReports);
    }

    [Fact]
    public void A_ledger_restored_from_its_snapshot_and_entries_stands_as_the_live_one()
    {
        var live = Ledger();
        var entries = new List<LedgerEntry>();
        for (var i = 0; i < 40; i++)
        {
            var at = Now.AddHours(-i * 7);
            entries.Add(live.TryAdd(Report($"k{i}", $"r{i % 13}@x.example", i % 3 == 0 ? "acme" : "other", at), Now)!);
        }

        Assert.Equal(entries, live.TakeUnsaved());
        var restored = new ViolationLedger(live.Snapshot.Copy(), Limits());
        restored.Restore(entries, Now);

        Assert.Equal(live.Standing(Now), restored.Standing(Now));
        Assert.Equal(live.Providers(Now), restored.Providers(Now));
        Assert.Equal(live.Evidence, restored.Evidence);
        Assert.Null(restored.TryAdd(Report("k7", "r7@x.example", "acme", Now), Now));
        Assert.Empty(restored.TakeUnsaved());
    }

    [Fact]
    public void The_standing_kept_incrementally_matches_one_computed_from_every_report()
    {
        var random = new Random(8);
        var ledger = Ledger();
        var latest = new Dictionary<string, long>();
        for (var i = 0; i < 2000; i++)
        {
            var at = Now.AddHours(-random.Next(0, 24 * 40));
            var recipient = $"r{random.Next(300)}@x.example";
            ledger.TryAdd(Report($"k{i}", recipient, "acme", at), Now);
            var hour = ViolationLedger.HourOf(at);
            latest[recipient] = Math.Max(latest.GetValueOrDefault(recipient, long.MinValue), hour);
        }

        var nowHour = ViolationLedger.HourOf(Now);
        var inWindow = latest.Values.Where(h => nowHour - h < 30 * 24).ToList();
        var standing = ledger.Standing(Now);
        Assert.Equal(inWindow.Count, standing.DistinctRecipients);
        Assert.Equal(inWindow.Sum(h => Math.Pow(0.5, (nowHour - h) / 240.0)), standing.WeightedRecipients, 9);
    }
}
