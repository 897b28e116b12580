namespace Clearinghouse.Domain;

/// <summary>
/// What one silo has counted since its process started, as it reports it every second: verdicts by action (indexed by
/// <see cref="VerdictAction"/>), violations and escalations, and its process's CPU time and working set.
/// </summary>
[GenerateSerializer, Immutable]
public sealed record SiloTraffic(
    [property: Id(0)] string Silo,
    [property: Id(1)] string Name,
    [property: Id(2)] DateTimeOffset At,
    [property: Id(3)] IReadOnlyList<long> VerdictsByAction,
    [property: Id(4)] long Violations,
    [property: Id(5)] long Escalations,
    [property: Id(6)] double CpuSeconds,
    [property: Id(7)] long MemoryBytes);

/// <summary>One silo's rates over the last few seconds.</summary>
[GenerateSerializer, Immutable]
public sealed record SiloRates(
    [property: Id(0)] string Silo,
    [property: Id(1)] string Name,
    [property: Id(2)] DateTimeOffset LastReportAt,
    [property: Id(3)] bool Reporting,
    [property: Id(4)] IReadOnlyList<double> VerdictsPerSecond,
    [property: Id(5)] double ViolationsPerMinute,
    [property: Id(6)] double EscalationsPerMinute,
    [property: Id(7)] double CpuPercent,
    [property: Id(8)] long MemoryBytes);

/// <summary>The cluster's rates: the sum over the silos that reported recently, and each silo's own.</summary>
[GenerateSerializer, Immutable]
public sealed record ClusterTraffic(
    [property: Id(0)] DateTimeOffset At,
    [property: Id(1)] IReadOnlyList<double> VerdictsPerSecond,
    [property: Id(2)] double ViolationsPerMinute,
    [property: Id(3)] double EscalationsPerMinute,
    [property: Id(4)] IReadOnlyList<SiloRates> Silos)
{
    public static readonly int Actions = Enum.GetValues<VerdictAction>().Length;
}
