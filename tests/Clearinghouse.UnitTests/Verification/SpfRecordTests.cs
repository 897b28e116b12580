using System.Net;
using Clearinghouse.Domain;
using Clearinghouse.Gateway.Verification;

namespace Clearinghouse.UnitTests.Verification;

public class SpfRecordTests
{
    [Fact]
    public void A_record_parses_into_mechanisms_with_qualifiers_and_modifiers()
    {
        Assert.True(SpfRecord.TryParse("v=spf1 +a mx/24//64 -ip4:192.0.2.0/24 ~ip6:2001:db8::/32 ?include:_spf.example.com exists:%{i}.x.example ptr redirect=other.example exp=why.example foo=bar", out var record, out var problem), problem);
        Assert.Equal(
            [SpfMechanismKind.A, SpfMechanismKind.Mx, SpfMechanismKind.Ip4, SpfMechanismKind.Ip6, SpfMechanismKind.Include, SpfMechanismKind.Exists, SpfMechanismKind.Ptr],
            record.Mechanisms.Select(m => m.Kind));
        Assert.Equal([SpfResult.Pass, SpfResult.Pass, SpfResult.Fail, SpfResult.SoftFail, SpfResult.Neutral, SpfResult.Pass, SpfResult.Pass], record.Mechanisms.Select(m => m.Qualifier));
        Assert.Equal((24, 64), (record.Mechanisms[1].Ip4PrefixLength, record.Mechanisms[1].Ip6PrefixLength));
        Assert.Equal(("other.example", "why.example"), (record.Redirect, record.Explanation));
    }

    [Theory]
    [InlineData("v=spf1 ip4:192.0.2.0/33")]
    [InlineData("v=spf1 ip4:2001:db8::1")]
    [InlineData("v=spf1 ip6:192.0.2.1")]
    [InlineData("v=spf1 a/024")]
    [InlineData("v=spf1 include")]
    [InlineData("v=spf1 all:foo")]
    [InlineData("v=spf1 frobnicate:x.example")]
    [InlineData("v=spf1 redirect=a.example redirect=b.example")]
    [InlineData("v=spf1 include:%{z}.example")]
    [InlineData("v=spf1 exists:%{i")]
    [InlineData("v=spf10 -all")]
    public void Syntax_errors_are_refused(string text)
    {
        Assert.False(SpfRecord.TryParse(text, out _, out _));
    }

    [Theory]
    [InlineData("%{i}.in.example", "192.0.2.3.in.example")]
    [InlineData("%{ir}.%{v}._spf.%{d}", "3.2.0.192.in-addr._spf.example.com")]
    [InlineData("%{d2}", "example.com")]
    [InlineData("%{l}.%{o}", "first-last.sender.example")]
    [InlineData("%{lr-}", "last.first")]
    [InlineData("%{h}", "mta.example")]
    [InlineData("a%%b%_c", "a%b c")]
    public void Macros_expand(string spec, string expected)
    {
        var context = new SpfMacroContext(IPAddress.Parse("192.0.2.3"), "first-last", "sender.example", "mta.example");
        Assert.True(SpfMacro.TryExpand(spec, context, "example.com", out var expanded));
        Assert.Equal(expected, expanded);
    }

    [Fact]
    public void An_ipv6_address_expands_to_nibbles()
    {
        var context = new SpfMacroContext(IPAddress.Parse("2001:db8::cb01"), "l", "d.example", null);
        Assert.True(SpfMacro.TryExpand("%{ir}.%{v}", context, "d.example", out var expanded));
        Assert.Equal("1.0.b.c.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.8.b.d.0.1.0.0.2.ip6", expanded);
    }
}
