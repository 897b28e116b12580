using Clearinghouse.Contracts;
using Clearinghouse.Domain;

namespace Clearinghouse.Grains.Traffic;

/// <summary>The cluster's traffic rates (see <see cref="ITrafficStatistics"/>), in memory.</summary>
public sealed class TrafficStatisticsGrain(TimeProvider clock) : Grain, ITrafficStatistics
{
    private readonly TrafficRates rates = new();

    Task ITrafficStatistics.Record(SiloTraffic report)
    {
        ArgumentNullException.ThrowIfNull(report);
        // Stamped on arrival: the silos' clocks may disagree by more than the rates' window.
        rates.Record(report with { At = clock.GetUtcNow() });
        return Task.CompletedTask;
    }

    Task<ClusterTraffic> ITrafficStatistics.Read() => Task.FromResult(rates.Read(clock.GetUtcNow()));
}
