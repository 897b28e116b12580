using System.Globalization;
using System.Net;
using ARSoft.Tools.Net.Dns;
using Clearinghouse.Api.V1;

namespace Clearinghouse.LoadTool;

/// <summary>
/// The benchmarks of issue 4, chosen with <c>--suite connections</c> or <c>--suite spf</c>:
/// CheckConnection with 100,000 prefixes loaded against the no-op Ping, and CheckRecipient with a client IP whose
/// SPF result is cached against the same checks without one. Each runs its scenarios interleaved, round by round.
/// </summary>
public static class ListSuites
{
    public const int Prefixes = 100_000;

    public static string? Selected(string[] args)
    {
        var at = Array.IndexOf(args, "--suite");
        return at >= 0 && at + 1 < args.Length ? args[at + 1] : null;
    }

    public static Task RunAsync(string suite, BenchOptions options, string[] args) => suite switch
    {
        "connections" => ConnectionsAsync(options),
        "spf" => SpfAsync(options),
        "policy" => EdgeSuites.PolicyAsync(options, IntArgument(args, "--connections", 100)),
        "dnsbl" => EdgeSuites.DnsblAsync(options, IntArgument(args, "--entries", 100_000)),
        _ => throw new ArgumentException($"unknown suite '{suite}': use connections, spf, policy or dnsbl"),
    };

    private static int IntArgument(string[] args, string name, int fallback)
    {
        var at = Array.IndexOf(args, name);
        return at >= 0 && at + 1 < args.Length ? int.Parse(args[at + 1], CultureInfo.InvariantCulture) : fallback;
    }

    private static async Task ConnectionsAsync(BenchOptions options)
    {
        await using var silo = await SiloProcess.StartAsync(options.SiloDll, BenchWorld.ProviderSettings(), TimeSpan.FromSeconds(60));
        var invoker = BenchWorld.Connect(silo.Address);
        var random = new Random(42);
        var loaded = await LoadPrefixesAsync(new ProviderMaps.ProviderMapsClient(invoker), random);
        Console.WriteLine($"Loaded {loaded.Count:N0} prefixes ({loaded.Count(p => p.Contains(':')):N0} IPv6) into the connection map.");

        // Half the probes fall inside a loaded prefix, half anywhere; a quarter are IPv6.
        var probes = Enumerable.Range(0, 10_000).Select(i => new CheckConnectionRequest
        {
            ClientIp = i % 2 == 0 ? Inside(loaded[random.Next(loaded.Count)], random) : RandomAddress(random, v6: i % 4 == 1).ToString(),
            Helo = "mta.example",
        }).ToArray();
        var connections = new Connections.ConnectionsClient(invoker);
        var diagnostics = new Diagnostics.DiagnosticsClient(invoker);
        var ping = new PingRequest();
        var rejects = 0L;

        await RunRoundsAsync(options, silo,
        [
            ("no-op Ping (unary, closed loop)", d => Workloads.ClosedLoopAsync(options.Concurrency, _ => diagnostics.PingAsync(ping).ResponseAsync, d)),
            ($"CheckConnection, {Prefixes:N0} prefixes (unary, closed loop)", d => Workloads.ClosedLoopAsync(options.Concurrency, async i =>
            {
                if ((await connections.CheckConnectionAsync(probes[i % probes.Length])).Action == ConnectionAction.Reject)
                {
                    Interlocked.Increment(ref rejects);
                }
            }, d)),
        ]);
        Console.WriteLine($"CheckConnection answers that rejected: {rejects:N0} (probes inside a reject prefix)");
    }

    private static async Task SpfAsync(BenchOptions options)
    {
        await using var dns = BenchDns.Start();
        var settings = new Dictionary<string, string>(BenchWorld.ProviderSettings())
        {
            ["Clearinghouse:Dns:Servers:0"] = "127.0.0.1",
            ["Clearinghouse:Dns:Port"] = dns.Port.ToString(CultureInfo.InvariantCulture),
        };
        await using var silo = await SiloProcess.StartAsync(options.SiloDll, settings, TimeSpan.FromSeconds(60));
        var invoker = BenchWorld.Connect(silo.Address);
        await BenchWorld.SeedAsync(invoker, options.Recipients);
        var plain = BenchWorld.Checks(options.Recipients);

        // The same checks from 16 client IPs that every sender domain's SPF record authorises: after the warm-up every
        // (IP, domain) result is cached, so what remains is the cost of looking it up and carrying it to the grain.
        var withIp = plain.Select((c, i) => new CheckRecipientRequest(c) { ClientIp = $"192.0.2.{i % 16}", Helo = "mta.example" }).ToArray();
        var verdicts = new Verdicts.VerdictsClient(invoker);
        var verified = 0L;

        var queriesBefore = 0;
        await RunRoundsAsync(options, silo,
        [
            ("CheckRecipient, no client IP (no verification)", d => Workloads.ClosedLoopAsync(options.Concurrency, i => verdicts.CheckRecipientAsync(plain[(int)(i % plain.Count)]).ResponseAsync, d)),
            ("CheckRecipient, client IP, SPF cached", d => Workloads.ClosedLoopAsync(options.Concurrency, async i =>
            {
                if ((await verdicts.CheckRecipientAsync(withIp[i % withIp.Length])).SenderVerified)
                {
                    Interlocked.Increment(ref verified);
                }
            }, d)),
        ],
        afterWarmUp: () => queriesBefore = dns.Queries);
        Console.WriteLine($"Verified answers: {verified:N0}; DNS queries during the measured rounds: {dns.Queries - queriesBefore} (0 means every SPF result came from the cache)");
    }

    private static async Task RunRoundsAsync(BenchOptions options, SiloProcess silo, (string Name, Func<TimeSpan, Task<RunResult>> Run)[] scenarios, Action? afterWarmUp = null)
    {
        var results = await Rounds.RunAsync(options, silo, scenarios, TimeSpan.FromSeconds(3), afterWarmUp);
        var baseline = Rounds.Median(results[scenarios[0].Name].Select(m => m.ServerMicrosPerCall));
        var measuredCost = Rounds.Median(results[scenarios[1].Name].Select(m => m.ServerMicrosPerCall));
        Console.WriteLine();
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"{scenarios[1].Name}: {measuredCost - baseline:+0.0;-0.0} µs server CPU per call over '{scenarios[0].Name}' ({measuredCost / baseline:0.00}x)"));
    }

    private static async Task<List<string>> LoadPrefixesAsync(ProviderMaps.ProviderMapsClient maps, Random random)
    {
        var prefixes = new HashSet<string>(StringComparer.Ordinal);
        while (prefixes.Count < Prefixes)
        {
            var v6 = prefixes.Count % 4 == 0;
            var length = v6 ? random.Next(32, 129) : random.Next(12, 33);
            prefixes.Add($"{Mask(RandomAddress(random, v6), length)}/{length}");
        }

        var all = prefixes.ToList();
        foreach (var batch in all.Chunk(10_000))
        {
            var request = new PutMapEntriesRequest { Map = MapKind.Connection };
            request.Entries.AddRange(batch.Select((p, i) => new MapEntry { Identifier = p, Action = i % 2 == 0 ? MapAction.Reject : MapAction.Accept }));
            await maps.PutMapEntriesAsync(request);
        }

        return all;
    }

    private static string Inside(string prefix, Random random)
    {
        var slash = prefix.IndexOf('/');
        var network = IPAddress.Parse(prefix[..slash]).GetAddressBytes();
        var length = int.Parse(prefix[(slash + 1)..], CultureInfo.InvariantCulture);
        var noise = new byte[network.Length];
        random.NextBytes(noise);
        for (var i = 0; i < network.Length; i++)
        {
            var keep = Math.Clamp(length - (i * 8), 0, 8);
            var mask = (byte)(0xff << (8 - keep));
            network[i] = (byte)((network[i] & mask) | (noise[i] & ~mask));
        }

        return new IPAddress(network).ToString();
    }

    private static IPAddress Mask(IPAddress address, int length)
    {
        var bytes = address.GetAddressBytes();
        for (var i = 0; i < bytes.Length; i++)
        {
            bytes[i] &= (byte)(0xff << (8 - Math.Clamp(length - (i * 8), 0, 8)));
        }

        return new IPAddress(bytes);
    }

    private static IPAddress RandomAddress(Random random, bool v6)
    {
        var bytes = new byte[v6 ? 16 : 4];
        random.NextBytes(bytes);
        return new IPAddress(bytes);
    }
}

/// <summary>An authoritative DNS server on loopback (in the load tool's process) whose SPF records authorise 192.0.2.0/24 for every sender domain of the check mix.</summary>
public sealed class BenchDns : IAsyncDisposable
{
    private static readonly string[] SenderDomains = ["bulk.example", "mail.promo.example", "cheap.xyz", "bad.example", "work.example", "store.example", "lists.example", "y.example", "home.example"];
    private readonly DnsServer server;
    private int queries;

    private BenchDns(int port)
    {
        Port = port;
        var endpoint = new IPEndPoint(IPAddress.Loopback, port);
        server = new DnsServer(new UdpServerTransport(endpoint), new TcpServerTransport(endpoint));
        server.QueryReceived += (_, e) =>
        {
            Interlocked.Increment(ref queries);
            if (e.Query is DnsMessage query)
            {
                var response = query.CreateResponseInstance();
                foreach (var question in query.Questions)
                {
                    var name = question.Name.ToString().TrimEnd('.');
                    if (question.RecordType == RecordType.Txt && SenderDomains.Contains(name))
                    {
                        response.AnswerRecords.Add(new TxtRecord(question.Name, 3600, "v=spf1 ip4:192.0.2.0/24 -all"));
                    }
                }

                e.Response = response;
            }

            return Task.CompletedTask;
        };
    }

    public int Port { get; }

    public int Queries => Volatile.Read(ref queries);

    public static BenchDns Start()
    {
        var dns = new BenchDns(FreePort.Next());
        dns.server.Start();
        return dns;
    }

    public ValueTask DisposeAsync()
    {
        server.Stop();
        return ValueTask.CompletedTask;
    }
}
