using System.Collections.Concurrent;

namespace Clearinghouse.TestSupport.Chaos;

/// <summary>One call of a workload: through which silo, when (the run's clock), and whether it failed.</summary>
public sealed record CallRecord(int Silo, TimeSpan Started, TimeSpan Ended, bool Failed)
{
    public TimeSpan Duration => Ended - Started;
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
    private readonly ConcurrentQueue<CallRecord> slowCalls = new();

    /// <summary>Calls that took a second or more.</summary>
    public IReadOnlyCollection<CallRecord> SlowCalls => slowCalls;

    public void Record(CallRecord call)
    {
        var bin = Bin(call.Ended);
        Interlocked.Increment(ref calls[call.Silo, bin]);
        if (call.Failed)
        {
            Interlocked.Increment(ref failures[call.Silo, bin]);
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
