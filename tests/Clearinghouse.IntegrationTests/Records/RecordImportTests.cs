using Clearinghouse.Api.V1;
using Grpc.Core;

namespace Clearinghouse.IntegrationTests;

/// <summary>
/// A provider's bulk write of its recipients' records (<c>Records/ImportRecords</c>): results per item, in order; a bad
/// item or another provider's recipient fails alone, named; sent again, nothing is added twice; the limits per call.
/// (Read-your-writes across gateways: <c>RecipientCacheTests</c>.)
/// </summary>
[Collection(HostCollection.Name)]
public class RecordImportTests(HostFixture fixture)
{
    [Fact]
    public async Task Each_item_is_added_as_AddRecord_adds_it_with_its_own_result_and_bad_items_fail_alone()
    {
        var run = Guid.NewGuid().ToString("N")[..8];
        var alice = $"alice-{run}@{TestTenants.AcmeDomain}";
        var bob = $"bob-{run}@{TestTenants.AcmeDomain}";
        var request = new ImportRecordsRequest();
        request.Records.Add(new AddRecordRequest { Recipient = alice, Pattern = "spam.example", Action = RecordAction.Reject, Message = "no spam" });
        request.Records.Add(new AddRecordRequest { Recipient = bob, Pattern = "friend@spam.example", Action = RecordAction.Allow });
        request.Records.Add(new AddRecordRequest { Recipient = alice, Pattern = "not a pattern!", Action = RecordAction.Reject });
        request.Records.Add(new AddRecordRequest { Recipient = $"carol-{run}@{TestTenants.OtherDomain}", Pattern = "spam.example", Action = RecordAction.Reject });
        request.Records.Add(new AddRecordRequest { Recipient = "no at sign", Pattern = "spam.example", Action = RecordAction.Reject });
        request.Records.Add(new AddRecordRequest { Recipient = alice, Pattern = ".xyz", Action = RecordAction.Defer, ThreatLevel = 10 });
        request.Records.Add(new AddRecordRequest { Recipient = alice, Pattern = ".xyz", Action = RecordAction.Defer, ThreatLevel = 3 });
        var records = fixture.Host.Records();

        var answer = await records.ImportRecordsAsync(request);

        Assert.Equal(request.Records.Count, answer.Results.Count);
        Assert.Equal(((uint)3, (uint)0, (uint)4), (answer.Added, answer.Replaced, answer.Failed));
        Assert.Equal((int)StatusCode.OK, answer.Results[0].Code);
        Assert.Equal("spam.example", answer.Results[0].Record.Pattern);
        Assert.Equal((int)StatusCode.OK, answer.Results[1].Code);
        Assert.Equal((int)StatusCode.InvalidArgument, answer.Results[2].Code);
        Assert.StartsWith("records[2].pattern:", answer.Results[2].Error);
        Assert.Equal((int)StatusCode.PermissionDenied, answer.Results[3].Code);
        Assert.StartsWith("records[3].recipient:", answer.Results[3].Error);
        Assert.Equal((int)StatusCode.InvalidArgument, answer.Results[4].Code);
        Assert.StartsWith("records[4].recipient:", answer.Results[4].Error);
        Assert.Equal((int)StatusCode.InvalidArgument, answer.Results[5].Code);
        Assert.StartsWith("records[5].threat_level:", answer.Results[5].Error);
        Assert.Equal((int)StatusCode.OK, answer.Results[6].Code);

        var aliceRecords = (await records.ListRecordsAsync(new ListRecordsRequest { Recipient = alice })).Records;
        Assert.Equal([".xyz", "spam.example"], aliceRecords.Select(r => r.Pattern).Order(StringComparer.Ordinal));
        Assert.Single((await records.ListRecordsAsync(new ListRecordsRequest { Recipient = bob })).Records);
        var check = await fixture.Host.Verdicts().CheckRecipientAsync(new CheckRecipientRequest { Recipient = alice, Sender = "x@spam.example" });
        Assert.Equal((VerdictAction.Reject, answer.Results[0].Record.Id), (check.Action, check.MatchedRecordId));

        // Sent again (an answer lost): every good item replaces its own record, nothing is added twice.
        var again = await records.ImportRecordsAsync(request);
        Assert.Equal(((uint)0, (uint)3, (uint)4), (again.Added, again.Replaced, again.Failed));
        Assert.Equal(answer.Results[0].Record.Id, again.Results[0].Record.Id);
        Assert.Equal(2, (await records.ListRecordsAsync(new ListRecordsRequest { Recipient = alice })).Records.Count);
    }

    [Fact]
    public async Task An_import_is_refused_whole_when_empty_too_large_or_not_from_a_provider()
    {
        var run = Guid.NewGuid().ToString("N")[..8];
        var records = fixture.Host.Records();
        var tooMany = new ImportRecordsRequest();
        tooMany.Records.AddRange(Enumerable.Range(0, 1001).Select(i => new AddRecordRequest { Recipient = $"r{i}-{run}@{TestTenants.AcmeDomain}", Pattern = "spam.example", Action = RecordAction.Reject }));

        var limit = await Assert.ThrowsAsync<RpcException>(() => records.ImportRecordsAsync(tooMany).ResponseAsync);
        Assert.Equal(StatusCode.InvalidArgument, limit.StatusCode);
        Assert.StartsWith("records:", limit.Status.Detail);
        Assert.Empty((await records.ListRecordsAsync(new ListRecordsRequest { Recipient = $"r0-{run}@{TestTenants.AcmeDomain}" })).Records);

        var empty = await Assert.ThrowsAsync<RpcException>(() => records.ImportRecordsAsync(new ImportRecordsRequest()).ResponseAsync);
        Assert.StartsWith("records:", empty.Status.Detail);

        var byOperator = await Assert.ThrowsAsync<RpcException>(() => fixture.Host.Records(TestTenants.OperatorKey).ImportRecordsAsync(new ImportRecordsRequest { Records = { tooMany.Records[0] } }).ResponseAsync);
        Assert.Equal(StatusCode.PermissionDenied, byOperator.StatusCode);
    }

    [Fact]
    public async Task A_thousand_items_for_two_hundred_recipients_are_all_added()
    {
        var run = Guid.NewGuid().ToString("N")[..8];
        var request = new ImportRecordsRequest();
        request.Records.AddRange(Enumerable.Range(0, 1000).Select(i => new AddRecordRequest { Recipient = $"many{i % 200}-{run}@{TestTenants.AcmeDomain}", Pattern = $"spam{i / 200}.example", Action = RecordAction.Reject }));

        var answer = await fixture.Host.Records().ImportRecordsAsync(request);

        Assert.Equal(((uint)1000, (uint)0), (answer.Added, answer.Failed));
        foreach (var recipient in new[] { 0, 77, 199 }.Select(i => $"many{i}-{run}@{TestTenants.AcmeDomain}"))
        {
            Assert.Equal(5, (await fixture.Host.Records().ListRecordsAsync(new ListRecordsRequest { Recipient = recipient })).Records.Count);
        }
    }
}
