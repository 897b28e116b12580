using System.Collections.Concurrent;

namespace Clearinghouse.TestSupport.Chaos;

/// <summary>
/// One call of a workload: through which silo, when (the run's clock), whether it failed (with what status), what kind
/// of call it was (check, write, violation) and for which recipient or sender.
/// </summary>
public sealed record CallRecord(int Silo, TimeSpan Started, TimeSpan Ended, bool Failed)
{
    public TimeSpan Duration => Ended - Started;

    public string Kind { get; init; } = "call";

    public string? Subject { get; init; }

    public Grpc.Core.StatusCode? Status { get; init; }

    /// <summary>The failed call's status detail: says whether the gateway answered or the client's channel failed.</summary>
    public string? Detail { get; init; }

    /// <summary>One line for a report, with its start relative to the latest of <paramref name="events"/> before it.</summary>
    public string Describe(IReadOnlyList<(TimeSpan At, string What)> events)
    {
        var after = events.LastOrDefault(e => e.At <= Started);
        var when = after.What is null ? $"at {Started.TotalSeconds:0.00} s" : $"{(Started - after.At).TotalSeconds:0.00} s after {after.What}";
        return $"{Kind}{(Subject is null ? "" : $" {Subject}")} through silo {Silo}, {when}, took {Duration.TotalSeconds:0.00} s{(Failed ? $", failed: {Status}" : "")}";
    }
}

/// <summary>
/// Calls and failed calls per silo in 100 ms bins of a run's clock (by when they ended), so that any window can be
/// counted afterwards, with or without the gateways that were under a fault; and every call slower than a second.
/// </summary>
public sealed class CallTimeline
{
    public const int MaxSilos = 8;
    private const int BinsPerSecond = 10;
    private const int MaxSeconds = 1800;
    private static readonly TimeSpan Slow = TimeSpan.FromSeconds(1);
    private readonly long[,] calls = new long[MaxSilos, MaxSeconds * BinsPerSecond];
    private readonly long[,] failures = new long[MaxSilos, MaxSeconds * BinsPerSecond];
    private const int MaxFailedKept = 10_000;
    private readonly ConcurrentQueue<CallRecord> slowCalls = new();
    private readonly ConcurrentQueue<CallRecord> failedCalls = new();

    /// <summary>Calls that took a second or more.</summary>
    public IReadOnlyCollection<CallRecord> SlowCalls => slowCalls;

    /// <summary>Calls that failed (the first 10,000).</summary>
    public IReadOnlyCollection<CallRecord> FailedCalls => failedCalls;

    public void Record(CallRecord call)
    {
        var bin = Bin(call.Ended);
        Interlocked.Increment(ref calls[call.Silo, bin]);
        if (call.Failed)
        {
            Interlocked.Increment(ref failures[call.Silo, bin]);
            if (failedCalls.Count < MaxFailedKept)
            {
                failedCalls.Enqueue(call);
            }
        }

        if (call.Duration >= Slow)
        {
            slowCalls.Enqueue(call);
        }
    }

    public (long Calls, long Failures) Total() => Between(TimeSpan.Zero, TimeSpan.FromSeconds(MaxSeconds));

    /// <summary>Calls that ended between <paramref name="start"/> and <paramref name="end"/>, through silos <paramref name="counted"/> says to count at that time (all by default).</summary>
    public (long Calls, long Failures) Between(TimeSpan start, TimeSpan end, Func<int, TimeSpan, bool>? counted = null)
    {
        long total = 0, failed = 0;
        for (var silo = 0; silo < MaxSilos; silo++)
        {
            for (var bin = Bin(start); bin <= Bin(end); bin++)
            {
                if (counted is null || counted(silo, TimeSpan.FromSeconds((double)bin / BinsPerSecond)))
                {
                    total += Volatile.Read(ref calls[silo, bin]);
                    failed += Volatile.Read(ref failures[silo, bin]);
                }
            }
        }

        return (total, failed);
    }

    private static int Bin(TimeSpan at) => Math.Clamp((int)(at.TotalSeconds * BinsPerSecond), 0, (MaxSeconds * BinsPerSecond) - 1);
}
