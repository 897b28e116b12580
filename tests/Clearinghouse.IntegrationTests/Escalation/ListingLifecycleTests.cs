using Clearinghouse.Api.V1;
using Clearinghouse.TestSupport.Chaos;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Time.Testing;

namespace Clearinghouse.IntegrationTests;

/// <summary>
/// A listing's life over gRPC with Redis state and a fake domain clock: a report renews the listing; the silo stops;
/// the quiet period passes; a new silo on the same Redis lets the listing lapse by its durable reminder alone (nobody
/// calls the sender), appending a remove with the reason "expired" and an entry in the audit trail; reports from two
/// providers then list the sender again at once (a recurrence), and the history shows every change.
/// </summary>
public sealed class ListingLifecycleTests : IAsyncLifetime
{
    private static readonly TimeSpan QuietPeriod = TimeSpan.FromDays(7);
    private readonly FakeTimeProvider clock = new(DateTimeOffset.UtcNow);
    private RedisServer redis = null!;

    public async Task InitializeAsync() => redis = await RedisServer.StartAsync();

    public async Task DisposeAsync() => await redis.DisposeAsync();

    [Fact]
    public async Task A_listing_renewed_by_a_report_lapses_after_its_quiet_period_across_a_restart_and_recurs_on_two_providers()
    {
        var sender = $"lapse-{Guid.NewGuid():N}@bulk.example";
        var entry = Domain.FilterEntry.ForAddress(Domain.Address.Parse(sender, "sender")).Value;
        DateTimeOffset renewedAt;
        await using (var first = await StartAsync())
        {
            await ReportAsync(first, sender, "r", 6);
            var listed = await WaitForSenderAsync(first, sender, s => s.State == EscalationState.Listed);
            Assert.Equal(listed.ListedAt.ToDateTimeOffset() + QuietPeriod, listed.ExpiresAt.ToDateTimeOffset());
            var top = await first.Operator().ListTopSendersAsync(new ListTopSendersRequest { Query = sender });
            Assert.Equal(listed.ExpiresAt, top.Senders.Single().ExpiresAt);

            // Day 5: one more report renews the listing for another quiet period.
            clock.Advance(TimeSpan.FromDays(5));
            renewedAt = clock.GetUtcNow();
            await ReportAsync(first, sender, "renew", 1);
            var renewed = await first.Operator().GetSenderAsync(new GetSenderRequest { Sender = sender });
            Assert.Equal(renewedAt + QuietPeriod, renewed.ExpiresAt.ToDateTimeOffset());

            // Past the first expiry, within the renewed one: the reminder ticks (every second) and leaves it listed.
            clock.Advance(TimeSpan.FromDays(3));
            await Task.Delay(TimeSpan.FromSeconds(3));
            Assert.Equal(EscalationState.Listed, (await first.Operator().GetSenderAsync(new GetSenderRequest { Sender = sender })).State);
        }

        // The silo is gone while the renewed listing's quiet period passes.
        clock.Advance(TimeSpan.FromDays(5));
        await using var second = await StartAsync();
        await using var feed = FilterListSubscriber.Start(second.FilterList(), 0);
        await feed.WaitForAsync(updates => updates.Any(u => u.Change?.Op == FilterChangeOp.Remove && u.Change.Value == entry), TimeSpan.FromSeconds(30));
        var remove = feed.Changes.Single(c => c.Op == FilterChangeOp.Remove);
        Assert.Equal("expired", remove.Reason);

        var expired = await second.Operator().GetSenderAsync(new GetSenderRequest { Sender = sender });
        Assert.Equal(EscalationState.Expired, expired.State);
        Assert.Null(expired.ExpiresAt);
        Assert.Equal(0u, expired.Standing.DistinctRecipients);
        var expiredAt = expired.History.Last().At.ToDateTimeOffset();
        Assert.InRange(expiredAt, renewedAt + QuietPeriod, clock.GetUtcNow());
        Assert.Equal(expiredAt + TimeSpan.FromDays(30), expired.RecurrenceUntil.ToDateTimeOffset());
        Assert.Equal([(ListingChange.Listed, expired.CaseId), (ListingChange.Expired, expired.CaseId)], expired.History.Select(h => (h.Change, h.CaseId)));
        Assert.Equal("expired", expired.History[1].Reason);

        // Operators read the expiry in the audit trail, done by the clearing house itself, once.
        var audit = await WaitForAuditAsync(second, sender);
        Assert.Equal(("system", "sender.expired", "expired", expired.CaseId), (audit.Actor, audit.Action, audit.Reason, audit.Details["case_id"]));
        Assert.Equal(expiredAt, DateTimeOffset.Parse(audit.Details["expired_at"], System.Globalization.CultureInfo.InvariantCulture));

        // Reported again two days later by one recipient at each provider: listed again at once, with a new case.
        clock.Advance(TimeSpan.FromDays(2));
        await ReportAsync(second, sender, "again", 2, firstIndex: 2);
        var relisted = await WaitForSenderAsync(second, sender, s => s.State == EscalationState.Listed);
        Assert.NotEqual(expired.CaseId, relisted.CaseId);
        Assert.Equal([ListingChange.Listed, ListingChange.Expired, ListingChange.Listed], relisted.History.Select(h => h.Change));
        Assert.Contains("reported again within the recurrence period", relisted.History[2].Reason);
        await feed.WaitForAsync(updates => updates.Count(u => u.Change?.Op == FilterChangeOp.Add && u.Change.Value == entry) == 2, TimeSpan.FromSeconds(10));
        Assert.Single((await second.Operator().ListAuditAsync(new ListAuditRequest { Target = $"sender:{sender}", Action = "sender" })).Entries);
    }

    private static async Task<AuditEntry> WaitForAuditAsync(ClearinghouseTestHost host, string sender)
    {
        var deadline = DateTime.UtcNow.AddSeconds(20);
        while (true)
        {
            var entries = (await host.Operator().ListAuditAsync(new ListAuditRequest { Target = $"sender:{sender}", Action = "sender.expired" })).Entries;
            if (entries.Count > 0 || DateTime.UtcNow > deadline)
            {
                return Assert.Single(entries);
            }

            await Task.Delay(50);
        }
    }

    private Task<ClearinghouseTestHost> StartAsync() => ClearinghouseTestHost.StartAsync(
        new Dictionary<string, string?>
        {
            ["Clearinghouse:Storage"] = "Redis",
            ["Clearinghouse:Redis:ConnectionString"] = redis.ConnectionString,
            ["Clearinghouse:Cluster:ClusterId"] = "listing-lifecycle",
            ["Clearinghouse:Violations:RankingInterval"] = "00:00:00.200",
            ["Clearinghouse:Violations:EscalationRetryPeriod"] = "00:00:02",
            ["Clearinghouse:Violations:ExpiryCheckPeriod"] = "00:00:01",
        },
        services => services.AddKeyedSingleton<TimeProvider>(Domain.ClearinghouseClock.Key, clock));

    /// <summary>Reports from recipients alternating between the two test providers, their messages dated now on the fake clock.</summary>
    private async Task ReportAsync(ClearinghouseTestHost host, string sender, string prefix, int count, int firstIndex = 0)
    {
        for (var i = firstIndex; i < firstIndex + count; i++)
        {
            var (domain, key) = i % 2 == 0 ? (TestTenants.AcmeDomain, TestTenants.AcmeKey) : (TestTenants.OtherDomain, TestTenants.OtherKey);
            await host.Reports(key).SubmitViolationAsync(ViolationReportWorkload.Report($"{prefix}-{i}", $"{prefix}{i}@{domain}", sender, clock.GetUtcNow()));
        }
    }

    private static async Task<SenderReport> WaitForSenderAsync(ClearinghouseTestHost host, string sender, Func<SenderReport, bool> condition)
    {
        var deadline = DateTime.UtcNow.AddSeconds(20);
        while (true)
        {
            var status = await host.Operator().GetSenderAsync(new GetSenderRequest { Sender = sender });
            if (condition(status) || DateTime.UtcNow > deadline)
            {
                Assert.True(condition(status), $"the sender is {status.State}");
                return status;
            }

            await Task.Delay(50);
        }
    }
}
