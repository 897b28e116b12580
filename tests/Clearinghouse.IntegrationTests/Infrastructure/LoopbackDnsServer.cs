using System.Globalization;
using System.Net;
using System.Net.Sockets;
using ARSoft.Tools.Net;
using ARSoft.Tools.Net.Dns;

namespace Clearinghouse.IntegrationTests.Infrastructure;

/// <summary>
/// A real authoritative DNS server (ARSoft.Tools.Net's <see cref="DnsServer"/>) on a free loopback port, UDP and TCP,
/// answering from the records a test gives it: NXDOMAIN for unknown names, an empty answer for known names without
/// records of the type asked. Counts the queries it answers. <see cref="Stop"/> takes it off the network.
/// </summary>
public sealed class LoopbackDnsServer : IAsyncDisposable
{
    private readonly Dictionary<(string Name, RecordType Type), List<DnsRecordBase>> records = [];
    private readonly Lock gate = new();
    private readonly DnsServer server;
    private int queries;
    private bool stopped;

    private LoopbackDnsServer(int port)
    {
        Port = port;
        var endpoint = new IPEndPoint(IPAddress.Loopback, port);
        server = new DnsServer(new UdpServerTransport(endpoint), new TcpServerTransport(endpoint));
        server.QueryReceived += (_, e) =>
        {
            if (e.Query is DnsMessage query)
            {
                e.Response = Answer(query);
            }

            return Task.CompletedTask;
        };
    }

    public int Port { get; }

    public int Queries => Volatile.Read(ref queries);

    /// <summary>Settings that point the gateway's resolver at this server.</summary>
    public Dictionary<string, string?> Settings() => new()
    {
        ["Clearinghouse:Dns:Servers:0"] = "127.0.0.1",
        ["Clearinghouse:Dns:Port"] = Port.ToString(CultureInfo.InvariantCulture),
        ["Clearinghouse:Dns:QueryTimeout"] = "00:00:00.500",
    };

    public static LoopbackDnsServer Start()
    {
        var dns = new LoopbackDnsServer(FreePort.Next());
        dns.server.Start();
        return dns;
    }

    public void Stop()
    {
        if (!stopped)
        {
            stopped = true;
            server.Stop();
        }
    }

    public LoopbackDnsServer Txt(string name, string text, int ttl = 300) =>
        Add(new TxtRecord(Name(name), ttl, Chunks(text)));

    /// <summary>An A or AAAA record, by the address's family.</summary>
    public LoopbackDnsServer Address(string name, string address, int ttl = 300)
    {
        var ip = IPAddress.Parse(address);
        return Add(ip.AddressFamily == AddressFamily.InterNetwork ? new ARecord(Name(name), ttl, ip) : new AaaaRecord(Name(name), ttl, ip));
    }

    public LoopbackDnsServer Mx(string name, string exchange, ushort preference = 10, int ttl = 300) =>
        Add(new MxRecord(Name(name), ttl, preference, Name(exchange)));

    public LoopbackDnsServer Ptr(string address, string name, int ttl = 300) =>
        Add(new PtrRecord(IPAddress.Parse(address).GetReverseLookupDomain(), ttl, Name(name)));

    public void Clear(string name)
    {
        lock (gate)
        {
            foreach (var key in records.Keys.Where(k => k.Name == name).ToList())
            {
                records.Remove(key);
            }
        }
    }

    public ValueTask DisposeAsync()
    {
        Stop();
        return ValueTask.CompletedTask;
    }

    private LoopbackDnsServer Add(DnsRecordBase record)
    {
        lock (gate)
        {
            var key = (Key(record.Name), record.RecordType);
            if (!records.TryGetValue(key, out var list))
            {
                records[key] = list = [];
            }

            list.Add(record);
        }

        return this;
    }

    private DnsMessage Answer(DnsMessage query)
    {
        Interlocked.Increment(ref queries);
        var response = query.CreateResponseInstance();
        response.IsAuthoritiveAnswer = true;
        response.ReturnCode = ReturnCode.NoError;
        lock (gate)
        {
            foreach (var question in query.Questions)
            {
                var name = Key(question.Name);
                if (records.TryGetValue((name, question.RecordType), out var found))
                {
                    response.AnswerRecords.AddRange(found);
                }
                else if (!records.Keys.Any(k => k.Name == name))
                {
                    response.ReturnCode = ReturnCode.NxDomain;
                }
            }
        }

        return response;
    }

    // A TXT string holds at most 255 octets; longer SPF records are split into several strings (RFC 7208 3.3).
    private static IEnumerable<string> Chunks(string text)
    {
        for (var i = 0; i < text.Length; i += 255)
        {
            yield return text.Substring(i, Math.Min(255, text.Length - i));
        }
    }

    private static DomainName Name(string name) => DomainName.Parse(name);

    private static string Key(DomainName name) => name.ToString().TrimEnd('.').ToLowerInvariant();
}
