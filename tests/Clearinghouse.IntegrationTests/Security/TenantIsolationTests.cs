using Clearinghouse.Api.V1;
using Clearinghouse.IntegrationTests.EndToEnd;
using Clearinghouse.IntegrationTests.Infrastructure;
using Grpc.Core;

namespace Clearinghouse.IntegrationTests.Security;

/// <summary>
/// Every API refuses a call without a credential, and a provider acting on another provider's recipient gets
/// PermissionDenied while nothing of the recipient changes (records, hit counts).
/// </summary>
[Collection(HostCollection.Name)]
public class TenantIsolationTests(HostFixture fixture)
{
    public static TheoryData<string> AllMethods() => [.. ApiProbes.All.Select(p => p.Method)];

    public static TheoryData<string> ScopedMethods() => [.. ApiProbes.All.Where(p => p.Scope != ApiScope.AnyCaller).Select(p => p.Method)];

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
    [MemberData(nameof(ScopedMethods))]
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
        return new ProbeTarget(recipient, added.Record.Id);
    }

    // What the owner sees of the recipient: its records with their hit counts (the decayed rate moves with time).
    private async Task<string> SnapshotAsync(ProbeTarget target)
    {
        var listed = await fixture.Host.Records().ListRecordsAsync(new ListRecordsRequest { Recipient = target.Recipient });
        foreach (var record in listed.Records)
        {
            record.DecayedHitRate = 0;
        }

        return listed.ToString();
    }
}
