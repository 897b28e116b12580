using System.Globalization;
using System.Text;
using Clearinghouse.Domain;
using Clearinghouse.Grains.Escalation;
using MimeKit;
using MimeKit.Cryptography;
using MailAuthenticationResults = MimeKit.Cryptography.AuthenticationResults;
using MimeKit.Utils;

namespace Clearinghouse.Grains.Forgery;

/// <summary>
/// Builds an RFC 6591 authentication-failure report for one period of a domain's forgeries: an RFC 5965 feedback report
/// (<c>multipart/report; report-type=feedback-report</c>, built like the escalation's <see cref="ArfReport"/>) with
/// <c>Feedback-Type: auth-failure</c>, <c>Auth-Failure</c> (spf or dmarc), <c>Reported-Domain</c>, <c>Incidents</c>
/// (the period's count), and, for the latest sample, <c>Original-Mail-From</c>, <c>Arrival-Date</c>, the
/// <c>Authentication-Results</c> that were reported (written with MimeKit) and its headers as far as the clearing house
/// holds them (its Message-ID). The readable part lists the sample. No recipient and no provider is named. Its own
/// Message-ID derives from the delivery id, so a repeated delivery is recognisable.
/// </summary>
public static class AuthFailureReport
{
    public static MimeMessage Build(string from, ForgeryReport forgery, string deliveryId, string reporter, DateTimeOffset now)
    {
        var latest = forgery.Samples.OrderBy(s => s.ReportedAt).LastOrDefault();
        var message = new MimeMessage();
        message.From.Add(MailboxAddress.Parse(from));
        message.Subject = $"Authentication failure report: {forgery.Count} forged messages claiming {forgery.Domain}";
        message.Date = now;
        message.MessageId = $"{Sha256Hex.Of(deliveryId)[..32]}@{ArfReport.DomainOf(from)}";
        message.Headers.Add("X-Clearinghouse-Delivery", deliveryId);

        var report = new MultipartReport("feedback-report");
        report.Add(new TextPart("plain") { Text = Summary(forgery) });

        var feedback = new MessageFeedbackReport();
        feedback.Fields.Add("Feedback-Type", "auth-failure");
        feedback.Fields.Add("User-Agent", $"{reporter}/1.0");
        feedback.Fields.Add("Version", "1");
        feedback.Fields.Add("Auth-Failure", forgery.AuthFailure);
        if (latest is not null)
        {
            feedback.Fields.Add("Original-Mail-From", $"<{latest.Sender.Value}>");
            feedback.Fields.Add("Arrival-Date", DateUtils.FormatDate(latest.Message.Date));
            feedback.Fields.Add("Authentication-Results", Results(reporter, latest).ToString());
        }

        feedback.Fields.Add("Reported-Domain", forgery.Domain);
        feedback.Fields.Add("Incidents", forgery.Count.ToString(CultureInfo.InvariantCulture));
        report.Add(feedback);

        report.Add(ArfReport.OriginalHeaders(latest?.Message.MessageId ?? ""));
        message.Body = report;
        return message;
    }

    /// <summary>The sample's results as an Authentication-Results header (RFC 8601) of the reporter.</summary>
    private static MailAuthenticationResults Results(string reporter, ForgedViolation sample)
    {
        var results = new MailAuthenticationResults(reporter.Replace(' ', '-'));
        var seen = sample.Results;
        var spf = new AuthenticationMethodResult("spf", Name(seen.Spf));
        spf.Properties.Add(new AuthenticationMethodProperty("smtp", "mailfrom", sample.Sender.Value));
        results.Results.Add(spf);
        if (seen.Dkim != DkimResult.None)
        {
            var dkim = new AuthenticationMethodResult("dkim", Name(seen.Dkim));
            if (seen.DkimDomain.Length > 0)
            {
                dkim.Properties.Add(new AuthenticationMethodProperty("header", "d", seen.DkimDomain));
            }

            results.Results.Add(dkim);
        }

        if (seen.Dmarc != DmarcResult.None)
        {
            var dmarc = new AuthenticationMethodResult("dmarc", Name(seen.Dmarc));
            dmarc.Properties.Add(new AuthenticationMethodProperty("header", "from", sample.Sender.Domain));
            results.Results.Add(dmarc);
        }

        return results;
    }

    private static string Name<T>(T result) where T : struct, Enum => result.ToString().ToLowerInvariant();

    private static string Summary(ForgeryReport forgery)
    {
        var text = new StringBuilder();
        text.AppendLine(CultureInfo.InvariantCulture,
            $"Between {forgery.PeriodStart:u} and {forgery.PeriodEnd:u}, {forgery.Count} messages claiming a sender at {forgery.Domain} " +
            $"failed authentication ({forgery.SpfFailures} SPF fail or softfail, {forgery.DmarcFailures} DMARC fail).");
        text.AppendLine("Recipients had asked these senders to stop, and providers reported the messages to the clearing house as violations.");
        text.AppendLine(CultureInfo.InvariantCulture, $"They were counted as forgeries of {forgery.Domain}, not against it: {forgery.Domain} is not listed for them.");
        text.AppendLine(CultureInfo.InvariantCulture, $"At most one such report is sent per domain and period; this one covers report {forgery.ReportId}.");
        text.AppendLine();
        text.AppendLine("Latest forged messages:");
        foreach (var sample in forgery.Samples)
        {
            var id = sample.Message.MessageId.Length > 0 ? $"<{sample.Message.MessageId}>" : "(Message-ID not known)";
            text.AppendLine(CultureInfo.InvariantCulture,
                $"- from {sample.Sender.Value}, {id} of {sample.Message.Date:u}: SPF {Name(sample.Results.Spf)}, DKIM {Name(sample.Results.Dkim)}, DMARC {Name(sample.Results.Dmarc)}.");
        }

        return text.ToString();
    }
}
