using System.Diagnostics;
using System.Globalization;
using Clearinghouse.Api.V1;
using Clearinghouse.TestSupport.Chaos;
using StackExchange.Redis;

namespace Clearinghouse.LoadTool;

/// <summary>
/// Memory mode (<c>--silos N --storage redis --memory R</c>): one cluster on its own redis-server. Seeds R recipients
/// (5 records each) through the first gateway's bulk path (<c>Records/ImportRecords</c>; a grain activated only by an
/// import deactivates when idle, so seeding leaves the records in Redis, not in memory). Then a sample of S recipients
/// (all of them up to 20,000; <c>--memory-sample S</c>) is checked through the first gateway, which activates their
/// grains (Orleans' resource-optimized placement puts them on any silo: the grains the first silo holds are counted),
/// and then through the second gateway, which caches a copy of each recipient whose grain is elsewhere. After a forced full collection in every silo, each silo's GC heap
/// (<c>dotnet_gc_last_collection_heap_size_bytes</c>, all generations, from its Prometheus endpoint) and Redis'
/// <c>used_memory</c> give: bytes per active recipient grain (the first silo's growth), per cached copy (the second
/// silo's growth over its copies), per recipient in Redis. Then every grain is deactivated and a sample of recipients
/// is checked once through the third gateway: the latency of a check that activates its grain from Redis (and reads it
/// into that silo's cache).
/// </summary>
public static class MemoryBench
{
    private const int DefaultSample = 20_000;

    public static async Task RunAsync(BenchOptions options, int silos, int recipients, IReadOnlyDictionary<string, string> baseSettings, int? sampleSize = null)
    {
        var sample = Math.Min(recipients, sampleSize ?? DefaultSample);
        if (silos < 3)
        {
            throw new ArgumentException("--memory needs --silos 3 or more: grains on one, copies on another, activations through a third");
        }

        var settings = new Dictionary<string, string>(baseSettings)
        {
            ["Clearinghouse:RecipientCache:MaxEntries"] = (sample * 2).ToString(CultureInfo.InvariantCulture),
        };
        Console.WriteLine($"Memory mode: {silos} silos, Redis storage, {recipients} recipients x 5 records, {sample} of them activated and cached");
        await using var cluster = await LocalCluster.StartAsync(new LocalClusterOptions { Silos = silos, ClusterId = "bench-memory", SiloDll = options.SiloDll, Settings = settings });
        await using var client = await ClusterClient.ConnectAsync(cluster);
        using var http = new HttpClient();
        await using var redis = await ConnectionMultiplexer.ConnectAsync(cluster.Redis.ConnectionString + ",allowAdmin=true");
        var server = redis.GetServer(redis.GetEndPoints()[0]);

        async Task<double[]> HeapsAsync()
        {
            await client.CollectGarbageAsync();
            var heaps = new double[cluster.Silos.Count];
            for (var i = 0; i < heaps.Length; i++)
            {
                var scrape = await PrometheusScrape.ReadAsync(http, cluster.Silos[i].ManagementAddress!);
                heaps[i] = scrape.Sum("dotnet_gc_last_collection_heap_size_bytes");
                if (heaps[i] == 0)
                {
                    throw new InvalidOperationException("the silo exports no dotnet_gc_last_collection_heap_size_bytes: " + string.Join(", ", scrape.Lines.Where(l => l.StartsWith("dotnet_gc", StringComparison.Ordinal)).Take(10)));
                }
            }

            return heaps;
        }

        async Task<double> RedisUsedAsync()
        {
            var info = await server.InfoAsync("memory");
            return double.Parse(info.SelectMany(g => g).First(kv => kv.Key == "used_memory").Value, CultureInfo.InvariantCulture);
        }

        var emptyRedis = await RedisUsedAsync();
        var seeding = Stopwatch.StartNew();
        var first = BenchWorld.Connect(cluster.Silos[0].Address);
        await BenchWorld.SeedAsync(first, recipients, done => Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"  {done} recipients seeded, {seeding.Elapsed.TotalSeconds:0} s")));
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"seeded {recipients} recipients ({recipients * 5} records, ImportRecords) in {seeding.Elapsed.TotalSeconds:0.0} s ({recipients / seeding.Elapsed.TotalSeconds:0} recipients/s)"));
        var seededRedis = await RedisUsedAsync();

        // The imports' grains deactivate when idle: wait until they have, then activate the sample by checking it.
        await client.Client.GetGrain<IManagementGrain>(0).ForceActivationCollection(TimeSpan.Zero);
        var idleHeaps = await HeapsAsync();
        var stride = recipients / sample;
        var firstChecks = new Verdicts.VerdictsClient(first);
        await Parallel.ForEachAsync(Enumerable.Range(0, sample), new ParallelOptions { MaxDegreeOfParallelism = 16 }, async (i, _) =>
            await ChaosContext.RetryAsync(async () => await firstChecks.CheckRecipientAsync(new CheckRecipientRequest { Recipient = BenchWorld.Recipient(i * stride), Sender = "x@y.example" })));
        var seededHeaps = await HeapsAsync();
        var grainsOnFirst = (await client.Client.GetGrain<IManagementGrain>(0).GetDetailedGrainStatistics())
            .Count(s => s.GrainType.Contains("Recipient", StringComparison.Ordinal) && !s.GrainType.Contains("Service", StringComparison.Ordinal) && s.SiloAddress.Endpoint.Port.ToString(CultureInfo.InvariantCulture) == cluster.Silos[0].Settings["Clearinghouse:Cluster:SiloPort"]);

        var second = new Verdicts.VerdictsClient(BenchWorld.Connect(cluster.Silos[1].Address));
        await Parallel.ForEachAsync(Enumerable.Range(0, sample), new ParallelOptions { MaxDegreeOfParallelism = 16 }, async (i, _) =>
            await ChaosContext.RetryAsync(async () => await second.CheckRecipientAsync(new CheckRecipientRequest { Recipient = BenchWorld.Recipient(i * stride), Sender = "x@y.example" })));
        var cachedHeaps = await HeapsAsync();
        var copies = (await PrometheusScrape.ReadAsync(http, cluster.Silos[1].ManagementAddress!)).Sum("clearinghouse_recipient_cache_entries");

        Console.WriteLine();
        Console.WriteLine("| measure | value |");
        Console.WriteLine("|---|---:|");
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"| recipient grains active on the first silo | {grainsOnFirst} |"));
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"| bytes per active recipient grain (first silo's GC heap growth / grains) | {(seededHeaps[0] - idleHeaps[0]) / Math.Max(1, grainsOnFirst):0} |"));
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"| copies cached by the second silo | {copies:0} |"));
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"| bytes per cached recipient (second silo's GC heap growth / copies) | {(cachedHeaps[1] - seededHeaps[1]) / Math.Max(1, copies):0} |"));
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"| Redis bytes per recipient (used_memory growth / recipients) | {(seededRedis - emptyRedis) / recipients:0} |"));

        // Every grain deactivated: a check through the third gateway activates its recipient's grain from Redis.
        await client.Client.GetGrain<IManagementGrain>(0).ForceActivationCollection(TimeSpan.Zero);
        await Task.Delay(TimeSpan.FromSeconds(2));
        var third = new Verdicts.VerdictsClient(BenchWorld.Connect(cluster.Silos[2].Address));
        var latency = new Latencies();
        var activations = Math.Min(recipients, 2_000);
        await Parallel.ForEachAsync(Enumerable.Range(0, activations), new ParallelOptions { MaxDegreeOfParallelism = 4 }, async (i, _) =>
        {
            // Spread over every seeded recipient, mostly ones no check has touched.
            var started = Stopwatch.GetTimestamp();
            await third.CheckRecipientAsync(new CheckRecipientRequest { Recipient = BenchWorld.Recipient((i * (recipients / activations)) + (recipients / activations / 2)), Sender = "x@y.example" });
            latency.Add(Stopwatch.GetElapsedTime(started).TotalMicroseconds);
        });
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"| first check after deactivation (grain activated from Redis, read into the cache), p50 / p99 ms, {activations} recipients of {recipients}, 4 at a time | {latency.Percentile(50) / 1000:0.00} / {latency.Percentile(99) / 1000:0.00} |"));
    }
}
