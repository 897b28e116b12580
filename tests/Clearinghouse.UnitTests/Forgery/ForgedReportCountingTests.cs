using Clearinghouse.Domain;
using Clearinghouse.UnitTests.Violations;

namespace Clearinghouse.UnitTests.Forgery;

/// <summary>A forged report counts toward nothing but the forged count; a verified or unverified one counts as before.</summary>
public class ForgedReportCountingTests
{
    private static readonly DateTimeOffset Now = new(2026, 5, 1, 12, 0, 0, TimeSpan.Zero);
    private static readonly Address Ceo = Address.Parse("spam@bulk.example", "sender");
    private static readonly AuthenticationResults SpfFail = new(SpfResult.Fail, DkimResult.None, "", DmarcResult.None);
    private static readonly AuthenticationResults SpfPass = new(SpfResult.Pass, DkimResult.None, "", DmarcResult.None);

    private static ViolationReport Report(int i, AuthenticationResults? results) =>
        ViolationLedgerTests.Report($"k{i}", $"r{i}@x.example", $"provider{i % 10}", Now).Authenticated(results);

    [Fact]
    public void A_thousand_forged_reports_from_ten_providers_never_open_a_case()
    {
        var sender = new ReportedSender(Ceo, new SenderSnapshot(), ViolationLedgerTests.Limits());
        for (var i = 0; i < 1000; i++)
        {
            var counted = sender.Report(Report(i, SpfFail), RankingView.Initial, Now)!;
            Assert.Null(counted.Transition);
        }

        var status = sender.Status(Now);
        Assert.Equal(EscalationState.None, status.State);
        Assert.Equal(SenderStanding.Empty, status.Standing);
        Assert.Empty(status.ReportingProviders);
        Assert.Equal(0, status.EvidenceSamples);
        Assert.Equal(new AuthenticationCounts(0, 0, 1000), status.Authentication);

        // Still remembered: the same report again is a duplicate.
        Assert.Null(sender.Report(Report(3, SpfFail), RankingView.Initial, Now));
    }

    [Fact]
    public void The_same_reports_with_spf_pass_or_without_results_open_a_case()
    {
        foreach (var results in new[] { SpfPass, null })
        {
            var sender = new ReportedSender(Ceo, new SenderSnapshot(), ViolationLedgerTests.Limits());
            var opened = Enumerable.Range(0, 1000).Select(i => sender.Report(Report(i, results), RankingView.Initial, Now)!.Transition).First(t => t is not null)!;
            Assert.Equal(EscalationStep.Opened, opened.Step);
            var counts = opened.Case!.Authentication;
            Assert.NotNull(counts);
            Assert.Equal(results is null ? new AuthenticationCounts(0, 6, 0) : new AuthenticationCounts(6, 0, 0), counts);
        }
    }

    [Fact]
    public void Forged_reports_mixed_in_change_nothing_the_real_ones_decide_and_replay_rebuilds_the_counts()
    {
        var sender = new ReportedSender(Ceo, new SenderSnapshot(), ViolationLedgerTests.Limits());
        var events = new List<SenderEvent>();
        for (var i = 0; i < 5; i++)
        {
            events.Add(sender.Report(Report(i, SpfPass), RankingView.Initial, Now)!);
            events.Add(sender.Report(Report(100 + i, SpfFail), RankingView.Initial, Now)!);
        }

        Assert.Equal(5, sender.Status(Now).Standing.DistinctRecipients);
        Assert.Equal(EscalationState.None, sender.State);

        var replayed = new ReportedSender(Ceo, new SenderSnapshot(), ViolationLedgerTests.Limits());
        replayed.Restore([], events, Now);
        Assert.Equal(new AuthenticationCounts(5, 0, 5), replayed.Status(Now).Authentication);
        Assert.Equal(5, replayed.Status(Now).Standing.DistinctRecipients);

        // Restored from the stored entries, a forged entry still counts toward no recipient.
        var ledger = new ViolationLedger(new LedgerSnapshot(), ViolationLedgerTests.Limits());
        ledger.TryAdd(Report(1, SpfFail), Now);
        var entries = ledger.TakeUnsaved();
        Assert.True(entries.Single().Forged);
        var restored = new ViolationLedger(new LedgerSnapshot(), ViolationLedgerTests.Limits());
        restored.Restore(entries, Now);
        Assert.True(restored.Contains("k1"));
        Assert.Equal(0, restored.Standing(Now).DistinctRecipients);
        Assert.Empty(restored.Providers(Now));
    }

    [Fact]
    public void A_reset_starts_the_authentication_counts_afresh()
    {
        var ledger = new ViolationLedger(new LedgerSnapshot(), ViolationLedgerTests.Limits());
        ledger.TryAdd(Report(1, SpfFail), Now);
        ledger.TryAdd(Report(2, SpfPass), Now);
        ledger.TryAdd(Report(3, null), Now);
        Assert.Equal(new AuthenticationCounts(1, 1, 1), ledger.AuthenticationCounts);
        ledger.Reset();
        Assert.Equal(AuthenticationCounts.None, ledger.AuthenticationCounts);
    }
}
