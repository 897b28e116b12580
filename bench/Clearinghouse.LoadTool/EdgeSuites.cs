using System.Collections.Concurrent;
using System.Diagnostics;
using System.Globalization;
using System.Net.Sockets;
using System.Text;
using Clearinghouse.Api.V1;
using Grpc.Core;

namespace Clearinghouse.LoadTool;

/// <summary>
/// The benchmarks of issue 12, chosen with <c>--suite policy</c> or <c>--suite dnsbl</c>.
/// <c>policy</c>: the same policy requests, over many connections with many requests each (closed loop, and open loop at
/// <c>--rate</c>), to the gateway's Postfix policy listener and to Debian's postfwd2 with rules that give the same
/// decisions, plus unary CheckRecipient for the server-CPU comparison; interleaved, round by round.
/// <c>dnsbl</c>: dnsperf against the gateway's DNS blocklist and against rbldnsd loaded with the gateway's own rbldnsd
/// export of the same list (<c>--entries</c>, default 100,000), the same query mix; then the time from a filter-list
/// change (Operator.ListEntry acknowledged) to the first DNS answer that has it.
/// </summary>
public static class EdgeSuites
{
    private const string OperatorKey = "bench-operator-key";

    // Changes timed from ListEntry to the first listed DNS answer: 1,000 make the p99 the 10th slowest, not the 2nd.
    private const int ChangesTimed = 1000;

    // The policy suite's senders: each decided the same way by the seeded records and by the postfwd rules below.
    private static readonly string[] Senders = ["spam{0}@bulk.example", "news@mail.promo.example", "offer@cheap.xyz", "friend@cheap.xyz", "a@bad.example", "colleague@work.example", "shop@store.example", "list@lists.example", "x@y.example", "me@home.example"];

    private const string PostfwdRules = """
        id=SPAM; sender=~/^spam[0-9]+@bulk\.example$/; action=550 5.7.1 I asked you to stop.
        id=ALLOW; sender==friend@cheap.xyz; action=DUNNO
        id=PROMO; sender=~/[@.]promo\.example$/; action=DISCARD
        id=XYZ; sender=~/\.xyz$/; action=DEFER_IF_PERMIT 4.7.1 later
        id=BAD; sender=~/[@.]bad\.example$/; action=550 5.7.1 no
        """;

    public static async Task PolicyAsync(BenchOptions options, int connections)
    {
        // Both paths verify the sender's domain for the client IP (SPF, answered by a loopback DNS server, then cached).
        await using var dns = BenchDns.Start();
        var listenerPort = FreePort.Next();
        var settings = new Dictionary<string, string>(BenchWorld.ProviderSettings())
        {
            ["Clearinghouse:Dns:Servers:0"] = "127.0.0.1",
            ["Clearinghouse:Dns:Port"] = dns.Port.ToString(CultureInfo.InvariantCulture),
            ["Clearinghouse:Policy:Listeners:bench:Port"] = listenerPort.ToString(CultureInfo.InvariantCulture),
            ["Clearinghouse:Policy:Listeners:bench:Provider"] = "bench",
        };
        await using var silo = await SiloProcess.StartAsync(options.SiloDll, settings, TimeSpan.FromSeconds(60));
        var invoker = BenchWorld.Connect(silo.Address);
        await BenchWorld.SeedAsync(invoker, options.Recipients);
        var requests = PolicyRequests(options.Recipients);
        var checks = requests.Select(r => r.Check).ToArray();

        var directory = Directory.CreateTempSubdirectory("clearinghouse-postfwd-").FullName;
        var rules = Path.Combine(directory, "postfwd.cf");
        await File.WriteAllTextAsync(rules, PostfwdRules);

        // postfwd2 reads its rules as the user it runs as (nobody).
        using (var chmod = Process.Start("chmod", ["755", directory]))
        {
            await chmod.WaitForExitAsync();
        }

        var postfwdPort = FreePort.Next();
        var pidFile = Path.Combine(directory, "postfwd.pid");

        // postfwd2 serves as a pre-forked daemon, one child per open connection: as many children as connections.
        var servers = connections.ToString(CultureInfo.InvariantCulture);
        var maxServers = (connections + 10).ToString(CultureInfo.InvariantCulture);
        using (var starting = Process.Start(new ProcessStartInfo("/usr/sbin/postfwd2")
        {
            ArgumentList = { "--daemon", "--file", rules, "--interface", "127.0.0.1", "--port", postfwdPort.ToString(CultureInfo.InvariantCulture), "--nodns", "--user", "nobody", "--group", "nogroup", "--pidfile", pidFile, "--min_servers", servers, "--max_servers", maxServers },
            UseShellExecute = false,
        }) ?? throw new InvalidOperationException("postfwd2 is not installed (apt-get install -y postfwd)"))
        {
            await starting.WaitForExitAsync();
        }

        await WaitForPortAsync(postfwdPort);
        var postfwdPid = int.Parse((await File.ReadAllTextAsync(pidFile)).Trim(), CultureInfo.InvariantCulture);
        try
        {
            await using var ours = await PolicyPool.OpenAsync(listenerPort, connections);
            await using var theirs = await PolicyPool.OpenAsync(postfwdPort, connections);
            await VerifySameDecisionsAsync(ours, theirs, requests);

            var verdicts = new Verdicts.VerdictsClient(invoker);
            Task Check(long i) => verdicts.CheckRecipientAsync(checks[(int)(i % checks.Length)]).ResponseAsync;
            var scenarios = new (string Name, Func<TimeSpan, Task<RunResult>> Run, Func<TimeSpan> Cpu, int? Silo)[]
            {
                ($"policy listener ({connections} connections, closed loop)", d => ours.ClosedLoopAsync(requests, d), silo.Cpu, silo.Pid),
                ($"postfwd2 ({connections} connections, closed loop)", d => theirs.ClosedLoopAsync(requests, d), () => ProcessTreeCpu(postfwdPid), null),
                ($"policy listener (open loop {options.Rate}/s)", d => ours.OpenLoopAsync(requests, options.Rate, d), silo.Cpu, silo.Pid),
                ($"postfwd2 (open loop {options.Rate}/s)", d => theirs.OpenLoopAsync(requests, options.Rate, d), () => ProcessTreeCpu(postfwdPid), null),
                ("CheckRecipient, same facts (unary gRPC, closed loop)", d => Workloads.ClosedLoopAsync(options.Concurrency, Check, d), silo.Cpu, silo.Pid),
            };
            await RunRoundsAsync(options, scenarios);
        }
        finally
        {
            foreach (var pid in Descendants(postfwdPid).Append(postfwdPid).ToList())
            {
                try
                {
                    Process.GetProcessById(pid).Kill();
                }
                catch (ArgumentException)
                {
                }
            }

            Directory.Delete(directory, recursive: true);
        }
    }

    public static async Task DnsblAsync(BenchOptions options, int entries)
    {
        var dnsPort = FreePort.Next();
        var export = Directory.CreateTempSubdirectory("clearinghouse-rbldnsd-").FullName;
        var settings = new Dictionary<string, string>(BenchWorld.ProviderSettings())
        {
            ["Clearinghouse:Operators:ApiKeySha256:0"] = Convert.ToHexStringLower(System.Security.Cryptography.SHA256.HashData(Encoding.UTF8.GetBytes(OperatorKey))),
            ["Clearinghouse:RateLimits:WritesPerSecond"] = "0",
            ["Clearinghouse:Dnsbl:Enabled"] = "true",
            ["Clearinghouse:Dnsbl:Port"] = dnsPort.ToString(CultureInfo.InvariantCulture),
            ["Clearinghouse:Dnsbl:IpZone"] = "ip.bench.test",
            ["Clearinghouse:Dnsbl:DomainZone"] = "dbl.bench.test",
            ["Clearinghouse:Dnsbl:ExportDirectory"] = export,
            // The default interval: at 100,000 entries each export renders and writes the whole list, and with a change
            // every 10 ms a 1 s interval made the gateway export all through the measurement.
            ["Clearinghouse:Dnsbl:ExportInterval"] = "00:00:10",
        };
        await using var silo = await SiloProcess.StartAsync(options.SiloDll, settings, TimeSpan.FromSeconds(60));
        var operators = new Operator.OperatorClient(HarnessTenant.Connect(silo.Address, OperatorKey).Invoker);

        // Half IPv4 addresses, a quarter /24 networks, a quarter domains, all distinct.
        var watch = Stopwatch.StartNew();
        var changed = 0;
        await Parallel.ForEachAsync(Enumerable.Range(0, entries), new ParallelOptions { MaxDegreeOfParallelism = 16 }, async (i, _) =>
        {
            var (kind, value) = (i % 4) switch
            {
                0 or 1 => (FilterEntryKind.Ip, $"10.{(i >> 16) & 255}.{(i >> 8) & 255}.{i & 255}"),
                2 => (FilterEntryKind.Ip, $"11.{(i >> 10) & 255}.{(i >> 2) & 255}.0/24"),
                _ => (FilterEntryKind.Domain, $"spam{i}.bench.example"),
            };
            // A busy machine can time a call out after it took effect: listing again is harmless (Changed is then false,
            // which only lowers the count the export is waited for).
            for (var attempt = 1; ; attempt++)
            {
                try
                {
                    if ((await operators.ListEntryAsync(new ListEntryRequest { Kind = kind, Value = value, Reason = "bench" })).Changed)
                    {
                        Interlocked.Increment(ref changed);
                    }

                    break;
                }
                catch (RpcException error) when (attempt < 5 && error.StatusCode is StatusCode.DeadlineExceeded or StatusCode.Unavailable)
                {
                }
            }
        });
        Console.WriteLine($"Listed {entries:N0} entries in {watch.Elapsed.TotalSeconds:0} s.");

        var queries = Path.Combine(export, "queries.txt");
        await File.WriteAllLinesAsync(queries, DnsQueries(entries));
        await WaitForExportAsync(export, changed);
        var rbldnsdPort = FreePort.Next();
        using var rbldnsd = Process.Start(new ProcessStartInfo("/usr/sbin/rbldnsd")
        {
            ArgumentList =
            {
                "-n", "-q", "-b", $"127.0.0.1/{rbldnsdPort}", "-w", export,
                "ip.bench.test:ip4trie:ip4.rbldnsd", "ip.bench.test:ip6trie:ip6.rbldnsd", "dbl.bench.test:dnset:domains.rbldnsd",
            },
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        }) ?? throw new InvalidOperationException("rbldnsd is not installed (apt-get install -y rbldnsd)");
        rbldnsd.OutputDataReceived += (_, _) => { };
        rbldnsd.ErrorDataReceived += (_, _) => { };
        rbldnsd.BeginOutputReadLine();
        rbldnsd.BeginErrorReadLine();
        await Task.Delay(TimeSpan.FromSeconds(3));
        try
        {
            // Live updates while measuring: one change every 10 ms through the API.
            using var updating = new CancellationTokenSource();
            var updates = Task.Run(async () =>
            {
                var n = 0;
                while (!updating.IsCancellationRequested)
                {
                    var value = $"192.0.2.{n++ % 250}";
                    try
                    {
                        await operators.ListEntryAsync(new ListEntryRequest { Kind = FilterEntryKind.Ip, Value = value, Reason = "live" });
                        await operators.UnlistEntryAsync(new UnlistEntryRequest { Kind = FilterEntryKind.Ip, Value = value });
                    }
                    catch (RpcException error) when (error.StatusCode is StatusCode.DeadlineExceeded or StatusCode.Unavailable)
                    {
                        // A busy machine; the updates go on.
                    }

                    await Task.Delay(10);
                }
            });

            // Warm-up: the gateway's hot path is compiled at its final tier before anything is measured.
            await DnsperfAsync(dnsPort, queries, TimeSpan.FromSeconds(3), silo.Cpu);
            await DnsperfAsync(rbldnsdPort, queries, TimeSpan.FromSeconds(3), () => CpuMeter.ProcessCpu(rbldnsd.Id));

            var ourQps = new List<double>();
            var theirQps = new List<double>();
            for (var round = 1; round <= options.Rounds; round++)
            {
                var (qps, cpu) = await DnsperfAsync(dnsPort, queries, options.Duration, silo.Cpu);
                ourQps.Add(qps);
                Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"round {round}  gateway DNS blocklist (live updates)  {qps,9:0} queries/s  server {cpu.TotalMicroseconds / Math.Max(1, qps * options.Duration.TotalSeconds),6:0.0} µs/query"));
                var (rqps, rcpu) = await DnsperfAsync(rbldnsdPort, queries, options.Duration, () => CpuMeter.ProcessCpu(rbldnsd.Id));
                theirQps.Add(rqps);
                Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"round {round}  rbldnsd (same list, static)          {rqps,9:0} queries/s  server {rcpu.TotalMicroseconds / Math.Max(1, rqps * options.Duration.TotalSeconds),6:0.0} µs/query"));
            }

            await updating.CancelAsync();
            await updates;
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"Median queries/s: gateway {Rounds.Median(ourQps):0}, rbldnsd {Rounds.Median(theirQps):0}, ratio {Rounds.Median(ourQps) / Rounds.Median(theirQps):0.00}x (goal >= 0.5x)"));

            // Change to answer: list an address while asking for it; the time from sending ListEntry to the first
            // listed answer. The list changes (persisted, then pushed to the replicas) before ListEntry is
            // acknowledged, which also waits for the audit record: the acknowledgement is timed on its own.
            var latencies = new Latencies();
            var acknowledged = new Latencies();
            using var udp = new UdpClient();
            udp.Connect("127.0.0.1", dnsPort);
            for (var i = 0; i < ChangesTimed; i++)
            {
                var name = $"{i & 255}.{100 + (i >> 8)}.51.198.ip.bench.test";
                var started = Stopwatch.GetTimestamp();
                var write = operators.ListEntryAsync(new ListEntryRequest { Kind = FilterEntryKind.Ip, Value = $"198.51.{100 + (i >> 8)}.{i & 255}", Reason = "latency" }).ResponseAsync;
                var acking = write.ContinueWith(_ => acknowledged.Add(Stopwatch.GetElapsedTime(started).TotalMicroseconds), TaskScheduler.Default);
                while (!await IsListedAsync(udp, name))
                {
                    if (write.IsCompleted)
                    {
                        await write;
                    }
                    else
                    {
                        await Task.Delay(1);
                    }
                }

                latencies.Add(Stopwatch.GetElapsedTime(started).TotalMicroseconds);
                await write;
                await acking;
            }

            Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"Change to DNS answer (ListEntry sent → first listed answer, polled every ~1 ms, {ChangesTimed} changes): p50 {latencies.Percentile(50) / 1000:0.00} ms, p99 {latencies.Percentile(99) / 1000:0.00} ms (goal p99 <= 100 ms)"));
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"ListEntry sent → acknowledged (persisted, replicas told, audited): p50 {acknowledged.Percentile(50) / 1000:0.00} ms, p99 {acknowledged.Percentile(99) / 1000:0.00} ms"));
        }
        finally
        {
            rbldnsd.Kill();
            Directory.Delete(export, recursive: true);
        }
    }

    private static async Task RunRoundsAsync(BenchOptions options, IReadOnlyList<(string Name, Func<TimeSpan, Task<RunResult>> Run, Func<TimeSpan> Cpu, int? Silo)> scenarios)
    {
        Console.WriteLine("Warming up ...");
        foreach (var (_, run, _, _) in scenarios)
        {
            await run(TimeSpan.FromSeconds(2));
        }

        var results = scenarios.ToDictionary(s => s.Name, _ => new List<Measured>());
        var siloCounts = scenarios.ToDictionary(s => s.Name, _ => new List<SiloCounts>());
        for (var round = 1; round <= options.Rounds; round++)
        {
            foreach (var (name, run, cpu, siloPid) in scenarios)
            {
                await Task.Delay(500);

                // For tools that observe the server during a scenario (strace, perf stat): when each one begins.
                Console.WriteLine($"starting round {round}  {name}");
                var serverBefore = cpu();
                var (userBefore, systemBefore) = siloPid is { } pid ? CpuMeter.ProcessCpuSplit(pid) : default;
                var switchesBefore = siloPid is { } samePid ? CpuMeter.ContextSwitches(samePid) : 0;
                var clientBefore = Process.GetCurrentProcess().TotalProcessorTime;
                var result = await run(options.Duration);
                var measured = new Measured(result, cpu() - serverBefore, Process.GetCurrentProcess().TotalProcessorTime - clientBefore, 0);
                results[name].Add(measured);
                Console.WriteLine($"round {round}  {name,-48} {measured}");
                if (siloPid is { } observed)
                {
                    // Whether a call's CPU is the silo's own work (user) or the kernel's (system calls, wake-ups): the
                    // policy listener and a unary call differ mostly in the kernel's share.
                    var (user, system) = CpuMeter.ProcessCpuSplit(observed);
                    var counts = new SiloCounts(
                        (user - userBefore).TotalMicroseconds / Math.Max(1, result.Calls),
                        (system - systemBefore).TotalMicroseconds / Math.Max(1, result.Calls),
                        (double)(CpuMeter.ContextSwitches(observed) - switchesBefore) / Math.Max(1, result.Calls));
                    siloCounts[name].Add(counts);
                    Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"         silo per call: user {counts.UserMicros:0.0} µs, system {counts.SystemMicros:0.0} µs, context switches {counts.ContextSwitches:0.00}"));
                }
            }
        }

        Console.WriteLine();
        Console.WriteLine("| scenario | calls/s | server CPU µs/call | client CPU µs/call | p50 ms | p99 ms | errors | host steal |");
        Console.WriteLine("|---|---:|---:|---:|---:|---:|---:|---:|");
        foreach (var (name, list) in results)
        {
            Console.WriteLine(Measured.MedianRow(name, list));
        }

        double Median(int index, Func<Measured, double> value) => Rounds.Median(results[scenarios[index].Name].Select(value));
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"Policy listener / postfwd2 throughput (closed loop): {Median(0, m => m.CallsPerSecond) / Median(1, m => m.CallsPerSecond):0.0}x (goal >= 20x); p99 {Median(0, m => m.P99Millis):0.00} ms vs {Median(1, m => m.P99Millis):0.00} ms"));
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"Server CPU per policy request / per unary CheckRecipient: {Median(0, m => m.ServerMicrosPerCall) / Median(4, m => m.ServerMicrosPerCall):0.00}x (goal <= 1x)"));
        string Counts(int index)
        {
            var list = siloCounts[scenarios[index].Name];
            return string.Create(CultureInfo.InvariantCulture, $"user {Rounds.Median(list.Select(c => c.UserMicros)):0.0} µs, system {Rounds.Median(list.Select(c => c.SystemMicros)):0.0} µs, context switches {Rounds.Median(list.Select(c => c.ContextSwitches)):0.00}");
        }

        Console.WriteLine($"Silo per policy request (closed loop): {Counts(0)}; per unary CheckRecipient: {Counts(4)} (medians)");
    }

    /// <summary>The silo's user and system CPU and context switches per call in one scenario's round.</summary>
    private readonly record struct SiloCounts(double UserMicros, double SystemMicros, double ContextSwitches);

    // The fixed mix as policy requests and as the equivalent gRPC checks.
    private static IReadOnlyList<(byte[] Request, CheckRecipientRequest Check)> PolicyRequests(int recipients)
    {
        var random = new Random(42);
        return Enumerable.Range(0, 10_000).Select(n =>
        {
            var i = random.Next(recipients);
            var sender = string.Format(CultureInfo.InvariantCulture, Senders[random.Next(Senders.Length)], i % 50);
            var recipient = BenchWorld.Recipient(i);
            var text = $"request=smtpd_access_policy\nprotocol_state=RCPT\nprotocol_name=ESMTP\nclient_address=192.0.2.{n % 250}\nclient_name=unknown\n" +
                $"helo_name=mx{n % 250}.sender.example\nsender={sender}\nrecipient={recipient}\nrecipient_count=0\nqueue_id=\ninstance=bench.{n}.0\nsize=0\n\n";
            var check = new CheckRecipientRequest { Sender = sender, Recipient = recipient, ClientIp = $"192.0.2.{n % 250}", Helo = $"mx{n % 250}.sender.example" };
            return (Encoding.UTF8.GetBytes(text), check);
        }).ToArray();
    }

    private static async Task VerifySameDecisionsAsync(PolicyPool ours, PolicyPool theirs, IReadOnlyList<(byte[] Request, CheckRecipientRequest Check)> requests)
    {
        static string Verb(string reply) => reply.StartsWith("action=5", StringComparison.Ordinal) ? "reject" : reply.Split(' ')[0].Replace("action=", "", StringComparison.Ordinal).ToUpperInvariant();
        var differences = 0;
        foreach (var (request, _) in requests.Take(500))
        {
            if (Verb(await ours.AskAsync(request)) != Verb(await theirs.AskAsync(request)))
            {
                differences++;
            }
        }

        Console.WriteLine($"Same decision from both servers for {500 - differences} of 500 requests.");
        if (differences > 0)
        {
            throw new InvalidOperationException("the two servers decide differently: the comparison would not be fair");
        }
    }

    private static async Task WaitForPortAsync(int port)
    {
        var deadline = DateTime.UtcNow.AddSeconds(30);
        while (DateTime.UtcNow < deadline)
        {
            try
            {
                using var probe = new TcpClient();
                await probe.ConnectAsync("127.0.0.1", port);
                return;
            }
            catch (SocketException)
            {
                await Task.Delay(200);
            }
        }

        throw new InvalidOperationException($"postfwd2 did not listen on port {port}");
    }

    private static TimeSpan ProcessTreeCpu(int root)
    {
        var total = TimeSpan.Zero;
        foreach (var pid in Descendants(root).Append(root))
        {
            try
            {
                total += CpuMeter.ProcessCpu(pid);
            }
            catch (IOException)
            {
            }
        }

        return total;
    }

    private static IEnumerable<int> Descendants(int pid)
    {
        var children = new List<int>();
        foreach (var task in Directory.Exists($"/proc/{pid}/task") ? Directory.GetDirectories($"/proc/{pid}/task") : [])
        {
            var file = Path.Combine(task, "children");
            if (File.Exists(file))
            {
                children.AddRange(File.ReadAllText(file).Split(' ', StringSplitOptions.RemoveEmptyEntries).Select(p => int.Parse(p, CultureInfo.InvariantCulture)));
            }
        }

        return children.Concat(children.SelectMany(Descendants));
    }

    private static IEnumerable<string> DnsQueries(int entries)
    {
        var random = new Random(7);
        for (var n = 0; n < 100_000; n++)
        {
            var i = random.Next(entries);
            yield return (n % 4) switch
            {
                0 => $"{i & 255}.{(i >> 8) & 255}.{(i >> 16) & 255}.10.ip.bench.test A",                 // listed or not (odd/even mix)
                1 => $"{random.Next(256)}.{(i >> 2) & 255}.{(i >> 10) & 255}.11.ip.bench.test A",      // inside a listed /24 or not
                2 => $"mail.spam{i}.bench.example.dbl.bench.test A",                                     // a subdomain of a listed domain, or not
                _ => $"{random.Next(256)}.{random.Next(256)}.{random.Next(256)}.203.ip.bench.test A",    // never listed
            };
        }
    }

    private static async Task WaitForExportAsync(string directory, int entries)
    {
        var deadline = DateTime.UtcNow.AddMinutes(5);
        while (DateTime.UtcNow < deadline)
        {
            var files = new[] { "ip4.rbldnsd", "domains.rbldnsd" }.Select(f => Path.Combine(directory, f)).ToArray();
            if (files.All(File.Exists) && files.Sum(f => File.ReadLines(f).Count(l => l.Contains(":127.", StringComparison.Ordinal))) >= entries)
            {
                return;
            }

            await Task.Delay(500);
        }

        throw new TimeoutException("the gateway did not export the list for rbldnsd");
    }

    private static async Task<(double Qps, TimeSpan ServerCpu)> DnsperfAsync(int port, string queries, TimeSpan duration, Func<TimeSpan> cpu)
    {
        var before = cpu();
        var start = new ProcessStartInfo("/usr/bin/dnsperf")
        {
            ArgumentList = { "-s", "127.0.0.1", "-p", port.ToString(CultureInfo.InvariantCulture), "-d", queries, "-l", duration.TotalSeconds.ToString(CultureInfo.InvariantCulture), "-c", "4", "-q", "200" },
            RedirectStandardOutput = true,
            UseShellExecute = false,
        };
        using var process = Process.Start(start) ?? throw new InvalidOperationException("dnsperf is not installed (apt-get install -y dnsperf)");
        var output = await process.StandardOutput.ReadToEndAsync();
        await process.WaitForExitAsync();
        var line = output.Split('\n').FirstOrDefault(l => l.Contains("Queries per second:", StringComparison.Ordinal)) ?? throw new InvalidOperationException("dnsperf: " + output);
        return (double.Parse(line.Split(':')[1].Trim(), CultureInfo.InvariantCulture), cpu() - before);
    }

    // A minimal A query over UDP; true when the answer has an A record.
    private static async Task<bool> IsListedAsync(UdpClient udp, string name)
    {
        var query = new List<byte> { 0x12, 0x34, 0x00, 0x00, 0x00, 0x01, 0, 0, 0, 0, 0, 0 };
        foreach (var label in name.Split('.'))
        {
            query.Add((byte)label.Length);
            query.AddRange(Encoding.ASCII.GetBytes(label));
        }

        query.AddRange([0, 0, 1, 0, 1]);
        await udp.SendAsync(query.ToArray());
        var answer = (await udp.ReceiveAsync()).Buffer;
        return (answer[3] & 0x0f) == 0 && (answer[6] << 8 | answer[7]) > 0;
    }

    /// <summary>Policy connections, each used by one caller at a time; a request finding all busy waits for one.</summary>
    private sealed class PolicyPool : IAsyncDisposable
    {
        private readonly ConcurrentBag<NetworkStream> idle = [];
        private readonly SemaphoreSlim available = new(0);
        private readonly List<TcpClient> clients = [];

        public static async Task<PolicyPool> OpenAsync(int port, int connections)
        {
            var pool = new PolicyPool();
            for (var i = 0; i < connections; i++)
            {
                var client = new TcpClient { NoDelay = true };
                await client.ConnectAsync("127.0.0.1", port);
                pool.clients.Add(client);
                pool.idle.Add(client.GetStream());
                pool.available.Release();
            }

            return pool;
        }

        public async Task<string> AskAsync(byte[] request)
        {
            await available.WaitAsync();
            if (!idle.TryTake(out var stream))
            {
                throw new InvalidOperationException("a connection was counted available but none was idle");
            }

            try
            {
                await stream.WriteAsync(request);
                var buffer = new byte[512];
                var filled = 0;
                while (filled < 2 || buffer[filled - 1] != '\n' || buffer[filled - 2] != '\n')
                {
                    var read = await stream.ReadAsync(buffer.AsMemory(filled));
                    if (read == 0)
                    {
                        throw new IOException("the server closed the connection");
                    }

                    filled += read;
                }

                return Encoding.UTF8.GetString(buffer, 0, filled).TrimEnd('\n');
            }
            finally
            {
                idle.Add(stream);
                available.Release();
            }
        }

        public async Task<RunResult> ClosedLoopAsync(IReadOnlyList<(byte[] Request, CheckRecipientRequest Check)> requests, TimeSpan duration)
        {
            long calls = 0, errors = 0, next = 0;
            var latency = new Latencies();
            using var stop = new CancellationTokenSource(duration);
            var started = Stopwatch.GetTimestamp();
            await Task.WhenAll(clients.Select(async _ =>
            {
                await Task.Yield();
                while (!stop.IsCancellationRequested)
                {
                    var began = Stopwatch.GetTimestamp();
                    try
                    {
                        await AskAsync(requests[(int)(Interlocked.Increment(ref next) % requests.Count)].Request);
                        Interlocked.Increment(ref calls);
                        latency.Add(Stopwatch.GetElapsedTime(began).TotalMicroseconds);
                    }
                    catch (IOException)
                    {
                        Interlocked.Increment(ref errors);
                    }
                }
            }));
            return new RunResult(calls, errors, Stopwatch.GetElapsedTime(started), latency);
        }

        // Requests sent on a fixed schedule (the shared open-loop scheduler: it sleeps, never spins, and reports how late
        // it fired); latency counted from when each was due, so a slow server and a wait for a free connection both show.
        public Task<RunResult> OpenLoopAsync(IReadOnlyList<(byte[] Request, CheckRecipientRequest Check)> requests, double rate, TimeSpan duration) =>
            Workloads.OpenLoopAsync(n => AskAsync(requests[(int)(n % requests.Count)].Request), rate, duration);

        public ValueTask DisposeAsync()
        {
            clients.ForEach(c => c.Dispose());
            available.Dispose();
            return ValueTask.CompletedTask;
        }
    }
}
