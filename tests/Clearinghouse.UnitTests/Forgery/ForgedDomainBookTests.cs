using Clearinghouse.Domain;

namespace Clearinghouse.UnitTests.Forgery;

/// <summary>A forged domain's aggregate: each report once, one report per period, whatever the forger sends.</summary>
public class ForgedDomainBookTests
{
    private static readonly DateTimeOffset Now = new(2026, 5, 1, 12, 0, 0, TimeSpan.Zero);
    private static readonly ForgeryOptions Options = new() { ReportPeriod = TimeSpan.FromHours(1), MaxSamples = 3 };

    private static ForgedViolation Forged(int i, DmarcResult dmarc = DmarcResult.None) => new(
        $"v:{i}", Address.Parse($"ceo{i % 3}@bank.example", "sender"), new AuthenticationResults(SpfResult.Fail, DkimResult.None, "", dmarc),
        new MessageEvidence($"m{i}@forger.example", Now, ""), Now.AddSeconds(i));

    [Fact]
    public void A_period_collects_every_forgery_once_and_closes_into_one_report()
    {
        var state = new ForgedDomainState();
        var book = new ForgedDomainBook("bank.example", state, Options);
        for (var i = 0; i < 1000; i++)
        {
            Assert.True(book.Record(Forged(i, i % 4 == 0 ? DmarcResult.Fail : DmarcResult.None), Now.AddSeconds(i)));
            Assert.False(book.Record(Forged(i), Now.AddSeconds(i)));
        }

        Assert.Equal(Now.AddHours(1), book.DueAt);
        Assert.Null(book.CloseIfDue(Now.AddMinutes(59)));

        var report = book.CloseIfDue(Now.AddHours(1))!;
        Assert.Equal((1000L, 750L, 250L), (report.Count, report.SpfFailures, report.DmarcFailures));
        Assert.Equal("spf", report.AuthFailure);
        Assert.Equal(["v:997", "v:998", "v:999"], report.Samples.Select(s => s.ReportKey));
        Assert.Equal(report, book.Closing);
        Assert.Null(book.DueAt);

        // Not closed twice while it waits to be queued; a repeat of a report of the closed period still counts once.
        Assert.Null(book.CloseIfDue(Now.AddHours(2)));
        Assert.False(book.Record(Forged(5), Now.AddHours(1)));
        book.Queued(Now.AddHours(1));
        Assert.Null(book.Closing);

        var status = book.Status();
        Assert.Equal((1000L, 1L, 0L), (status.ForgedReports, status.FailureReportsQueued, status.OpenPeriodReports));
    }

    [Fact]
    public void The_next_forgery_opens_the_next_period_so_reports_are_at_least_a_period_apart()
    {
        var book = new ForgedDomainBook("bank.example", new ForgedDomainState(), Options);
        book.Record(Forged(1), Now);
        var first = book.CloseIfDue(Now.AddHours(1))!;
        book.Queued(Now.AddHours(1));

        book.Record(Forged(2), Now.AddHours(5));
        Assert.Null(book.CloseIfDue(Now.AddHours(5.5)));
        var second = book.CloseIfDue(Now.AddHours(6))!;
        Assert.NotEqual(first.ReportId, second.ReportId);
        Assert.Equal((1L, Now.AddHours(5)), (second.Count, second.PeriodStart));
    }
}
