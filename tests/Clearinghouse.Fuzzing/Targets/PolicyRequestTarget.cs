using System.Text;
using Clearinghouse.Gateway.Policy;

namespace Clearinghouse.Fuzzing.Targets;

/// <summary>Postfix SMTPD policy delegation requests, as bytes arrive on a policy listener's connection.</summary>
public sealed class PolicyRequestTarget : FuzzTarget
{
    private static readonly PolicyLimits Limits = new(MaxLineBytes: 256, MaxAttributes: 20, MaxRequestBytes: 1024);

    private static readonly string[] Names =
    [
        "request", "protocol_state", "protocol_name", "client_address", "client_name", "helo_name", "sender",
        "recipient", "instance", "queue_id", "compatibility_level", "mail_version", "tls_sni", "sasl_username",
    ];

    private static readonly string[] States = ["CONNECT", "EHLO", "HELO", "MAIL", "RCPT", "DATA", "END-OF-MESSAGE", "VRFY", "ETRN", "rcpt", ""];

    public override string Name => "policy-request";

    public override string Description =>
        "PolicyRequestParser.Parse (src/Gateway/Policy) with small limits. It never throws; a complete request is the " +
        "bytes up to and including its empty line, parses alike on its own, and every shorter beginning of it needs " +
        "more data; what it returns holds no line break or NUL; 'need more data' only below the request limit; a " +
        "refusal says why.";

    public override int MaxInputBytes => 1400;

    public override IReadOnlyList<string> Dictionary =>
        ["\n", "\r\n", "\n\n", "=", "request=smtpd_access_policy\n", "protocol_state=RCPT\n", "recipient=", "sender=", "\0", "\xff"];

    public override IEnumerable<byte[]> Seeds() =>
    [
        Encoding.UTF8.GetBytes("request=smtpd_access_policy\nprotocol_state=RCPT\nclient_address=192.0.2.1\nhelo_name=mx.example\nsender=a@b.example\nrecipient=u@acme.example\ninstance=123.456.7\n\n"),
        Encoding.UTF8.GetBytes("request=smtpd_access_policy\r\nprotocol_state=CONNECT\r\nclient_address=2001:db8::1\r\n\r\n"),
        Encoding.UTF8.GetBytes("protocol_state=RCPT\nrequest=smtpd_access_policy\ntls_sni=mx.example\n\nrequest=smtpd_access_policy\n\n"),
        Encoding.UTF8.GetBytes("request=smtpd_access_policy\nprotocol_state=RCPT\n"),
        Encoding.UTF8.GetBytes("request=junk\n\n"),
        Encoding.UTF8.GetBytes("no equals sign\n\n"),
        Encoding.UTF8.GetBytes("request=smtpd_access_policy\nsender=\nrecipient=ü@bücher.example\n\n"),
    ];

    public override byte[] Generate(FuzzRandom random)
    {
        var text = new StringBuilder();
        var lines = random.SmallCount(24);
        var newline = random.Chance(0.8) ? "\n" : "\r\n";
        for (var i = 0; i < lines; i++)
        {
            var name = random.Chance(0.9) ? random.Pick(Names) : Grammars.Label(random);
            var value = name switch
            {
                "request" => random.Chance(0.9) ? PolicyRequestParser.AccessPolicyRequest : Grammars.Label(random),
                "protocol_state" => random.Pick(States),
                "client_address" => Grammars.IpAddress(random),
                "helo_name" or "client_name" or "tls_sni" => Grammars.Domain(random),
                "sender" or "recipient" => random.Chance(0.1) ? "" : Grammars.Address(random),
                _ => random.Chance(0.1) ? new string('x', random.Between(200, 300)) : Grammars.Label(random),
            };
            text.Append(random.Chance(0.02) ? name : $"{name}={value}").Append(newline);
        }

        if (random.Chance(0.85))
        {
            text.Append(newline);
        }

        return Encoding.UTF8.GetBytes(text.ToString());
    }

    public override FuzzOutcome Execute(ReadOnlySpan<byte> input)
    {
        var result = PolicyRequestParser.Parse(input, Limits);
        switch (result.Status)
        {
            case PolicyParseStatus.Complete:
                CheckComplete(input, result);
                return FuzzOutcome.Accepted;
            case PolicyParseStatus.NeedMoreData:
                InvariantViolation.Check(input.Length < Limits.MaxRequestBytes, $"{input.Length} bytes need more data, though the limit is {Limits.MaxRequestBytes}");
                InvariantViolation.Check(result.Request is null && result.Consumed == 0, "'need more data' with a request or consumed bytes");
                return FuzzOutcome.Rejected;
            default:
                InvariantViolation.Check(result.Error.Length > 0, "a malformed request without a reason");
                InvariantViolation.Check(result.Request is null, "a malformed request with a request");
                return FuzzOutcome.Rejected;
        }
    }

    private static void CheckComplete(ReadOnlySpan<byte> input, PolicyParseResult result)
    {
        var request = result.Request;
        InvariantViolation.Check(request is not null, "a complete request without a request");
        InvariantViolation.Check(result.Consumed > 0 && result.Consumed <= input.Length && result.Consumed <= Limits.MaxRequestBytes, $"consumed {result.Consumed} of {input.Length} bytes");
        var own = input[..result.Consumed];
        InvariantViolation.Check(own.EndsWith("\n\n"u8) || own.EndsWith("\n\r\n"u8), "a complete request that does not end with an empty line");
        foreach (var value in new[] { request!.ClientAddress, request.HeloName, request.Sender, request.Recipient, request.Instance })
        {
            InvariantViolation.Check(value.IndexOfAny(['\n', '\r', '\0']) < 0, $"an attribute value {InputText.Quote(value)} holds a line break or NUL");
        }

        var alone = PolicyRequestParser.Parse(own, Limits);
        InvariantViolation.CheckEqual(PolicyParseStatus.Complete, alone.Status, "the request's own bytes parsed alone");
        InvariantViolation.CheckEqual(result.Consumed, alone.Consumed, "bytes consumed by the request parsed alone");
        InvariantViolation.CheckEqual(request, alone.Request, "the request parsed alone");
        foreach (var length in new[] { result.Consumed - 1, result.Consumed / 2 })
        {
            var beginning = PolicyRequestParser.Parse(own[..length], Limits);
            InvariantViolation.CheckEqual(PolicyParseStatus.NeedMoreData, beginning.Status, $"the first {length} bytes of a complete request");
        }
    }
}
