using System.Net;
using Clearinghouse.Domain;
using Clearinghouse.Gateway.Services;

namespace Clearinghouse.UnitTests.Maps;

/// <summary>
/// IP addresses as clients' IPs, connection map entries and SPF networks are written. Found by fuzzing: the parser let
/// <see cref="IPAddress.TryParse(string?, out IPAddress?)"/> read leading zeros as octal and hex ("192.168.001.010"
/// became 192.168.1.8), and took brackets and a port.
/// </summary>
public class IpAddressTextTests
{
    [Theory]
    [InlineData("010.0.0.1")]
    [InlineData("192.168.001.010")]
    [InlineData("0x7f.0.0.1")]
    [InlineData("1.2.3.0255")]
    [InlineData("256.1.1.1")]
    [InlineData("1.2.3")]
    [InlineData("1.2.3.4.5")]
    [InlineData("[::1]")]
    [InlineData("[::1]:25")]
    [InlineData("fe80::1%eth0")]
    [InlineData("::ffff:010.0.0.1")]
    [InlineData("2001:db8::g")]
    public void Addresses_not_written_in_full_are_refused(string text)
    {
        Assert.False(IpPrefix.TryParseAddress(text, out _, out var problem));
        Assert.Contains("is not an IP address", problem);
        Assert.Equal("client_ip", Assert.Throws<InvalidFieldException>(() => ProtoMapping.ToClientIp(text, required: true)).Field);
    }

    [Theory]
    [InlineData("010.0.0.1")]
    [InlineData("192.168.001.010/32")]
    [InlineData("[::1]:25")]
    [InlineData("::ffff:010.0.0.1/128")]
    public void Connection_map_entries_not_written_in_full_are_refused(string text) =>
        Assert.Contains("not a valid IP address or CIDR", Assert.Throws<InvalidFieldException>(() => MapIdentifier.Parse(MapKind.Connection, text, "identifier")).Problem);

    [Theory]
    [InlineData("0.0.0.0", "0.0.0.0")]
    [InlineData(" 192.0.2.10 ", "192.0.2.10")]
    [InlineData("255.255.255.255", "255.255.255.255")]
    [InlineData("2001:DB8::1", "2001:db8::1")]
    [InlineData("::", "::")]
    [InlineData("::ffff:192.0.2.1", "192.0.2.1")]
    [InlineData("64:ff9b::192.0.2.1", "64:ff9b::c000:201")]
    public void Addresses_written_in_full_are_accepted(string text, string parsed)
    {
        Assert.True(IpPrefix.TryParseAddress(text, out var address, out var problem), problem);
        Assert.Equal(IPAddress.Parse(parsed), address);
    }

    [Fact]
    public void The_prefix_of_a_network_is_still_read_as_written() =>
        Assert.Equal("192.168.1.0/24", MapIdentifier.Parse(MapKind.Connection, "192.168.1.0/024", "identifier").Value);

    // Found by fuzzing: IDNA turns full-width digits and dots into ASCII, so "４．０．０．３" was stored as the HELO name
    // "4.0.0.3", which reads back as an IP address (a different identifier).
    [Theory]
    [InlineData("\uff14\uff0e\uff10\uff0e\uff10\uff0e\uff13")]
    [InlineData("4\uff0e0.0.3")]
    public void A_name_that_normalises_to_digits_and_dots_is_refused(string text)
    {
        var error = Assert.Throws<InvalidFieldException>(() => MapIdentifier.Parse(MapKind.Connection, text, "identifier"));
        Assert.Contains("neither an IP address", error.Problem);
    }
}
