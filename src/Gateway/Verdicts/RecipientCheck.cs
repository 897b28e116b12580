using System.Net;
using Clearinghouse.Domain;
using Clearinghouse.Gateway.Security;

namespace Clearinghouse.Gateway.Verdicts;

/// <summary>
/// One RCPT-time check as every edge protocol (gRPC, the Postfix policy listener) hands it to the
/// <see cref="VerdictPipeline"/>: already parsed and normalised, and the caller already known to own the recipient.
/// </summary>
public sealed record RecipientCheck(
    Caller Caller,
    Address Recipient,
    Address Sender,
    MessageChannel Channel,
    IPAddress? ClientIp = null,
    string? Helo = null,
    MessageEvidence? Message = null);

/// <summary>A verdict with how the sender was verified (for the reply's <c>sender_verified</c>, <c>spf_result</c>).</summary>
public sealed record CheckedVerdict(Verdict Verdict, SenderVerification Verification);
