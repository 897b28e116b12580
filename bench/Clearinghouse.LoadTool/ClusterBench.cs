using System.Globalization;
using Clearinghouse.Api.V1;

namespace Clearinghouse.LoadTool;

/// <summary>
/// Multi-silo mode (<c>--silos N --storage redis</c>): a one-silo cluster and an N-silo cluster, each on its own
/// redis-server, both seeded alike; rounds alternate between them so that the machine's drift affects both. Load is
/// spread over every silo's gateway, as a load balancer would; server CPU is the sum over a cluster's processes. The
/// recipient read cache's hit ratio (checks answered from a silo's memory, over all checks that needed the recipient)
/// is read from every silo's Prometheus endpoint before and after each round, outside the measured window.
/// To find where a bigger cluster's extra CPU goes: each cluster's idle CPU is measured first (<c>--idle S</c>, 5 s by
/// default, both clusters idle) and each round also reports CPU per call net of that baseline (clearly a derived
/// figure: gross CPU stays the headline), the cache protocol's calls per second (reads from grains, renewal batches,
/// renewal reads, hit reports by call and with renewals), and the silos' threads and context switches per call.
/// <c>--one-gateway</c> sends all load through the first silo of each cluster (the others serve only the cache
/// protocol and their grains);
/// <c>--per-gateway-load</c> gives every gateway of both clusters the closed-loop load the one silo's gateway gets
/// (<c>--concurrency</c> unary callers and <c>--streams</c> × N streams each), as silos on machines of their own, each
/// with its own clients, would see: by default both clusters get the same total, a third of it per gateway of three.
/// The warm-up repeats until the silos' JIT is quiet (under one method compiled per second per silo, at most
/// <c>--warm-up S</c>, 90 s by default). Before each measured round, unmeasured, every recipient is checked once through every gateway and the scenario runs
/// for <c>--prewarm S</c> (1 s by default; 0 turns both off, as before 2026-11-28): rounds alternate between clusters,
/// so without it each round began with the copies whose leases ran out during the other cluster's turn.
/// <c>--set KEY=VALUE</c> (repeatable) passes a setting to every silo, e.g.
/// <c>--set Clearinghouse:RecipientCache:BatchRenewals=false</c>. <c>--writes</c> adds a write scenario: AddRecord
/// p50/p99 on each cluster, and the extra server CPU a write costs per silo that caches the recipient. <c>--memory R</c>
/// measures memory instead (<see cref="MemoryBench"/>).
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
        for (var at = Array.IndexOf(args, "--set"); at >= 0 && at + 1 < args.Length; at = Array.IndexOf(args, "--set", at + 1))
        {
            var (key, value) = args[at + 1].Split('=', 2) is [var k, var v] ? (k, v) : throw new ArgumentException("--set KEY=VALUE");
            settings[key] = value;
        }

        var memoryAt = Array.IndexOf(args, "--memory");
        if (memoryAt >= 0)
        {
            var sampleAt = Array.IndexOf(args, "--memory-sample");
            int? sample = sampleAt >= 0 ? int.Parse(args[sampleAt + 1], CultureInfo.InvariantCulture) : null;
            await MemoryBench.RunAsync(options, silos, int.Parse(args[memoryAt + 1], CultureInfo.InvariantCulture), settings, sample);
            return;
        }

        var oneGateway = args.Contains("--one-gateway");
        var perGatewayLoad = args.Contains("--per-gateway-load");
        if (oneGateway && perGatewayLoad)
        {
            throw new ArgumentException("--one-gateway and --per-gateway-load: choose one");
        }

        var prewarmAt = Array.IndexOf(args, "--prewarm");
        var prewarm = TimeSpan.FromSeconds(prewarmAt >= 0 ? double.Parse(args[prewarmAt + 1], CultureInfo.InvariantCulture) : 1);
        var idleAt = Array.IndexOf(args, "--idle");
        var idleWindow = TimeSpan.FromSeconds(idleAt >= 0 ? double.Parse(args[idleAt + 1], CultureInfo.InvariantCulture) : 5);
        using var http = new HttpClient();
        Console.WriteLine($"Multi-silo mode: 1 silo against {silos} silos, Redis storage (appendfsync always), {options}{(oneGateway ? ", all load through one gateway" : "")}{(perGatewayLoad ? ", the one silo's load through every gateway" : "")}, {prewarm.TotalSeconds:0.#} s unmeasured before each round{string.Concat(settings.Where(s => args.Contains($"{s.Key}={s.Value}")).Select(s => $", {s.Key}={s.Value}"))}");
        await using var single = await LocalCluster.StartAsync(new LocalClusterOptions { Silos = 1, ClusterId = "bench-1", SiloDll = options.SiloDll, Settings = settings });
        await using var several = await LocalCluster.StartAsync(new LocalClusterOptions { Silos = silos, ClusterId = $"bench-{silos}", SiloDll = options.SiloDll, Settings = settings });
        var clusters = new[] { (Name: "1 silo", Cluster: single), (Name: $"{silos} silos", Cluster: several) };
        var checks = BenchWorld.Checks(options.Recipients);
        var clients = new Dictionary<LocalCluster, Verdicts.VerdictsClient[]>();
        foreach (var (_, cluster) in clusters)
        {
            clients[cluster] = cluster.Silos.Take(oneGateway ? 1 : cluster.Silos.Count).Select(s => new Verdicts.VerdictsClient(BenchWorld.Connect(s.Address))).ToArray();
            await BenchWorld.SeedAsync(BenchWorld.Connect(cluster.Silos[0].Address), options.Recipients);
        }

        Task<RunResult> Unary(LocalCluster cluster, TimeSpan duration)
        {
            var verdicts = clients[cluster];
            return Workloads.ClosedLoopAsync(perGatewayLoad ? options.Concurrency * verdicts.Length : options.Concurrency, i => verdicts[(int)(i % verdicts.Length)].CheckRecipientAsync(checks[(int)(i % checks.Count)]).ResponseAsync, duration);
        }

        async Task<RunResult> Streaming(LocalCluster cluster, TimeSpan duration)
        {
            var verdicts = clients[cluster];
            var perSilo = perGatewayLoad ? options.Streams * silos : Math.Max(1, options.Streams * silos / verdicts.Length);
            var results = await Task.WhenAll(verdicts.Select(v => Workloads.StreamingAsync(v, checks, perSilo, options.Window, duration)));
            return new RunResult(results.Sum(r => r.Calls), results.Sum(r => r.Errors), results.Max(r => r.Elapsed));
        }

        // A write, then a check of that recipient through each other gateway (on one silo: as many checks through its
        // one gateway), so that every silo caches the recipient again before its next write. The latency is the
        // AddRecord call's alone; the CPU is the whole step's.
        var writers = clusters.ToDictionary(c => c.Cluster, c => c.Cluster.Silos.Take(oneGateway ? 1 : c.Cluster.Silos.Count).Select(s => new Records.RecordsClient(BenchWorld.Connect(s.Address))).ToArray());
        async Task<RunResult> Writes(LocalCluster cluster, TimeSpan duration)
        {
            var records = writers[cluster];
            var verdicts = clients[cluster];
            var latency = new Latencies();
            var result = await Workloads.ClosedLoopAsync(8, async i =>
            {
                // Few recipients, so that each is written again while the copies its last write's checks made are leased.
                var recipient = BenchWorld.Recipient((int)(i % Math.Min(options.Recipients, 50)));
                var started = System.Diagnostics.Stopwatch.GetTimestamp();
                await records[(int)(i % records.Length)].AddRecordAsync(new AddRecordRequest { Recipient = recipient, Pattern = "writes@bench-writer.example", Action = i % 2 == 0 ? RecordAction.Reject : RecordAction.Defer });
                latency.Add(System.Diagnostics.Stopwatch.GetElapsedTime(started).TotalMicroseconds);
                for (var k = 1; k < silos; k++)
                {
                    await verdicts[(int)((i + k) % verdicts.Length)].CheckRecipientAsync(new CheckRecipientRequest { Recipient = recipient, Sender = "someone@else.example" });
                }
            }, duration);
            return result with { Latency = latency };
        }

        async Task WarmEveryCopyAsync(LocalCluster cluster)
        {
            var gateways = clients[cluster];
            await Parallel.ForEachAsync(Enumerable.Range(0, gateways.Length * options.Recipients), new ParallelOptions { MaxDegreeOfParallelism = options.Concurrency }, async (i, _) =>
                await gateways[i % gateways.Length].CheckRecipientAsync(new CheckRecipientRequest { Recipient = BenchWorld.Recipient(i / gateways.Length), Sender = "warm-up@bench-warm.example" }));
        }

        var scenarios = new List<(string Name, Func<LocalCluster, TimeSpan, Task<RunResult>> Run)>
        {
            ("CheckRecipient (unary, closed loop)", Unary),
            ("CheckStream (pipelined)", Streaming),
        };
        // The same offered load per gateway on both clusters (open loop), as silos on machines of their own would
        // each see: the closed-loop scenarios give a cluster of three a third of the load per process on the same two
        // cores, and a process less busy spends more CPU per call (fewer calls per wake-up and per HTTP/2 read).
        var perGatewayAt = Array.IndexOf(args, "--per-gateway-rate");
        if (perGatewayAt >= 0)
        {
            var perGateway = double.Parse(args[perGatewayAt + 1], CultureInfo.InvariantCulture);
            scenarios.Add(($"CheckRecipient (unary, open loop {perGateway:0}/s per gateway)", (cluster, duration) =>
            {
                var verdicts = clients[cluster];
                return Workloads.OpenLoopAsync(i => verdicts[(int)(i % verdicts.Length)].CheckRecipientAsync(checks[(int)(i % checks.Count)]).ResponseAsync, perGateway * verdicts.Length, duration);
            }));
        }

        const string WritesScenario = "AddRecord, then a check per other gateway";
        if (args.Contains("--writes"))
        {
            scenarios.Add((WritesScenario, Writes));
        }

        // Warm-up until the JIT is quiet: each silo process compiles (and, with tiered compilation and PGO, compiles
        // again) the same methods, so a cluster of three does three times the compiling; measured rounds that still
        // include it charge a start-up cost to the bigger cluster. Up to --warm-up S (90 s by default).
        var warmUpAt = Array.IndexOf(args, "--warm-up");
        var warmUpLimit = TimeSpan.FromSeconds(warmUpAt >= 0 ? double.Parse(args[warmUpAt + 1], CultureInfo.InvariantCulture) : 90);
        var warming = System.Diagnostics.Stopwatch.StartNew();
        Console.WriteLine("Warming up ...");
        while (true)
        {
            var jitBefore = new Dictionary<LocalCluster, double>();
            foreach (var (_, cluster) in clusters)
            {
                jitBefore[cluster] = (await ScrapeAsync(http, cluster)).Sum(s => s.Sum("dotnet_jit_compiled_methods_total"));
            }

            var pass = System.Diagnostics.Stopwatch.StartNew();
            foreach (var (_, cluster) in clusters)
            {
                foreach (var (_, run) in scenarios)
                {
                    await run(cluster, TimeSpan.FromSeconds(3));
                }
            }

            var jitPerSecond = new List<string>();
            var quiet = true;
            foreach (var (name, cluster) in clusters)
            {
                var perSiloPerSecond = ((await ScrapeAsync(http, cluster)).Sum(s => s.Sum("dotnet_jit_compiled_methods_total")) - jitBefore[cluster]) / pass.Elapsed.TotalSeconds / cluster.Silos.Count;
                quiet &= perSiloPerSecond < 1;
                jitPerSecond.Add(string.Create(CultureInfo.InvariantCulture, $"{name} {perSiloPerSecond:0.0}"));
            }

            Console.WriteLine($"         methods JIT-compiled per second per silo during the warm-up pass: {string.Join(", ", jitPerSecond)}");
            if (quiet || warming.Elapsed >= warmUpLimit)
            {
                break;
            }
        }

        // Each cluster's CPU with no load (both idle): per silo per second, and the cluster's total per second.
        var idleMicrosPerSecond = new Dictionary<LocalCluster, double>();
        {
            // The warm-up's last calls and renewals settle, and the copies' hits counted by the warm-up are reported
            // (each copy not renewed lately reports its own after HitReportInterval, 10 s): that is the tail of the
            // load, not idle work.
            await Task.Delay(TimeSpan.FromSeconds(12));
            var before = clusters.ToDictionary(c => c.Cluster, c => c.Cluster.Silos.Sum(s => s.Cpu().TotalMicroseconds));
            var watch = System.Diagnostics.Stopwatch.StartNew();
            var perSilo = clusters.SelectMany(c => c.Cluster.Silos).ToDictionary(s => s, s => s.Cpu().TotalMicroseconds);
            var countersBefore = new Dictionary<LocalCluster, PrometheusScrape[]>();
            foreach (var (_, cluster) in clusters)
            {
                countersBefore[cluster] = await ScrapeAsync(http, cluster);
            }

            await Task.Delay(idleWindow);
            foreach (var (name, cluster) in clusters)
            {
                var perSecond = (cluster.Silos.Sum(s => s.Cpu().TotalMicroseconds) - before[cluster]) / watch.Elapsed.TotalSeconds;
                idleMicrosPerSecond[cluster] = perSecond;
                var silosNow = string.Join(", ", cluster.Silos.Select(s => string.Create(CultureInfo.InvariantCulture, $"pid {s.Pid}: {(s.Cpu().TotalMicroseconds - perSilo[s]) / watch.Elapsed.TotalSeconds / 1000:0.0}")));
                Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"idle     {name,-9} {perSecond / 1000:0.0} ms CPU per second ({perSecond / 1000 / cluster.Silos.Count:0.0} per silo; {silosNow}) over {watch.Elapsed.TotalSeconds:0} s"));
                var countersAfter = await ScrapeAsync(http, cluster);
                for (var i = 0; i < cluster.Silos.Count; i++)
                {
                    Console.WriteLine($"         pid {cluster.Silos[i].Pid} idle counters per second: {TopCounters(countersBefore[cluster][i..(i + 1)], countersAfter[i..(i + 1)], watch.Elapsed.TotalSeconds, 12)}");
                }
            }

            if (options.Rounds == 0)
            {
                return;
            }
        }

        var results = new Dictionary<(string Scenario, string Cluster), List<(double Rate, double CpuMicros, long Errors, double HitRatio, double NetMicros, double WorkItems, double Jit)>>();
        var writeRounds = new Dictionary<string, List<(double P50, double P99, double InvalidationsPerWrite)>>();
        for (var round = 1; round <= options.Rounds; round++)
        {
            foreach (var (scenario, run) in scenarios)
            {
                foreach (var (name, cluster) in clusters)
                {
                    // Unmeasured: the copies' leases ran out while the other cluster had its turn; reading them again is
                    // start-up, not the steady state the comparison is about. Every recipient through every gateway
                    // once (a time alone covers too few on a slow machine), then the scenario itself for a while.
                    if (prewarm > TimeSpan.Zero)
                    {
                        await WarmEveryCopyAsync(cluster);
                        await run(cluster, prewarm);
                    }

                    await Task.Delay(200);
                    var scrapesBefore = await ScrapeAsync(http, cluster);
                    var cacheBefore = CacheCounts.Of(scrapesBefore);
                    var processesBefore = cluster.Silos.Select(s => s.Cpu().TotalMicroseconds).Append(CpuMeter.ProcessCpu(cluster.Redis.Pid).TotalMicroseconds).ToArray();
                    var switchesBefore = cluster.Silos.Sum(s => CpuMeter.ContextSwitches(s.Pid));
                    var cpuBefore = cluster.Silos.Sum(s => s.Cpu().TotalMicroseconds);
                    var clientBefore = System.Diagnostics.Process.GetCurrentProcess().TotalProcessorTime;
                    var machineBefore = CpuMeter.Machine();
                    Console.WriteLine($"starting round {round}  {scenario}  {name}");
                    var result = await run(cluster, options.Duration);
                    var machineAfter = CpuMeter.Machine();
                    var client = System.Diagnostics.Process.GetCurrentProcess().TotalProcessorTime - clientBefore;
                    var machineBusy = (double)(machineAfter.Busy - machineBefore.Busy) / Math.Max(1, machineAfter.Total - machineBefore.Total);
                    var cpu = cluster.Silos.Sum(s => s.Cpu().TotalMicroseconds) - cpuBefore;
                    var switches = cluster.Silos.Sum(s => CpuMeter.ContextSwitches(s.Pid)) - switchesBefore;
                    var threads = cluster.Silos.Sum(s => Threads(s.Pid));
                    var processesAfter = cluster.Silos.Select(s => s.Cpu().TotalMicroseconds).Append(CpuMeter.ProcessCpu(cluster.Redis.Pid).TotalMicroseconds).ToArray();
                    var scrapesAfter = await ScrapeAsync(http, cluster);
                    var cacheAfter = CacheCounts.Of(scrapesAfter);
                    var rate = result.Calls / result.Elapsed.TotalSeconds;
                    var micros = cpu / Math.Max(1, result.Calls);
                    var netMicros = (cpu - (idleMicrosPerSecond[cluster] * result.Elapsed.TotalSeconds)) / Math.Max(1, result.Calls);
                    var hits = cacheAfter.Hits - cacheBefore.Hits;
                    var hitRatio = hits / Math.Max(1, hits + cacheAfter.Misses - cacheBefore.Misses);
                    var seconds = result.Elapsed.TotalSeconds;
                    (results.TryGetValue((scenario, name), out var list) ? list : results[(scenario, name)] = []).Add((rate, micros, result.Errors, hitRatio, netMicros, Grown(scrapesBefore, scrapesAfter, "dotnet_thread_pool_work_item_count_total") / Math.Max(1, result.Calls), Grown(scrapesBefore, scrapesAfter, "dotnet_jit_compiled_methods_total") * 1000 / Math.Max(1, result.Calls)));
                    Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"round {round}  {scenario,-38} {name,-9} {rate,9:0} calls/s  server {micros,6:0.0} µs/call (net of idle {netMicros,6:0.0})  errors {result.Errors}  cache hits {hitRatio:P2}"));
                    if (scenario == WritesScenario && result.Latency is { } latency)
                    {
                        var invalidationsPerWrite = (cacheAfter.Invalidations - cacheBefore.Invalidations) / Math.Max(1, result.Calls);
                        (writeRounds.TryGetValue(name, out var writes) ? writes : writeRounds[name] = []).Add((latency.Percentile(50), latency.Percentile(99), invalidationsPerWrite));
                        Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"         AddRecord p50 {latency.Percentile(50) / 1000:0.00} ms, p99 {latency.Percentile(99) / 1000:0.00} ms, copies invalidated per write {invalidationsPerWrite:0.00}"));
                    }

                    Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"         machine busy {machineBusy:P0}, load tool {client.TotalMicroseconds / Math.Max(1, result.Calls):0.0} µs/call; cache protocol per s: reads {(cacheAfter.Misses - cacheBefore.Misses) / seconds:0}, renewal batches {(cacheAfter.Batches - cacheBefore.Batches) / seconds:0} ({(cacheAfter.Renewed - cacheBefore.Renewed) / seconds:0} leases), renewal reads {(cacheAfter.RenewalReads - cacheBefore.RenewalReads) / seconds:0}, hit reports {(cacheAfter.HitReports - cacheBefore.HitReports) / seconds:0} (and {(cacheAfter.RenewalHitReports - cacheBefore.RenewalHitReports) / seconds:0} with renewals); silos: {threads} threads, {switches / Math.Max(1, result.Calls):0.00} context switches/call"));
                    var split = string.Join(", ", cluster.Silos.Select((s, k) => string.Create(CultureInfo.InvariantCulture, $"silo pid {s.Pid} {(processesAfter[k] - processesBefore[k]) / Math.Max(1, result.Calls):0.0}")));
                    Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"         CPU µs/call by process: {split}, redis {(processesAfter[^1] - processesBefore[^1]) / Math.Max(1, result.Calls):0.0}, load tool {client.TotalMicroseconds / Math.Max(1, result.Calls):0.0}"));
                    Console.WriteLine($"         counters per 1,000 calls (all silos): {TopCounters(scrapesBefore, scrapesAfter, result.Calls / 1000.0, 12)}");
                }
            }
        }

        Console.WriteLine();
        Console.WriteLine($"Medians of {options.Rounds} rounds, {options.Duration.TotalSeconds:0} s each ({Environment.ProcessorCount} cores for client, silos and Redis together):");
        Console.WriteLine();
        Console.WriteLine($"| scenario | cluster | calls/s | server CPU µs/call (all silos) | CPU/call vs 1 silo | read-cache hit ratio | errors | throughput vs 1 silo | derived: µs/call net of idle | net vs 1 silo | thread-pool work items per call | methods JIT-compiled per 1,000 calls |");
        Console.WriteLine("|---|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|");
        foreach (var (scenario, _) in scenarios)
        {
            var baseline = Median(results[(scenario, "1 silo")].Select(r => r.Rate));
            var baselineCpu = Median(results[(scenario, "1 silo")].Select(r => r.CpuMicros));
            var baselineNet = Median(results[(scenario, "1 silo")].Select(r => r.NetMicros));
            foreach (var (name, _) in clusters)
            {
                var runs = results[(scenario, name)];
                var rate = Median(runs.Select(r => r.Rate));
                var cpu = Median(runs.Select(r => r.CpuMicros));
                var net = Median(runs.Select(r => r.NetMicros));
                Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"| {scenario} | {name} | {rate:0} | {cpu:0.0} | {cpu / baselineCpu:0.00}x | {Median(runs.Select(r => r.HitRatio)):P2} | {runs.Sum(r => r.Errors)} | {rate / baseline:0.00}x | {net:0.0} | {net / baselineNet:0.00}x | {Median(runs.Select(r => r.WorkItems)):0.00} | {Median(runs.Select(r => r.Jit)):0.0} |"));
            }
        }

        if (writeRounds.Count > 0)
        {
            PrintWrites(writeRounds, results[(WritesScenario, "1 silo")], results[(WritesScenario, clusters[1].Name)], clusters[1].Name);
        }
    }

    private static void PrintWrites(Dictionary<string, List<(double P50, double P99, double InvalidationsPerWrite)>> writeRounds, List<(double Rate, double CpuMicros, long Errors, double HitRatio, double NetMicros, double WorkItems, double Jit)> single, List<(double Rate, double CpuMicros, long Errors, double HitRatio, double NetMicros, double WorkItems, double Jit)> several, string severalName)
    {
        Console.WriteLine();
        Console.WriteLine("Writes (AddRecord, then a check of the recipient per other gateway; medians):");
        Console.WriteLine();
        Console.WriteLine("| cluster | steps/s | AddRecord p50 ms | AddRecord p99 ms | server CPU µs per step | copies invalidated per write | derived: extra CPU µs per caching silo |");
        Console.WriteLine("|---|---:|---:|---:|---:|---:|---:|");
        var singleCpu = Median(single.Select(r => r.CpuMicros));
        foreach (var (name, runs) in new[] { ("1 silo", single), (severalName, several) })
        {
            var writes = writeRounds[name];
            var cpu = Median(runs.Select(r => r.CpuMicros));
            var invalidated = Median(writes.Select(w => w.InvalidationsPerWrite));
            var perCachingSilo = name == "1 silo" || invalidated <= 0 ? "—" : ((cpu - singleCpu) / invalidated).ToString("0.0", CultureInfo.InvariantCulture);
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"| {name} | {Median(runs.Select(r => r.Rate)):0} | {Median(writes.Select(w => w.P50)) / 1000:0.00} | {Median(writes.Select(w => w.P99)) / 1000:0.00} | {cpu:0.0} | {invalidated:0.00} | {perCachingSilo} |"));
        }
    }

    private static double Grown(PrometheusScrape[] before, PrometheusScrape[] after, string counter) =>
        after.Sum(s => s.Sum(counter)) - before.Sum(s => s.Sum(counter));

    private static async Task<PrometheusScrape[]> ScrapeAsync(HttpClient http, LocalCluster cluster)
    {
        var scrapes = new PrometheusScrape[cluster.Silos.Count];
        for (var i = 0; i < scrapes.Length; i++)
        {
            scrapes[i] = await PrometheusScrape.ReadAsync(http, cluster.Silos[i].ManagementAddress ?? throw new InvalidOperationException("the harness's silos have a management port"));
        }

        return scrapes;
    }

    /// <summary>
    /// The counters that grew most between two reads of the same silos (summed over them), per <paramref name="per"/>
    /// (seconds, or thousands of calls): what the silos did, independent of how fast a shared machine let them do it.
    /// </summary>
    private static string TopCounters(PrometheusScrape[] before, PrometheusScrape[] after, double per, int count)
    {
        var grown = new Dictionary<string, double>(StringComparer.Ordinal);
        for (var i = 0; i < after.Length; i++)
        {
            var earlier = before[i].CounterTotals();
            foreach (var (name, value) in after[i].CounterTotals())
            {
                // Byte counters and the like drown the rest; they are not work items.
                if (name.Contains("bytes", StringComparison.Ordinal) || name.Contains("seconds", StringComparison.Ordinal))
                {
                    continue;
                }

                grown[name] = grown.GetValueOrDefault(name) + value - earlier.GetValueOrDefault(name);
            }
        }

        return string.Join(", ", grown.Where(g => g.Value > 0).OrderByDescending(g => g.Value).Take(count)
            .Select(g => string.Create(CultureInfo.InvariantCulture, $"{g.Key} {g.Value / Math.Max(1e-9, per):0.##}")));
    }

    private static int Threads(int pid) =>
        int.Parse(File.ReadLines($"/proc/{pid}/status").First(l => l.StartsWith("Threads:", StringComparison.Ordinal))[8..].Trim(), CultureInfo.InvariantCulture);

    /// <summary>The read cache's counters summed over a cluster's silos.</summary>
    private sealed record CacheCounts(double Hits, double Misses, double Batches, double Renewed, double RenewalReads, double HitReports, double RenewalHitReports, double Invalidations)
    {
        public static CacheCounts Of(IEnumerable<PrometheusScrape> scrapes) =>
            scrapes.Aggregate(new CacheCounts(0, 0, 0, 0, 0, 0, 0, 0), (total, scrape) =>
            {
                double Read(string name) => scrape.Sum($"clearinghouse_recipient_cache_{name}_total");
                return new CacheCounts(
                    total.Hits + Read("hits"),
                    total.Misses + Read("misses"),
                    total.Batches + Read("renewal_batches"),
                    total.Renewed + Read("renewals"),
                    total.RenewalReads + Read("renewal_reads"),
                    total.HitReports + Read("hit_reports"),
                    total.RenewalHitReports + Read("renewal_hit_reports"),
                    total.Invalidations + Read("invalidations"));
            });
    }

    private static double Median(IEnumerable<double> values)
    {
        var sorted = values.Order().ToArray();
        return sorted.Length % 2 == 1 ? sorted[sorted.Length / 2] : (sorted[(sorted.Length / 2) - 1] + sorted[sorted.Length / 2]) / 2;
    }
}
