using Clearinghouse.Api.V1;
using Grpc.Core;

namespace Clearinghouse.IntegrationTests;

[Collection(HostCollection.Name)]
public class ListsTests(HostFixture fixture)
{
    private readonly RecipientLists.RecipientListsClient lists = fixture.Host.RecipientLists();
    private readonly Records.RecordsClient records = fixture.Host.Records();
    private readonly string recipient = $"user-{Guid.NewGuid():N}@{TestTenants.AcmeDomain}";

    [Fact]
    public async Task A_full_list_evicts_into_the_secondary_list_which_is_read_back_and_flags()
    {
        var info = await lists.SetListLimitAsync(new SetListLimitRequest { Recipient = recipient, MaxRecords = 2 });
        Assert.Equal((2u, 2u), (info.MaxRecords, info.MaxRecordsOverride));
        var replies = new List<AddRecordResponse>();
        foreach (var sender in new[] { "one@spam.example", "two@spam.example", "three@spam.example" })
        {
            replies.Add(await records.AddRecordAsync(new AddRecordRequest { Recipient = recipient, Pattern = sender, Action = RecordAction.Reject }));
        }

        Assert.Equal(2, (await records.ListRecordsAsync(new ListRecordsRequest { Recipient = recipient })).Records.Count);
        var secondary = (await lists.ListSecondaryAsync(new ListSecondaryRequest { Recipient = recipient })).Records.Single();
        Assert.Equal(EvictionRule.Fallback, secondary.Rule);

        // The reply of the addition that evicted names what went and by which rule; the others evicted nothing.
        Assert.Empty(replies[0].Evicted);
        Assert.Empty(replies[1].Evicted);
        var evicted = Assert.Single(replies[2].Evicted);
        Assert.Equal((secondary.Record.Id, secondary.Record.Pattern, EvictionRule.Fallback), (evicted.Record.Id, evicted.Record.Pattern, evicted.Rule));
        Assert.Equal(secondary.EvictedAt, evicted.EvictedAt);

        var verdict = await fixture.Host.Verdicts().CheckRecipientAsync(new CheckRecipientRequest { Sender = secondary.Record.Pattern, Recipient = recipient });
        Assert.Equal((VerdictAction.Accept, secondary.Record.Id), (verdict.Action, verdict.FlaggedRecordId));

        var after = await lists.GetListInfoAsync(new GetListInfoRequest { Recipient = recipient });
        Assert.Equal((2u, 0u, 1u), (after.BlockingRecords, after.AllowRecords, after.SecondaryRecords));

        // Replacing a record evicts nothing.
        var replaced = await records.AddRecordAsync(new AddRecordRequest { Recipient = recipient, Pattern = "three@spam.example", Action = RecordAction.Defer });
        Assert.True(replaced.Replaced);
        Assert.Empty(replaced.Evicted);
    }

    [Theory]
    [InlineData(100_001u, "max_records")]
    public async Task A_limit_out_of_range_is_refused_and_nothing_changes(uint max, string field)
    {
        var error = await Assert.ThrowsAsync<RpcException>(async () => await lists.SetListLimitAsync(new SetListLimitRequest { Recipient = recipient, MaxRecords = max }));
        Assert.Equal(StatusCode.InvalidArgument, error.StatusCode);
        Assert.StartsWith(field + ":", error.Status.Detail);
        Assert.Equal(0u, (await lists.GetListInfoAsync(new GetListInfoRequest { Recipient = recipient })).MaxRecordsOverride);
    }

    [Fact]
    public async Task Another_provider_cannot_read_or_change_these_lists()
    {
        await lists.SetListLimitAsync(new SetListLimitRequest { Recipient = recipient, MaxRecords = 5 });
        var other = fixture.Host.RecipientLists(TestTenants.OtherKey);

        foreach (var call in new Func<Task>[]
        {
            () => other.SetListLimitAsync(new SetListLimitRequest { Recipient = recipient, MaxRecords = 1 }).ResponseAsync,
            () => other.GetListInfoAsync(new GetListInfoRequest { Recipient = recipient }).ResponseAsync,
            () => other.ListSecondaryAsync(new ListSecondaryRequest { Recipient = recipient }).ResponseAsync,
        })
        {
            var error = await Assert.ThrowsAsync<RpcException>(call);
            Assert.Equal(StatusCode.PermissionDenied, error.StatusCode);
        }

        Assert.Equal(5u, (await lists.GetListInfoAsync(new GetListInfoRequest { Recipient = recipient })).MaxRecordsOverride);
    }
}
