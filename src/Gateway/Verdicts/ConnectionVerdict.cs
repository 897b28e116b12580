namespace Clearinghouse.Gateway.Verdicts;

/// <summary>A CONNECT-time verdict: accept, or reject with <c>554 5.7.1</c> and the map entry's text.</summary>
public sealed record ConnectionVerdict(bool Reject, int SmtpCode, string EnhancedCode, string Text, string? MatchedIdentifier, string Reason)
{
    public const string DefaultRejectText = "Connection refused by policy";

    public static readonly ConnectionVerdict NoMatch = new(false, 250, "2.0.0", "OK", null, "no connection map entry matches");
}
