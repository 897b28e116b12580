
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
    IReadOnlyList<string> LostExamples)
{
    /// <summary>The workload's calls, for what a report says about them (slow calls, calls through healthy gateways).</summary>
    public CallTimeline? Timeline { get; init; }

    /// <summary>Verdicts that contradicted a write acknowledged before the check began, each described.</summary>
    public IReadOnlyList<StaleVerdict> StaleVerdicts { get; init; } = [];

    /// <summary>Hits of answered rejects missing from the records' hit counts afterwards (counted only where nothing dies).</summary>
    public long LostHits { get; init; }

    /// <summary>Hits counted beyond the rejects answered and the checks whose outcome the caller never learned.</summary>
    public long DoubleCountedHits { get; init; }

    /// <summary>Anything else that broke a promise (a stream ended with the wrong status, a change seen twice, ...).</summary>
    public IReadOnlyList<string> Problems { get; init; } = [];

    /// <summary>Things worth reporting that are not failures (how streams ended, how many listings were made, ...).</summary>
    public IReadOnlyList<string> Notes { get; init; } = [];

    public static WorkloadResult From(string name, ChaosContext context, CallTimeline timeline, long wrongAnswers = 0, long acknowledgedWrites = 0, long lostWrites = 0, IReadOnlyList<string>? lostExamples = null)
    {
        var (calls, failures) = timeline.Total();
        var (windowCalls, windowFailures) = timeline.Between(context.FailoverWindow.Start, context.FailoverWindow.End);
        return new WorkloadResult(name, calls, failures, windowCalls, windowFailures, wrongAnswers, acknowledgedWrites, lostWrites, lostExamples ?? []) { Timeline = timeline };
    }
}

/// <summary>A verdict from <see cref="Silo"/> that a write acknowledged before the check began had already changed.</summary>
public sealed record StaleVerdict(string Recipient, int Silo, TimeSpan CheckedAt, string Answered, string Expected)
{
    public string Describe(TimeSpan? resumedAt) =>
        $"{Recipient} through silo {Silo} at {CheckedAt.TotalSeconds:0.00} s"
        + (resumedAt is { } resumed ? $" ({(CheckedAt - resumed).TotalSeconds:+0.00;-0.00} s from the resume)" : "")
        + $": answered {Answered}, acknowledged state {Expected}";
}
