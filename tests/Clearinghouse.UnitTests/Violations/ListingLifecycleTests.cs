using Clearinghouse.Domain;

namespace Clearinghouse.UnitTests.Violations;

/// <summary>A listing's life without a grain: expiry after a quiet period, renewal by reports, recurrence, history.</summary>
public class ListingLifecycleTests
{
    private static readonly DateTimeOffset Now = new(2026, 5, 1, 12, 0, 0, TimeSpan.Zero);
    private static readonly Address Spammer = Address.Parse("spam@bulk.example", "sender");
    private static readonly RankingView Absolute = RankingView.Initial;
    private static readonly ListingTerms Terms = new(TimeSpan.FromDays(7), TimeSpan.FromDays(30), 4);

    private static ReportedSender NewSender() => new(Spammer, new SenderSnapshot(), ViolationLedgerTests.Limits(), Terms);

    private static ViolationReport Report(string key, string provider, DateTimeOffset at) =>
        ViolationLedgerTests.Report(key, $"{key}@{provider}.example", provider, at);

    [Fact]
    public void A_listing_expires_a_quiet_period_after_the_last_report_and_each_report_renews_it()
    {
        var sender = Listed(NewSender(), "a", Now);
        var listedAt = sender.Status(Now).ListedAt!.Value;
        Assert.Equal(listedAt + Terms.QuietPeriod, sender.ExpiresAt);
        Assert.Null(sender.Expire(listedAt + Terms.QuietPeriod - TimeSpan.FromSeconds(1)));

        // A report on day 5 renews the listing: the original expiry passes and nothing happens.
        var renewedAt = listedAt.AddDays(5);
        Assert.NotNull(sender.Report(Report("late", "acme", renewedAt), Absolute, renewedAt));
        Assert.Equal(renewedAt + Terms.QuietPeriod, sender.Status(renewedAt).ExpiresAt);
        Assert.Null(sender.Expire(listedAt + Terms.QuietPeriod + TimeSpan.FromHours(1)));

        var expiry = renewedAt + Terms.QuietPeriod;
        var expired = sender.Expire(expiry)!;
        Assert.Equal((EscalationStep.Expired, "expired"), (expired.Transition!.Step, expired.Transition.Reason));
        Assert.Equal((EscalationState.Expired, EscalationAction.Unlist, "expired"), (sender.State, sender.PendingAction, sender.DelistReason));
        Assert.Null(sender.Expire(expiry.AddDays(1)));

        // Counting starts afresh; the expired sender has no expiry of its own, and a recurrence window.
        var status = sender.Status(expiry);
        Assert.Equal((0, (DateTimeOffset?)null, expiry + Terms.RecurrencePeriod), (status.Standing.DistinctRecipients, status.ExpiresAt, status.RecurrenceUntil));
        Assert.Equal([ListingChange.Listed, ListingChange.Expired], status.History.Select(h => h.Change));
        Assert.Equal(expiry, status.History[1].At);
    }

    [Fact]
    public void Within_the_recurrence_period_reports_from_the_minimum_providers_list_the_sender_again()
    {
        var sender = Expired(NewSender(), out var expiredAt);
        sender.Complete(EscalationAction.Unlist, expiredAt);

        // One provider alone, however many recipients, never lists.
        var at = expiredAt.AddDays(3);
        for (var i = 0; i < 3; i++)
        {
            Assert.Null(sender.Report(Report($"again-{i}", "acme", at), Absolute, at)!.Transition);
        }

        // A second provider: two providers, far below the threshold of 5 recipients, is enough after an expiry.
        var relisting = sender.Report(Report("again-other", "other", at), Absolute, at)!.Transition!;
        Assert.Equal(EscalationStep.Opened, relisting.Step);
        Assert.Contains("since the listing expired", relisting.Case!.Reason);
        Assert.Equal(4, relisting.Case.Evidence.Count);
        Assert.Equal(EscalationState.Escalated, sender.State);
    }

    [Fact]
    public void After_the_recurrence_period_the_full_threshold_applies_again()
    {
        var sender = Expired(NewSender(), out var expiredAt);
        sender.Complete(EscalationAction.Unlist, expiredAt);
        var at = expiredAt + Terms.RecurrencePeriod + TimeSpan.FromHours(1);
        Assert.Null(sender.Report(Report("late-a", "acme", at), Absolute, at)!.Transition);
        Assert.Null(sender.Report(Report("late-o", "other", at), Absolute, at)!.Transition);
        Assert.True(at > sender.Status(at).RecurrenceUntil);

        // The sixth recipient passes the threshold of 5 as for any sender.
        for (var i = 0; i < 3; i++)
        {
            Assert.Null(sender.Report(Report($"late-{i}", "acme", at), Absolute, at)!.Transition);
        }

        Assert.Contains("above the threshold of 5", sender.Report(Report("late-6", "other", at), Absolute, at)!.Transition!.Case!.Reason);
    }

    [Fact]
    public void A_delisting_starts_a_recurrence_period_too_and_the_history_keeps_every_change_bounded()
    {
        var sender = Listed(NewSender(), "a", Now);
        sender.Delist("settled", Now.AddDays(1));
        sender.Complete(EscalationAction.Unlist, Now.AddDays(1));
        Assert.Equal(Now.AddDays(1) + Terms.RecurrencePeriod, sender.Status(Now.AddDays(1)).RecurrenceUntil);

        var at = Now.AddDays(2);
        sender.Report(Report("b-a", "acme", at), Absolute, at);
        var relisting = sender.Report(Report("b-o", "other", at), Absolute, at)!.Transition!;
        Assert.Contains("since the listing delisted", relisting.Case!.Reason);
        sender.Complete(EscalationAction.QueueCase, at);
        sender.Complete(EscalationAction.List, at);

        // Listed, delisted, listed, then an expiry: four changes kept; one more drops the oldest.
        Expire(sender);
        Assert.Equal([ListingChange.Listed, ListingChange.Delisted, ListingChange.Listed, ListingChange.Expired], sender.Status(at).History.Select(h => h.Change));
        Assert.Equal("settled", sender.Status(at).History[1].Reason);
        Assert.Equal(relisting.Case.CaseId, sender.Status(at).History[2].CaseId);

        var again = sender.Status(at).History[3].At.AddDays(1);
        sender.Complete(EscalationAction.Unlist, again);
        sender.Report(Report("c-a", "acme", again), Absolute, again);
        sender.Report(Report("c-o", "other", again), Absolute, again);
        sender.Complete(EscalationAction.QueueCase, again);
        sender.Complete(EscalationAction.List, again);
        Assert.Equal([ListingChange.Delisted, ListingChange.Listed, ListingChange.Expired, ListingChange.Listed], sender.Status(again).History.Select(h => h.Change));
    }

    [Fact]
    public void Replaying_the_events_rebuilds_the_expiry_and_the_history()
    {
        var live = NewSender();
        var events = new List<SenderEvent>();
        for (var i = 0; i < 6; i++)
        {
            events.Add(live.Report(Report($"k{i}", i % 2 == 0 ? "acme" : "other", Now), Absolute, Now)!);
        }

        events.Add(live.Complete(EscalationAction.QueueCase, Now)!);
        events.Add(live.Complete(EscalationAction.List, Now)!);
        events.Add(live.Report(Report("renew", "acme", Now.AddDays(2)), Absolute, Now.AddDays(2))!);
        var expiry = Now.AddDays(9);
        events.Add(live.Expire(expiry)!);

        var replayed = new ReportedSender(Spammer, new SenderSnapshot(), ViolationLedgerTests.Limits(), Terms);
        replayed.Restore([], events, expiry);
        var (a, b) = (live.Status(expiry), replayed.Status(expiry));
        Assert.Equal((a.State, a.ExpiresAt, a.RecurrenceUntil), (b.State, b.ExpiresAt, b.RecurrenceUntil));
        Assert.Equal(a.History, b.History);
        Assert.Equal((EscalationAction.Unlist, "expired"), (replayed.PendingAction, replayed.DelistReason));

        // A checkpoint carries the history and the last report (its copy is not the live list).
        var checkpoint = live.CopySnapshot();
        live.Complete(EscalationAction.Unlist, expiry);
        Assert.Equal(2, checkpoint.Escalation.History.Count);
        Assert.Equal(Now.AddDays(2), checkpoint.Escalation.LastReportAt);
    }

    [Fact]
    public void An_expiry_has_an_audit_entry_by_the_system_with_an_id_of_its_case_until_it_is_removed_from_the_list()
    {
        var sender = Listed(NewSender(), "a", Now);
        Assert.Null(sender.ExpiryAudit());
        var expiredAt = Expire(sender);
        var caseId = sender.CaseId!;

        // Built again (a retried step, a restarted grain) it is the same event: the trail records it once.
        var audit = sender.ExpiryAudit()!;
        Assert.Equal(audit.EventId, sender.ExpiryAudit()!.EventId);
        var replayed = new ReportedSender(Spammer, sender.CopySnapshot(), ViolationLedgerTests.Limits(), Terms);
        Assert.Equal(audit.EventId, replayed.ExpiryAudit()!.EventId);

        Assert.Equal(("system", "sender.expired", "sender:spam@bulk.example", "expired"), (audit.Actor, audit.Action, audit.Target, audit.Reason));
        Assert.Equal(caseId, audit.Details["case_id"]);
        Assert.Equal(expiredAt, DateTimeOffset.Parse(audit.Details["expired_at"], System.Globalization.CultureInfo.InvariantCulture));
        Assert.Equal("7.00:00:00", audit.Details["quiet_period"]);
        Assert.Contains(caseId, audit.EventId);

        // A delisting is audited by whoever asked for it, not by the sender.
        var delisted = Listed(NewSender(), "b", Now);
        delisted.Delist("settled", Now.AddDays(1));
        Assert.Equal(EscalationAction.Unlist, delisted.PendingAction);
        Assert.Null(delisted.ExpiryAudit());

        // Once the removal is done there is nothing more to record; the next listing's expiry is another entry.
        sender.Complete(EscalationAction.Unlist, expiredAt);
        Assert.Null(sender.ExpiryAudit());
        var at = expiredAt.AddDays(1);
        sender.Report(Report("n-a", "acme", at), Absolute, at);
        sender.Report(Report("n-o", "other", at), Absolute, at);
        sender.Complete(EscalationAction.QueueCase, at);
        sender.Complete(EscalationAction.List, at);
        Expire(sender);
        Assert.NotEqual(audit.EventId, sender.ExpiryAudit()!.EventId);
    }

    private static ReportedSender Listed(ReportedSender sender, string prefix, DateTimeOffset at)
    {
        for (var i = 0; i < 6; i++)
        {
            sender.Report(Report($"{prefix}{i}", i % 2 == 0 ? "acme" : "other", at), Absolute, at);
        }

        sender.Complete(EscalationAction.QueueCase, at);
        sender.Complete(EscalationAction.List, at.AddMinutes(1));
        Assert.Equal(EscalationState.Listed, sender.State);
        return sender;
    }

    private static ReportedSender Expired(ReportedSender sender, out DateTimeOffset expiredAt)
    {
        Listed(sender, "a", Now);
        expiredAt = Expire(sender);
        return sender;
    }

    private static DateTimeOffset Expire(ReportedSender sender)
    {
        var due = sender.ExpiresAt!.Value;
        Assert.NotNull(sender.Expire(due));
        return due;
    }
}
