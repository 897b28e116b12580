using System.Diagnostics;
using System.Globalization;
using Clearinghouse.Contracts;
using Clearinghouse.Domain;
using Clearinghouse.TestSupport.Chaos;
using StackExchange.Redis;
using V1 = Clearinghouse.Api.V1;

namespace Clearinghouse.LoadTool;

/// <summary>
/// <c>--suite filterlist [--sizes 10,100000,1000000] [--appends N]</c>: time and bytes written per filter-list append
/// at each list size (issue 10). For each size, a one-silo cluster on its own redis-server (<c>appendfsync always</c>,
/// automatic AOF rewrites off) and the filter list (grain 0, the one every gateway's replica follows):
/// <list type="number">
/// <item>Seeding, not measured: the list is filled to the size through the operators' bulk path
/// (<c>Operator/ImportEntries</c>, 10,000 domains per call, two calls in flight; stored as one record per segment,
/// the gateway's replica told of every change), with Redis at <c>appendfsync everysec</c> while it runs, because
/// seeding's durability is not what is measured. The list's own segments and sealing do what they do in production.</item>
/// <item>Measured: <c>--appends</c> more appends (default 2,000, two segments' worth), one at a time; p50/p99 of each
/// call as the client sees it (the change persisted with fsync, the observers told), and the growth of Redis's
/// append-only file from before the first until every segment they filled is sealed and the AOF stops growing,
/// divided by the appends (so the sealing is included, amortised), with the bytes by key.</item>
/// </list>
/// </summary>
public static class FilterListBench
{
    private const int SeedingInFlight = 2;
    private const int ImportBatch = 10_000;

    public static async Task RunAsync(BenchOptions options, string[] args)
    {
        var sizesAt = Array.IndexOf(args, "--sizes");
        var sizes = (sizesAt >= 0 ? args[sizesAt + 1] : "10,100000,1000000").Split(',').Select(s => int.Parse(s, CultureInfo.InvariantCulture)).ToArray();
        var appendsAt = Array.IndexOf(args, "--appends");
        var appends = appendsAt >= 0 ? int.Parse(args[appendsAt + 1], CultureInfo.InvariantCulture) : 2_000;
        Console.WriteLine($"Filter list appends: list sizes {string.Join(", ", sizes)}; {appends} appends measured at each, one at a time; Redis appendfsync always");

        var rows = new List<string>();
        foreach (var size in sizes)
        {
            rows.Add(await MeasureAsync(options, size, appends));
        }

        Console.WriteLine();
        Console.WriteLine("| entries listed before | appends | p50 ms | p99 ms | AOF bytes per append (sealing included) | seeding entries/s (ImportEntries) |");
        Console.WriteLine("|---:|---:|---:|---:|---:|---:|");
        foreach (var row in rows)
        {
            Console.WriteLine(row);
        }
    }

    private static async Task<string> MeasureAsync(BenchOptions options, int size, int appends)
    {
        await using var cluster = await LocalCluster.StartAsync(new LocalClusterOptions { Silos = 1, ClusterId = "bench-filterlist", SiloDll = options.SiloDll });
        await using var client = await ClusterClient.ConnectAsync(cluster);
        await using var redis = await ConnectionMultiplexer.ConnectAsync(cluster.Redis.ConnectionString + ",allowAdmin=true");
        var server = redis.GetServer(redis.GetEndPoints()[0]);
        var list = client.Client.GetGrain<IFilterList>(0);

        await server.ConfigSetAsync("auto-aof-rewrite-percentage", "0");
        await server.ConfigSetAsync("appendfsync", "everysec");
        var seeding = Stopwatch.StartNew();
        var operators = new V1.Operator.OperatorClient(HarnessTenant.Connect(cluster.Silos[0].Address, HarnessTenant.OperatorKey).Invoker);
        var batches = Enumerable.Range(0, (size + ImportBatch - 1) / ImportBatch);
        await Parallel.ForEachAsync(batches, new ParallelOptions { MaxDegreeOfParallelism = SeedingInFlight }, async (batch, _) =>
        {
            var request = new V1.ImportEntriesRequest();
            request.Entries.AddRange(Enumerable.Range(batch * ImportBatch, Math.Min(ImportBatch, size - (batch * ImportBatch)))
                .Select(i => new V1.ListEntryRequest { Kind = V1.FilterEntryKind.Domain, Value = $"seed{i}.bench-list.example", Reason = "seeded" }));

            // Sent again as a client would while the cluster is slow to answer: an entry listed already is not listed twice.
            await ChaosContext.RetryAsync(async () => await operators.ImportEntriesAsync(request, deadline: DateTime.UtcNow.AddMinutes(2)));
        });
        var version = (await list.Read(0, 1)).Version;
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"{size}: list version {version}"));
        var seedRate = size / seeding.Elapsed.TotalSeconds;
        await server.ConfigSetAsync("appendfsync", "always");
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"{size}: seeded in {seeding.Elapsed.TotalSeconds:0.0} s ({seedRate:0} appends/s)"));

        while ((await server.InfoAsync("persistence")).SelectMany(g => g).Any(kv => kv.Key == "aof_rewrite_in_progress" && kv.Value != "0"))
        {
            await Task.Delay(500); // a rewrite started before rewrites were turned off changes the file being measured
        }

        using var aof = await AofMeter.ConnectAsync(cluster.Redis.ConnectionString);
        await SettledSizeAsync(aof);
        var sizeBefore = await aof.SizeAsync();
        var mark = aof.Mark();
        var latency = new Latencies();
        for (var i = 0; i < appends; i++)
        {
            var started = Stopwatch.GetTimestamp();
            var change = await list.Append(FilterChangeOp.Add, FilterEntry.ForAddress(Address.Parse($"appended{i}@bench-list.example", "sender")), "bench append", "bench-case");
            latency.Add(Stopwatch.GetElapsedTime(started).TotalMicroseconds);
            if (change is null)
            {
                throw new InvalidOperationException($"append {i} changed nothing");
            }
        }

        var bytes = await SettledSizeAsync(aof) - sizeBefore;
        var byKey = aof.BreakdownSince(mark);
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"{size}: p50 {latency.Percentile(50) / 1000:0.00} ms, p99 {latency.Percentile(99) / 1000:0.00} ms, {bytes / (double)appends:0} AOF bytes per append; by key: {string.Join(", ", byKey.Take(6).Select(k => $"{k.Key} {k.Bytes / (double)appends:0.#}"))}"));
        return string.Create(CultureInfo.InvariantCulture, $"| {size:N0} | {appends:N0} | {latency.Percentile(50) / 1000:0.00} | {latency.Percentile(99) / 1000:0.00} | {bytes / (double)appends:0} | {seedRate:0} |");
    }

    // The grain seals segments on a one-second timer: wait until the file has not grown for three seconds.
    private static async Task<long> SettledSizeAsync(AofMeter aof)
    {
        var size = await aof.SizeAsync();
        for (var still = 0; still < 3; )
        {
            await Task.Delay(TimeSpan.FromSeconds(1));
            var now = await aof.SizeAsync();
            still = now == size ? still + 1 : 0;
            size = now;
        }

        return size;
    }
}
