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

    private static ViolationLedger Ledger(int maxEvidence = 20) => new(new ViolationLedgerData(), TimeSpan.FromDays(30), TimeSpan.FromDays(10), maxEvidence);

    [Fact]
    public void A_report_key_is_counted_once()
    {
        var ledger = Ledger();
        Assert.True(ledger.TryAdd(Report("k1", "a@x.example", "acme", Now), Now));
        Assert.False(ledger.TryAdd(Report("k1", "a@x.example", "acme", Now), Now));
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
    public void A_report_of_a_violation_older_than_the_window_is_kept_as_seen_but_not_counted()
    {
        var ledger = Ledger();
        Assert.True(ledger.TryAdd(Report("ancient", "a@x.example", "acme", Now.AddDays(-40)), Now));
        Assert.Equal(SenderStanding.Empty with { LastReportAt = null }, ledger.Standing(Now));
        Assert.False(ledger.TryAdd(Report("ancient", "a@x.example", "acme", Now.AddDays(-40)), Now));
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
        Assert.False(ledger.TryAdd(Report("k1", "a@x.example", "acme", Now), Now));
    }
}
