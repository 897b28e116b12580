using System.Globalization;
using System.Text;
using Clearinghouse.Domain;
using MimeKit;
using MimeKit.Utils;

namespace Clearinghouse.Grains.Escalation;

/// <summary>
/// Builds an RFC 5965 abuse report (<c>multipart/report; report-type=feedback-report</c>) for a case: a readable
/// summary, the machine-readable <c>message/feedback-report</c> part, and the headers of the latest violating message
/// that the clearing house holds (<c>text/rfc822-headers</c>). It holds no message content and none of a message's
/// headers but its Message-ID, so that part carries the Message-ID when a check or report gave one, and nothing
/// otherwise — never a header made up for the report (the envelope sender is <c>Original-Mail-From</c>). The summary
/// says which evidence is missing. What it says follows the destination's <see cref="DisclosureLevel"/>: at
/// <see cref="DisclosureLevel.Counts"/> no message identifier or date, below <see cref="DisclosureLevel.Full"/> no
/// provider or recipient. The report's own Message-ID is derived from the delivery id, so a receiver can recognise a
/// repeated delivery.
/// </summary>
public static class ArfReport
{
    public static MimeMessage Build(ArfMailSettings settings, DisclosedCase disclosed, string deliveryId, string reporter, DateTimeOffset now)
    {
        var escalation = disclosed.Case;
        var sender = escalation.Sender;
        var latest = disclosed.Level == DisclosureLevel.Counts ? null : escalation.Evidence.OrderBy(e => e.SecondMessage.Date).LastOrDefault();
        var message = new MimeMessage();
        message.From.Add(MailboxAddress.Parse(settings.From));
        message.To.Add(MailboxAddress.Parse(settings.To.Replace("{sender_domain}", sender.Domain, StringComparison.Ordinal)));
        message.Subject = $"Abuse report: {sender.Value} ignored do-not-send requests (case {escalation.CaseId})";
        message.Date = now;
        message.MessageId = $"{Sha256Hex.Of(deliveryId)[..32]}@{DomainOf(settings.From)}";
        message.Headers.Add("X-Clearinghouse-Case", escalation.CaseId);
        message.Headers.Add("X-Clearinghouse-Delivery", deliveryId);

        var report = new MultipartReport("feedback-report");
        report.Add(new TextPart("plain") { Text = Summary(escalation, disclosed.Level) });

        var feedback = new MessageFeedbackReport();
        feedback.Fields.Add("Feedback-Type", "abuse");
        feedback.Fields.Add("User-Agent", $"{reporter}/1.0");
        feedback.Fields.Add("Version", "1");
        feedback.Fields.Add("Original-Mail-From", $"<{sender.Value}>");
        if (latest is not null)
        {
            feedback.Fields.Add("Arrival-Date", DateUtils.FormatDate(latest.SecondMessage.Date));
        }

        feedback.Fields.Add("Reported-Domain", sender.Domain);
        feedback.Fields.Add("Incidents", escalation.Standing.ReportsInWindow.ToString(CultureInfo.InvariantCulture));
        report.Add(feedback);

        report.Add(OriginalHeaders(latest));
        message.Body = report;
        return message;
    }

    /// <summary>
    /// The header block of the latest violating message as far as the evidence holds it, written as is: a MimeMessage
    /// would add a Date, a MIME-Version and a Message-Id of its own making.
    /// </summary>
    internal static MimePart OriginalHeaders(ViolationReport? latest) => OriginalHeaders(latest?.SecondMessage.MessageId ?? "");

    /// <summary>The header block of a message the evidence knows only by its Message-ID (empty: none).</summary>
    internal static MimePart OriginalHeaders(string messageId)
    {
        var block = messageId.Length > 0 ? $"Message-ID: <{messageId}>\r\n" : "";
        return new MimePart("text", "rfc822-headers")
        {
            Content = new MimeContent(new MemoryStream(Encoding.UTF8.GetBytes(block))),
            ContentTransferEncoding = block.All(char.IsAscii) ? ContentEncoding.SevenBit : ContentEncoding.EightBit,
        };
    }

    private static string Summary(EscalationCase escalation, DisclosureLevel level)
    {
        var text = new StringBuilder();
        text.AppendLine(CultureInfo.InvariantCulture, $"The sender {escalation.Sender.Value} kept sending after recipients asked it to stop.");
        text.AppendLine(CultureInfo.InvariantCulture, $"Case {escalation.CaseId}, opened {escalation.OpenedAt:u}: {escalation.Reason}.");
        var counts = escalation.Authentication ?? AuthenticationCounts.None;
        text.AppendLine(CultureInfo.InvariantCulture, $"Reports by sender authentication: {counts.Verified} verified, {counts.Unverified} unverified, {counts.Forged} forged (forged reports count toward no case).");
        if (level == DisclosureLevel.Full)
        {
            text.AppendLine(CultureInfo.InvariantCulture, $"Reporting providers: {string.Join(", ", escalation.ReportingProviders)}.");
        }

        if (level == DisclosureLevel.Counts)
        {
            return text.ToString();
        }

        text.AppendLine();
        text.AppendLine(level == DisclosureLevel.Full ? "Evidence (recipients by an identifier keyed for this destination):" : "Evidence:");
        foreach (var e in escalation.Evidence)
        {
            var who = level == DisclosureLevel.Full ? $"recipient {e.RecipientHash[..16]}… via {e.ProviderId}" : "a recipient";
            text.AppendLine(CultureInfo.InvariantCulture,
                $"- {who}: first message {Describe(e.FirstMessage)}; " +
                $"asked to stop ({e.RequestMethod}) on {e.RequestedAt:u}; second message {Describe(e.SecondMessage)}.");
        }

        if (escalation.Evidence.Count == 0)
        {
            text.AppendLine("- none held.");
        }

        return text.ToString();
    }

    /// <summary>A message as far as the evidence holds it, saying what is missing rather than leaving it blank.</summary>
    private static string Describe(MessageEvidence message)
    {
        var id = message.MessageId.Length > 0 ? $"<{message.MessageId}>" : "(its Message-ID is not known: the check that found it carried none)";
        var digest = message.HeaderDigest.Length > 0 ? $", header block SHA-256 {message.HeaderDigest}" : ", header digest not known";
        return string.Create(CultureInfo.InvariantCulture, $"{id} of {message.Date:u}{digest}");
    }

    internal static string DomainOf(string address)
    {
        var mailbox = MailboxAddress.Parse(address);
        var at = mailbox.Address.LastIndexOf('@');
        return at >= 0 ? mailbox.Address[(at + 1)..] : "clearinghouse.invalid";
    }
}
