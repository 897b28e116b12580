
namespace Clearinghouse.LoadTool;

/// <summary>Runs scenarios interleaved, round by round, so that the machine's drift affects all alike, and prints the medians.</summary>
internal static class Rounds
{
    public static async Task<Dictionary<string, List<Measured>>> RunAsync(
        BenchOptions options,
        SiloProcess silo,
        IReadOnlyList<(string Name, Func<TimeSpan, Task<RunResult>> Run)> scenarios,
        TimeSpan warmUp,
        Action? afterWarmUp = null)
    {
        Console.WriteLine("Warming up ...");
        foreach (var (_, run) in scenarios)
        {
            await run(warmUp);
        }

        afterWarmUp?.Invoke();
        var width = scenarios.Max(s => s.Name.Length);
        var results = scenarios.ToDictionary(s => s.Name, _ => new List<Measured>());
        for (var round = 1; round <= options.Rounds; round++)
        {
            foreach (var (name, run) in scenarios)
            {
                await Task.Delay(500); // let the previous scenario's calls drain
                var measured = await Measured.RunAsync(silo, () => run(options.Duration));
                results[name].Add(measured);
                Console.WriteLine($"round {round}  {name.PadRight(width)} {measured}");
            }
        }

        PrintMedians(options, results);
        return results;
    }

    /// <summary>Prints the medians of each scenario's rounds as a Markdown table.</summary>
    public static void PrintMedians(BenchOptions options, IReadOnlyDictionary<string, List<Measured>> results)
    {
        Console.WriteLine();
        Console.WriteLine($"Medians of {options.Rounds} rounds, {options.Duration.TotalSeconds:0} s each:");
        Console.WriteLine();
        Console.WriteLine("| scenario | calls/s | server CPU µs/call | client CPU µs/call | p50 ms | p99 ms | errors | host steal |");
        Console.WriteLine("|---|---:|---:|---:|---:|---:|---:|---:|");
        foreach (var (name, list) in results)
        {
            Console.WriteLine(Measured.MedianRow(name, list));
        }
    }

    public static double Median(IEnumerable<double> values)
    {
        var sorted = values.Order().ToArray();
        return sorted.Length % 2 == 1 ? sorted[sorted.Length / 2] : (sorted[(sorted.Length / 2) - 1] + sorted[sorted.Length / 2]) / 2;
    }
}
