using System.Text;
using Clearinghouse.Gateway.Policy;

namespace Clearinghouse.UnitTests.Policy;

public class PolicyRequestParserTests
{
    private static readonly PolicyLimits Limits = new(MaxLineBytes: 200, MaxAttributes: 10, MaxRequestBytes: 1000);

    // What Postfix 3.7 sends at RCPT, in its order; the parser must not depend on the order.
    private const string PostfixRequest =
        "request=smtpd_access_policy\nprotocol_state=RCPT\nprotocol_name=ESMTP\nclient_address=192.0.2.10\nclient_name=unknown\n" +
        "helo_name=mail.sender.example\nsender=news@shop.example\nrecipient=alice@acme.example\nrecipient_count=0\n" +
        "instance=3b54.6b099304.e64fd.0\n\n";

    private static PolicyParseResult Parse(string text, PolicyLimits? limits = null) =>
        PolicyRequestParser.Parse(Encoding.UTF8.GetBytes(text), limits ?? new PolicyLimits());

    [Fact]
    public void A_request_is_read_up_to_its_empty_line()
    {
        var result = Parse(PostfixRequest + "request=smtpd_access_policy\n");
        Assert.Equal(PolicyParseStatus.Complete, result.Status);
        Assert.Equal(Encoding.UTF8.GetByteCount(PostfixRequest), result.Consumed);
        Assert.Equal(
            new PolicyRequest(PolicyProtocolState.Rcpt, "192.0.2.10", "mail.sender.example", "news@shop.example", "alice@acme.example", "3b54.6b099304.e64fd.0"),
            result.Request);
    }

    [Fact]
    public void Attribute_order_does_not_matter_unknown_attributes_are_ignored_and_CRLF_is_accepted()
    {
        var shuffled = "compatibility_level=3.6\r\nrecipient=alice@acme.example\r\ntls_sni=mx.acme.example\r\nprotocol_state=RCPT\r\n" +
            "mail_version=3.7.11\r\nrequest=smtpd_access_policy\r\nsender=\r\nclient_address=2001:db8::1\r\n\r\n";
        var result = Parse(shuffled);
        Assert.Equal(PolicyParseStatus.Complete, result.Status);
        Assert.Equal(new PolicyRequest(PolicyProtocolState.Rcpt, "2001:db8::1", "", "", "alice@acme.example", ""), result.Request);
    }

    [Theory]
    [InlineData("request=smtpd_access_policy\nprotocol_state=RCPT\n")]
    [InlineData("request=smtpd_access_policy\nprotocol_sta")]
    [InlineData("")]
    public void A_partial_request_asks_for_more(string text) =>
        Assert.Equal(PolicyParseStatus.NeedMoreData, Parse(text).Status);

    [Theory]
    [InlineData("protocol_state=RCPT\n\n", "no 'request=smtpd_access_policy'")]
    [InlineData("\n", "no 'request=smtpd_access_policy'")]
    [InlineData("request=something_else\n\n", "not smtpd_access_policy")]
    [InlineData("request=smtpd_access_policy\nno equals sign here\n\n", "name=value")]
    [InlineData("request=smtpd_access_policy\n=value\n\n", "name=value")]
    [InlineData("request=smtpd_access_policy\nsender=a\0b\n\n", "NUL")]
    // Found by fuzzing: a CR inside a value was kept in it (Postfix never sends one; it would reach logs and replies).
    [InlineData("request=smtpd_access_policy\nclient_address=\r192.0.2.1\n\n", "CR")]
    [InlineData("GET / HTTP/1.1\r\nHost: x\r\n\r\n", "name=value")]
    public void Malformed_requests_say_why(string text, string why)
    {
        var result = Parse(text);
        Assert.Equal(PolicyParseStatus.Malformed, result.Status);
        Assert.Contains(why, result.Error, StringComparison.Ordinal);
    }

    [Fact]
    public void Bytes_that_are_not_UTF8_are_malformed()
    {
        var bytes = Encoding.ASCII.GetBytes("request=smtpd_access_policy\nsender=").Concat(new byte[] { 0xff, 0xfe, (byte)'\n', (byte)'\n' }).ToArray();
        Assert.Equal(PolicyParseStatus.Malformed, PolicyRequestParser.Parse(bytes, Limits).Status);
    }

    [Fact]
    public void UTF8_addresses_are_read_as_sent()
    {
        var result = Parse("request=smtpd_access_policy\nprotocol_state=RCPT\nsender=jörg@bücher.example\nrecipient=alice@acme.example\n\n");
        Assert.Equal("jörg@bücher.example", result.Request!.Sender);
    }

    [Fact]
    public void Overlong_lines_are_malformed_even_before_their_end_arrives()
    {
        Assert.Equal(PolicyParseStatus.Malformed, Parse("request=smtpd_access_policy\nsender=" + new string('a', 300), Limits).Status);
        Assert.Equal(PolicyParseStatus.Malformed, Parse("request=smtpd_access_policy\nsender=" + new string('a', 300) + "\n\n", Limits).Status);
        Assert.Equal(PolicyParseStatus.Complete, Parse("request=smtpd_access_policy\nsender=" + new string('a', 150) + "\n\n", Limits).Status);
    }

    [Fact]
    public void Too_many_attributes_or_too_many_bytes_are_malformed()
    {
        var many = "request=smtpd_access_policy\n" + string.Concat(Enumerable.Range(0, 10).Select(i => $"x{i}=y\n")) + "\n";
        Assert.Contains("more than 10 attributes", Parse(many, Limits).Error, StringComparison.Ordinal);

        var longRequest = "request=smtpd_access_policy\n" + string.Concat(Enumerable.Range(0, 9).Select(i => $"x{i}={new string('v', 150)}\n"));
        var result = Parse(longRequest, Limits);
        Assert.Equal(PolicyParseStatus.Malformed, result.Status);
        Assert.Contains("longer than 1000 bytes", result.Error, StringComparison.Ordinal);
    }

    [Fact]
    public void Protocol_states_are_recognised()
    {
        foreach (var (text, state) in new[] { ("CONNECT", PolicyProtocolState.Connect), ("EHLO", PolicyProtocolState.Ehlo), ("HELO", PolicyProtocolState.Helo), ("MAIL", PolicyProtocolState.Mail), ("DATA", PolicyProtocolState.Data), ("END-OF-MESSAGE", PolicyProtocolState.EndOfMessage), ("VRFY", PolicyProtocolState.Vrfy), ("BDAT", PolicyProtocolState.Other) })
        {
            Assert.Equal(state, Parse($"request=smtpd_access_policy\nprotocol_state={text}\n\n").Request!.ProtocolState);
        }
    }

    [Fact]
    public void Random_bytes_never_throw_and_never_read_past_the_input()
    {
        var random = new Random(12);
        for (var i = 0; i < 20_000; i++)
        {
            var bytes = new byte[random.Next(0, 300)];
            random.NextBytes(bytes);
            if (random.Next(3) == 0)
            {
                var prefix = Encoding.ASCII.GetBytes("request=smtpd_access_policy\n");
                bytes = [.. prefix, .. bytes];
            }

            var result = PolicyRequestParser.Parse(bytes, Limits);
            Assert.InRange(result.Consumed, 0, bytes.Length);
            Assert.Equal(result.Status == PolicyParseStatus.Complete, result.Request is not null);
        }
    }
}
