using Clearinghouse.Contracts;
using Clearinghouse.Domain;
using Clearinghouse.Grains.Recipients.Cache;
using Microsoft.Extensions.DependencyInjection;
using Orleans.Serialization;

namespace Clearinghouse.IntegrationTests;

[Collection(ClusterCollection.Name)]
public class RecipientGrainTests(ClusterFixture fixture)
{
    private static readonly Address Spammer = Address.Parse("spam@bulk.example", "sender");

    private static NewRecord Record(string pattern, RecordAction action, string message = "") =>
        RecordRequestValidator.Validate(pattern, MessageChannel.Email, action, message, 0, RecordSource.User);

    private static string NewRecipient() => TestTenants.RecipientKey($"r-{Guid.NewGuid():N}@acme.example");

    [Fact]
    public async Task Records_added_through_the_grain_decide_its_verdicts()
    {
        var recipient = fixture.Grains.GetGrain<IRecipient>(NewRecipient());
        await recipient.AddRecord(Record("bulk.example", RecordAction.Reject, "not from bulk"));
        var allowed = await recipient.AddRecord(Record("friend@bulk.example", RecordAction.Allow));
        await recipient.AddRecord(Record(".xyz", RecordAction.Defer));

        var spam = await recipient.Evaluate(new CheckRequest(Spammer, MessageChannel.Email));
        Assert.Equal((VerdictAction.Reject, 550, "5.7.1", "not from bulk"), (spam.Action, spam.SmtpCode, spam.EnhancedCode, spam.Text));

        var friend = await recipient.Evaluate(new CheckRequest(Address.Parse("friend@bulk.example", "sender"), MessageChannel.Email));
        Assert.Equal((VerdictAction.Accept, allowed.Record.Id), (friend.Action, friend.MatchedRecordId));

        var tld = await recipient.Evaluate(new CheckRequest(Address.Parse("x@cheap.xyz", "sender"), MessageChannel.Email));
        Assert.Equal((VerdictAction.Defer, 450), (tld.Action, tld.SmtpCode));

        var other = await recipient.Evaluate(new CheckRequest(Address.Parse("x@fine.example", "sender"), MessageChannel.Email));
        Assert.Equal(VerdictAction.Accept, other.Action);
        Assert.Null(other.MatchedRecordId);
    }

    [Fact]
    public async Task A_record_is_in_storage_when_adding_it_is_acknowledged()
    {
        var key = NewRecipient();
        var recipient = fixture.Grains.GetGrain<IRecipient>(key);
        var added = await recipient.AddRecord(Record("bulk.example", RecordAction.Reject));

        var stored = fixture.Storage.Stored<RecipientState>(recipient.GetGrainId());
        Assert.NotNull(stored);
        Assert.Equal(added.Record, stored.Records.Single());

        Assert.True(await recipient.RemoveRecord(added.Record.Id));
        Assert.Empty(fixture.Storage.Stored<RecipientState>(recipient.GetGrainId())!.Records);
    }

    [Fact]
    public async Task The_timer_flushes_the_hit_counts_in_few_writes()
    {
        var recipient = fixture.Grains.GetGrain<IRecipient>(NewRecipient());
        var added = await recipient.AddRecord(Record("bulk.example", RecordAction.Reject));
        var grainId = recipient.GetGrainId();

        // A flush tick with nothing to flush does not write.
        await Task.Delay(fixture.FlushInterval * 3);
        Assert.Equal(1, fixture.Storage.WriteCount(grainId));

        for (var i = 0; i < 25; i++)
        {
            await recipient.Evaluate(new CheckRequest(Spammer, MessageChannel.Email));
        }

        var deadline = DateTime.UtcNow.AddSeconds(10);
        while (StoredHits() < 25 && DateTime.UtcNow < deadline)
        {
            await Task.Delay(50);
        }

        Assert.Equal(25, StoredHits());
        Assert.InRange(fixture.Storage.WriteCount(grainId), 2, 3);

        long StoredHits() =>
            fixture.Storage.Stored<RecipientState>(grainId)?.Hits.GetValueOrDefault(added.Record.Id)?.Count ?? 0;
    }

    [Fact]
    public async Task A_recipient_grain_keyed_by_its_address_refuses_to_activate()
    {
        // Orleans logs and traces grain ids: a recipient's address must never be one.
        var error = await Assert.ThrowsAnyAsync<Exception>(() => fixture.Grains.GetGrain<IRecipient>("someone@acme.example").ListRecords());
        Assert.Contains("RecipientKeys", error.Message);
    }

    [Fact]
    public void A_field_error_survives_serialization_between_silo_and_gateway()
    {
        var serializer = fixture.Cluster.Client.ServiceProvider.GetRequiredService<Serializer>();
        var copy = serializer.Deserialize<InvalidFieldException>(serializer.SerializeToArray(new InvalidFieldException("recipient", "is required")));
        Assert.NotNull(copy);
        Assert.Equal(("recipient", "is required", "recipient: is required"), (copy.Field, copy.Problem, copy.Message));
    }
}

[Collection(SlowFlushClusterCollection.Name)]
public class RecipientHitFlushTests(SlowFlushClusterFixture fixture)
{
    [Fact]
    public async Task Evaluation_writes_nothing_and_deactivation_flushes_the_hit_counts()
    {
        var recipient = fixture.Grains.GetGrain<IRecipient>(TestTenants.RecipientKey($"r-{Guid.NewGuid():N}@acme.example"));
        var added = await recipient.AddRecord(RecordRequestValidator.Validate("bulk.example", MessageChannel.Email, RecordAction.Reject, "", 0, RecordSource.User));
        var grainId = recipient.GetGrainId();

        for (var i = 0; i < 40; i++)
        {
            await recipient.Evaluate(new CheckRequest(Address.Parse($"s{i}@bulk.example", "sender"), MessageChannel.Email));
        }

        Assert.Equal(1, fixture.Storage.WriteCount(grainId));
        Assert.Equal(0, fixture.Storage.Stored<RecipientState>(grainId)!.Hits.GetValueOrDefault(added.Record.Id)?.Count ?? 0);

        await fixture.Grains.GetGrain<IManagementGrain>(0).ForceActivationCollection(TimeSpan.Zero);

        Assert.Equal(2, fixture.Storage.WriteCount(grainId));
        Assert.Equal(40, fixture.Storage.Stored<RecipientState>(grainId)!.Hits[added.Record.Id].Count);
        var reloaded = await recipient.ListRecords();
        Assert.Equal(40, reloaded.Single().HitCount);
    }

    [Fact]
    public async Task A_hit_report_sent_again_because_its_answer_was_lost_is_counted_once_also_after_the_grain_reloaded()
    {
        var recipient = fixture.Grains.GetGrain<IRecipient>(TestTenants.RecipientKey($"r-{Guid.NewGuid():N}@acme.example"));
        var added = await recipient.AddRecord(RecordRequestValidator.Validate("bulk.example", MessageChannel.Email, RecordAction.Reject, "", 0, RecordSource.User));
        var at = DateTimeOffset.UtcNow;
        var report = new HitReport(new HitReportId("S127.0.0.1:11111:1", 7), [new RecordHitCount(added.Record.Id, 25, at)]);

        // The reporter saw the first attempt fail (a timeout, an activation deactivating) though the grain counted it.
        await recipient.RecordHits(report);
        await recipient.RecordHits(report);
        Assert.Equal(25, (await recipient.ListRecords()).Single().HitCount);

        // The receipt is written with the hits: the next activation still knows the report.
        await fixture.Grains.GetGrain<IManagementGrain>(0).ForceActivationCollection(TimeSpan.Zero);
        Assert.Equal(25, fixture.Storage.Stored<RecipientState>(recipient.GetGrainId())!.Hits[added.Record.Id].Count);
        await recipient.RecordHits(report);

        // Another report of the same silo, and the same sequence number from another silo incarnation, are counted.
        await recipient.RecordHits(report with { Id = report.Id with { Sequence = 8 } });
        await recipient.RecordHits(report with { Id = report.Id with { Reporter = "S127.0.0.1:11111:2" } });
        Assert.Equal(75, (await recipient.ListRecords()).Single().HitCount);
    }

    [Fact]
    public async Task Hits_a_batched_renewal_carried_and_sent_again_by_a_grain_call_because_the_batch_failed_are_counted_once()
    {
        var key = TestTenants.RecipientKey($"r-{Guid.NewGuid():N}@acme.example");
        var recipient = fixture.Grains.GetGrain<IRecipient>(key);
        var added = await recipient.AddRecord(RecordRequestValidator.Validate("bulk.example", MessageChannel.Email, RecordAction.Reject, "", 0, RecordSource.User));
        var silo = fixture.Cluster.Silos[0];
        var holder = SiloAddress.New(System.Net.IPAddress.Loopback, 11111, 1);
        var read = await recipient.ReadForCache(holder, null, null);
        var report = new HitReport(new HitReportId(holder.ToParsableString(), 3), [new RecordHitCount(added.Record.Id, 25, DateTimeOffset.UtcNow)]);

        // The grain's silo takes the hits with the renewal, but the holder never learns it (the batch timed out) and
        // sends them again, under the same report id, by a grain call: before the grain drained them, and after.
        var caches = silo.ServiceProvider.GetRequiredService<RecipientCacheServiceClient>();
        var renewed = await caches.Renew(silo.SiloAddress, holder, [new CopyRenewal(key, read.Version, report.Hits, report.Id)]);
        Assert.Equal(LeaseRenewal.Renewed, renewed.Outcomes.Single());
        await recipient.RecordHits(report);
        await recipient.RecordHits(report);
        Assert.Equal(25, (await recipient.ListRecords()).Single().HitCount);

        // A later report drained first, then sent again.
        var later = report with { Id = report.Id with { Sequence = 4 } };
        await caches.Renew(silo.SiloAddress, holder, [new CopyRenewal(key, read.Version, later.Hits, later.Id)]);
        Assert.Equal(50, (await recipient.ListRecords()).Single().HitCount);
        await recipient.RecordHits(later);
        Assert.Equal(50, (await recipient.ListRecords()).Single().HitCount);

        // The receipts are written with the hits: the next activation still knows both reports.
        await fixture.Grains.GetGrain<IManagementGrain>(0).ForceActivationCollection(TimeSpan.Zero);
        await recipient.RecordHits(report);
        await recipient.RecordHits(later);
        Assert.Equal(50, (await recipient.ListRecords()).Single().HitCount);
    }
}
