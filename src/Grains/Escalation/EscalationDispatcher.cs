using Clearinghouse.Domain;
using Clearinghouse.Grains.Mail;
using Microsoft.Extensions.Options;
using MimeKit;

namespace Clearinghouse.Grains.Escalation;

/// <summary>
/// Sends one delivery of a case by its destination's transport, a signed webhook or an ARF e-mail, with only what that
/// destination may learn (<see cref="CaseDisclosure"/>).
/// </summary>
public sealed class EscalationDispatcher(WebhookTransport webhooks, SmtpTransport mail, CaseDisclosure disclosure, IOptionsMonitor<EscalationOptions> options, TimeProvider clock)
{
    public async Task<DeliveryResult> SendAsync(string name, EscalationDestination destination, EscalationCase escalation, string deliveryId, CancellationToken cancellationToken)
    {
        if (destination.Problem() is { } problem)
        {
            return DeliveryResult.Refused($"destination '{name}' is misconfigured: {problem}");
        }

        var reporter = options.CurrentValue.ReporterName;
        var disclosed = disclosure.For(escalation, name, destination);
        if (destination.Webhook is { } webhook)
        {
            return await webhooks.SendAsync(webhook, EvidenceDocument.For(disclosed, deliveryId, name, destination.Kind, reporter), cancellationToken);
        }

        MimeMessage report;
        try
        {
            report = ArfReport.Build(destination.Email!, disclosed, deliveryId, reporter, clock.GetUtcNow());
        }
        catch (ParseException error)
        {
            return DeliveryResult.Refused($"destination '{name}' has an unusable address: {error.Message}");
        }

        return await mail.SendAsync(destination.Email!, report, cancellationToken);
    }
}
