using System.Diagnostics;
using System.Globalization;
using StackExchange.Redis;

namespace ViolationBench;

/// <summary>
/// Where a phase's work went, per report: CPU of this process (bench client and host together) and of redis-server
/// (from /proc), bytes allocated in this process, Redis commands by name (<c>INFO commandstats</c>), and grain calls by
/// interface and method (<see cref="GrainCallCounter"/>), and this process's context switches (each a thread handing work
/// to another, which on a loaded machine costs as much as the work). Take one before a phase and one after; print the difference.
/// </summary>
internal sealed record Attribution(TimeSpan ProcessCpu, TimeSpan RedisCpu, long ContextSwitches, long Allocated, int Gen0, int Gen2, IReadOnlyDictionary<string, long> RedisCalls, IReadOnlyDictionary<string, long> GrainCalls)
{
    public static async Task<Attribution> TakeAsync(IServer redis, int redisPid, GrainCallCounter grainCalls)
    {
        var stats = (await redis.InfoAsync("commandstats")).SelectMany(group => group)
            .ToDictionary(pair => pair.Key.Replace("cmdstat_", "", StringComparison.Ordinal), pair => Calls(pair.Value), StringComparer.Ordinal);
        return new Attribution(
            Process.GetCurrentProcess().TotalProcessorTime,
            CpuMeter.ProcessCpu(redisPid),
            CpuMeter.ContextSwitches(Environment.ProcessId),
            GC.GetTotalAllocatedBytes(),
            GC.CollectionCount(0),
            GC.CollectionCount(2),
            stats,
            grainCalls.Snapshot());
    }

    /// <summary>Prints the difference from <paramref name="before"/> per unit of work (reports, or calls).</summary>
    public void Print(Attribution before, int count, string unit)
    {
        var perUnit = 1e6 / count;
        Console.WriteLine($"  per {unit}: process CPU {(ProcessCpu - before.ProcessCpu).TotalSeconds * perUnit:0} us (bench client and host), redis-server CPU {(RedisCpu - before.RedisCpu).TotalSeconds * perUnit:0} us; {(ContextSwitches - before.ContextSwitches) / (double)count:0.0} context switches (this process); allocated {(Allocated - before.Allocated) / (double)count:0} B (GCs: {Gen0 - before.Gen0} gen0, {Gen2 - before.Gen2} gen2 in all)");
        Console.WriteLine($"    Redis commands per {unit}: {Deltas(RedisCalls, before.RedisCalls, count)}");
        Console.WriteLine($"    grain calls per {unit}: {Deltas(GrainCalls, before.GrainCalls, count)}");
    }

    private static string Deltas(IReadOnlyDictionary<string, long> after, IReadOnlyDictionary<string, long> before, int count)
    {
        var deltas = after.Select(pair => (pair.Key, Delta: pair.Value - before.GetValueOrDefault(pair.Key)))
            .Where(d => d.Delta > 0 && !d.Key.StartsWith("info", StringComparison.Ordinal))
            .OrderByDescending(d => d.Delta)
            .Select(d => $"{d.Key} {d.Delta / (double)count:0.000}")
            .ToList();
        return deltas.Count == 0 ? "none" : string.Join(", ", deltas);
    }

    // "calls=12,usec=34,usec_per_call=2.83,rejected_calls=0,failed_calls=0"
    private static long Calls(string stats) =>
        long.Parse(stats.Split(',').First(field => field.StartsWith("calls=", StringComparison.Ordinal))[6..], CultureInfo.InvariantCulture);
}
