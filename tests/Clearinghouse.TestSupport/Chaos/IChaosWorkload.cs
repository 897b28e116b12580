
namespace Clearinghouse.TestSupport.Chaos;

/// <summary>
/// One kind of load in a chaos run. To add one (violation reports, do-not-send requests, ...): implement this, keep
/// a record of every write the cluster acknowledged, and read each back in <see cref="VerifyAsync"/>; then add it
/// to <see cref="ChaosRun.DefaultWorkloads"/>.
/// </summary>
public interface IChaosWorkload
{
    string Name { get; }

    /// <summary>Seeds what the load needs, before the clock of the run starts mattering.</summary>
    Task PrepareAsync(ChaosContext context, CancellationToken cancellationToken);

    /// <summary>Drives load until <paramref name="stop"/>; failed calls are counted, never thrown.</summary>
    Task RunAsync(ChaosContext context, CancellationToken stop);

    /// <summary>After the run: calls made, failed, and every acknowledged write read back.</summary>
    Task<WorkloadResult> VerifyAsync(ChaosContext context, CancellationToken cancellationToken);
}

/// <summary>
/// What a workload did: calls (and failed calls) in all and within the failover window, acknowledged writes and
/// those of them that were not found again (lost), with a few examples.
/// </summary>
public sealed record WorkloadResult(
    string Name,
    long Calls,
    long FailedCalls,
    long CallsDuringFailover,
    long FailedCallsDuringFailover,
    long WrongAnswers,
    long AcknowledgedWrites,
    long LostWrites,
    IReadOnlyList<string> LostExamples);
