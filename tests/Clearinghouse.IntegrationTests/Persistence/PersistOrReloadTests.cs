using Clearinghouse.Contracts;
using Clearinghouse.Domain;

namespace Clearinghouse.IntegrationTests;

/// <summary>
/// Every grain's write path against a storage that fails a write — before it reaches storage, or after (the caller
/// sees a timeout though storage holds the change). After the failure and the caller's retry, the change is in storage
/// exactly once: the assertions read what the storage holds, not what the grain answers.
/// </summary>
[Collection(FastWritesClusterCollection.Name)]
public class PersistOrReloadTests(FastWritesClusterFixture fixture)
{
    private static readonly DateTimeOffset Now = DateTimeOffset.UtcNow;

    public static TheoryData<WriteFault> Faults => new() { WriteFault.FailBeforeWriting, WriteFault.TimeoutAfterWriting };

    [Theory]
    [MemberData(nameof(Faults))]
    public async Task A_record_added_again_after_a_failed_write_is_stored_once(WriteFault fault)
    {
        var recipient = fixture.Grains.GetGrain<IRecipient>(NewRecipientKey());
        var record = Record("bulk.example");
        var failed = fixture.Faults.Arm(fault, recipient.GetGrainId());

        await Assert.ThrowsAsync<StateNotPersistedException>(() => recipient.AddRecord(record));
        await failed;
        await RetryAsync(() => recipient.AddRecord(record));

        var stored = fixture.Storage.Stored<RecipientState>(recipient.GetGrainId())!;
        Assert.Single(stored.Records, r => r.Pattern == record.Pattern);
    }

    [Theory]
    [MemberData(nameof(Faults))]
    public async Task A_removal_and_a_do_not_send_request_retried_after_a_failed_write_are_stored_once(WriteFault fault)
    {
        var recipient = fixture.Grains.GetGrain<IRecipient>(NewRecipientKey());
        var added = await recipient.AddRecord(Record("bulk.example"));
        var request = DoNotSend(NewSender(), Now.AddDays(-3));

        var failed = fixture.Faults.Arm(fault, recipient.GetGrainId());
        await Assert.ThrowsAsync<StateNotPersistedException>(() => recipient.RemoveRecord(added.Record.Id));
        await failed;
        await RetryAsync(() => recipient.RemoveRecord(added.Record.Id));

        failed = fixture.Faults.Arm(fault, recipient.GetGrainId());
        await Assert.ThrowsAsync<StateNotPersistedException>(() => recipient.RecordDoNotSend(request));
        await failed;
        await RetryAsync(() => recipient.RecordDoNotSend(request));

        var stored = fixture.Storage.Stored<RecipientState>(recipient.GetGrainId())!;
        Assert.Empty(stored.Records);
        Assert.Equal(request, stored.DoNotSend.Values.Single().Request);
    }

    [Theory]
    [MemberData(nameof(Faults))]
    public async Task A_violation_checked_again_after_the_recipients_write_failed_is_counted_once(WriteFault fault)
    {
        var (recipient, address) = NewRecipient();
        var sender = NewSender();
        await recipient.RecordDoNotSend(DoNotSend(sender, Now.AddDays(-3)));
        var check = Check(sender, address, "second@bulk.example");

        var failed = fixture.Faults.Arm(fault, recipient.GetGrainId());
        await Assert.ThrowsAsync<StateNotPersistedException>(() => recipient.Evaluate(check));
        await failed;
        var verdict = await RetryAsync(() => recipient.Evaluate(check));
        Assert.True(verdict.ViolationRecorded);

        // Delivered reports are written with the next hit flush.
        await WaitUntil(() => fixture.Storage.Stored<RecipientState>(recipient.GetGrainId())!.UndeliveredReports.Count == 0);
        Assert.Equal(1, fixture.Storage.Stored<RecipientState>(recipient.GetGrainId())!.DoNotSend.Values.Single().Violations);
        Assert.Equal(1, await StoredReportsAsync(sender));
    }

    [Theory]
    [MemberData(nameof(Faults))]
    public async Task A_violation_the_senders_grain_failed_to_store_is_counted_once_when_delivered_again(WriteFault fault)
    {
        var (recipient, address) = NewRecipient();
        var sender = NewSender();
        await recipient.RecordDoNotSend(DoNotSend(sender, Now.AddDays(-3)));
        var check = Check(sender, address, "second@bulk.example");

        // The recipient stores the report and answers; handing it to the sender's grain fails, so it stays undelivered.
        var failed = fixture.Faults.Arm(fault, SenderGrainId(sender));
        Assert.True((await recipient.Evaluate(check)).ViolationRecorded);
        await failed;
        Assert.Single(fixture.Storage.Stored<RecipientState>(recipient.GetGrainId())!.UndeliveredReports);

        // The same message checked again delivers it again (as the reminder would).
        Assert.True((await recipient.Evaluate(check)).ViolationRecorded);

        await WaitUntil(() => fixture.Storage.Stored<RecipientState>(recipient.GetGrainId())!.UndeliveredReports.Count == 0);
        Assert.Equal(1, await StoredReportsAsync(sender));
    }

    [Theory]
    [MemberData(nameof(Faults))]
    public async Task A_report_retried_after_the_senders_write_failed_is_counted_once(WriteFault fault)
    {
        var sender = NewSender();
        var grain = fixture.Grains.GetGrain<ISender>(sender.Value);
        var report = Report(sender, "report-1");

        var failed = fixture.Faults.Arm(fault, grain.GetGrainId());
        await Assert.ThrowsAsync<StateNotPersistedException>(() => grain.Report(report));
        await failed;
        var retried = await RetryAsync(() => grain.Report(report));

        // Stored once; the retry is a duplicate exactly when the failed write did reach storage.
        Assert.Equal(1, await StoredReportsAsync(sender));
        Assert.Equal(fault == WriteFault.TimeoutAfterWriting, retried.Duplicate);
    }

    [Theory]
    [MemberData(nameof(Faults))]
    public async Task A_hit_flush_that_failed_does_not_make_the_next_write_fail(WriteFault fault)
    {
        var recipient = fixture.Grains.GetGrain<IRecipient>(NewRecipientKey());
        await recipient.AddRecord(Record("bulk.example"));
        var failed = fixture.Faults.Arm(fault, recipient.GetGrainId());

        // A hit, flushed by the timer: that write fails.
        await recipient.Evaluate(new CheckRequest(Address.Parse("x@bulk.example", "sender"), MessageChannel.Email));
        await failed.WaitAsync(TimeSpan.FromSeconds(10));

        // The next change is acknowledged at the first attempt, and stored.
        var second = await recipient.AddRecord(Record("other.example"));
        Assert.Contains(fixture.Storage.Stored<RecipientState>(recipient.GetGrainId())!.Records, r => r.Id == second.Record.Id);
    }

    [Theory]
    [MemberData(nameof(Faults))]
    public async Task The_domain_aggregate_keeps_writing_after_a_failed_flush_and_counts_no_report_twice(WriteFault fault)
    {
        var domainName = $"d{Guid.NewGuid():N}.example";
        var domain = fixture.Grains.GetGrain<ISenderDomain>(domainName);
        var sender = $"bulk@{domainName}";
        var (a, b, c) = (Forwarded(sender, "a"), Forwarded(sender, "b"), Forwarded(sender, "c"));

        await domain.Add([a]);
        await WaitUntilAsync(async () => (await StoredDomainAsync(domain)).Contains(a.Key));

        var failed = fixture.Faults.Arm(fault, domain.GetGrainId());
        await domain.Add([b]);
        await failed.WaitAsync(TimeSpan.FromSeconds(10));
        await domain.Add([c]);
        await WaitUntilAsync(async () => (await StoredDomainAsync(domain)).Contains(c.Key));

        // Nothing is counted twice; a flush that reached storage keeps what it carried (one that did not may lose it:
        // the aggregate is informational, see DomainFlushInterval).
        var stored = await StoredDomainAsync(domain);
        Assert.Equal(stored.EntryCount, stored.TotalReports);
        Assert.True(stored.Contains(a.Key));
        Assert.True(fault == WriteFault.FailBeforeWriting || stored.Contains(b.Key));
    }

    [Theory]
    [MemberData(nameof(Faults))]
    public async Task A_ranking_shard_keeps_writing_scores_after_a_failed_write(WriteFault fault)
    {
        var shard = fixture.Grains.GetGrain<IViolationShard>(3);
        var (first, lost, later) = ($"first-{Guid.NewGuid():N}@x.example", $"lost-{Guid.NewGuid():N}@x.example", $"later-{Guid.NewGuid():N}@x.example");

        await shard.Update(first, 2);
        await WaitUntilAsync(async () => (await StoredScoresAsync(shard)).ContainsKey(first));
        var failed = fixture.Faults.Arm(fault, shard.GetGrainId());
        await shard.Update(lost, 3);
        await failed.WaitAsync(TimeSpan.FromSeconds(10));
        await RetryAsync(() => shard.Update(later, 4));

        await WaitUntilAsync(async () => (await StoredScoresAsync(shard)).ContainsKey(later));
        var stored = await StoredScoresAsync(shard);
        Assert.True(stored.ContainsKey(first));
        Assert.True(fault == WriteFault.FailBeforeWriting || stored.ContainsKey(lost));
    }

    [Theory]
    [MemberData(nameof(Faults))]
    public async Task Thresholds_set_again_after_a_failed_write_are_stored_and_no_reader_saw_them_before(WriteFault fault)
    {
        var ranking = fixture.Grains.GetGrain<IViolationRanking>(0);
        var before = (await ranking.GetView()).Settings;
        var wanted = before with { AbsoluteThreshold = before.AbsoluteThreshold + 3 };
        try
        {
            var failed = fixture.Faults.Arm(fault, ranking.GetGrainId());
            await Assert.ThrowsAsync<StateNotPersistedException>(() => ranking.SetSettings(wanted));
            await failed;

            // A reader sees what storage holds: the new settings only when the failed write did reach storage.
            var seen = (await RetryAsync(ranking.GetView)).Settings;
            Assert.Equal(fault == WriteFault.TimeoutAfterWriting ? wanted : before, seen);

            await RetryAsync(() => ranking.SetSettings(wanted));
            Assert.Equal(wanted, fixture.Storage.Stored<Grains.Violations.RankingState>(ranking.GetGrainId())!.Settings);
        }
        finally
        {
            await RetryAsync(() => ranking.SetSettings(before));
        }
    }

    [Theory]
    [MemberData(nameof(Faults))]
    public async Task A_case_queued_again_after_the_outbox_failed_to_store_it_is_stored_once(WriteFault fault)
    {
        var outbox = fixture.Grains.GetGrain<IEscalationOutbox>(0);
        var escalation = Case($"case-{Guid.NewGuid():N}");
        var failed = fixture.Faults.Arm(fault, (_, grain, state) =>
            grain == outbox.GetGrainId() && state is OutboxState s && s.Cases.ContainsKey(escalation.CaseId));

        await Assert.ThrowsAsync<StateNotPersistedException>(() => outbox.Enqueue(escalation));
        await failed;
        await RetryAsync(() => outbox.Enqueue(escalation));

        var stored = fixture.Storage.Stored<OutboxState>(outbox.GetGrainId())!;
        Assert.Equal(escalation.Sender, stored.Cases[escalation.CaseId].Sender);
        Assert.Single(stored.Deliveries, d => d.CaseId == escalation.CaseId);
    }

    [Theory]
    [MemberData(nameof(Faults))]
    public async Task A_filter_list_change_appended_again_after_a_failed_write_is_stored_once(WriteFault fault)
    {
        var list = fixture.Grains.GetGrain<IFilterList>(0);
        var entry = FilterEntry.ForAddress(NewSender());
        var failed = fixture.Faults.Arm(fault, list.GetGrainId());

        await Assert.ThrowsAsync<StateNotPersistedException>(() => list.Append(FilterChangeOp.Add, entry, "test", "case-x"));
        await failed;
        await RetryAsync(() => list.Append(FilterChangeOp.Add, entry, "test", "case-x"));

        var stored = fixture.Storage.Stored<FilterListData>(list.GetGrainId())!;
        Assert.True(stored.Listed.ContainsKey(entry.Key));
        Assert.Single(stored.Tail, c => c.Entry == entry);
    }

    [Theory]
    [MemberData(nameof(Faults))]
    public async Task A_map_entry_put_again_after_a_failed_write_is_stored(WriteFault fault)
    {
        var maps = fixture.Grains.GetGrain<IProviderMaps>($"provider-{Guid.NewGuid():N}");
        var entry = new MapEntry("192.0.2.0/24", MapAction.Reject, "no", Now);
        var failed = fixture.Faults.Arm(fault, maps.GetGrainId());

        await Assert.ThrowsAsync<StateNotPersistedException>(() => maps.PutEntries(MapKind.Connection, [entry]));
        await failed;
        await RetryAsync(() => maps.PutEntries(MapKind.Connection, [entry]));

        Assert.Equal(entry, fixture.Storage.Stored<ProviderMapsState>(maps.GetGrainId())!.Connections.Values.Single());
    }

    private async Task<long> StoredReportsAsync(Address sender) =>
        (await StoredViolations.SenderAsync(fixture.Storage, SenderGrainId(sender), sender)).Ledger.TotalReports;

    private Task<ViolationLedger> StoredDomainAsync(ISenderDomain domain) => StoredViolations.DomainAsync(fixture.Storage, domain.GetGrainId());

    private Task<Dictionary<string, ShardScore>> StoredScoresAsync(IViolationShard shard) => StoredViolations.ShardAsync(fixture.Storage, shard.GetGrainId());

    private GrainId SenderGrainId(Address sender) => fixture.Grains.GetGrain<ISender>(sender.Value).GetGrainId();

    private (IRecipient Grain, Address Address) NewRecipient()
    {
        var address = Address.Parse($"r-{Guid.NewGuid():N}@acme.example", "recipient");
        return (fixture.Grains.GetGrain<IRecipient>(TestTenants.RecipientKey(address.Value)), address);
    }

    private static string NewRecipientKey() => TestTenants.RecipientKey($"r-{Guid.NewGuid():N}@acme.example");

    private static Address NewSender() => Address.Parse($"s-{Guid.NewGuid():N}@bulk.example", "sender");

    private static NewRecord Record(string pattern) =>
        RecordRequestValidator.Validate(pattern, MessageChannel.Email, RecordAction.Reject, "", 0, RecordSource.User);

    private static DoNotSendRequest DoNotSend(Address sender, DateTimeOffset requestedAt) =>
        new(sender, MessageChannel.Email, DoNotSendMethod.Reply, requestedAt, new MessageEvidence("first@bulk.example", requestedAt.AddHours(-1), new string('a', 64)), TimeSpan.FromDays(2), "acme", "");

    private static CheckRequest Check(Address sender, Address recipient, string messageId) =>
        new(sender, MessageChannel.Email)
        {
            Recipient = recipient,
            Message = new MessageEvidence(messageId, Now, new string('b', 64)),
            ProviderId = "acme",
        };

    private static ViolationReport Report(Address sender, string reportId) =>
        new(
            ViolationReport.ViolationKey(Address.Parse($"{reportId}@acme.example", "recipient"), sender, MessageChannel.Email, $"{reportId}@bulk.example"),
            sender,
            Sha256Hex.Of($"{reportId}@acme.example"),
            "acme",
            new MessageEvidence("first@bulk.example", Now.AddDays(-4), new string('a', 64)),
            DoNotSendMethod.Reply,
            Now.AddDays(-3),
            new MessageEvidence($"{reportId}@bulk.example", Now, new string('b', 64)),
            Now,
            ReportSource.Provider,
            MessageChannel.Email);

    private static LedgerEntry Forwarded(string sender, string key) =>
        new(key, Sha256Hex.Of($"{key}@acme.example"), "acme", sender, ViolationLedger.HourOf(Now), 0, 0);

    private static EscalationCase Case(string caseId)
    {
        var sender = NewSender();
        return new EscalationCase(caseId, sender, Now, new SenderStanding(6, 6, 6, 6, 2, Now), ["acme", "other"], [Report(sender, "evidence")], "test case");
    }

    /// <summary>Retries as a caller does when told the change was not persisted (the grain is reloading).</summary>
    internal static async Task<T> RetryAsync<T>(Func<Task<T>> call)
    {
        for (var attempt = 1; ; attempt++)
        {
            try
            {
                return await call();
            }
            catch (StateNotPersistedException) when (attempt < 5)
            {
                await Task.Delay(50);
            }
        }
    }

    internal static async Task RetryAsync(Func<Task> call) => await RetryAsync(async () =>
    {
        await call();
        return true;
    });

    private static async Task WaitUntil(Func<bool> condition) => await WaitUntilAsync(() => Task.FromResult(condition()));

    private static async Task WaitUntilAsync(Func<Task<bool>> condition)
    {
        var deadline = DateTime.UtcNow.AddSeconds(10);
        while (!await condition())
        {
            Assert.True(DateTime.UtcNow < deadline, "the condition did not hold within 10 s");
            await Task.Delay(20);
        }
    }
}
