using System.Text;
using ARSoft.Tools.Net.Dns;
using Clearinghouse.Domain;
using Clearinghouse.Gateway.Dnsbl;

namespace Clearinghouse.UnitTests.Dnsbl;

/// <summary>The hand-written UDP wire path answers what the message path (ARSoft.Tools.Net, used for TCP) answers.</summary>
public class DnsblWireTests
{
    private static readonly DateTimeOffset At = new(2026, 5, 1, 0, 0, 0, TimeSpan.Zero);
    private readonly DnsblIndex index = new();
    private readonly DnsblResponder responder;
    private readonly DnsblWire wire;

    public DnsblWireTests()
    {
        var options = TestDnsbl.Options();
        var zones = DnsblServer.BuildZones(options);
        responder = TestDnsbl.Responder(index, options, zones);
        wire = new DnsblWire(responder, zones);
        index.Apply(new FilterChange(1, FilterChangeOp.Add, FilterEntry.Parse(FilterEntryKind.Ip, "198.51.100.0/25", "value"), "snowshoe network", "case-1", At));
        index.Apply(new FilterChange(2, FilterChangeOp.Add, FilterEntry.Parse(FilterEntryKind.Domain, "bulk.example", "value"), "bulk mailer", "case-2", At));
        index.Apply(new FilterChange(3, FilterChangeOp.Add, FilterEntry.Parse(FilterEntryKind.Ip, "2001:db8:bad::/48", "value"), "v6 network", "case-3", At));
    }

    public static TheoryData<string> Names =>
    [
        "7.100.51.198.ip.dnsbl.test", "200.100.51.198.ip.dnsbl.test", "100.51.198.ip.dnsbl.test", "2.0.0.127.IP.dnsbl.test", "1.0.0.127.ip.dnsbl.test",
        "ip.dnsbl.test", "dbl.dnsbl.test", "Mail.Bulk.Example.dbl.dnsbl.test", "example.dbl.dnsbl.test", "other.example.dbl.dnsbl.test", "TEST.dbl.dnsbl.test",
        "INVALID.dbl.dnsbl.test", "a77416930ec83e7148a7fc85adb1e6bbb11e2bf8.hbl.dnsbl.test", "www.example.com", "x_y.dbl.dnsbl.test",
        string.Join('.', "20010db80bad00000000000000000042".Reverse()) + ".ip.dnsbl.test", "8.b.d.0.1.0.0.2.ip.dnsbl.test",
    ];

    [Theory]
    [MemberData(nameof(Names))]
    public void Every_type_is_answered_as_the_message_path_answers_it(string name)
    {
        foreach (var type in new[] { RecordType.A, RecordType.Txt, RecordType.Any, RecordType.Aaaa, RecordType.Soa, RecordType.Ns })
        {
            foreach (var recordClass in new[] { RecordClass.INet, RecordClass.Chaos })
            {
                var expected = responder.Answer(Message(name, type, recordClass));
                var actual = Ask(Query(name, type, recordClass));
                var what = $"{name} {type} {recordClass}";
                Assert.True((expected.ReturnCode, expected.IsAuthoritiveAnswer) == (actual.ReturnCode, actual.IsAuthoritiveAnswer), what);
                Assert.Equal(expected.AnswerRecords.Select(r => r.ToString()), actual.AnswerRecords.Select(r => r.ToString()));
                Assert.Equal(expected.AuthorityRecords.Select(r => r.ToString()), actual.AuthorityRecords.Select(r => r.ToString()));
                Assert.Equal(name, actual.Questions.Single().Name.ToString().TrimEnd('.'));
            }
        }
    }

    [Fact]
    public void The_header_echoes_the_ID_and_the_RD_and_CD_bits_and_never_claims_recursion()
    {
        var query = Query("2.0.0.127.ip.dnsbl.test", RecordType.A, RecordClass.INet);
        query[0] = 0xAB;
        query[1] = 0xCD;
        query[2] |= 0x01;
        query[3] |= 0x10;
        var answer = Ask(query);
        Assert.Equal((0xABCD, false, true, true, false), (answer.TransactionID, answer.IsQuery, answer.IsRecursionDesired, answer.IsCheckingDisabled, answer.IsRecursionAllowed));
        Assert.False(answer.IsEDnsEnabled);
    }

    [Fact]
    public void An_answer_over_512_octets_is_truncated_without_EDNS_and_whole_within_the_EDNS_payload_size()
    {
        index.Apply(new FilterChange(4, FilterChangeOp.Add, FilterEntry.Parse(FilterEntryKind.Ip, "192.0.2.9", "value"), new string('r', 450), "case-long", At));
        var name = "9.2.0.192.ip.dnsbl.test";

        var (classic, classicLength) = AskWithLength(Query(name, RecordType.Any, RecordClass.INet));
        Assert.True(classicLength <= 512);
        Assert.True(classic.IsTruncated);
        Assert.Empty(classic.AnswerRecords);

        var (edns, ednsLength) = AskWithLength(Query(name, RecordType.Any, RecordClass.INet, ednsPayload: 1232, dnssecOk: true));
        Assert.True(ednsLength is > 512 and <= 1232);
        Assert.False(edns.IsTruncated);
        Assert.Equal([RecordType.A, RecordType.Txt], edns.AnswerRecords.Select(r => r.RecordType));
        Assert.Contains(new string('r', 450), string.Concat(((TxtRecord)edns.AnswerRecords[1]).TextParts), StringComparison.Ordinal);
        Assert.True(edns.IsEDnsEnabled);
        Assert.Equal((1232, 0, true), (edns.EDnsOptions!.UdpPayloadSize, edns.EDnsOptions.Version, edns.IsDnsSecOk));

        // A payload size below 512 still allows 512 (RFC 6891 section 6.2.5).
        var (small, smallLength) = AskWithLength(Query("7.100.51.198.ip.dnsbl.test", RecordType.A, RecordClass.INet, ednsPayload: 100));
        Assert.True(smallLength < 512);
        Assert.Single(small.AnswerRecords);
    }

    [Fact]
    public void Other_opcodes_are_NOTIMP_and_other_question_counts_FORMERR()
    {
        var status = Query("2.0.0.127.ip.dnsbl.test", RecordType.A, RecordClass.INet);
        status[2] = 2 << 3;
        Assert.Equal(ReturnCode.NotImplemented, Ask(status).ReturnCode);

        var two = Query("2.0.0.127.ip.dnsbl.test", RecordType.A, RecordClass.INet);
        two[5] = 2;
        var formErr = Ask(two);
        Assert.Equal((ReturnCode.FormatError, false), (formErr.ReturnCode, formErr.IsAuthoritiveAnswer));
    }

    [Fact]
    public void What_is_not_a_query_it_can_read_gets_no_answer()
    {
        var buffer = new byte[DnsblWire.MaxAnswerLength];
        var query = Query("2.0.0.127.ip.dnsbl.test", RecordType.A, RecordClass.INet);
        Assert.Equal(0, wire.Answer(query.AsSpan(0, 11), buffer));
        Assert.Equal(0, wire.Answer(query.AsSpan(0, query.Length - 1), buffer));

        var response = (byte[])query.Clone();
        response[2] |= 0x80;
        Assert.Equal(0, wire.Answer(response, buffer));

        var pointer = (byte[])query.Clone();
        pointer[12] = 0xC0;
        Assert.Equal(0, wire.Answer(pointer, buffer));

        var tsig = Query("2.0.0.127.ip.dnsbl.test", RecordType.A, RecordClass.INet, ednsPayload: 512);
        tsig[^9] = 250;
        Assert.Equal(0, wire.Answer(tsig, buffer));
    }

    private DnsMessage Ask(byte[] query) => AskWithLength(query).Answer;

    private (DnsMessage Answer, int Length) AskWithLength(byte[] query)
    {
        var buffer = new byte[DnsblWire.MaxAnswerLength];
        var length = wire.Answer(query, buffer);
        Assert.True(length > 0, "no answer");
        return (DnsMessage.Parse(new ArraySegment<byte>(buffer, 0, length)), length);
    }

    private static DnsMessage Message(string name, RecordType type, RecordClass recordClass)
    {
        var query = new DnsMessage { TransactionID = 7 };
        query.Questions.Add(new DnsQuestion(ARSoft.Tools.Net.DomainName.Parse(name), type, recordClass));
        return query;
    }

    private static byte[] Query(string name, RecordType type, RecordClass recordClass, ushort? ednsPayload = null, bool dnssecOk = false)
    {
        var query = new List<byte> { 0, 7, 0, 0, 0, 1, 0, 0, 0, 0, 0, (byte)(ednsPayload is null ? 0 : 1) };
        foreach (var label in name.Split('.'))
        {
            query.Add((byte)label.Length);
            query.AddRange(Encoding.ASCII.GetBytes(label));
        }

        query.AddRange([0, (byte)((int)type >> 8), (byte)type, (byte)((int)recordClass >> 8), (byte)recordClass]);
        if (ednsPayload is { } payload)
        {
            query.AddRange([0, 0, 41, (byte)(payload >> 8), (byte)payload, 0, 0, (byte)(dnssecOk ? 0x80 : 0), 0, 0, 0]);
        }

        return [.. query];
    }
}
