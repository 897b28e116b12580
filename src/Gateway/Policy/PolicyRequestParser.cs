using System.Text;
using System.Text.Unicode;

namespace Clearinghouse.Gateway.Policy;

/// <summary>Bounds on what one policy request may be (a Postfix request is well under 1 KiB).</summary>
public sealed record PolicyLimits(int MaxLineBytes = 2048, int MaxAttributes = 100, int MaxRequestBytes = 16384);

public enum PolicyParseStatus
{
    /// <summary>A whole request was read; <see cref="PolicyParseResult.Consumed"/> bytes of the input belong to it.</summary>
    Complete,

    /// <summary>The input is a valid beginning of a request: read more and parse again from the same start.</summary>
    NeedMoreData,

    /// <summary>The input is not a policy request (<see cref="PolicyParseResult.Error"/> says why): close the connection.</summary>
    Malformed,
}

public readonly record struct PolicyParseResult(PolicyParseStatus Status, PolicyRequest? Request, int Consumed, string Error)
{
    public static PolicyParseResult NeedMoreData => new(PolicyParseStatus.NeedMoreData, null, 0, "");

    public static PolicyParseResult Malformed(string error) => new(PolicyParseStatus.Malformed, null, 0, error);
}

/// <summary>
/// Reads one request of Postfix's SMTPD policy delegation protocol (<c>SMTPD_POLICY_README</c>): <c>name=value</c>
/// lines, in any order, ended by an empty line. Lines end with LF (a CR before it is dropped). Unknown attributes are
/// ignored; a repeated one keeps its last value. Malformed: a line without <c>=</c> or with an empty name, a NUL byte,
/// a CR anywhere but just before the LF, bytes that are not UTF-8, a line longer than <see cref="PolicyLimits.MaxLineBytes"/>, more attributes than
/// <see cref="PolicyLimits.MaxAttributes"/>, a request longer than <see cref="PolicyLimits.MaxRequestBytes"/>, and a
/// request whose <c>request</c> attribute is missing or is not <c>smtpd_access_policy</c>. A pure function: bytes in,
/// a result out, nothing thrown.
/// </summary>
public static class PolicyRequestParser
{
    public const string AccessPolicyRequest = "smtpd_access_policy";

    public static PolicyParseResult Parse(ReadOnlySpan<byte> input, PolicyLimits limits)
    {
        var position = 0;
        var attributes = 0;
        var isAccessPolicy = false;
        var state = PolicyProtocolState.Other;
        string clientAddress = "", helo = "", sender = "", recipient = "", instance = "";
        while (true)
        {
            var rest = input[position..];
            var newline = rest.IndexOf((byte)'\n');
            if (newline < 0)
            {
                if (rest.Length > limits.MaxLineBytes)
                {
                    return PolicyParseResult.Malformed($"a line is longer than {limits.MaxLineBytes} bytes");
                }

                return input.Length >= limits.MaxRequestBytes
                    ? PolicyParseResult.Malformed($"the request is longer than {limits.MaxRequestBytes} bytes")
                    : PolicyParseResult.NeedMoreData;
            }

            if (newline > limits.MaxLineBytes)
            {
                return PolicyParseResult.Malformed($"a line is longer than {limits.MaxLineBytes} bytes");
            }

            var line = rest[..newline];
            if (!line.IsEmpty && line[^1] == (byte)'\r')
            {
                line = line[..^1];
            }

            position += newline + 1;
            if (position > limits.MaxRequestBytes)
            {
                return PolicyParseResult.Malformed($"the request is longer than {limits.MaxRequestBytes} bytes");
            }

            if (line.IsEmpty)
            {
                if (!isAccessPolicy)
                {
                    return PolicyParseResult.Malformed($"the request has no 'request={AccessPolicyRequest}' attribute");
                }

                var request = new PolicyRequest(state, clientAddress, helo, sender, recipient, instance);
                return new PolicyParseResult(PolicyParseStatus.Complete, request, position, "");
            }

            if (++attributes > limits.MaxAttributes)
            {
                return PolicyParseResult.Malformed($"the request has more than {limits.MaxAttributes} attributes");
            }

            var equals = line.IndexOf((byte)'=');
            if (equals <= 0)
            {
                return PolicyParseResult.Malformed("a line is not of the form name=value");
            }

            // A CR is allowed only before the LF (dropped above): one inside a value would reach logs and replies.
            if (line.IndexOfAny((byte)0, (byte)'\r') >= 0 || !Utf8.IsValid(line))
            {
                return PolicyParseResult.Malformed("a line contains a NUL byte, a CR before its end, or bytes that are not UTF-8");
            }

            var name = line[..equals];
            var value = line[(equals + 1)..];
            if (name.SequenceEqual("request"u8))
            {
                isAccessPolicy = value.SequenceEqual("smtpd_access_policy"u8);
                if (!isAccessPolicy)
                {
                    return PolicyParseResult.Malformed("the request type is not smtpd_access_policy");
                }
            }
            else if (name.SequenceEqual("protocol_state"u8))
            {
                state = StateOf(value);
            }
            else if (name.SequenceEqual("client_address"u8))
            {
                clientAddress = Encoding.UTF8.GetString(value);
            }
            else if (name.SequenceEqual("helo_name"u8))
            {
                helo = Encoding.UTF8.GetString(value);
            }
            else if (name.SequenceEqual("sender"u8))
            {
                sender = Encoding.UTF8.GetString(value);
            }
            else if (name.SequenceEqual("recipient"u8))
            {
                recipient = Encoding.UTF8.GetString(value);
            }
            else if (name.SequenceEqual("instance"u8))
            {
                instance = Encoding.UTF8.GetString(value);
            }
        }
    }

    private static PolicyProtocolState StateOf(ReadOnlySpan<byte> value) => value switch
    {
        _ when value.SequenceEqual("RCPT"u8) => PolicyProtocolState.Rcpt,
        _ when value.SequenceEqual("CONNECT"u8) => PolicyProtocolState.Connect,
        _ when value.SequenceEqual("EHLO"u8) => PolicyProtocolState.Ehlo,
        _ when value.SequenceEqual("HELO"u8) => PolicyProtocolState.Helo,
        _ when value.SequenceEqual("MAIL"u8) => PolicyProtocolState.Mail,
        _ when value.SequenceEqual("DATA"u8) => PolicyProtocolState.Data,
        _ when value.SequenceEqual("END-OF-MESSAGE"u8) => PolicyProtocolState.EndOfMessage,
        _ when value.SequenceEqual("VRFY"u8) => PolicyProtocolState.Vrfy,
        _ when value.SequenceEqual("ETRN"u8) => PolicyProtocolState.Etrn,
        _ => PolicyProtocolState.Other,
    };
}
