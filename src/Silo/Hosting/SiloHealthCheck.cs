using Microsoft.Extensions.Diagnostics.HealthChecks;

namespace Clearinghouse.Silo.Hosting;

/// <summary>Healthy once this silo is an active member of the cluster (what the gRPC health service and probes report).</summary>
public sealed class SiloHealthCheck(IClusterMembershipService membership, ILocalSiloDetails localSilo) : IHealthCheck
{
    public Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default)
    {
        var status = membership.CurrentSnapshot.GetSiloStatus(localSilo.SiloAddress);
        return Task.FromResult(status == SiloStatus.Active
            ? HealthCheckResult.Healthy("silo is active")
            : HealthCheckResult.Unhealthy($"silo is {status}"));
    }
}
