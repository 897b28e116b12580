using Clearinghouse.Contracts;
using Clearinghouse.Domain;
using Clearinghouse.Grains.Audit;

namespace Clearinghouse.IntegrationTests;

/// <summary>
/// A cluster whose listings lapse 1 s after the listing or the last report, checked every 200 ms by the expiry
/// reminder; an interrupted escalation step is retried every second; the audit trail starts a segment every 2 entries.
/// </summary>
public sealed class ShortListingsClusterFixture() : ClusterFixtureBase(TimeSpan.FromMilliseconds(200), new Dictionary<string, string?>
{
    ["Clearinghouse:Violations:RankingInterval"] = "00:00:00.200",
    ["Clearinghouse:Violations:EscalationRetryPeriod"] = "00:00:01",
    ["Clearinghouse:Violations:ListingQuietPeriod"] = "00:00:01",
    ["Clearinghouse:Violations:ExpiryCheckPeriod"] = "00:00:00.200",
    ["Clearinghouse:Audit:SegmentSize"] = "2",
});

[CollectionDefinition(Name)]
public sealed class ShortListingsClusterCollection : ICollectionFixture<ShortListingsClusterFixture>
{
    public const string Name = "test cluster, listings lapsing after 1 s";
}

/// <summary>
/// A listing's expiry interrupted at each of its writes — the sender storing the expiry, the filter list storing the
/// remove, the audit trail storing the entry, the sender recording that the removal is done; each failing before or
/// after storage has it — goes on from what is stored and ends with exactly one remove and exactly one audit entry
/// (actor <c>system</c>, action <c>sender.expired</c>).
/// </summary>
[Collection(ShortListingsClusterCollection.Name)]
public class ExpiryCrashPointTests(ShortListingsClusterFixture fixture)
{
    public static TheoryData<string, WriteFault> CrashPoints => new()
    {
        { "none", WriteFault.FailBeforeWriting },
        { "sender records the expiry", WriteFault.FailBeforeWriting },
        { "sender records the expiry", WriteFault.TimeoutAfterWriting },
        { "filter list", WriteFault.FailBeforeWriting },
        { "filter list", WriteFault.TimeoutAfterWriting },
        { "audit trail", WriteFault.FailBeforeWriting },
        { "audit trail", WriteFault.TimeoutAfterWriting },
        { "sender records the removal", WriteFault.FailBeforeWriting },
        { "sender records the removal", WriteFault.TimeoutAfterWriting },
    };

    [Theory]
    [MemberData(nameof(CrashPoints))]
    public async Task An_expiry_interrupted_at_a_write_is_removed_and_audited_once(string crashPoint, WriteFault fault)
    {
        var sender = Address.Parse($"lapse-{Guid.NewGuid():N}@bulk.example", "sender");
        var entry = FilterEntry.ForAddress(sender);
        var target = AuditNames.Sender(sender);
        var senderGrain = fixture.Grains.GetGrain<ISender>(sender.Value).GetGrainId();
        var failed = crashPoint == "none" ? Task.CompletedTask : fixture.Faults.Arm(fault, (_, grain, state) => crashPoint switch
        {
            "sender records the expiry" => grain == senderGrain && EscalationCrashPointTests.Records(state, EscalationStep.Expired),
            "filter list" => state is FilterListChangeRecord { Change: { Op: FilterChangeOp.Remove } removed } && removed.Entry == entry,
            "audit trail" => state is AuditSegmentState segment && segment.Entries.Any(e => e.Event.Target == target),
            _ => grain == senderGrain && EscalationCrashPointTests.Records(state, EscalationStep.Unlisted),
        });

        var grain = fixture.Grains.GetGrain<ISender>(sender.Value);
        ReportOutcome outcome = null!;
        for (var i = 0; i < 6; i++)
        {
            outcome = await grain.Report(EscalationCrashPointTests.Report(sender, i));
        }

        var caseId = outcome.CaseId!;
        await failed.WaitAsync(TimeSpan.FromSeconds(15));

        // Stored: expired, and nothing left to do.
        var deadline = DateTime.UtcNow.AddSeconds(20);
        ReportedSender stored;
        while ((stored = await StoredViolations.SenderAsync(fixture.Storage, senderGrain, sender)) is not { State: EscalationState.Expired, PendingAction: null })
        {
            Assert.True(DateTime.UtcNow < deadline, $"the expiry did not complete within 20 s: {stored.State}, pending {stored.PendingAction}");
            await Task.Delay(100);
        }

        Assert.Equal(caseId, stored.CaseId);
        var list = await StoredFilterList.LoadAsync(fixture.Storage, fixture.Grains.GetGrain<IFilterList>(0).GetGrainId());
        var changes = list.ReadFrom(0).Changes.Where(c => c.Entry == entry).ToList();
        Assert.Equal([(FilterChangeOp.Add, caseId), (FilterChangeOp.Remove, caseId)], changes.Select(c => (c.Op, c.CaseId)));
        Assert.Equal(SenderEscalation.ExpiryReason, changes[1].Reason);

        var audited = Assert.Single(await StoredAudit.EntriesAsync(fixture.Grains, fixture.Storage), e => e.Event.Target == target);
        Assert.Equal((AuditNames.System, AuditNames.SenderExpired, "expired", caseId), (audited.Event.Actor, audited.Event.Action, audited.Event.Reason, audited.Event.Details["case_id"]));
        var expiredAt = stored.Status(DateTimeOffset.UtcNow).History.Last();
        Assert.Equal((ListingChange.Expired, caseId), (expiredAt.Change, expiredAt.CaseId));
    }
}
