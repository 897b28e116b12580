namespace Clearinghouse.Gateway.Policy;

/// <summary>The SMTP protocol stage a Postfix policy request is made at (<c>protocol_state</c>).</summary>
public enum PolicyProtocolState
{
    Other,
    Connect,
    Helo,
    Ehlo,
    Mail,
    Rcpt,
    Data,
    EndOfMessage,
    Vrfy,
    Etrn,
}

/// <summary>
/// The attributes of one Postfix SMTPD access policy request that the clearing house uses, as sent (unknown and
/// unused attributes are dropped). A missing attribute is empty; an empty <see cref="Sender"/> is the null sender.
/// </summary>
public sealed record PolicyRequest(
    PolicyProtocolState ProtocolState,
    string ClientAddress,
    string HeloName,
    string Sender,
    string Recipient,
    string Instance);
