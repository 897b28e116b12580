using System.Globalization;
using System.Text;
using Clearinghouse.Domain;
using Clearinghouse.Gateway.Verdicts;

namespace Clearinghouse.Gateway.Policy;

/// <summary>When the cluster cannot answer within a listener's time budget.</summary>
public enum PolicyFailureMode
{
    /// <summary>Answer <c>DUNNO</c>: Postfix goes on with its other restrictions, the mail is not held up.</summary>
    Open,

    /// <summary>Answer <c>DEFER_IF_PERMIT</c>: the client is told to retry later (450) unless Postfix rejects anyway.</summary>
    Closed,
}

/// <summary>
/// The Postfix access(5) action for each verdict, per DESIGN.md's table. A reject is given in Postfix's numeric form
/// (<c>550 5.7.1 text</c>), which is a REJECT with the verdict's own code; plain <c>REJECT</c> would answer with
/// Postfix's <c>access_map_reject_code</c> (554). Texts are one line of valid UTF-8.
/// </summary>
public static class PolicyActions
{
    public const string Dunno = "DUNNO";
    public const string Ok = "OK";
    public const string UnavailableText = "4.3.0 Clearinghouse policy service unavailable; try again later";

    /// <param name="verdict">The recipient check's verdict.</param>
    /// <param name="allowRecordsAnswerOk">
    /// Whether a recipient's allow record answers <c>OK</c> (skip Postfix's later restrictions) rather than <c>DUNNO</c>.
    /// Off by default: an <c>OK</c> from a policy service placed before <c>reject_unauth_destination</c> makes an open relay.
    /// </param>
    public static string ForRecipient(Verdict verdict, bool allowRecordsAnswerOk) => verdict.Action switch
    {
        VerdictAction.Reject => Reply(verdict.SmtpCode, verdict.EnhancedCode, verdict.Text),
        VerdictAction.Defer => "DEFER_IF_PERMIT " + verdict.EnhancedCode + " " + OneLine(verdict.Text),
        VerdictAction.Discard => "DISCARD Clearinghouse: " + OneLine(verdict.Reason),
        VerdictAction.Bounce => "DISCARD Clearinghouse: " + OneLine(verdict.Reason) + "; notice to the sender",
        _ when verdict.MatchedRecordId is not null && allowRecordsAnswerOk => Ok,
        _ => Dunno,
    };

    public static string ForConnection(ConnectionVerdict verdict) =>
        verdict.Reject ? Reply(verdict.SmtpCode, verdict.EnhancedCode, verdict.Text) : Dunno;

    public static string WhenUnavailable(PolicyFailureMode mode) =>
        mode == PolicyFailureMode.Closed ? "DEFER_IF_PERMIT " + UnavailableText : Dunno;

    /// <summary>The action's verb for metrics: <c>REJECT</c> for a 5xx reply, <c>DEFER</c> for a 4xx one, else its first word.</summary>
    public static string Verb(string action)
    {
        var space = action.IndexOf(' ', StringComparison.Ordinal);
        var first = space < 0 ? action.AsSpan() : action.AsSpan(0, space);
        return first switch
        {
            [>= '0' and <= '9', _, _] => first[0] == '5' ? "REJECT" : "DEFER",
            Dunno => Dunno,
            Ok => Ok,
            "DISCARD" => "DISCARD",
            "DEFER_IF_PERMIT" => "DEFER_IF_PERMIT",
            _ => first.ToString(),
        };
    }

    /// <summary>The bytes Postfix reads: <c>action=...</c> and an empty line.</summary>
    public static byte[] Encode(string action)
    {
        var bytes = new byte[EncodedLength(action)];
        Encode(action, bytes);
        return bytes;
    }

    /// <summary>The most octets <see cref="Encode(string, Span{byte})"/> writes for <paramref name="action"/>.</summary>
    public static int EncodedLength(string action) => ActionPrefix.Length + Encoding.UTF8.GetByteCount(action) + 2;

    /// <summary>Writes <c>action=...</c> and an empty line into <paramref name="destination"/> (at least <see cref="EncodedLength"/> octets); returns the length.</summary>
    public static int Encode(string action, Span<byte> destination)
    {
        ActionPrefix.CopyTo(destination);
        var length = ActionPrefix.Length + Encoding.UTF8.GetBytes(action, destination[ActionPrefix.Length..]);
        destination[length++] = (byte)'\n';
        destination[length++] = (byte)'\n';
        return length;
    }

    private static ReadOnlySpan<byte> ActionPrefix => "action="u8;

    private static string Reply(int code, string enhancedCode, string text) =>
        string.Create(CultureInfo.InvariantCulture, $"{code} {enhancedCode} {OneLine(text)}");

    // Verdict texts are sanitised when stored; this holds for every text that reaches Postfix, whatever its source:
    // no line breaks or controls, at most 450 characters. Encoding.UTF8 replaces a lone surrogate with U+FFFD, so the
    // bytes are always valid UTF-8.
    private static string OneLine(string text) => ReplyText.Sanitize(text);
}
