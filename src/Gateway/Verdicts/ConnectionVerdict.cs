namespace Clearinghouse.Gateway.Verdicts;

/// <summary>
/// A CONNECT-time verdict: accept, or reject with <c>554 5.7.1</c> and the map entry's text (or the filter list's,
/// with <see cref="ListedCaseId"/>, when the client IP is on the global list).
/// </summary>
public sealed record ConnectionVerdict(bool Reject, int SmtpCode, string EnhancedCode, string Text, string? MatchedIdentifier, string Reason)
{
    public const string DefaultRejectText = "Connection refused by policy";

    public const string ListedRejectText = "Connection refused: the client IP is on the Clearinghouse filter list";

    /// <summary>The filter-list case that decided, when the global list rejected the client IP.</summary>
    public string? ListedCaseId { get; init; }

    public static readonly ConnectionVerdict NoMatch = new(false, 250, "2.0.0", "OK", null, "no connection map entry matches");
}
