using System.Diagnostics;
using System.Globalization;
using Clearinghouse.Api.V1;
using Clearinghouse.LoadTool;

// Usage: bench/run.sh [--duration S] [--rounds N] [--rate R] [--concurrency C] [--streams S] [--window W]
//                     [--recipients N] [--silo-dll PATH] [--scenarios ping,check,stream,open-ping,open-check]
//                     [--suite connections|spf|policy|dnsbl|storage|console|filterlist] [--connections N] [--entries N] [--watchers N] [--silo-log]
// Starts a silo process (embedded profile), seeds it, and runs every scenario once per round, interleaved, so
// that the machine's drift affects all alike. Prints each round and the medians.
// Multi-silo mode: bench/run.sh --silos 3 --storage redis [--one-gateway | --per-gateway-load] [--idle S] [--prewarm S] [--writes] [--per-gateway-rate R] [--set KEY=VALUE] [--memory R [--memory-sample S]] (see ClusterBench).
var options = BenchOptions.Parse(args);
if (args.Contains("--silos"))
{
    await ClusterBench.RunAsync(options, args);
    return;
}

Console.WriteLine($"Clearinghouse load tool: {options}");
Console.WriteLine($"Machine: {Environment.ProcessorCount} cores, {Environment.OSVersion}, .NET {Environment.Version}");

// --suite storage: durable writes on Redis against Azurite (StorageBench.cs).
if (ListSuites.Selected(args) == "storage")
{
    await StorageBench.RunAsync(options);
    return;
}

// --suite filterlist [--sizes 10,100000,1000000] [--appends N]: time and bytes per filter-list append (FilterListBench.cs).
if (ListSuites.Selected(args) == "filterlist")
{
    await FilterListBench.RunAsync(options, args);
    return;
}

// --suite console [--watchers N]: the operators' console's cost to the verdict path (ConsoleBench.cs).
if (ListSuites.Selected(args) == "console")
{
    var at = Array.IndexOf(args, "--watchers");
    await ConsoleBench.RunAsync(options, at >= 0 && at + 1 < args.Length ? int.Parse(args[at + 1], CultureInfo.InvariantCulture) : 1);
    return;
}

// --suite connections | spf: the benchmarks of issue 4 (ListSuites.cs); policy | dnsbl: issue 12 (EdgeSuites.cs).
if (ListSuites.Selected(args) is { } suite)
{
    await ListSuites.RunAsync(suite, options, args);
    return;
}

await using var silo = await SiloProcess.StartAsync(options.SiloDll, BenchWorld.ProviderSettings(), TimeSpan.FromSeconds(60));
var invoker = BenchWorld.Connect(silo.Address);
await BenchWorld.SeedAsync(invoker, options.Recipients);
var checks = BenchWorld.Checks(options.Recipients);
var verdicts = new Verdicts.VerdictsClient(invoker);
var diagnostics = new Diagnostics.DiagnosticsClient(invoker);
var ping = new PingRequest();

Task Ping(long _) => diagnostics.PingAsync(ping).ResponseAsync;
Task Check(long i) => verdicts.CheckRecipientAsync(checks[(int)(i % checks.Count)]).ResponseAsync;

var allScenarios = new (string Key, string Name, Func<TimeSpan, Task<RunResult>> Run)[]
{
    ("ping", "no-op Ping (unary, closed loop)", d => Workloads.ClosedLoopAsync(options.Concurrency, Ping, d)),
    ("check", "CheckRecipient (unary, closed loop)", d => Workloads.ClosedLoopAsync(options.Concurrency, Check, d)),
    ("stream", "CheckStream (pipelined)", d => Workloads.StreamingAsync(verdicts, checks, options.Streams, options.Window, d)),
    ("open-ping", $"no-op Ping (open loop, {options.Rate}/s)", d => Workloads.OpenLoopAsync(Ping, options.Rate, d)),
    ("open-check", $"CheckRecipient (open loop, {options.Rate}/s)", d => Workloads.OpenLoopAsync(Check, options.Rate, d)),
};
var scenarios = allScenarios.Where(s => options.Scenarios.Contains(s.Key)).Select(s => (s.Name, s.Run)).ToArray();

var results = await Rounds.RunAsync(options, silo, scenarios, TimeSpan.FromSeconds(2));

double MedianOf(string key, Func<Measured, double> value) =>
    results.TryGetValue(allScenarios.Single(s => s.Key == key).Name, out var runs) && runs.Count > 0 ? Median(runs.Select(value)) : double.NaN;

if (args.Contains("--silo-log"))
{
    Console.WriteLine("The silo's recent output:");
    Console.WriteLine(silo.RecentOutput);
}

Console.WriteLine();
Console.WriteLine($"CheckRecipient server CPU per call / no-op's: {MedianOf("check", m => m.ServerMicrosPerCall) / MedianOf("ping", m => m.ServerMicrosPerCall):0.00}x (goal <= 1.5x)");
Console.WriteLine($"Streaming throughput / unary throughput: {MedianOf("stream", m => m.CallsPerSecond) / MedianOf("check", m => m.CallsPerSecond):0.00}x (goal >= 2x)");
Console.WriteLine($"CheckRecipient p99 at {options.Rate}/s offered: {MedianOf("open-check", m => m.P99Millis):0.00} ms (goal <= 2 ms)");

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

    /// <summary>How late the open-loop scheduler fired its calls (p99): the load tool's own share of the latency.</summary>
    public double LagP99Millis => (Run.SchedulerLag?.Percentile(99) ?? double.NaN) / 1000;

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
        string.Create(CultureInfo.InvariantCulture, $"{CallsPerSecond,9:0} calls/s  server {ServerMicrosPerCall,6:0.0} µs/call  client {ClientMicrosPerCall,6:0.0} µs/call  p50 {P50Millis,6:0.00} ms  p99 {P99Millis,6:0.00} ms  (tool lag p99 {LagP99Millis:0.00} ms)  errors {Run.Errors}  steal {StealShare:P1}");

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
