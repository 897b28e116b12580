using Clearinghouse.Domain;
using Clearinghouse.Gateway.Dnsbl;

namespace Clearinghouse.UnitTests.Dnsbl;

public class HashedAddressFormsTests
{
    // Computed with Python's hashlib and base64.b32encode (lower-cased, padding removed): the README's test vectors.
    [Theory]
    [InlineData("spam@bulk.example", "6152dcdf7f87710c622823637ada72a60fc62cbe60e7714af3058adedab7ad47", "a77416930ec83e7148a7fc85adb1e6bbb11e2bf8", "mfjnzx37q5yqyyrienrxvwtsuyh4mlf6mdtxcsxtawfn5wvxvvdq")]
    [InlineData("newsletter@shop.example", "6c827b7fa18ac2d12f1688cbde02e28f0ba21ed10751ffb324b6b6dfd2d08b73", "0344a231fcd29d389eda278de2dd5949fee26a9d", "nsbhw75brlbnclywrdf54axcr4f2ehwra5i77mzew23n7uwqrnzq")]
    public void Test_vectors(string address, string sha256, string sha1, string base32)
    {
        var entry = FilterEntry.ForAddress(Address.Parse(address, "sender"));
        Assert.Equal((sha256, sha1), (entry.Value, entry.AddressSha1));
        Assert.Equal(base32, HashedAddressForms.Sha256Base32FromHex(sha256));
    }

    [Fact]
    public void Base32_is_RFC_4648_without_padding_and_decodes_back()
    {
        Assert.Equal("mzxw6ytboi", HashedAddressForms.Base32("foobar"u8));
        var random = new Random(9);
        for (var i = 0; i < 500; i++)
        {
            var data = new byte[random.Next(0, 40)];
            random.NextBytes(data);
            var text = HashedAddressForms.Base32(data);
            var back = new byte[data.Length];
            Assert.True(HashedAddressForms.TryDecodeBase32(text, back, out var written));
            Assert.Equal(data, back[..written]);
        }
    }

    [Fact]
    public void IP_entries_take_addresses_and_CIDR_networks()
    {
        Assert.Equal("192.0.2.7", FilterEntry.Parse(FilterEntryKind.Ip, "192.0.2.7", "value").Value);
        Assert.Equal("192.0.2.7", FilterEntry.Parse(FilterEntryKind.Ip, "192.0.2.7/32", "value").Value);
        Assert.Equal("192.0.2.0/24", FilterEntry.Parse(FilterEntryKind.Ip, "192.0.2.0/24", "value").Value);
        Assert.Equal("2001:db8::/32", FilterEntry.Parse(FilterEntryKind.Ip, "2001:DB8::/32", "value").Value);
        var error = Assert.Throws<InvalidFieldException>(() => FilterEntry.Parse(FilterEntryKind.Ip, "192.0.2.1/24", "value"));
        Assert.StartsWith("value: ", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void The_rbldnsd_export_holds_the_same_names_and_answers_as_the_zones()
    {
        var at = DateTimeOffset.UnixEpoch;
        var listed = new[]
        {
            new FilterChange(1, FilterChangeOp.Add, FilterEntry.ForAddress(Address.Parse("spam@bulk.example", "s")), "ignored requests", "c1", at),
            new FilterChange(2, FilterChangeOp.Add, FilterEntry.Parse(FilterEntryKind.Ip, "198.51.100.0/25", "v"), "costs $5", "c2", at),
            new FilterChange(3, FilterChangeOp.Add, FilterEntry.Parse(FilterEntryKind.Ip, "2001:db8::/32", "v"), "v6", "c3", at),
            new FilterChange(4, FilterChangeOp.Add, FilterEntry.Parse(FilterEntryKind.Domain, "bulk.example", "v"), "domain", "c4", at),
        };
        var files = RbldnsdExport.Render(listed, 4, new DnsblOptions { NameServer = "ns.dnsbl.test", Hostmaster = "hostmaster.dnsbl.test" }).ToDictionary(f => f.Name, f => f.Text);
        Assert.Contains("\n127.0.0.2 :127.0.0.2:", files["ip4.rbldnsd"], StringComparison.Ordinal);
        Assert.Contains("\n198.51.100.0/25 :127.0.0.2:Listed by Clearinghouse: costs ?5 (case c2)\n", files["ip4.rbldnsd"], StringComparison.Ordinal);
        Assert.Contains("\n2001:db8::/32 :127.0.0.2:", files["ip6.rbldnsd"], StringComparison.Ordinal);
        Assert.Contains("\n.bulk.example :127.0.1.2:", files["domains.rbldnsd"], StringComparison.Ordinal);
        Assert.Contains("\na77416930ec83e7148a7fc85adb1e6bbb11e2bf8 :127.0.2.2:", files["addresses.rbldnsd"], StringComparison.Ordinal);
        Assert.Contains("\nmfjnzx37q5yqyyrienrxvwtsuyh4mlf6mdtxcsxtawfn5wvxvvdq :127.0.2.2:", files["addresses.rbldnsd"], StringComparison.Ordinal);
        Assert.All(files.Values, text => Assert.Contains("$SOA 300 ns.dnsbl.test. hostmaster.dnsbl.test. 4 ", text, StringComparison.Ordinal));
    }
}
