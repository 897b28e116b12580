using Clearinghouse.Api.V1;
using Google.Protobuf.WellKnownTypes;
using Grpc.Core;

namespace Clearinghouse.IntegrationTests;

/// <summary>
/// Bad input on the operator RPCs the console added (and the parts of the audit and review RPCs the audit and delisting
/// tests do not reach): each field a caller controls, given a bad value, is refused with INVALID_ARGUMENT naming the
/// field — or NOT_FOUND, naming it, for an id that names nothing — and nothing changes: not the audit trail, the
/// filter list, the thresholds, the outbox nor the review queue. GetOverview takes no input.
/// </summary>
[Collection(HostCollection.Name)]
public class OperatorApiInputTests(HostFixture fixture)
{
    private const string UnknownRequestId = "dl-0123456789abcdef0123456789abcdef";
    private static readonly string LongReason = new('r', 451);

    public static TheoryData<string, string, Func<Operator.OperatorClient, Task>> BadCalls => new()
    {
        { "GetSenderActivity", "sender", c => c.GetSenderActivityAsync(new GetSenderRequest { Sender = "" }).ResponseAsync },
        { "GetSenderActivity", "sender", c => c.GetSenderActivityAsync(new GetSenderRequest { Sender = "no at sign" }).ResponseAsync },
        { "GetSenderActivity", "sender", c => c.GetSenderActivityAsync(new GetSenderRequest { Sender = "*@bulk.example" }).ResponseAsync },

        { "ListTopSenders", "query", c => c.ListTopSendersAsync(new ListTopSendersRequest { Query = "not a domain!" }).ResponseAsync },
        { "ListTopSenders", "query", c => c.ListTopSendersAsync(new ListTopSendersRequest { Query = "user@" }).ResponseAsync },
        { "ListTopSenders", "query", c => c.ListTopSendersAsync(new ListTopSendersRequest { Query = "[192.0.2.1]" }).ResponseAsync },
        { "ListTopSenders", "query", c => c.ListTopSendersAsync(new ListTopSendersRequest { Query = new string('a', 321) }).ResponseAsync },
        { "ListTopSenders", "query", c => c.ListTopSendersAsync(new ListTopSendersRequest { Query = "bulk\u0001.example" }).ResponseAsync },
        { "ListTopSenders", "limit", c => c.ListTopSendersAsync(new ListTopSendersRequest { Limit = 201 }).ResponseAsync },
        { "ListTopSenders", "limit", c => c.ListTopSendersAsync(new ListTopSendersRequest { Limit = uint.MaxValue }).ResponseAsync },

        { "ListCases", "status", c => c.ListCasesAsync(new ListCasesRequest { Status = (DeliveryStatus)42 }).ResponseAsync },
        { "ListCases", "limit", c => c.ListCasesAsync(new ListCasesRequest { Limit = 501 }).ResponseAsync },

        { "ResendDelivery", "delivery_id", c => c.ResendDeliveryAsync(new ResendDeliveryRequest()).ResponseAsync },
        { "ResendDelivery", "delivery_id", c => c.ResendDeliveryAsync(new ResendDeliveryRequest { DeliveryId = "   " }).ResponseAsync },
        { "ResendDelivery", "delivery_id", c => c.ResendDeliveryAsync(new ResendDeliveryRequest { DeliveryId = "case-x/" + new string('d', 512) }).ResponseAsync },
        { "ResendDelivery", "delivery_id", c => c.ResendDeliveryAsync(new ResendDeliveryRequest { DeliveryId = "case-x/\nauthority" }).ResponseAsync },
        { "ResendDelivery", "reason", c => c.ResendDeliveryAsync(new ResendDeliveryRequest { DeliveryId = "case-x/authority", Reason = LongReason }).ResponseAsync },

        { "SearchFilterList", "query", c => c.SearchFilterListAsync(new SearchFilterListRequest { Query = new string('a', 321) }).ResponseAsync },
        { "SearchFilterList", "query", c => c.SearchFilterListAsync(new SearchFilterListRequest { Query = "user@" }).ResponseAsync },
        { "SearchFilterList", "query", c => c.SearchFilterListAsync(new SearchFilterListRequest { Query = "bulk\a.example" }).ResponseAsync },
        { "SearchFilterList", "kind", c => c.SearchFilterListAsync(new SearchFilterListRequest { Kind = (FilterEntryKind)9 }).ResponseAsync },
        { "SearchFilterList", "limit", c => c.SearchFilterListAsync(new SearchFilterListRequest { Limit = 1001 }).ResponseAsync },
        { "SearchFilterList", "page_token", c => c.SearchFilterListAsync(new SearchFilterListRequest { PageToken = "abc" }).ResponseAsync },
        { "SearchFilterList", "page_token", c => c.SearchFilterListAsync(new SearchFilterListRequest { PageToken = "0" }).ResponseAsync },
        { "SearchFilterList", "page_token", c => c.SearchFilterListAsync(new SearchFilterListRequest { PageToken = "-3" }).ResponseAsync },

        { "ListFilterChanges", "query", c => c.ListFilterChangesAsync(new ListFilterChangesRequest { Query = "not a domain!" }).ResponseAsync },
        { "ListFilterChanges", "query", c => c.ListFilterChangesAsync(new ListFilterChangesRequest { Query = "user@" }).ResponseAsync },
        { "ListFilterChanges", "query", c => c.ListFilterChangesAsync(new ListFilterChangesRequest { Query = "192.0.2.1/33" }).ResponseAsync },
        { "ListFilterChanges", "query", c => c.ListFilterChangesAsync(new ListFilterChangesRequest { Query = new string('a', 321) }).ResponseAsync },
        { "ListFilterChanges", "limit", c => c.ListFilterChangesAsync(new ListFilterChangesRequest { Limit = 1001 }).ResponseAsync },

        { "ListEntry", "kind", c => c.ListEntryAsync(new ListEntryRequest { Value = "bad-kind.example" }).ResponseAsync },
        { "ListEntry", "kind", c => c.ListEntryAsync(new ListEntryRequest { Kind = FilterEntryKind.AddressSha256, Value = "someone@bad-kind.example" }).ResponseAsync },
        { "ListEntry", "kind", c => c.ListEntryAsync(new ListEntryRequest { Kind = (FilterEntryKind)9, Value = "bad-kind.example" }).ResponseAsync },
        { "ListEntry", "value", c => c.ListEntryAsync(new ListEntryRequest { Kind = FilterEntryKind.Domain }).ResponseAsync },
        { "ListEntry", "value", c => c.ListEntryAsync(new ListEntryRequest { Kind = FilterEntryKind.Domain, Value = "not a domain!" }).ResponseAsync },
        { "ListEntry", "value", c => c.ListEntryAsync(new ListEntryRequest { Kind = FilterEntryKind.Domain, Value = "[192.0.2.1]" }).ResponseAsync },
        { "ListEntry", "value", c => c.ListEntryAsync(new ListEntryRequest { Kind = FilterEntryKind.Domain, Value = "com" }).ResponseAsync },
        { "ListEntry", "value", c => c.ListEntryAsync(new ListEntryRequest { Kind = FilterEntryKind.Ip, Value = "192.0.2.1/33" }).ResponseAsync },
        { "ListEntry", "value", c => c.ListEntryAsync(new ListEntryRequest { Kind = FilterEntryKind.Ip, Value = "192.0.2.1/24" }).ResponseAsync },
        { "ListEntry", "value", c => c.ListEntryAsync(new ListEntryRequest { Kind = FilterEntryKind.Ip, Value = "192.168.001.010" }).ResponseAsync },
        { "ListEntry", "value", c => c.ListEntryAsync(new ListEntryRequest { Kind = FilterEntryKind.Ip, Value = "2001:db8::/129" }).ResponseAsync },
        { "ListEntry", "value", c => c.ListEntryAsync(new ListEntryRequest { Kind = FilterEntryKind.Ip, Value = "bad-kind.example" }).ResponseAsync },
        { "ListEntry", "value", c => c.ListEntryAsync(new ListEntryRequest { Kind = FilterEntryKind.Ip, Value = "0.0.0.0/0" }).ResponseAsync },
        { "ListEntry", "value", c => c.ListEntryAsync(new ListEntryRequest { Kind = FilterEntryKind.Ip, Value = "10.0.0.0/7" }).ResponseAsync },
        { "ListEntry", "value", c => c.ListEntryAsync(new ListEntryRequest { Kind = FilterEntryKind.Ip, Value = "::/0" }).ResponseAsync },
        { "ListEntry", "reason", c => c.ListEntryAsync(new ListEntryRequest { Kind = FilterEntryKind.Domain, Value = "bad-reason.example", Reason = LongReason }).ResponseAsync },

        { "UnlistEntry", "kind", c => c.UnlistEntryAsync(new UnlistEntryRequest { Value = "bad-kind.example" }).ResponseAsync },
        { "UnlistEntry", "kind", c => c.UnlistEntryAsync(new UnlistEntryRequest { Kind = FilterEntryKind.AddressSha256, Value = "someone@bad-kind.example" }).ResponseAsync },
        { "UnlistEntry", "value", c => c.UnlistEntryAsync(new UnlistEntryRequest { Kind = FilterEntryKind.Domain, Value = "" }).ResponseAsync },
        { "UnlistEntry", "value", c => c.UnlistEntryAsync(new UnlistEntryRequest { Kind = FilterEntryKind.Ip, Value = "300.1.1.1" }).ResponseAsync },
        { "UnlistEntry", "reason", c => c.UnlistEntryAsync(new UnlistEntryRequest { Kind = FilterEntryKind.Domain, Value = "bad-reason.example", Reason = LongReason }).ResponseAsync },

        { "ListAudit", "action", c => c.ListAuditAsync(new ListAuditRequest { Action = "sender\n.delist" }).ResponseAsync },
        { "ListAudit", "target", c => c.ListAuditAsync(new ListAuditRequest { Target = "sender:" + new string('a', 512) }).ResponseAsync },
        { "ListAudit", "until", c => c.ListAuditAsync(new ListAuditRequest { Until = new Timestamp { Seconds = 1, Nanos = 1_000_000_000 } }).ResponseAsync },
        { "ListAudit", "page_size", c => c.ListAuditAsync(new ListAuditRequest { PageSize = uint.MaxValue }).ResponseAsync },
        { "ListAudit", "page_token", c => c.ListAuditAsync(new ListAuditRequest { PageToken = "0" }).ResponseAsync },
        { "ListAudit", "page_token", c => c.ListAuditAsync(new ListAuditRequest { PageToken = "-1" }).ResponseAsync },

        { "ListDelistingRequests", "limit", c => c.ListDelistingRequestsAsync(new ListDelistingRequestsRequest { Limit = uint.MaxValue }).ResponseAsync },

        { "ApproveDelisting", "request_id", c => c.ApproveDelistingAsync(new ReviewDelistingRequest()).ResponseAsync },
        { "ApproveDelisting", "request_id", c => c.ApproveDelistingAsync(new ReviewDelistingRequest { RequestId = "dl-xyz" }).ResponseAsync },
        { "ApproveDelisting", "request_id", c => c.ApproveDelistingAsync(new ReviewDelistingRequest { RequestId = UnknownRequestId + "0" }).ResponseAsync },
        { "ApproveDelisting", "reason", c => c.ApproveDelistingAsync(new ReviewDelistingRequest { RequestId = UnknownRequestId, Reason = LongReason }).ResponseAsync },

        { "RefuseDelisting", "request_id", c => c.RefuseDelistingAsync(new ReviewDelistingRequest { Reason = "no" }).ResponseAsync },
        { "RefuseDelisting", "reason", c => c.RefuseDelistingAsync(new ReviewDelistingRequest { RequestId = UnknownRequestId }).ResponseAsync },
        { "RefuseDelisting", "reason", c => c.RefuseDelistingAsync(new ReviewDelistingRequest { RequestId = UnknownRequestId, Reason = "   " }).ResponseAsync },
        { "RefuseDelisting", "reason", c => c.RefuseDelistingAsync(new ReviewDelistingRequest { RequestId = UnknownRequestId, Reason = "\r\n\t" }).ResponseAsync },
        { "RefuseDelisting", "reason", c => c.RefuseDelistingAsync(new ReviewDelistingRequest { RequestId = UnknownRequestId, Reason = LongReason }).ResponseAsync },
    };

    public static TheoryData<string, string, Func<Operator.OperatorClient, Task>> UnknownIds => new()
    {
        { "ResendDelivery", "delivery_id", c => c.ResendDeliveryAsync(new ResendDeliveryRequest { DeliveryId = "case-unknown/authority", Reason = "again" }).ResponseAsync },
        { "ApproveDelisting", "request_id", c => c.ApproveDelistingAsync(new ReviewDelistingRequest { RequestId = UnknownRequestId }).ResponseAsync },
        { "RefuseDelisting", "request_id", c => c.RefuseDelistingAsync(new ReviewDelistingRequest { RequestId = UnknownRequestId, Reason = "no proof" }).ResponseAsync },
    };

    [Theory]
    [MemberData(nameof(BadCalls))]
    public Task A_bad_value_is_refused_naming_the_field_and_nothing_changes(string rpc, string field, Func<Operator.OperatorClient, Task> call) =>
        AssertRefusedAsync(StatusCode.InvalidArgument, rpc, field, call);

    [Theory]
    [MemberData(nameof(UnknownIds))]
    public Task An_id_that_names_nothing_is_not_found_naming_the_field_and_nothing_changes(string rpc, string field, Func<Operator.OperatorClient, Task> call) =>
        AssertRefusedAsync(StatusCode.NotFound, rpc, field, call);

    [Fact]
    public async Task A_network_or_domain_narrow_enough_is_listed_and_unlisted_by_hand()
    {
        var operators = fixture.Host.Operator();
        var domain = $"hand-{Guid.NewGuid():N}"[..20] + ".example";
        foreach (var (kind, value) in new[] { (FilterEntryKind.Domain, domain), (FilterEntryKind.Ip, "10.0.0.0/8"), (FilterEntryKind.Ip, "2001::/16") })
        {
            var listed = await operators.ListEntryAsync(new ListEntryRequest { Kind = kind, Value = value, Reason = "by hand" });
            Assert.True(listed.Changed, value);
            var unlisted = await operators.UnlistEntryAsync(new UnlistEntryRequest { Kind = kind, Value = value, Reason = "by hand" });
            Assert.True(unlisted.Changed, value);
        }
    }

    private async Task AssertRefusedAsync(StatusCode status, string rpc, string field, Func<Operator.OperatorClient, Task> call)
    {
        var before = await StandingAsync();

        var error = await Assert.ThrowsAsync<RpcException>(() => call(fixture.Host.Operator()));

        Assert.True(error.StatusCode == status, $"{rpc}: {error.StatusCode} {error.Status.Detail}");
        Assert.StartsWith(field + ":", error.Status.Detail);
        Assert.Equal(before, await StandingAsync());
    }

    /// <summary>Everything an operator RPC could change: the newest audit entry, the filter list, thresholds, outbox and review queue.</summary>
    private async Task<Standing> StandingAsync()
    {
        var operators = fixture.Host.Operator();
        var audit = await operators.ListAuditAsync(new ListAuditRequest { PageSize = 1 });
        var list = await fixture.Host.FilterList().GetSnapshotAsync(new GetFilterListSnapshotRequest());
        return new Standing(
            audit.Entries.FirstOrDefault()?.Sequence ?? 0,
            list.Version,
            list.Entries.Count,
            await operators.GetThresholdsAsync(new GetThresholdsRequest()),
            await operators.ListDeliveriesAsync(new ListDeliveriesRequest { Limit = 1000 }),
            await operators.ListDelistingRequestsAsync(new ListDelistingRequestsRequest { Limit = 1000 }));
    }

    private sealed record Standing(ulong NewestAudit, ulong ListVersion, int Listed, Thresholds Thresholds, ListDeliveriesResponse Deliveries, ListDelistingRequestsResponse Waiting);
}
