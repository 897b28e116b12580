
namespace Clearinghouse.TestSupport.Chaos;

/// <summary>Calls and failed calls in 100 ms bins of a run's clock, so that any window can be counted afterwards.</summary>
public sealed class CallTimeline
{
    private const int BinsPerSecond = 10;
    private const int MaxSeconds = 3600;
    private readonly long[] calls = new long[MaxSeconds * BinsPerSecond];
    private readonly long[] failures = new long[MaxSeconds * BinsPerSecond];

    public void Record(TimeSpan at, bool failed)
    {
        var bin = Bin(at);
        Interlocked.Increment(ref calls[bin]);
        if (failed)
        {
            Interlocked.Increment(ref failures[bin]);
        }
    }

    public (long Calls, long Failures) Total() => (calls.Sum(), failures.Sum());

    public (long Calls, long Failures) Between(TimeSpan start, TimeSpan end)
    {
        long total = 0, failed = 0;
        for (var bin = Bin(start); bin <= Bin(end); bin++)
        {
            total += Volatile.Read(ref calls[bin]);
            failed += Volatile.Read(ref failures[bin]);
        }

        return (total, failed);
    }

    private static int Bin(TimeSpan at) => Math.Clamp((int)(at.TotalSeconds * BinsPerSecond), 0, (MaxSeconds * BinsPerSecond) - 1);
}
