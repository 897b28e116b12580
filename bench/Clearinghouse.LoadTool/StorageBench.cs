using System.Globalization;
using Clearinghouse.Api.V1;
using Clearinghouse.TestSupport.Chaos;
using Grpc.Core;

namespace Clearinghouse.LoadTool;

/// <summary>
/// Storage mode (<c>--suite storage</c>): the cost of a durable write on the two durable profiles, in the same run. A
/// one-silo cluster on Redis (<c>appendfsync always</c>) and a one-silo cluster on Azurite (the Azure Storage profile:
/// records and reports in Blobs) take the same closed-loop writes, rounds alternating between them: records added
/// (<c>AddRecord</c>, each acknowledged after the recipient's state is written) and violation reports
/// (<c>SubmitViolation</c>, each acknowledged after the sender's state is written; one provider, so nothing escalates).
/// Azurite is an emulator on the same two cores: the figures compare the code paths, not Azure's service.
/// </summary>
public static class StorageBench
{
    private const int Recipients = 1000;
    private const int Senders = 500;

    public static async Task RunAsync(BenchOptions options)
    {
        Console.WriteLine($"Storage mode: 1 silo on Redis (appendfsync always) against 1 silo on Azurite, {options.Rounds} rounds x {options.Duration.TotalSeconds:0} s, closed loop {options.Concurrency} callers");
        await using var redis = await LocalCluster.StartAsync(new LocalClusterOptions { Silos = 1, ClusterId = "storage-redis", SiloDll = options.SiloDll });
        await using var azurite = await LocalCluster.StartAsync(new LocalClusterOptions { Silos = 1, Store = DurableStore.Azurite, ClusterId = "storage-azurite", SiloDll = options.SiloDll });
        var clusters = new[] { (Name: "Redis", Cluster: redis), (Name: "Azurite", Cluster: azurite) };

        long next = 0;
        Task AddRecord(CallInvoker invoker)
        {
            var i = Interlocked.Increment(ref next);
            return new Records.RecordsClient(invoker).AddRecordAsync(new AddRecordRequest
            {
                Recipient = $"user{i % Recipients}@{HarnessTenant.Domain}",
                Pattern = $"sender{i}@bulk.example",
                Action = RecordAction.Reject,
                Message = "I asked you to stop.",
            }).ResponseAsync;
        }

        Task Report(CallInvoker invoker)
        {
            var i = Interlocked.Increment(ref next);
            var request = ViolationReportWorkload.Report($"bench-{i}", $"user{i % Recipients}@{HarnessTenant.Domain}", $"bulk{i % Senders}@violator.example", DateTimeOffset.UtcNow);
            return new Reports.ReportsClient(invoker).SubmitViolationAsync(request).ResponseAsync;
        }

        var scenarios = new (string Name, Func<CallInvoker, Task> Call)[]
        {
            ("records written (AddRecord)", AddRecord),
            ("violation reports (SubmitViolation)", Report),
        };

        Console.WriteLine("Warming up ...");
        foreach (var (_, cluster) in clusters)
        {
            foreach (var (_, call) in scenarios)
            {
                await Workloads.ClosedLoopAsync(options.Concurrency, _ => call(cluster.Invokers[0]), TimeSpan.FromSeconds(3));
            }
        }

        // What each cluster burns with no load (membership, reminders, timers): at tens of writes per second it is a
        // large part of the CPU per write, so it is printed beside it.
        foreach (var (store, cluster) in clusters)
        {
            var (silo, storeBefore) = (cluster.Silos[0].Cpu(), CpuMeter.ProcessCpu(cluster.Store.Pid));
            await Task.Delay(TimeSpan.FromSeconds(5));
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"idle {store}: silo {(cluster.Silos[0].Cpu() - silo).TotalMilliseconds / 5:0.0} ms CPU/s, store {(CpuMeter.ProcessCpu(cluster.Store.Pid) - storeBefore).TotalMilliseconds / 5:0.0} ms CPU/s"));
        }

        var results = new Dictionary<(string Scenario, string Store), List<(double Rate, double SiloMicros, double StoreMicros, long Errors)>>();
        for (var round = 1; round <= options.Rounds; round++)
        {
            foreach (var (scenario, call) in scenarios)
            {
                foreach (var (store, cluster) in clusters)
                {
                    await Task.Delay(500);
                    var silo = cluster.Silos[0];
                    var (siloBefore, storeBefore) = (silo.Cpu(), CpuMeter.ProcessCpu(cluster.Store.Pid));
                    var result = await Workloads.ClosedLoopAsync(options.Concurrency, _ => call(cluster.Invokers[0]), options.Duration);
                    var calls = Math.Max(1, result.Calls);
                    var measured = (
                        Rate: result.Calls / result.Elapsed.TotalSeconds,
                        SiloMicros: (silo.Cpu() - siloBefore).TotalMicroseconds / calls,
                        StoreMicros: (CpuMeter.ProcessCpu(cluster.Store.Pid) - storeBefore).TotalMicroseconds / calls,
                        result.Errors);
                    (results.TryGetValue((scenario, store), out var list) ? list : results[(scenario, store)] = []).Add(measured);
                    Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"round {round}  {scenario,-36} {store,-8} {measured.Rate,8:0} writes/s  silo {measured.SiloMicros,6:0} µs/write  store {measured.StoreMicros,6:0} µs/write  errors {result.Errors}"));
                }
            }
        }

        Console.WriteLine();
        Console.WriteLine($"Medians of {options.Rounds} rounds, {options.Duration.TotalSeconds:0} s each ({Environment.ProcessorCount} cores for client, silo and store together):");
        Console.WriteLine();
        Console.WriteLine("| writes | store | writes/s | silo CPU µs/write | store CPU µs/write | errors | throughput vs Redis |");
        Console.WriteLine("|---|---|---:|---:|---:|---:|---:|");
        foreach (var (scenario, _) in scenarios)
        {
            var baseline = Rounds.Median(results[(scenario, "Redis")].Select(r => r.Rate));
            foreach (var (store, _) in clusters)
            {
                var runs = results[(scenario, store)];
                var rate = Rounds.Median(runs.Select(r => r.Rate));
                Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                    $"| {scenario} | {store} | {rate:0} | {Rounds.Median(runs.Select(r => r.SiloMicros)):0} | {Rounds.Median(runs.Select(r => r.StoreMicros)):0} | {runs.Sum(r => r.Errors)} | {rate / baseline:0.00}x |"));
            }
        }
    }
}
