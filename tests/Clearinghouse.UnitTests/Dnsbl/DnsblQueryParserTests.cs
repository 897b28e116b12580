using System.Net;
using Clearinghouse.Domain;
using Clearinghouse.Gateway.Dnsbl;

namespace Clearinghouse.UnitTests.Dnsbl;

public class DnsblQueryParserTests
{
    private static readonly DnsblZones Zones = new(
        [new DnsblZone(DnsblZoneKind.Ip, "ip.dnsbl.test"), new DnsblZone(DnsblZoneKind.Domain, "dbl.dnsbl.test"), new DnsblZone(DnsblZoneKind.Address, "hbl.dnsbl.test")],
        requireAccessKey: false);

    private static readonly DnsblZones Keyed = new([new DnsblZone(DnsblZoneKind.Ip, "ip.dnsbl.test")], requireAccessKey: true);

    [Theory]
    [InlineData("2.0.0.127.ip.dnsbl.test", "127.0.0.2", 32)]
    [InlineData("10.2.0.192.IP.DNSBL.TEST.", "192.0.2.10", 32)]
    [InlineData("0.0.127.ip.dnsbl.test", "127.0.0.0", 24)]
    [InlineData("127.ip.dnsbl.test", "127.0.0.0", 8)]
    public void IPv4_names_are_reversed_octets(string name, string network, int length)
    {
        var query = DnsblQueryParser.Parse(name, Zones);
        Assert.Equal(DnsblQueryKind.Ip, query.Kind);
        Assert.Equal(new IpPrefix(IPAddress.Parse(network), length), query.V4);
    }

    [Fact]
    public void IPv6_names_are_32_reversed_nibbles_and_a_mapped_IPv4_address_reads_as_IPv4()
    {
        var nibbles = string.Join('.', "20010db8000000000000000000000001".Reverse());
        var query = DnsblQueryParser.Parse(nibbles + ".ip.dnsbl.test", Zones);
        Assert.Equal((new IpPrefix(IPAddress.Parse("2001:db8::1"), 128), (IpPrefix?)null), (query.V6!.Value, query.V4));

        var mapped = string.Join('.', "00000000000000000000ffff7f000002".Reverse());
        Assert.Equal(new IpPrefix(IPAddress.Parse("127.0.0.2"), 32), DnsblQueryParser.Parse(mapped + ".ip.dnsbl.test", Zones).V4);

        // Single digits read both ways: the resolver may be walking down either tree.
        var both = DnsblQueryParser.Parse("1.2.ip.dnsbl.test", Zones);
        Assert.Equal(new IpPrefix(IPAddress.Parse("2.1.0.0"), 16), both.V4);
        Assert.Equal(new IpPrefix(IPAddress.Parse("2100::"), 8), both.V6);
    }

    [Theory]
    [InlineData("256.0.0.127.ip.dnsbl.test")]
    [InlineData("02.0.0.127.ip.dnsbl.test")]
    [InlineData("1.2.0.0.127.ip.dnsbl.test")]
    [InlineData("www.ip.dnsbl.test")]
    [InlineData("xyz.hbl.dnsbl.test")]
    [InlineData("a.b.hbl.dnsbl.test")]
    [InlineData("bad!name.dbl.dnsbl.test")]
    [InlineData("\u212A.dbl.dnsbl.test")] // KELVIN SIGN: lower-cased by Unicode to "k", by DNS (ASCII only) not at all
    [InlineData("a\u212A.dbl.dnsbl.test")]
    public void Names_no_entry_can_have_are_not_listable(string name) =>
        Assert.Equal(DnsblQueryKind.NotListable, DnsblQueryParser.Parse(name, Zones).Kind);

    [Theory]
    [InlineData("example.com")]
    [InlineData("dnsbl.test")]
    [InlineData("xip.dnsbl.test")]
    public void Names_outside_the_zones_are_refused(string name) =>
        Assert.Equal(DnsblQueryKind.OutsideZones, DnsblQueryParser.Parse(name, Zones).Kind);

    [Theory]
    [InlineData("")]
    [InlineData("a..ip.dnsbl.test")]
    public void Names_that_are_not_DNS_names_are_malformed(string name) =>
        Assert.Equal(DnsblQueryKind.Malformed, DnsblQueryParser.Parse(name, Zones).Kind);

    [Fact]
    public void Domains_hashes_and_apexes()
    {
        Assert.Equal((DnsblQueryKind.Domain, "mail.bulk.example"), Pick(DnsblQueryParser.Parse("Mail.Bulk.Example.dbl.dnsbl.test", Zones)));
        Assert.Equal((DnsblQueryKind.Apex, ""), Pick(DnsblQueryParser.Parse("dbl.dnsbl.test", Zones)));
        Assert.Equal((DnsblQueryKind.AddressSha1, "a77416930ec83e7148a7fc85adb1e6bbb11e2bf8"), Pick(DnsblQueryParser.Parse("A77416930EC83E7148A7FC85ADB1E6BBB11E2BF8.hbl.dnsbl.test", Zones)));
        Assert.Equal((DnsblQueryKind.AddressSha256, "mfjnzx37q5yqyyrienrxvwtsuyh4mlf6mdtxcsxtawfn5wvxvvdq"), Pick(DnsblQueryParser.Parse("mfjnzx37q5yqyyrienrxvwtsuyh4mlf6mdtxcsxtawfn5wvxvvdq.hbl.dnsbl.test", Zones)));

        // 52 base32 characters whose last one carries bits beyond 256 are not a SHA-256.
        Assert.Equal(DnsblQueryKind.NotListable, DnsblQueryParser.Parse("mfjnzx37q5yqyyrienrxvwtsuyh4mlf6mdtxcsxtawfn5wvxvvdr.hbl.dnsbl.test", Zones).Kind);
    }

    [Fact]
    public void With_access_keys_the_label_before_the_zone_is_the_key()
    {
        var query = DnsblQueryParser.Parse("2.0.0.127.Key123.ip.dnsbl.test", Keyed);
        Assert.Equal((DnsblQueryKind.Ip, "key123"), (query.Kind, query.AccessKey));
        Assert.Equal(new IpPrefix(IPAddress.Parse("127.0.0.2"), 32), query.V4);
        Assert.Equal((DnsblQueryKind.AccessKeyOnly, "key123"), (DnsblQueryParser.Parse("key123.ip.dnsbl.test", Keyed).Kind, DnsblQueryParser.Parse("key123.ip.dnsbl.test", Keyed).AccessKey));
        Assert.Equal(DnsblQueryKind.Apex, DnsblQueryParser.Parse("ip.dnsbl.test", Keyed).Kind);
    }

    [Fact]
    public void Random_names_never_throw()
    {
        var random = new Random(5);
        const string alphabet = "0123456789abcdefxyz.-_ZQ\u00e9";
        for (var i = 0; i < 20_000; i++)
        {
            var name = new string([.. Enumerable.Range(0, random.Next(0, 80)).Select(_ => alphabet[random.Next(alphabet.Length)])]);
            var suffix = random.Next(4) switch { 0 => ".ip.dnsbl.test", 1 => ".hbl.dnsbl.test", 2 => ".dbl.dnsbl.test", _ => "" };
            _ = DnsblQueryParser.Parse(name + suffix, Zones);
            _ = DnsblQueryParser.Parse(name + suffix, Keyed);
        }
    }

    private static (DnsblQueryKind, string) Pick(DnsblQuery query) => (query.Kind, query.Subject);
}
