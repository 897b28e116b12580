using Clearinghouse.Domain;

namespace Clearinghouse.UnitTests.Forgery;

/// <summary>A failure report in the escalation outbox: one delivery to the domain's owner, queued once, retried like a case.</summary>
public class ForgeryOutboxTests
{
    private static readonly DateTimeOffset Now = new(2026, 5, 1, 12, 0, 0, TimeSpan.Zero);

    [Fact]
    public void A_failure_report_is_one_delivery_queued_once_and_dead_lettered_ones_can_be_sent_again()
    {
        var state = new OutboxState();
        var book = new DeliveryBook(state, new EscalationOptions());
        var report = AuthFailureReportTests.Forgery();
        Assert.True(book.EnqueueForgeryReport(report, Now));
        Assert.False(book.EnqueueForgeryReport(report, Now));

        var delivery = Assert.Single(book.Due(Now));
        Assert.Equal(($"{report.ReportId}/{DeliveryBook.DomainOwner}", DeliveryBook.AuthFailureTransport), (delivery.DeliveryId, delivery.Transport));
        Assert.Equal(report, book.ForgeryReportOf(delivery));
        Assert.Null(book.CaseOf(delivery));
        Assert.Empty(book.Cases(null, 10));

        book.Record(delivery, DeliveryResult.Retry("the DNS lookup of _dmarc.bank.example failed"), Now);
        Assert.Equal((DeliveryStatus.Pending, Now + TimeSpan.FromSeconds(30)), (delivery.Status, delivery.NextAttemptAt));

        book.Record(delivery, DeliveryResult.Refused("no failure-report address"), Now);
        Assert.Equal(DeliveryStatus.DeadLetter, delivery.Status);
        Assert.Same(delivery, book.Resend(delivery.DeliveryId, Now));
        Assert.Equal(DeliveryStatus.Pending, delivery.Status);
    }
}
