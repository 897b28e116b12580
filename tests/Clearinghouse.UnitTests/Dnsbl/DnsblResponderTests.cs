using ARSoft.Tools.Net.Dns;
using Clearinghouse.Domain;
using Clearinghouse.Gateway.Dnsbl;

namespace Clearinghouse.UnitTests.Dnsbl;

public class DnsblResponderTests
{
    private static readonly DateTimeOffset At = new(2026, 5, 1, 0, 0, 0, TimeSpan.Zero);
    private readonly DnsblIndex index = new();
    private readonly DnsblResponder responder;
    private long version;

    public DnsblResponderTests()
    {
        var options = TestDnsbl.Options();
        responder = TestDnsbl.Responder(index, options, DnsblServer.BuildZones(options));
    }

    [Fact]
    public void RFC_5782_test_points_answer_without_any_entry()
    {
        Assert.Equal(("127.0.0.2", ReturnCode.NoError), A("2.0.0.127.ip.dnsbl.test"));
        Assert.Equal((null, ReturnCode.NxDomain), A("1.0.0.127.ip.dnsbl.test"));
        Assert.Equal(("127.0.0.2", ReturnCode.NoError), A(string.Join('.', "00000000000000000000ffff7f000002".Reverse()) + ".ip.dnsbl.test"));
        Assert.Equal(("127.0.1.2", ReturnCode.NoError), A("TEST.dbl.dnsbl.test"));
        Assert.Equal((null, ReturnCode.NxDomain), A("INVALID.dbl.dnsbl.test"));

        // Empty non-terminals above a test point are not NXDOMAIN (query-name minimisation walks down through them).
        Assert.Equal((null, ReturnCode.NoError), A("0.0.127.ip.dnsbl.test"));
        Assert.Equal((null, ReturnCode.NxDomain), A("0.0.128.ip.dnsbl.test"));
    }

    [Fact]
    public void A_CIDR_entry_covers_its_addresses_and_its_names_parents_are_empty_non_terminals()
    {
        Add(FilterEntryKind.Ip, "198.51.100.0/25", "snowshoe network");
        Assert.Equal(("127.0.0.2", ReturnCode.NoError), A("7.100.51.198.ip.dnsbl.test"));
        Assert.Equal((null, ReturnCode.NxDomain), A("200.100.51.198.ip.dnsbl.test"));
        Assert.Equal((null, ReturnCode.NoError), A("100.51.198.ip.dnsbl.test"));
        Assert.Equal((null, ReturnCode.NoError), A("198.ip.dnsbl.test"));
        Assert.Equal((null, ReturnCode.NxDomain), A("101.51.198.ip.dnsbl.test"));

        var txt = Ask("7.100.51.198.ip.dnsbl.test", RecordType.Txt);
        Assert.Contains("snowshoe network", Assert.IsType<TxtRecord>(Assert.Single(txt.AnswerRecords)).TextData, StringComparison.Ordinal);

        Remove(FilterEntryKind.Ip, "198.51.100.0/25");
        Assert.Equal((null, ReturnCode.NxDomain), A("7.100.51.198.ip.dnsbl.test"));
        Assert.Equal((null, ReturnCode.NxDomain), A("100.51.198.ip.dnsbl.test"));
    }

    [Fact]
    public void IPv6_entries_answer_by_nibbles()
    {
        Add(FilterEntryKind.Ip, "2001:db8:bad::/48", "v6 network");
        var inside = string.Join('.', "20010db80bad00000000000000000042".Reverse()) + ".ip.dnsbl.test";
        var outside = string.Join('.', "20010db80bae00000000000000000042".Reverse()) + ".ip.dnsbl.test";
        Assert.Equal(("127.0.0.2", ReturnCode.NoError), A(inside));
        Assert.Equal((null, ReturnCode.NxDomain), A(outside));
        Assert.Equal((null, ReturnCode.NoError), A("8.b.d.0.1.0.0.2.ip.dnsbl.test"));
    }

    [Fact]
    public void A_domain_entry_covers_its_subdomains_and_its_parents_are_empty_non_terminals()
    {
        Add(FilterEntryKind.Domain, "bulk.example", "bulk mailer");
        Assert.Equal(("127.0.1.2", ReturnCode.NoError), A("bulk.example.dbl.dnsbl.test"));
        Assert.Equal(("127.0.1.2", ReturnCode.NoError), A("mail.out.bulk.example.dbl.dnsbl.test"));
        Assert.Equal((null, ReturnCode.NoError), A("example.dbl.dnsbl.test"));
        Assert.Equal((null, ReturnCode.NxDomain), A("other.example.dbl.dnsbl.test"));
    }

    [Fact]
    public void An_address_answers_by_SHA1_when_listed_from_the_address_and_always_by_base32_SHA256()
    {
        var spammer = Address.Parse("spam@bulk.example", "sender");
        Append(new FilterChange(++version, FilterChangeOp.Add, FilterEntry.ForAddress(spammer), "ignored requests", "case-1", At));
        Append(new FilterChange(++version, FilterChangeOp.Add, new FilterEntry(FilterEntryKind.AddressSha256, Sha256Hex.Of("newsletter@shop.example")), "by hash", "case-2", At));

        Assert.Equal(("127.0.2.2", ReturnCode.NoError), A("a77416930ec83e7148a7fc85adb1e6bbb11e2bf8.hbl.dnsbl.test"));
        Assert.Equal(("127.0.2.2", ReturnCode.NoError), A("mfjnzx37q5yqyyrienrxvwtsuyh4mlf6mdtxcsxtawfn5wvxvvdq.hbl.dnsbl.test"));
        Assert.Equal(("127.0.2.2", ReturnCode.NoError), A("nsbhw75brlbnclywrdf54axcr4f2ehwra5i77mzew23n7uwqrnzq.hbl.dnsbl.test"));
        Assert.Equal((null, ReturnCode.NxDomain), A("0344a231fcd29d389eda278de2dd5949fee26a9d.hbl.dnsbl.test"));
    }

    [Fact]
    public void The_apex_has_SOA_and_NS_negative_answers_carry_the_SOA_and_other_names_are_refused()
    {
        var soa = Assert.IsType<SoaRecord>(Assert.Single(Ask("ip.dnsbl.test", RecordType.Soa).AnswerRecords));
        Assert.Equal("ns.dnsbl.test.", soa.MasterName.ToString());
        Assert.IsType<NsRecord>(Assert.Single(Ask("ip.dnsbl.test", RecordType.Ns).AnswerRecords));

        var negative = Ask("9.9.9.9.ip.dnsbl.test", RecordType.A);
        Assert.Equal(ReturnCode.NxDomain, negative.ReturnCode);
        Assert.IsType<SoaRecord>(Assert.Single(negative.AuthorityRecords));
        Assert.True(negative.IsAuthoritiveAnswer);

        Assert.Equal(ReturnCode.Refused, Ask("www.example.com", RecordType.A).ReturnCode);
        Assert.Empty(Ask("www.example.com", RecordType.A).AnswerRecords);

        // Another type for a listed name: NOERROR, no data.
        var aaaa = Ask("2.0.0.127.ip.dnsbl.test", RecordType.Aaaa);
        Assert.Equal((ReturnCode.NoError, 0), (aaaa.ReturnCode, aaaa.AnswerRecords.Count));
    }

    [Fact]
    public void Every_A_record_ever_answered_is_in_127_0_0_0_slash_8()
    {
        Add(FilterEntryKind.Ip, "0.0.0.0/0", "everything");
        Add(FilterEntryKind.Domain, "example", "everything");
        var random = new Random(3);
        for (var i = 0; i < 2000; i++)
        {
            var name = random.Next(3) switch
            {
                0 => $"{random.Next(256)}.{random.Next(256)}.{random.Next(256)}.{random.Next(256)}.ip.dnsbl.test",
                1 => $"x{random.Next(1000)}.example.dbl.dnsbl.test",
                _ => $"{random.Next(1000)}.hbl.dnsbl.test",
            };
            foreach (var record in Ask(name, RecordType.Any).AnswerRecords.OfType<ARecord>())
            {
                Assert.Equal(127, record.Address.GetAddressBytes()[0]);
            }
        }
    }

    private (string? Address, ReturnCode Code) A(string name)
    {
        var response = Ask(name, RecordType.A);
        return (response.AnswerRecords.OfType<ARecord>().SingleOrDefault()?.Address.ToString(), response.ReturnCode);
    }

    private DnsMessage Ask(string name, RecordType type)
    {
        var query = new DnsMessage { TransactionID = 7 };
        query.Questions.Add(new DnsQuestion(ARSoft.Tools.Net.DomainName.Parse(name), type, RecordClass.INet));
        return responder.Answer(query);
    }

    private void Add(FilterEntryKind kind, string value, string reason) =>
        Append(new FilterChange(++version, FilterChangeOp.Add, FilterEntry.Parse(kind, value, "value"), reason, $"case-{version}", At));

    private void Remove(FilterEntryKind kind, string value) =>
        Append(new FilterChange(++version, FilterChangeOp.Remove, FilterEntry.Parse(kind, value, "value"), "removed", "", At));

    private void Append(FilterChange change) => index.Apply(change);
}
