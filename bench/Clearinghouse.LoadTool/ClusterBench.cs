using System.Globalization;
using Clearinghouse.Api.V1;

namespace Clearinghouse.LoadTool;

/// <summary>
/// Multi-silo mode (<c>--silos N --storage redis</c>): a one-silo cluster and an N-silo cluster, each on its own
/// redis-server, both seeded alike; rounds alternate between them so that the machine's drift affects both. Load is
/// spread over every silo's gateway, as a load balancer would; server CPU is the sum over a cluster's processes. The
/// recipient read cache's hit ratio (checks answered from a silo's memory, over all checks that needed the recipient)
/// is read from every silo's Prometheus endpoint before and after each round, outside the measured window.
/// </summary>
public static class ClusterBench
{
    public static async Task RunAsync(BenchOptions options, string[] args)
    {
        var silos = int.Parse(args[Array.IndexOf(args, "--silos") + 1], CultureInfo.InvariantCulture);
        var storageAt = Array.IndexOf(args, "--storage");
        if (storageAt >= 0 && !string.Equals(args[storageAt + 1], "redis", StringComparison.OrdinalIgnoreCase))
        {
            throw new ArgumentException("--storage: several silos need shared storage: redis");
        }

        var settings = new Dictionary<string, string>(BenchWorld.ProviderSettings())
        {
            ["Clearinghouse:Telemetry:Prometheus"] = "true",
        };
        using var http = new HttpClient();
        Console.WriteLine($"Multi-silo mode: 1 silo against {silos} silos, Redis storage (appendfsync always), {options}");
        await using var single = await LocalCluster.StartAsync(new LocalClusterOptions { Silos = 1, ClusterId = "bench-1", SiloDll = options.SiloDll, Settings = settings });
        await using var several = await LocalCluster.StartAsync(new LocalClusterOptions { Silos = silos, ClusterId = $"bench-{silos}", SiloDll = options.SiloDll, Settings = settings });
        var clusters = new[] { (Name: "1 silo", Cluster: single), (Name: $"{silos} silos", Cluster: several) };
        var checks = BenchWorld.Checks(options.Recipients);
        var clients = new Dictionary<LocalCluster, Verdicts.VerdictsClient[]>();
        foreach (var (_, cluster) in clusters)
        {
            clients[cluster] = cluster.Silos.Select(s => new Verdicts.VerdictsClient(BenchWorld.Connect(s.Address))).ToArray();
            await BenchWorld.SeedAsync(BenchWorld.Connect(cluster.Silos[0].Address), options.Recipients);
        }

        Task<RunResult> Unary(LocalCluster cluster, TimeSpan duration)
        {
            var verdicts = clients[cluster];
            return Workloads.ClosedLoopAsync(options.Concurrency, i => verdicts[(int)(i % verdicts.Length)].CheckRecipientAsync(checks[(int)(i % checks.Count)]).ResponseAsync, duration);
        }

        async Task<RunResult> Streaming(LocalCluster cluster, TimeSpan duration)
        {
            var verdicts = clients[cluster];
            var perSilo = Math.Max(1, options.Streams * silos / verdicts.Length);
            var results = await Task.WhenAll(verdicts.Select(v => Workloads.StreamingAsync(v, checks, perSilo, options.Window, duration)));
            return new RunResult(results.Sum(r => r.Calls), results.Sum(r => r.Errors), results.Max(r => r.Elapsed));
        }

        var scenarios = new (string Name, Func<LocalCluster, TimeSpan, Task<RunResult>> Run)[]
        {
            ("CheckRecipient (unary, closed loop)", Unary),
            ("CheckStream (pipelined)", Streaming),
        };

        Console.WriteLine("Warming up ...");
        foreach (var (_, cluster) in clusters)
        {
            foreach (var (_, run) in scenarios)
            {
                await run(cluster, TimeSpan.FromSeconds(3));
            }
        }

        var results = new Dictionary<(string Scenario, string Cluster), List<(double Rate, double CpuMicros, long Errors, double HitRatio)>>();
        for (var round = 1; round <= options.Rounds; round++)
        {
            foreach (var (scenario, run) in scenarios)
            {
                foreach (var (name, cluster) in clusters)
                {
                    await Task.Delay(500);
                    var cacheBefore = await CacheCountsAsync(http, cluster);
                    var cpuBefore = cluster.Silos.Sum(s => s.Cpu().TotalMicroseconds);
                    var result = await run(cluster, options.Duration);
                    var cpu = cluster.Silos.Sum(s => s.Cpu().TotalMicroseconds) - cpuBefore;
                    var cacheAfter = await CacheCountsAsync(http, cluster);
                    var rate = result.Calls / result.Elapsed.TotalSeconds;
                    var micros = cpu / Math.Max(1, result.Calls);
                    var hits = cacheAfter.Hits - cacheBefore.Hits;
                    var hitRatio = hits / Math.Max(1, hits + cacheAfter.Misses - cacheBefore.Misses);
                    (results.TryGetValue((scenario, name), out var list) ? list : results[(scenario, name)] = []).Add((rate, micros, result.Errors, hitRatio));
                    Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"round {round}  {scenario,-38} {name,-9} {rate,9:0} calls/s  server {micros,6:0.0} µs/call  errors {result.Errors}  cache hits {hitRatio:P2}"));
                }
            }
        }

        Console.WriteLine();
        Console.WriteLine($"Medians of {options.Rounds} rounds, {options.Duration.TotalSeconds:0} s each ({Environment.ProcessorCount} cores for client, silos and Redis together):");
        Console.WriteLine();
        Console.WriteLine($"| scenario | cluster | calls/s | server CPU µs/call (all silos) | CPU/call vs 1 silo | read-cache hit ratio | errors | throughput vs 1 silo |");
        Console.WriteLine("|---|---|---:|---:|---:|---:|---:|---:|");
        foreach (var (scenario, _) in scenarios)
        {
            var baseline = Median(results[(scenario, "1 silo")].Select(r => r.Rate));
            var baselineCpu = Median(results[(scenario, "1 silo")].Select(r => r.CpuMicros));
            foreach (var (name, _) in clusters)
            {
                var runs = results[(scenario, name)];
                var rate = Median(runs.Select(r => r.Rate));
                var cpu = Median(runs.Select(r => r.CpuMicros));
                Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"| {scenario} | {name} | {rate:0} | {cpu:0.0} | {cpu / baselineCpu:0.00}x | {Median(runs.Select(r => r.HitRatio)):P2} | {runs.Sum(r => r.Errors)} | {rate / baseline:0.00}x |"));
            }
        }
    }

    /// <summary>The read cache's hits and misses summed over a cluster's silos (their Prometheus endpoints).</summary>
    private static async Task<(double Hits, double Misses)> CacheCountsAsync(HttpClient http, LocalCluster cluster)
    {
        double hits = 0, misses = 0;
        foreach (var silo in cluster.Silos)
        {
            var scrape = await PrometheusScrape.ReadAsync(http, silo.ManagementAddress ?? throw new InvalidOperationException("the harness's silos have a management port"));
            hits += scrape.Sum("clearinghouse_recipient_cache_hits_total");
            misses += scrape.Sum("clearinghouse_recipient_cache_misses_total");
        }

        return (hits, misses);
    }

    private static double Median(IEnumerable<double> values)
    {
        var sorted = values.Order().ToArray();
        return sorted.Length % 2 == 1 ? sorted[sorted.Length / 2] : (sorted[(sorted.Length / 2) - 1] + sorted[sorted.Length / 2]) / 2;
    }
}
