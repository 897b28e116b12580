using Clearinghouse.Domain;

namespace Clearinghouse.UnitTests.Records;

public class HitReportLedgerTests
{
    private static readonly DateTimeOffset Start = new(2026, 11, 27, 12, 0, 0, TimeSpan.Zero);

    [Fact]
    public void A_report_is_recorded_once_per_reporter_and_sequence()
    {
        var ledger = new HitReportLedger([], TimeSpan.FromMinutes(5), 16);

        Assert.True(ledger.TryRecord(new HitReportId("silo-a", 1), Start));
        Assert.False(ledger.TryRecord(new HitReportId("silo-a", 1), Start.AddSeconds(20)));
        Assert.True(ledger.TryRecord(new HitReportId("silo-a", 2), Start));
        Assert.True(ledger.TryRecord(new HitReportId("silo-b", 1), Start));
    }

    [Fact]
    public void Receipts_are_kept_for_the_retention_and_at_most_the_bound()
    {
        var receipts = new List<HitReportReceipt>();
        var ledger = new HitReportLedger(receipts, TimeSpan.FromMinutes(5), 3);
        for (var sequence = 1; sequence <= 4; sequence++)
        {
            Assert.True(ledger.TryRecord(new HitReportId("silo-a", sequence), Start.AddSeconds(sequence)));
        }

        Assert.Equal([2L, 3L, 4L], receipts.Select(r => r.Sequence));
        Assert.False(ledger.TryRecord(new HitReportId("silo-a", 4), Start.AddMinutes(4)));

        // Five minutes after it was counted a report is forgotten (a reporter gives up on a report within seconds).
        Assert.True(ledger.TryRecord(new HitReportId("silo-a", 2), Start.AddMinutes(6)));
        Assert.Equal([2L], receipts.Select(r => r.Sequence));
    }
}
