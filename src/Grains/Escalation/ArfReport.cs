using System.Globalization;
using System.Text;
using Clearinghouse.Domain;
using MimeKit;
using MimeKit.Utils;

namespace Clearinghouse.Grains.Escalation;

/// <summary>
/// Builds an RFC 5965 abuse report (<c>multipart/report; report-type=feedback-report</c>) for a case: a readable
/// summary, the machine-readable <c>message/feedback-report</c> part, and the headers of the latest violating message
/// as far as the evidence holds them (<c>text/rfc822-headers</c>; the clearing house never holds message content).
/// What it says follows the destination's <see cref="DisclosureLevel"/>: at <see cref="DisclosureLevel.Counts"/> no
/// message identifier or date, below <see cref="DisclosureLevel.Full"/> no provider or recipient.
/// The Message-ID is derived from the delivery id, so a receiver can recognise a repeated delivery.
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

        var headers = new MimeMessage();
        headers.From.Add(MailboxAddress.Parse(sender.Value));
        if (latest is not null)
        {
            headers.Date = latest.SecondMessage.Date;
            if (latest.SecondMessage.MessageId.Length > 0)
            {
                // As the evidence holds it: the MessageId setter refuses ids a provider may report ("a@b(", "x@.") and
                // rewrites others ("a@b," becomes "a@b").
                headers.Headers.Replace(HeaderId.MessageId, $"<{latest.SecondMessage.MessageId}>");
            }
        }

        report.Add(new TextRfc822Headers { Message = headers });
        message.Body = report;
        return message;
    }

    private static string Summary(EscalationCase escalation, DisclosureLevel level)
    {
        var text = new StringBuilder();
        text.AppendLine(CultureInfo.InvariantCulture, $"The sender {escalation.Sender.Value} kept sending after recipients asked it to stop.");
        text.AppendLine(CultureInfo.InvariantCulture, $"Case {escalation.CaseId}, opened {escalation.OpenedAt:u}: {escalation.Reason}.");
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
                $"- {who}: first message <{e.FirstMessage.MessageId}> of {e.FirstMessage.Date:u}; " +
                $"asked to stop ({e.RequestMethod}) on {e.RequestedAt:u}; second message <{e.SecondMessage.MessageId}> of {e.SecondMessage.Date:u}.");
        }

        return text.ToString();
    }

    private static string DomainOf(string address)
    {
        var mailbox = MailboxAddress.Parse(address);
        var at = mailbox.Address.LastIndexOf('@');
        return at >= 0 ? mailbox.Address[(at + 1)..] : "clearinghouse.invalid";
    }
}
