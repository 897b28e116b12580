// The violation benchmark (issues 3 and 8; see docs/BENCHMARKS.md). Starts its own redis-server (append-only file,
// appendfsync as given, automatic rewrites off) on a free loopback port and the whole host in this process with Redis
// state, then measures over real gRPC on loopback:
//   1. throughput: violation reports persisted per second (Reports.SubmitViolation, each acknowledged once stored),
//      from one provider so that nothing escalates, and the bytes the append-only file grew by per report; then, with
//      --batch N (N > 0), the same number of reports over the same senders in Reports.SubmitViolations calls of N
//      reports each, --batch-concurrency calls at a time (same Redis, same attribution);
//   2. history: a sender is seeded with --big-recipients distinct recipients; then, in interleaved rounds, reports one
//      at a time to fresh senders and to that sender: median time per report and AOF bytes per report (including the
//      writes deferred to timers: ranking scores, the domain's aggregate, checkpoints), and their ratios;
//   3. the time from the report that crosses the threshold to the add arriving at a filter-list subscriber.
// Usage: dotnet run -c Release --project bench/ViolationBench -- [--reports N] [--concurrency C] [--senders S]
//        [--batch B] [--batch-concurrency BC] [--big-recipients R] [--rounds K] [--samples M] [--trials T]
//        [--fsync always|everysec] [--breakdown]
// --breakdown: in the last round, which keys the AOF bytes went to (read from the file itself).
// Phase 1 also prints where a report's work goes (Attribution): CPU of this process and of redis-server, allocations,
// Redis commands and grain calls per report, against the floor of a no-op Diagnostics.Ping at the same concurrency.
using System.Diagnostics;
using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using Clearinghouse.Api.V1;
using Clearinghouse.Gateway.Security;
using Clearinghouse.Silo.Hosting;
using Google.Protobuf.WellKnownTypes;
using Grpc.Core;
using Grpc.Core.Interceptors;
using Grpc.Net.Client;
using Microsoft.Extensions.DependencyInjection;
using ViolationBench;

var options = Args.Parse(args);
await using var redis = await RedisServer.StartAsync(options.Fsync);
using var aof = await AofMeter.ConnectAsync(redis.ConnectionString);
using var admin = await StackExchange.Redis.ConnectionMultiplexer.ConnectAsync(redis.ConnectionString + ",allowAdmin=true");
var redisServer = admin.GetServers().Single();

var settings = new Dictionary<string, string>
{
    ["Kestrel:Endpoints:Grpc:Url"] = "http://127.0.0.1:0",
    ["Kestrel:Endpoints:Grpc:Protocols"] = "Http2",
    ["Clearinghouse:Storage"] = "Redis",
    ["Clearinghouse:Redis:ConnectionString"] = redis.ConnectionString,
    ["Clearinghouse:Privacy:RecipientKeySecret"] = "violation-bench-recipient-key-secret",
    ["Clearinghouse:Cluster:ClusterId"] = "violationbench",
    ["Clearinghouse:Cluster:SiloPort"] = FreePort.Next().ToString(CultureInfo.InvariantCulture),
    ["Clearinghouse:Cluster:GatewayPort"] = FreePort.Next().ToString(CultureInfo.InvariantCulture),
    ["Clearinghouse:Providers:acme:Domains:0"] = "acme.example",
    ["Clearinghouse:Providers:acme:ApiKeySha256:0"] = CallerDirectory.HashKey("acme-bench-key"),
    ["Clearinghouse:Providers:other:Domains:0"] = "other.example",
    ["Clearinghouse:Providers:other:ApiKeySha256:0"] = CallerDirectory.HashKey("other-bench-key"),
    ["Clearinghouse:Operators:ApiKeySha256:0"] = CallerDirectory.HashKey("operator-bench-key"),
    ["Clearinghouse:Providers:acme:WritesPerSecond"] = "0",
    ["Clearinghouse:Providers:other:WritesPerSecond"] = "0",
    ["Logging:LogLevel:Default"] = "Error",

    // A measuring tool, not an MTA: on a loaded machine a sender's first activation can take longer than the gateway's
    // 1.5 s bound on a grain call, which would end the run.
    ["Clearinghouse:Gateway:GrainCallTimeout"] = "00:00:30",
};
var builder = ClearinghouseHost.CreateBuilder(settings.Select(s => $"--{s.Key}={s.Value}").ToArray());
var grainCalls = new GrainCallCounter();
builder.Services.AddSingleton<IIncomingGrainCallFilter>(grainCalls);
var app = ClearinghouseHost.Build(builder);
await app.StartAsync();
var address = new Uri(app.Urls.Single());

// Writes deferred to timers (scores every RankingInterval, the domain's aggregate every DomainFlushInterval, both 5 s)
// land within two intervals: a phase's bytes are read after this.
var settle = TimeSpan.FromSeconds(11);
try
{
    using var channel = GrpcChannel.ForAddress(address, new GrpcChannelOptions { HttpHandler = new SocketsHttpHandler { EnableMultipleHttp2Connections = true } });
    var acme = new Reports.ReportsClient(Authorized(channel, "acme-bench-key"));
    var other = new Reports.ReportsClient(Authorized(channel, "other-bench-key"));
    var feed = new FilterList.FilterListClient(Authorized(channel, "acme-bench-key"));
    Console.WriteLine($"Redis appendfsync {options.Fsync}; machine: {Environment.ProcessorCount} cores");

    // 1. Throughput. Warm-up first: grains, connections, JIT.
    await RunReportsAsync(acme, "warmup", 500, options.Concurrency, 50);
    await Task.Delay(settle);

    // The floor: the no-op Diagnostics.Ping over the same channel and concurrency (gRPC client and server, the
    // gateway's authentication; no grain, no storage).
    var diagnostics = new Diagnostics.DiagnosticsClient(Authorized(channel, "acme-bench-key"));
    await RunPingsAsync(diagnostics, 2000, options.Concurrency);
    var pingBefore = await Attribution.TakeAsync(redisServer, redis.Pid, grainCalls);
    var watch = Stopwatch.StartNew();
    await RunPingsAsync(diagnostics, options.Reports, options.Concurrency);
    watch.Stop();
    var pingAfter = await Attribution.TakeAsync(redisServer, redis.Pid, grainCalls);
    Console.WriteLine($"floor: {options.Reports} Diagnostics.Ping calls, concurrency {options.Concurrency}: {options.Reports / watch.Elapsed.TotalSeconds:0} calls/s");
    pingAfter.Print(pingBefore, options.Reports, "call");

    var bytesBefore = await aof.SizeAsync();
    var before = await Attribution.TakeAsync(redisServer, redis.Pid, grainCalls);
    watch.Restart();
    await RunReportsAsync(acme, "load", options.Reports, options.Concurrency, options.Senders);
    watch.Stop();
    var during = await Attribution.TakeAsync(redisServer, redis.Pid, grainCalls);
    await Task.Delay(settle);
    var bytes = await aof.SizeAsync() - bytesBefore;
    var settled = await Attribution.TakeAsync(redisServer, redis.Pid, grainCalls);
    Console.WriteLine($"throughput: {options.Reports} reports over {options.Senders} senders, concurrency {options.Concurrency}");
    Console.WriteLine($"  persisted per second: {options.Reports / watch.Elapsed.TotalSeconds:0}   (elapsed {watch.Elapsed.TotalSeconds:0.00} s, process CPU {(during.ProcessCpu - before.ProcessCpu).TotalMilliseconds * 1000 / options.Reports:0} us per report, client included; AOF {bytes / (double)options.Reports:0} bytes per report)");
    Console.WriteLine("  while the reports ran:");
    during.Print(before, options.Reports, "report");
    Console.WriteLine($"  the {settle.TotalSeconds:0} s after (timers: scores, the domain's aggregate), per report of the phase:");
    settled.Print(during, options.Reports, "report");

    // 1b. Throughput in batches: as many reports over as many senders (other keys and addresses), many per call.
    if (options.Batch > 0)
    {
        var batchedCount = options.Reports;
        await RunBatchesAsync(acme, "bwarmup", Math.Min(batchedCount, options.Batch * options.BatchConcurrency), options.Batch, options.BatchConcurrency, options.Senders);
        await Task.Delay(settle);
        var batchBytesBefore = await aof.SizeAsync();
        var batchBefore = await Attribution.TakeAsync(redisServer, redis.Pid, grainCalls);
        var unaryRate = options.Reports / watch.Elapsed.TotalSeconds;
        watch.Restart();
        await RunBatchesAsync(acme, "batch", batchedCount, options.Batch, options.BatchConcurrency, options.Senders);
        watch.Stop();
        var batchDuring = await Attribution.TakeAsync(redisServer, redis.Pid, grainCalls);
        await Task.Delay(settle);
        var batchBytes = await aof.SizeAsync() - batchBytesBefore;
        var batchSettled = await Attribution.TakeAsync(redisServer, redis.Pid, grainCalls);
        var batchRate = batchedCount / watch.Elapsed.TotalSeconds;
        var floorCpu = (pingAfter.ProcessCpu - pingBefore.ProcessCpu).TotalSeconds * 1e6 / options.Reports;
        var batchCpu = (batchDuring.ProcessCpu - batchBefore.ProcessCpu).TotalSeconds * 1e6 / batchedCount;
        Console.WriteLine($"batched throughput: {batchedCount} reports over {options.Senders} senders in SubmitViolations calls of {options.Batch}, {options.BatchConcurrency} calls at a time");
        Console.WriteLine($"  persisted per second: {batchRate:0}   ({batchRate / unaryRate:0.00}x the unary phase; elapsed {watch.Elapsed.TotalSeconds:0.00} s, process CPU {batchCpu:0} us per report, client included, {batchCpu / floorCpu:0.00}x a Ping call's; AOF {batchBytes / (double)batchedCount:0} bytes per report)");
        Console.WriteLine("  while the reports ran:");
        batchDuring.Print(batchBefore, batchedCount, "report");
        Console.WriteLine($"  the {settle.TotalSeconds:0} s after (timers: scores, the domain's aggregate), per report of the phase:");
        batchSettled.Print(batchDuring, batchedCount, "report");
    }

    // 2. A report's cost against the sender's history.
    if (options.BigRecipients > 0)
    {
        var big = "big@history.example";
        watch.Restart();
        await SeedAsync(acme, big, options.BigRecipients, options.Concurrency);
        Console.WriteLine($"history: seeded {big} with {options.BigRecipients} distinct recipients in {watch.Elapsed.TotalSeconds:0.0} s ({options.BigRecipients / watch.Elapsed.TotalSeconds:0} reports/s to one sender)");
        await Task.Delay(settle);

        // Round 0 warms up (the first fresh senders' shard and domain grains, writes left over from the seeding); it
        // is shown but not counted.
        var fresh = new List<(double Ms, double Bytes)>();
        var history = new List<(double Ms, double Bytes)>();
        for (var round = 0; round <= options.Rounds; round++)
        {
            var last = options.Breakdown && round == options.Rounds;
            var f = await SequentialAsync(acme, i => Report($"fresh-{round}-{i}", $"f{i}@acme.example", $"fresh{round}-{i}@new.example"), options.Samples, aof, settle, last ? "fresh senders" : null);
            var h = await SequentialAsync(acme, i => Report($"more-{round}-{i}", $"more{round}-{i}@acme.example", big), options.Samples, aof, settle, last ? "the sender with history" : null);
            Console.WriteLine($"  round {round}{(round == 0 ? " (warm-up)" : "")}: fresh sender {f.Ms:0.000} ms, {f.Bytes:0} bytes; sender with {options.BigRecipients}+ recipients {h.Ms:0.000} ms, {h.Bytes:0} bytes per report; ratios {h.Ms / f.Ms:0.00} time, {h.Bytes / f.Bytes:0.00} bytes");
            if (round > 0)
            {
                fresh.Add(f);
                history.Add(h);
            }
        }

        var (freshMs, bigMs) = (Median(fresh.Select(f => f.Ms)), Median(history.Select(h => h.Ms)));
        var (freshBytes, bigBytes) = (Median(fresh.Select(f => f.Bytes)), Median(history.Select(h => h.Bytes)));
        var timeRatio = Median(fresh.Zip(history, (f, h) => h.Ms / f.Ms));
        var bytesRatio = Median(fresh.Zip(history, (f, h) => h.Bytes / f.Bytes));
        Console.WriteLine($"history, medians of {options.Rounds} rounds x {options.Samples} reports one at a time (ratio: median of the rounds' ratios):");
        Console.WriteLine($"  time per report:  fresh {freshMs:0.000} ms, {options.BigRecipients} recipients {bigMs:0.000} ms, ratio {timeRatio:0.00} (goal <= 1.2)");
        Console.WriteLine($"  bytes per report: fresh {freshBytes:0}, {options.BigRecipients} recipients {bigBytes:0}, ratio {bytesRatio:0.00} (goal <= 1)");
    }

    // 3. Crossing the threshold: 5 reports below it, then the 6th (2 providers, 6 distinct recipients) crosses it.
    using var subscription = feed.Subscribe(new SubscribeFilterListRequest { FromVersion = 0 });
    var arrivals = new System.Collections.Concurrent.ConcurrentDictionary<string, TaskCompletionSource<long>>();
    var reading = Task.Run(async () =>
    {
        await foreach (var update in subscription.ResponseStream.ReadAllAsync())
        {
            if (update.UpdateCase == FilterListUpdate.UpdateOneofCase.Change && arrivals.TryGetValue(update.Change.Value, out var arrived))
            {
                arrived.TrySetResult(Stopwatch.GetTimestamp());
            }
        }
    });
    var latencies = new List<double>();
    for (var trial = 0; trial < options.Trials; trial++)
    {
        var sender = $"crosser{trial}@bulk.example";
        var arrived = arrivals.GetOrAdd(Sha256(sender), _ => new TaskCompletionSource<long>(TaskCreationOptions.RunContinuationsAsynchronously));
        for (var r = 0; r < 5; r++)
        {
            await (r < 3 ? acme : other).SubmitViolationAsync(Report($"t{trial}-{r}", r < 3 ? $"u{r}@acme.example" : $"u{r}@other.example", sender));
        }

        var started = Stopwatch.GetTimestamp();
        var crossing = await other.SubmitViolationAsync(Report($"t{trial}-5", "u5@other.example", sender));
        if (crossing.SenderState is not (EscalationState.Escalated or EscalationState.Listed))
        {
            throw new InvalidOperationException($"trial {trial}: the sixth report left the sender {crossing.SenderState}");
        }

        var at = await arrived.Task.WaitAsync(TimeSpan.FromSeconds(30));
        latencies.Add(Stopwatch.GetElapsedTime(started, at).TotalMilliseconds);
    }

    if (latencies.Count > 0)
    {
        latencies.Sort();
        Console.WriteLine($"threshold crossing to subscriber, {options.Trials} trials (ms): p50 {Percentile(0.50):0.0}  p95 {Percentile(0.95):0.0}  p99 {Percentile(0.99):0.0}  max {latencies[^1]:0.0}");
    }

    double Percentile(double p) => latencies[Math.Min(latencies.Count - 1, (int)Math.Ceiling(p * latencies.Count) - 1)];
}
finally
{
    await app.StopAsync();
}

static async Task RunReportsAsync(Reports.ReportsClient client, string prefix, int count, int concurrency, int senders)
{
    var next = -1;
    await Task.WhenAll(Enumerable.Range(0, concurrency).Select(async _ =>
    {
        int i;
        while ((i = Interlocked.Increment(ref next)) < count)
        {
            await client.SubmitViolationAsync(Report($"{prefix}-{i}", $"r{i}@acme.example", $"{prefix}{i % senders}@bulk.example"));
        }
    }));
}

// Reports in SubmitViolations calls of `batch`, the same recipients and senders as RunReportsAsync; every item must be
// stored (a failed item ends the run: the figure would not be honest).
static async Task RunBatchesAsync(Reports.ReportsClient client, string prefix, int count, int batch, int concurrency, int senders)
{
    var next = -batch;
    await Task.WhenAll(Enumerable.Range(0, concurrency).Select(async _ =>
    {
        int first;
        while ((first = Interlocked.Add(ref next, batch)) < count)
        {
            var request = new SubmitViolationsRequest();
            for (var i = first; i < Math.Min(count, first + batch); i++)
            {
                request.Reports.Add(Report($"{prefix}-{i}", $"r{i}@acme.example", $"{prefix}{i % senders}@bulk.example"));
            }

            var answer = await client.SubmitViolationsAsync(request);
            if (answer.Failed > 0)
            {
                var failed = answer.Results.First(r => r.Code != 0);
                throw new InvalidOperationException($"{answer.Failed} reports of a batch failed: {(StatusCode)failed.Code} {failed.Error}");
            }
        }
    }));
}

static async Task RunPingsAsync(Diagnostics.DiagnosticsClient client, int count, int concurrency)
{
    var next = -1;
    await Task.WhenAll(Enumerable.Range(0, concurrency).Select(async _ =>
    {
        while (Interlocked.Increment(ref next) < count)
        {
            await client.PingAsync(new PingRequest());
        }
    }));
}

static async Task SeedAsync(Reports.ReportsClient client, string sender, int recipients, int concurrency)
{
    var next = -1;
    await Task.WhenAll(Enumerable.Range(0, concurrency).Select(async _ =>
    {
        int i;
        while ((i = Interlocked.Increment(ref next)) < recipients)
        {
            await client.SubmitViolationAsync(Report($"seed-{i}", $"seed{i}@acme.example", sender));
        }
    }));
}

// Reports one at a time; the median time per report, and the AOF bytes per report once deferred writes have landed.
static async Task<(double Ms, double Bytes)> SequentialAsync(Reports.ReportsClient client, Func<int, SubmitViolationRequest> report, int samples, AofMeter aof, TimeSpan settle, string? breakdown)
{
    var before = await aof.SizeAsync();
    var mark = aof.Mark();
    var times = new List<double>(samples);
    for (var i = 0; i < samples; i++)
    {
        var started = Stopwatch.GetTimestamp();
        await client.SubmitViolationAsync(report(i));
        times.Add(Stopwatch.GetElapsedTime(started).TotalMilliseconds);
    }

    await Task.Delay(settle);
    if (breakdown is not null)
    {
        Console.WriteLine($"    where the bytes went ({breakdown}), per report, by key with digits masked:");
        foreach (var (key, bytes) in aof.BreakdownSince(mark).Take(8))
        {
            Console.WriteLine($"      {bytes / (double)samples,8:0.0}  {key}");
        }
    }

    return (Median(times), (await aof.SizeAsync() - before) / (double)samples);
}

static double Median(IEnumerable<double> values)
{
    var sorted = values.Order().ToList();
    return sorted.Count % 2 == 1 ? sorted[sorted.Count / 2] : (sorted[(sorted.Count / 2) - 1] + sorted[sorted.Count / 2]) / 2;
}

static SubmitViolationRequest Report(string id, string recipient, string sender)
{
    var now = DateTimeOffset.UtcNow;
    return new SubmitViolationRequest
    {
        ReportId = id,
        Recipient = recipient,
        Sender = sender,
        RequestMethod = DoNotSendMethod.OneClick,
        FirstMessage = new MessageEvidence { MessageId = $"first-{id}@bulk.example", Date = Timestamp.FromDateTimeOffset(now.AddDays(-10)), HeaderDigest = Sha256("first" + id) },
        RequestedAt = Timestamp.FromDateTimeOffset(now.AddDays(-9)),
        SecondMessage = new MessageEvidence { MessageId = $"second-{id}@bulk.example", Date = Timestamp.FromDateTimeOffset(now.AddMinutes(-5)), HeaderDigest = Sha256("second" + id) },
    };
}

static CallInvoker Authorized(GrpcChannel channel, string key) =>
    channel.CreateCallInvoker().Intercept(metadata =>
    {
        metadata.Add("authorization", $"Bearer {key}");
        return metadata;
    });

static string Sha256(string text) => Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(text)));

internal sealed record Args(int Reports, int Concurrency, int Senders, int Batch, int BatchConcurrency, int BigRecipients, int Rounds, int Samples, int Trials, string Fsync, bool Breakdown)
{
    public static Args Parse(string[] args)
    {
        string Value(string name, string fallback)
        {
            var at = Array.IndexOf(args, name);
            return at >= 0 && at + 1 < args.Length ? args[at + 1] : fallback;
        }

        int Number(string name, string fallback) => int.Parse(Value(name, fallback), CultureInfo.InvariantCulture);

        return new Args(
            Number("--reports", "20000"),
            Number("--concurrency", "32"),
            Number("--senders", "500"),
            Number("--batch", "1000"),
            Number("--batch-concurrency", "4"),
            Number("--big-recipients", "100000"),
            Number("--rounds", "5"),
            Number("--samples", "500"),
            Number("--trials", "50"),
            Value("--fsync", "always"),
            args.Contains("--breakdown"));
    }
}
