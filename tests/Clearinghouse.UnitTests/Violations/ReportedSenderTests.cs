using Clearinghouse.Domain;

namespace Clearinghouse.UnitTests.Violations;

/// <summary>The escalation state machine and the event replay of a reported sender, without a grain.</summary>
public class ReportedSenderTests
{
    private static readonly DateTimeOffset Now = new(2026, 5, 1, 12, 0, 0, TimeSpan.Zero);
    private static readonly Address Spammer = Address.Parse("spam@bulk.example", "sender");
    private static readonly RankingView Absolute = RankingView.Initial;

    private static ReportedSender NewSender() => new(Spammer, new SenderSnapshot(), ViolationLedgerTests.Limits());

    private static ViolationReport Report(int i) =>
        ViolationLedgerTests.Report($"k{i}", $"r{i}@x.example", i % 2 == 0 ? "acme" : "other", Now);

    [Fact]
    public void The_report_that_passes_the_threshold_opens_a_case_in_the_same_event()
    {
        var sender = NewSender();
        for (var i = 0; i < 5; i++)
        {
            var counted = sender.Report(Report(i), Absolute, Now)!;
            Assert.Null(counted.Transition);
        }

        var crossing = sender.Report(Report(5), Absolute, Now)!;
        Assert.Equal(EscalationStep.Opened, crossing.Transition!.Step);
        var opened = crossing.Transition.Case!;
        Assert.Equal((EscalationState.Escalated, opened.CaseId), (sender.State, sender.CaseId));
        Assert.Equal(6, opened.Evidence.Count);
        Assert.Equal(["acme", "other"], opened.ReportingProviders);
        Assert.Contains("above the threshold of 5", opened.Reason);
        Assert.Null(sender.Report(Report(5), Absolute, Now));
    }

    [Fact]
    public void An_open_case_is_queued_then_listed_and_each_step_is_recorded_once()
    {
        var sender = Escalated();
        Assert.Equal(EscalationAction.QueueCase, sender.PendingAction);
        Assert.Null(sender.Complete(EscalationAction.List, Now));

        Assert.Equal(EscalationStep.CaseQueued, sender.Complete(EscalationAction.QueueCase, Now)!.Transition!.Step);
        Assert.Equal(EscalationAction.List, sender.PendingAction);
        Assert.Null(sender.Complete(EscalationAction.QueueCase, Now));

        Assert.Equal(EscalationStep.Listed, sender.Complete(EscalationAction.List, Now.AddMinutes(1))!.Transition!.Step);
        Assert.Null(sender.PendingAction);
        Assert.Equal((EscalationState.Listed, Now.AddMinutes(1)), (sender.State, sender.Status(Now).ListedAt));

        // Listed: more reports count but open nothing.
        Assert.Null(sender.Report(Report(7), Absolute, Now)!.Transition);
    }

    [Fact]
    public void A_delisting_starts_counting_afresh_and_removes_the_listing_before_a_new_case_can_open()
    {
        var sender = Escalated();
        sender.Complete(EscalationAction.QueueCase, Now);
        sender.Complete(EscalationAction.List, Now);

        var delisted = sender.Delist("settled", Now)!;
        Assert.Equal((EscalationStep.Delisted, "settled"), (delisted.Transition!.Step, delisted.Transition.Reason));
        Assert.Equal(EscalationAction.Unlist, sender.PendingAction);
        Assert.Equal(0, sender.Status(Now).Standing.DistinctRecipients);
        Assert.Null(sender.Delist("again", Now));

        // While the removal is pending no case opens; reports counted before the delisting are not counted again.
        Assert.Null(sender.Report(Report(0), Absolute, Now));
        for (var i = 10; i < 20; i++)
        {
            Assert.Null(sender.Report(Report(i), Absolute, Now)!.Transition);
        }

        sender.Complete(EscalationAction.Unlist, Now);
        Assert.Equal(EscalationStep.Opened, sender.Report(Report(20), Absolute, Now)!.Transition!.Step);
    }

    [Fact]
    public void Replaying_the_events_rebuilds_the_same_sender()
    {
        var live = NewSender();
        var events = new List<SenderEvent>();
        for (var i = 0; i < 8; i++)
        {
            events.Add(live.Report(Report(i), Absolute, Now.AddMinutes(i))!);
        }

        events.Add(live.Complete(EscalationAction.QueueCase, Now.AddMinutes(9))!);
        events.Add(live.Complete(EscalationAction.List, Now.AddMinutes(10))!);
        events.Add(live.Delist("settled", Now.AddMinutes(11))!);
        events.Add(live.Report(Report(30), Absolute, Now.AddMinutes(12))!);

        var replayed = NewSender();
        replayed.Restore([], events, Now.AddMinutes(12));
        AssertSame(live, replayed);

        // A checkpoint half way, then the rest of the events: the same again.
        var halfway = NewSender();
        halfway.Restore([], events.Take(5), Now);
        var checkpoint = halfway.CopySnapshot();
        var entries = halfway.Ledger.TakeUnsaved();
        var resumed = new ReportedSender(Spammer, checkpoint, ViolationLedgerTests.Limits());
        resumed.Restore(entries, events.Skip(5), Now.AddMinutes(12));
        AssertSame(live, resumed);
    }

    private static ReportedSender Escalated()
    {
        var sender = NewSender();
        for (var i = 0; i < 6; i++)
        {
            sender.Report(Report(i), Absolute, Now);
        }

        Assert.Equal(EscalationState.Escalated, sender.State);
        return sender;
    }

    private static void AssertSame(ReportedSender expected, ReportedSender actual)
    {
        var at = Now.AddMinutes(12);
        var (a, b) = (expected.Status(at), actual.Status(at));
        Assert.Equal((a.State, a.CaseId, a.Standing, a.TotalReports, a.EvidenceSamples), (b.State, b.CaseId, b.Standing, b.TotalReports, b.EvidenceSamples));
        Assert.Equal((a.EscalatedAt, a.ListedAt, a.DelistedAt), (b.EscalatedAt, b.ListedAt, b.DelistedAt));
        Assert.Equal(a.ReportingProviders, b.ReportingProviders);
        Assert.Equal(expected.PendingAction, actual.PendingAction);
    }
}
