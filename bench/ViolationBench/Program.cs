// Issue 3's benchmark (see docs/BENCHMARKS.md, "Violations, escalation and the filter list"). Starts its own
// redis-server (append-only file, appendfsync as given) on a free loopback port and the whole host in this process
// with Redis state, then measures over real gRPC on loopback:
//   1. violation reports persisted per second (Reports.SubmitViolation, each acknowledged after the sender grain's
//      state is written to Redis), from one provider so that nothing escalates;
//   2. the time from the report that crosses the threshold to the add arriving at a filter-list subscriber.
// Usage: dotnet run -c Release --project bench/ViolationBench -- [--reports N] [--concurrency C] [--senders S]
//        [--trials T] [--fsync always|everysec]
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

var options = Args.Parse(args);
await using var redis = await RedisServer.StartAsync(options.Fsync);

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
};
var app = ClearinghouseHost.Build(ClearinghouseHost.CreateBuilder(settings.Select(s => $"--{s.Key}={s.Value}").ToArray()));
await app.StartAsync();
var address = new Uri(app.Urls.Single());
try
{
    using var channel = GrpcChannel.ForAddress(address, new GrpcChannelOptions { HttpHandler = new SocketsHttpHandler { EnableMultipleHttp2Connections = true } });
    var acme = new Reports.ReportsClient(Authorized(channel, "acme-bench-key"));
    var other = new Reports.ReportsClient(Authorized(channel, "other-bench-key"));
    var feed = new FilterList.FilterListClient(Authorized(channel, "acme-bench-key"));

    // Warm-up: grains, connections, JIT.
    await RunReportsAsync(acme, "warmup", 500, options.Concurrency, 50);
    var cpuBefore = Process.GetCurrentProcess().TotalProcessorTime;
    var watch = Stopwatch.StartNew();
    await RunReportsAsync(acme, "load", options.Reports, options.Concurrency, options.Senders);
    watch.Stop();
    var cpu = Process.GetCurrentProcess().TotalProcessorTime - cpuBefore;
    Console.WriteLine($"reports: {options.Reports} over {options.Senders} senders, concurrency {options.Concurrency}, Redis appendfsync {options.Fsync}");
    Console.WriteLine($"  persisted per second: {options.Reports / watch.Elapsed.TotalSeconds:0}   (elapsed {watch.Elapsed.TotalSeconds:0.00} s, process CPU {cpu.TotalMilliseconds * 1000 / options.Reports:0} us per report, client included)");

    // Crossing the threshold: 5 reports below it, then the 6th (2 providers, 6 distinct recipients) crosses it.
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

    latencies.Sort();
    Console.WriteLine($"threshold crossing to subscriber, {options.Trials} trials (ms): p50 {Percentile(0.50):0.0}  p95 {Percentile(0.95):0.0}  p99 {Percentile(0.99):0.0}  max {latencies[^1]:0.0}");

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

internal sealed record Args(int Reports, int Concurrency, int Senders, int Trials, string Fsync)
{
    public static Args Parse(string[] args)
    {
        string Value(string name, string fallback)
        {
            var at = Array.IndexOf(args, name);
            return at >= 0 && at + 1 < args.Length ? args[at + 1] : fallback;
        }

        return new Args(
            int.Parse(Value("--reports", "5000"), CultureInfo.InvariantCulture),
            int.Parse(Value("--concurrency", "32"), CultureInfo.InvariantCulture),
            int.Parse(Value("--senders", "500"), CultureInfo.InvariantCulture),
            int.Parse(Value("--trials", "50"), CultureInfo.InvariantCulture),
            Value("--fsync", "always"));
    }
}
