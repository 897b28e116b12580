using System.Buffers.Binary;
using System.Text;
using ARSoft.Tools.Net.Dns;
using Clearinghouse.Domain;
using Clearinghouse.Gateway.Dnsbl;
using Clearinghouse.Gateway.Security;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;

namespace Clearinghouse.Fuzzing.Targets;

/// <summary>Whole UDP datagrams sent to the DNS blocklist, as the socket delivers them.</summary>
public sealed class DnsblDatagramTarget : FuzzTarget
{
    private static readonly string[] Names =
    [
        "2.0.0.127.ip.bl.example", "1.0.0.127.ip.bl.example", "7.100.51.198.ip.bl.example", "100.51.198.ip.bl.example", "ip.bl.example",
        "mail.bulk.example.dbl.bl.example", "example.dbl.bl.example", "TEST.dbl.bl.example", "dbl.bl.example", "www.example.org",
        "da39a3ee5e6b4b0d3255bfef95601890afd80709.hash.bl.example", "hash.bl.example",
        string.Join('.', "20010db80bad00000000000000000042".Reverse()) + ".ip.bl.example",
    ];

    private static readonly ushort[] Types = [1, 16, 255, 28, 6, 2, 0, 65535];

    private readonly DnsblWire wire;

    public DnsblDatagramTarget()
    {
        var options = new DnsblOptions { IpZone = "ip.bl.example", DomainZone = "dbl.bl.example", AddressZone = "hash.bl.example", NameServer = "ns.bl.example", Hostmaster = "hostmaster.bl.example" };
        var zones = DnsblServer.BuildZones(options);
        var index = new DnsblIndex();
        var at = new DateTimeOffset(2026, 5, 1, 0, 0, 0, TimeSpan.Zero);
        index.Apply(new FilterChange(1, FilterChangeOp.Add, FilterEntry.Parse(FilterEntryKind.Ip, "198.51.100.0/24", "value"), new string('r', 450), "case-1", at));
        index.Apply(new FilterChange(2, FilterChangeOp.Add, FilterEntry.Parse(FilterEntryKind.Ip, "2001:db8:bad::/48", "value"), "v6", "case-2", at));
        index.Apply(new FilterChange(3, FilterChangeOp.Add, FilterEntry.Parse(FilterEntryKind.Domain, "bulk.example", "value"), "bulk", "case-3", at));
        var callers = new CallerDirectory(new StaticOptionsMonitor<TenancyOptions>(new TenancyOptions()), NullLogger<CallerDirectory>.Instance);
        wire = new DnsblWire(new DnsblResponder(index, zones, options, callers), zones);
    }

    public override string Name => "dnsbl-datagram";

    public override string Description =>
        "DnsblWire.Answer (src/Gateway/Dnsbl), the UDP path of the DNS blocklist, on whole datagrams. It never throws; an " +
        "answer parses with ARSoft.Tools.Net as a response with the query's ID and one question or none, fits in 512 " +
        "octets (or the query's EDNS payload size) or has the TC bit, and every A record is in 127.0.0.0/8.";

    public override int MaxInputBytes => 600;

    public override IEnumerable<byte[]> Seeds() =>
        Names.SelectMany(name => new[] { Query(name, 1, edns: null), Query(name, 255, edns: 1232), Query(name, 16, edns: null) });

    public override byte[] Generate(FuzzRandom random)
    {
        var query = Query(random.Pick(Names), random.Pick(Types), random.Chance(0.3) ? (ushort)random.Between(0, 4096) : null);
        if (random.Chance(0.2))
        {
            // Header fields at random: flags, opcode, the counts.
            query[2 + random.Next(10)] = (byte)random.Next(256);
        }

        return query;
    }

    public override FuzzOutcome Execute(ReadOnlySpan<byte> input)
    {
        var answer = new byte[DnsblWire.MaxAnswerLength];
        var length = wire.Answer(input, answer);
        if (length == 0)
        {
            return FuzzOutcome.Rejected;
        }

        InvariantViolation.Check(length >= DnsblWire.HeaderLength, "an answer shorter than a header");
        DnsMessage response;
        try
        {
            response = DnsMessage.Parse(new ArraySegment<byte>(answer, 0, length));
        }
        catch (Exception error)
        {
            throw new InvariantViolation($"the answer does not parse: {error.Message} ({Convert.ToHexString(answer, 0, length)})");
        }

        InvariantViolation.CheckEqual(BinaryPrimitives.ReadUInt16BigEndian(input), response.TransactionID, "the answer's ID");
        InvariantViolation.Check(!response.IsQuery, "an answer without the QR bit");
        InvariantViolation.Check(response.Questions.Count <= 1, "an answer with several questions");
        var limit = response.IsEDnsEnabled ? Math.Max(512, (int)response.EDnsOptions!.UdpPayloadSize) : 512;
        InvariantViolation.Check(length <= limit, $"an answer of {length} octets over the limit of {limit}");
        InvariantViolation.Check(!response.IsTruncated || response.AnswerRecords.Count + response.AuthorityRecords.Count == 0, "a truncated answer with records");
        foreach (var record in response.AnswerRecords.OfType<ARecord>())
        {
            InvariantViolation.CheckEqual((byte)127, record.Address.GetAddressBytes()[0], "the first octet of an A record");
        }

        return response.ReturnCode == ReturnCode.NoError && response.AnswerRecords.Count > 0 ? FuzzOutcome.Accepted : FuzzOutcome.Rejected;
    }

    private static byte[] Query(string name, ushort type, ushort? edns)
    {
        var query = new List<byte> { 0xBE, 0xEF, 0x01, 0x00, 0, 1, 0, 0, 0, 0, 0, (byte)(edns is null ? 0 : 1) };
        foreach (var label in name.Split('.'))
        {
            query.Add((byte)label.Length);
            query.AddRange(Encoding.ASCII.GetBytes(label));
        }

        query.AddRange([0, (byte)(type >> 8), (byte)type, 0, 1]);
        if (edns is { } payload)
        {
            query.AddRange([0, 0, 41, (byte)(payload >> 8), (byte)payload, 0, 0, 0x80, 0, 0, 0]);
        }

        return [.. query];
    }

    private sealed class StaticOptionsMonitor<T>(T value) : IOptionsMonitor<T>
    {
        public T CurrentValue => value;

        public T Get(string? name) => value;

        public IDisposable? OnChange(Action<T, string?> listener) => null;
    }
}
