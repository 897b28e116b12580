using System.Diagnostics;
using System.Globalization;
using Clearinghouse.Api.V1;
using Clearinghouse.LoadTool;

// Usage: bench/run.sh [--duration S] [--rounds N] [--rate R] [--concurrency C] [--streams S] [--window W]
//                     [--recipients N] [--silo-dll PATH]
// Starts a silo process (embedded profile), seeds it, and runs every scenario once per round, interleaved, so
// that the machine's drift affects all alike. Prints each round and the medians.
// Multi-silo mode: bench/run.sh --silos 3 --storage redis (see ClusterBench).
var options = BenchOptions.Parse(args);
if (args.Contains("--silos"))
{
    await ClusterBench.RunAsync(options, args);
    return;
}

Console.WriteLine($"Clearinghouse load tool: {options}");
Console.WriteLine($"Machine: {Environment.ProcessorCount} cores, {Environment.OSVersion}, .NET {Environment.Version}");

await using var silo = await SiloProcess.StartAsync(options.SiloDll, BenchWorld.ProviderSettings(), TimeSpan.FromSeconds(60));
var invoker = BenchWorld.Connect(silo.Address);
await BenchWorld.SeedAsync(invoker, options.Recipients);
var checks = BenchWorld.Checks(options.Recipients);
var verdicts = new Verdicts.VerdictsClient(invoker);
var diagnostics = new Diagnostics.DiagnosticsClient(invoker);
var ping = new PingRequest();

Task Ping(long _) => diagnostics.PingAsync(ping).ResponseAsync;
Task Check(long i) => verdicts.CheckRecipientAsync(checks[(int)(i % checks.Count)]).ResponseAsync;

var scenarios = new (string Name, Func<TimeSpan, Task<RunResult>> Run)[]
{
    ("no-op Ping (unary, closed loop)", d => Workloads.ClosedLoopAsync(options.Concurrency, Ping, d)),
    ("CheckRecipient (unary, closed loop)", d => Workloads.ClosedLoopAsync(options.Concurrency, Check, d)),
    ("CheckStream (pipelined)", d => Workloads.StreamingAsync(verdicts, checks, options.Streams, options.Window, d)),
    ($"no-op Ping (open loop, {options.Rate}/s)", d => Workloads.OpenLoopAsync(Ping, options.Rate, d)),
    ($"CheckRecipient (open loop, {options.Rate}/s)", d => Workloads.OpenLoopAsync(Check, options.Rate, d)),
};

Console.WriteLine("Warming up ...");
foreach (var (_, run) in scenarios)
{
    await run(TimeSpan.FromSeconds(2));
}

var results = scenarios.ToDictionary(s => s.Name, _ => new List<Measured>());
for (var round = 1; round <= options.Rounds; round++)
{
    foreach (var (name, run) in scenarios)
    {
        await Task.Delay(500); // let the previous scenario's calls drain
        var measured = await Measured.RunAsync(silo, () => run(options.Duration));
        results[name].Add(measured);
        Console.WriteLine($"round {round}  {name,-42} {measured}");
    }
}

Console.WriteLine();
Console.WriteLine($"Medians of {options.Rounds} rounds, {options.Duration.TotalSeconds:0} s each:");
Console.WriteLine();
Console.WriteLine("| scenario | calls/s | server CPU µs/call | client CPU µs/call | p50 ms | p99 ms | errors | host steal |");
Console.WriteLine("|---|---:|---:|---:|---:|---:|---:|---:|");
foreach (var (name, list) in results)
{
    Console.WriteLine(Measured.MedianRow(name, list));
}

var noop = Median(results[scenarios[0].Name].Select(m => m.ServerMicrosPerCall));
var unary = Median(results[scenarios[1].Name].Select(m => m.ServerMicrosPerCall));
var unaryRate = Median(results[scenarios[1].Name].Select(m => m.CallsPerSecond));
var streamRate = Median(results[scenarios[2].Name].Select(m => m.CallsPerSecond));
Console.WriteLine();
Console.WriteLine($"CheckRecipient server CPU per call / no-op's: {unary / noop:0.00}x (goal <= 1.5x)");
Console.WriteLine($"Streaming throughput / unary throughput: {streamRate / unaryRate:0.00}x (goal >= 2x)");
Console.WriteLine($"CheckRecipient p99 at {options.Rate}/s offered: {Median(results[scenarios[4].Name].Select(m => m.P99Millis)):0.00} ms (goal <= 2 ms)");

static double Median(IEnumerable<double> values)
{
    var sorted = values.Order().ToArray();
    return sorted.Length % 2 == 1 ? sorted[sorted.Length / 2] : (sorted[(sorted.Length / 2) - 1] + sorted[sorted.Length / 2]) / 2;
}

/// <summary>One measured run: the workload's result with the server's and the client's CPU over the same interval.</summary>
internal sealed record Measured(RunResult Run, TimeSpan ServerCpu, TimeSpan ClientCpu, double StealShare)
{
    public double CallsPerSecond => Run.Calls / Run.Elapsed.TotalSeconds;

    public double ServerMicrosPerCall => ServerCpu.TotalMicroseconds / Math.Max(1, Run.Calls);

    public double ClientMicrosPerCall => ClientCpu.TotalMicroseconds / Math.Max(1, Run.Calls);

    public double P50Millis => (Run.Latency?.Percentile(50) ?? double.NaN) / 1000;

    public double P99Millis => (Run.Latency?.Percentile(99) ?? double.NaN) / 1000;

    public static async Task<Measured> RunAsync(SiloProcess silo, Func<Task<RunResult>> run)
    {
        var serverBefore = silo.Cpu();
        var clientBefore = Process.GetCurrentProcess().TotalProcessorTime;
        var machineBefore = CpuMeter.Machine();
        var result = await run();
        var machineAfter = CpuMeter.Machine();
        var steal = (double)(machineAfter.Steal - machineBefore.Steal) / Math.Max(1, machineAfter.Total - machineBefore.Total);
        return new Measured(result, silo.Cpu() - serverBefore, Process.GetCurrentProcess().TotalProcessorTime - clientBefore, steal);
    }

    public override string ToString() =>
        string.Create(CultureInfo.InvariantCulture, $"{CallsPerSecond,9:0} calls/s  server {ServerMicrosPerCall,6:0.0} µs/call  client {ClientMicrosPerCall,6:0.0} µs/call  p50 {P50Millis,6:0.00} ms  p99 {P99Millis,6:0.00} ms  errors {Run.Errors}  steal {StealShare:P1}");

    public static string MedianRow(string name, IReadOnlyList<Measured> runs)
    {
        static double Median(IEnumerable<double> values)
        {
            var sorted = values.Order().ToArray();
            return sorted.Length % 2 == 1 ? sorted[sorted.Length / 2] : (sorted[(sorted.Length / 2) - 1] + sorted[sorted.Length / 2]) / 2;
        }

        var p50 = Median(runs.Select(r => r.P50Millis));
        var p99 = Median(runs.Select(r => r.P99Millis));
        return string.Create(CultureInfo.InvariantCulture,
            $"| {name} | {Median(runs.Select(r => r.CallsPerSecond)):0} | {Median(runs.Select(r => r.ServerMicrosPerCall)):0.0} | {Median(runs.Select(r => r.ClientMicrosPerCall)):0.0} | {(double.IsNaN(p50) ? "–" : p50.ToString("0.00", CultureInfo.InvariantCulture))} | {(double.IsNaN(p99) ? "–" : p99.ToString("0.00", CultureInfo.InvariantCulture))} | {runs.Sum(r => r.Run.Errors)} | {Median(runs.Select(r => r.StealShare)):P1} |");
    }
}
