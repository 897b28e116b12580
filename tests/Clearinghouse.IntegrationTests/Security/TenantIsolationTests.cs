using Clearinghouse.Api.V1;
using Google.Protobuf.WellKnownTypes;
using Grpc.Core;

namespace Clearinghouse.IntegrationTests;

/// <summary>
/// Every API refuses a call without a credential, and a provider acting on another provider's recipient gets
/// PermissionDenied while nothing of the recipient changes (records, hit counts).
/// </summary>
[Collection(HostCollection.Name)]
public class TenantIsolationTests(HostFixture fixture)
{
    public static TheoryData<string> AllMethods() => [.. ApiProbes.All.Select(p => p.Method)];

    public static TheoryData<string> ScopedMethods() => [.. ApiProbes.All.Where(p => p.Scope is ApiScope.RecipientOwner or ApiScope.Operator).Select(p => p.Method)];

    public static TheoryData<string> ProviderDataMethods() => [.. ApiProbes.All.Where(p => p.Scope == ApiScope.OwnProviderData).Select(p => p.Method)];

    [Fact]
    public void Every_method_of_every_service_has_a_probe()
    {
        Assert.Equal(ApiProbes.DeclaredMethods(), ApiProbes.All.Select(p => p.Method).Order().ToList());
    }

    [Theory]
    [MemberData(nameof(AllMethods))]
    public async Task A_call_without_a_credential_is_refused_and_changes_nothing(string method)
    {
        var target = await NewTargetAsync();
        var before = await SnapshotAsync(target);

        var error = await Assert.ThrowsAsync<RpcException>(() => Probe(method).Call(fixture.Host.Invoker(apiKey: null), target));
        Assert.Equal(StatusCode.Unauthenticated, error.StatusCode);
        Assert.Equal(before, await SnapshotAsync(target));
    }

    [Theory]
    [MemberData(nameof(ScopedMethods))]
    public async Task Another_providers_key_is_refused_with_PermissionDenied_and_changes_nothing(string method)
    {
        var target = await NewTargetAsync();
        var before = await SnapshotAsync(target);

        var error = await Assert.ThrowsAsync<RpcException>(() => Probe(method).Call(fixture.Host.Invoker(TestTenants.OtherKey), target));
        Assert.Equal(StatusCode.PermissionDenied, error.StatusCode);
        Assert.Equal(before, await SnapshotAsync(target));
    }

    [Theory]
    [MemberData(nameof(ProviderDataMethods))]
    public async Task Another_provider_acts_only_on_its_own_maps_and_lists(string method)
    {
        var target = await NewTargetAsync();
        var before = await SnapshotAsync(target);

        await Probe(method).Call(fixture.Host.Invoker(TestTenants.OtherKey), target);
        Assert.Equal(before, await SnapshotAsync(target));
    }

    [Theory]
    [MemberData(nameof(ScopedMethods))]
    [MemberData(nameof(ProviderDataMethods))]
    public async Task The_owner_or_an_operator_may_call_it(string method)
    {
        var probe = Probe(method);
        var key = probe.Scope == ApiScope.Operator ? TestTenants.OperatorKey : TestTenants.AcmeKey;
        await probe.Call(fixture.Host.Invoker(key), await NewTargetAsync());
    }

    private static ApiProbe Probe(string method) => ApiProbes.All.Single(p => p.Method == method);

    private async Task<ProbeTarget> NewTargetAsync()
    {
        var recipient = $"isolated-{Guid.NewGuid():N}@{TestTenants.AcmeDomain}";
        var added = await fixture.Host.Records().AddRecordAsync(new AddRecordRequest { Recipient = recipient, Pattern = "spam@bulk.example", Action = RecordAction.Reject, Message = "no" });
        await fixture.Host.Verdicts().CheckRecipientAsync(new CheckRecipientRequest { Recipient = recipient, Sender = "spam@bulk.example" });
        await fixture.Host.DoNotSend().RecordRequestAsync(new RecordDoNotSendRequest
        {
            Recipient = recipient,
            Sender = ProbeTarget.DoNotSendSender,
            Method = DoNotSendMethod.OneClick,
            RequestedAt = Timestamp.FromDateTimeOffset(DateTimeOffset.UtcNow.AddMinutes(-5)),
            FirstMessage = new MessageEvidence { MessageId = "<first@bulk.example>", Date = Timestamp.FromDateTimeOffset(DateTimeOffset.UtcNow.AddDays(-1)), HeaderDigest = new string('a', 64) },
        });
        var maps = fixture.Host.ProviderMaps();
        await maps.PutMapEntriesAsync(new PutMapEntriesRequest { Map = MapKind.Connection, Entries = { new MapEntry { Identifier = ProbeTarget.ConnectionPrefix, Action = MapAction.Reject, Message = "probe" } } });
        await maps.PutSenderListEntriesAsync(new PutSenderListEntriesRequest { Entries = { new SenderListEntry { Pattern = ProbeTarget.SenderListPattern, Action = RecordAction.Reject } } });
        return new ProbeTarget(recipient, added.Record.Id);
    }

    // What the owner sees of the recipient (records with their hit counts, do-not-send requests, list sizes) and of its
    // own maps and sender list. The decayed hit rate moves with time, so it is left out.
    private async Task<string> SnapshotAsync(ProbeTarget target)
    {
        var listed = await fixture.Host.Records().ListRecordsAsync(new ListRecordsRequest { Recipient = target.Recipient });
        foreach (var record in listed.Records)
        {
            record.DecayedHitRate = 0;
        }

        var doNotSend = await fixture.Host.DoNotSend().ListRequestsAsync(new ListDoNotSendRequest { Recipient = target.Recipient });
        var lists = await fixture.Host.RecipientLists().GetListInfoAsync(new GetListInfoRequest { Recipient = target.Recipient });
        var maps = fixture.Host.ProviderMaps();
        var connections = await maps.ListMapEntriesAsync(new ListMapEntriesRequest { Map = MapKind.Connection });
        var recipients = await maps.ListMapEntriesAsync(new ListMapEntriesRequest { Map = MapKind.Recipient });
        var senders = await maps.ListSenderListAsync(new ListSenderListRequest());
        return string.Join('\n', listed, doNotSend, lists, connections, recipients, senders);
    }
}
