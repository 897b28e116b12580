using Clearinghouse.Domain;
using Orleans.Concurrency;

namespace Clearinghouse.Contracts;

/// <summary>
/// The cluster's traffic for the operators' overview. Key: 0. Every silo sends its cumulative counts each second;
/// the grain turns them into rates (<see cref="TrafficRates"/>). Kept in memory only: after a restart the rates are
/// back within a few seconds.
/// </summary>
public interface ITrafficStatistics : IGrainWithIntegerKey
{
    [OneWay]
    Task Record(SiloTraffic report);

    Task<ClusterTraffic> Read();
}
