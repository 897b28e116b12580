using System.Reflection;
using Clearinghouse.Api.V1;
using Clearinghouse.Gateway.Security;
using Clearinghouse.Gateway.Services;
using Grpc.Core;

namespace Clearinghouse.IntegrationTests;

/// <summary>
/// A viewer (an operator whose role is Viewer) over gRPC: every operator RPC that changes state is refused with
/// PERMISSION_DENIED and changes nothing (the audit trail, the filter list — the domain the unlisting probe names is
/// listed —, the thresholds, the outbox), while every read answers. The calls are <see cref="ApiProbes"/>' operator probes; what changes state is what the
/// operator service marks as a write.
/// </summary>
[Collection(HostCollection.Name)]
public class OperatorRoleTests(HostFixture fixture)
{
    private static readonly IReadOnlySet<string> Changes = typeof(OperatorService)
        .GetMethods(BindingFlags.Public | BindingFlags.Instance | BindingFlags.DeclaredOnly)
        .Where(m => m.IsDefined(typeof(RateLimitedWriteAttribute)))
        .Select(m => $"clearinghouse.v1.Operator/{m.Name}")
        .ToHashSet();

    public static TheoryData<string> ChangingMethods() => [.. OperatorProbes().Where(p => Changes.Contains(p.Method)).Select(p => p.Method)];

    public static TheoryData<string> ReadingMethods() => [.. OperatorProbes().Where(p => !Changes.Contains(p.Method)).Select(p => p.Method)];

    [Fact]
    public void Every_change_the_operator_service_marks_has_a_probe()
    {
        Assert.Contains("clearinghouse.v1.Operator/SetThresholds", Changes);
        Assert.DoesNotContain("clearinghouse.v1.Operator/ListAudit", Changes);
        Assert.Subset(OperatorProbes().Select(p => p.Method).ToHashSet(), Changes.ToHashSet());
    }

    [Theory]
    [MemberData(nameof(ChangingMethods))]
    public async Task A_viewer_is_refused_every_change_and_nothing_changes(string method)
    {
        // Something for the unlisting to act on: the probes' domain is listed.
        var admin = fixture.Host.Operator();
        await admin.ListEntryAsync(new ListEntryRequest { Kind = FilterEntryKind.Domain, Value = "probe-listed.example", Reason = "listed for the viewer test" });
        var before = await StandingAsync();

        var error = await Assert.ThrowsAsync<RpcException>(() => Probe(method).Call(fixture.Host.Invoker(TestTenants.ViewerKey), null!));

        Assert.Equal(StatusCode.PermissionDenied, error.StatusCode);
        Assert.Contains("viewer", error.Status.Detail);
        Assert.Equal(before, await StandingAsync());
    }

    [Theory]
    [MemberData(nameof(ReadingMethods))]
    public async Task A_viewer_reads(string method) =>
        await Probe(method).Call(fixture.Host.Invoker(TestTenants.ViewerKey), null!);

    private static IEnumerable<ApiProbe> OperatorProbes() => ApiProbes.All.Where(p => p.Scope == ApiScope.Operator);

    private static ApiProbe Probe(string method) => ApiProbes.All.Single(p => p.Method == method);

    private async Task<string> StandingAsync()
    {
        var operators = fixture.Host.Operator();
        var audit = await operators.ListAuditAsync(new ListAuditRequest { PageSize = 1 });
        var list = await fixture.Host.FilterList().GetSnapshotAsync(new GetFilterListSnapshotRequest());
        var thresholds = await operators.GetThresholdsAsync(new GetThresholdsRequest());
        var deliveries = await operators.ListDeliveriesAsync(new ListDeliveriesRequest { Limit = 1000 });
        return string.Join('\n', audit.Entries.FirstOrDefault()?.Sequence, list.Version, list.Entries.Count, thresholds, deliveries);
    }
}
