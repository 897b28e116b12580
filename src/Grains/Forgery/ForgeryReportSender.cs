using Clearinghouse.Domain;
using Clearinghouse.Grains.Mail;
using Microsoft.Extensions.Options;
using MimeKit;

namespace Clearinghouse.Grains.Forgery;

/// <summary>
/// Sends one forged domain's failure report (<see cref="AuthFailureReport"/>) through the configured relay to where
/// its owner wants it (<see cref="FailureReportRouting"/>: its DMARC <c>ruf=</c> addresses, else the configured
/// fallback). A DNS failure is retried by the outbox; no address and no fallback is a permanent refusal, with the
/// reason, visible to operators.
/// </summary>
public sealed class ForgeryReportSender(ITxtRecords dns, SmtpTransport mail, IOptionsMonitor<ForgeryOptions> options, IOptionsMonitor<EscalationOptions> escalation, TimeProvider clock)
{
    public async Task<DeliveryResult> SendAsync(ForgeryReport forgery, string deliveryId, CancellationToken cancellationToken)
    {
        var settings = options.CurrentValue.Mail;
        if (!options.CurrentValue.SendsReports)
        {
            return DeliveryResult.Refused($"{ForgeryOptions.Section}:Mail has no Host and From: failure reports are not sent");
        }

        MimeMessage report;
        try
        {
            report = AuthFailureReport.Build(settings.From, forgery, deliveryId, escalation.CurrentValue.ReporterName, clock.GetUtcNow());
        }
        catch (ParseException error)
        {
            return DeliveryResult.Refused($"{ForgeryOptions.Section}:Mail:From is unusable: {error.Message}");
        }

        var route = await new FailureReportRouting(dns).RouteAsync(forgery.Domain, SizeOf(report), cancellationToken);
        if (route.Retry)
        {
            return DeliveryResult.Retry(route.Note);
        }

        if (route.UseFallback)
        {
            var fallback = settings.To.Replace("{domain}", forgery.Domain, StringComparison.Ordinal).Trim();
            if (fallback.Length == 0)
            {
                return DeliveryResult.Refused($"no failure-report address: {route.Note}, and {ForgeryOptions.Section}:Mail:To is not set");
            }

            if (!MailboxAddress.TryParse(fallback, out var fallbackAddress))
            {
                return DeliveryResult.Refused($"{ForgeryOptions.Section}:Mail:To is not an address ({route.Note})");
            }

            report.To.Add(fallbackAddress);
        }
        else
        {
            report.To.AddRange(route.Recipients.Select(r => new MailboxAddress("", r.Value)));
        }

        return await mail.SendAsync(settings, report, cancellationToken);
    }

    private static long SizeOf(MimeMessage message)
    {
        using var counter = new MimeKit.IO.MeasuringStream();
        message.WriteTo(counter);
        return counter.Length;
    }
}
