using Clearinghouse.Contracts;
using Clearinghouse.Domain;
using Clearinghouse.Grains.Audit;

namespace Clearinghouse.IntegrationTests;

/// <summary>
/// The audit trail's and the delisting grains' write paths against a storage that fails a write before or after it
/// reaches storage (see <see cref="PersistOrReloadTests"/>): after the caller's retry, storage holds each change once.
/// </summary>
[Collection(FastWritesClusterCollection.Name)]
public class AuditAndDelistingPersistOrReloadTests(FastWritesClusterFixture fixture)
{
    public static TheoryData<WriteFault> Faults => new() { WriteFault.FailBeforeWriting, WriteFault.TimeoutAfterWriting };

    [Theory]
    [MemberData(nameof(Faults))]
    public async Task An_audit_event_appended_again_after_a_segments_write_failed_is_recorded_once(WriteFault fault)
    {
        var trail = fixture.Grains.GetGrain<IAuditTrail>(0);
        await trail.Append(Event("warm-up"));
        var once = Event("once");
        var failed = fixture.Faults.Arm(fault, (_, _, state) => state is AuditSegmentState);

        await Assert.ThrowsAsync<StateNotPersistedException>(() => trail.Append(once));
        await failed;
        var entry = await PersistOrReloadTests.RetryAsync(() => trail.Append(once));

        Assert.Equal(once.EventId, entry.Event.EventId);
        Assert.Equal([entry.Sequence], (await StoredEntriesAsync()).Where(e => e.Event.EventId == once.EventId).Select(e => e.Sequence));
    }

    [Theory]
    [MemberData(nameof(Faults))]
    public async Task The_trails_head_after_a_failed_write_numbers_every_event_once(WriteFault fault)
    {
        var trail = fixture.Grains.GetGrain<IAuditTrail>(0);
        var failed = fixture.Faults.Arm(fault, (_, _, state) => state is AuditTrailState);

        // A segment holds 2 entries: within 3 appends the head starts a segment, and that write fails.
        var events = Enumerable.Range(0, 3).Select(i => Event($"head-{i}")).ToList();
        foreach (var auditEvent in events)
        {
            await PersistOrReloadTests.RetryAsync(() => trail.Append(auditEvent));
        }

        await failed.WaitAsync(TimeSpan.FromSeconds(10));
        var stored = await StoredEntriesAsync();
        foreach (var auditEvent in events)
        {
            Assert.Single(stored, e => e.Event.EventId == auditEvent.EventId);
        }

        Assert.Equal(stored.Count, stored.Select(e => e.Sequence).Distinct().Count());
    }

    [Theory]
    [MemberData(nameof(Faults))]
    public async Task A_DNS_proof_retried_after_the_subjects_write_failed_removes_and_audits_once(WriteFault fault)
    {
        var subject = new ListedSubject(SubjectKind.Domain, $"d{Guid.NewGuid():N}.example");
        var list = fixture.Grains.GetGrain<IFilterList>(0);
        await list.Append(FilterChangeOp.Add, subject.Entry, "test", "case-test");
        var requests = fixture.Grains.GetGrain<IDelistingRequests>(subject.Key);
        var opened = await requests.Open(ProofMethod.Dns, "", "192.0.2.1", "http://127.0.0.1:1");

        var failed = fixture.Faults.Arm(fault, requests.GetGrainId());
        await Assert.ThrowsAsync<StateNotPersistedException>(() => requests.ProveByDns(opened.Id, [opened.DnsToken!], "192.0.2.1"));
        await failed;
        var proven = await PersistOrReloadTests.RetryAsync(() => requests.ProveByDns(opened.Id, [opened.DnsToken!], "192.0.2.1"));
        Assert.Equal(DelistingStatus.Removed, proven.Status);

        var stored = fixture.Storage.Stored<DelistingState>(requests.GetGrainId())!;
        Assert.Equal(DelistingStatus.Removed, stored.Requests.Single().Status);
        Assert.Single(stored.SelfServiceRemovals);
        Assert.Empty(stored.PendingAudit);
        var filterList = await StoredFilterList.LoadAsync(fixture.Storage, list.GetGrainId());
        Assert.False(filterList.TryGetListing(subject.Entry, out _));
        Assert.Single(filterList.ReadFrom(0).Changes, c => c.Entry == subject.Entry && c.Op == FilterChangeOp.Remove);

        var steps = (await StoredEntriesAsync()).Where(e => e.Event.Target == subject.AuditTarget).Select(e => e.Event.Action).ToList();
        Assert.Equal([AuditNames.DelistingRequest, AuditNames.DelistingProven, AuditNames.DelistingRemoved], steps);
    }

    [Theory]
    [MemberData(nameof(Faults))]
    public async Task A_request_queued_again_after_the_review_queues_write_failed_is_stored_once(WriteFault fault)
    {
        var reviews = fixture.Grains.GetGrain<IDelistingReviews>(0);
        var request = new DelistingRequestView(
            $"dl-{Guid.NewGuid():N}", new ListedSubject(SubjectKind.Domain, "queued.example"), ProofMethod.Dns, DateTimeOffset.UtcNow, "192.0.2.1", "",
            DateTimeOffset.UtcNow.AddDays(1), DelistingStatus.PendingReview, null, null, null, null, null, null);
        var failed = fixture.Faults.Arm(fault, reviews.GetGrainId());

        await Assert.ThrowsAsync<StateNotPersistedException>(() => reviews.Add(request));
        await failed;
        await PersistOrReloadTests.RetryAsync(() => reviews.Add(request));

        Assert.Equal(request, fixture.Storage.Stored<Clearinghouse.Grains.Delisting.DelistingReviewsState>(reviews.GetGrainId())!.Waiting[request.Id]);
    }

    private static AuditEvent Event(string reason) => AuditEvent.Create(AuditNames.Operator("alice"), AuditNames.SenderDelist, "sender:x@bulk.example", reason);

    private Task<List<AuditEntry>> StoredEntriesAsync() => StoredAudit.EntriesAsync(fixture.Grains, fixture.Storage);
}
