using Clearinghouse.Domain;
using Microsoft.Extensions.Options;
using MimeKit;

namespace Clearinghouse.Grains.Escalation;

/// <summary>Sends one delivery of a case by its destination's transport: a signed webhook or an ARF e-mail.</summary>
public sealed class EscalationSender(WebhookTransport webhooks, ArfMailTransport mail, IOptionsMonitor<EscalationOptions> options, TimeProvider clock)
{
    public async Task<DeliveryResult> SendAsync(string name, EscalationDestination destination, EscalationCase escalation, string deliveryId, CancellationToken cancellationToken)
    {
        if (destination.Problem() is { } problem)
        {
            return DeliveryResult.Refused($"destination '{name}' is misconfigured: {problem}");
        }

        var reporter = options.CurrentValue.ReporterName;
        if (destination.Webhook is { } webhook)
        {
            return await webhooks.SendAsync(webhook, EvidenceDocument.For(escalation, deliveryId, name, destination.Kind, reporter), cancellationToken);
        }

        MimeMessage report;
        try
        {
            report = ArfReport.Build(destination.Email!, escalation, deliveryId, reporter, clock.GetUtcNow());
        }
        catch (ParseException error)
        {
            return DeliveryResult.Refused($"destination '{name}' has an unusable address: {error.Message}");
        }

        return await mail.SendAsync(destination.Email!, report, cancellationToken);
    }
}

/// <summary>Refuses to start with a destination that could never be delivered to.</summary>
public sealed class EscalationOptionsValidator : IValidateOptions<EscalationOptions>
{
    public ValidateOptionsResult Validate(string? name, EscalationOptions options)
    {
        var problems = options.Destinations
            .Select(d => d.Value.Problem() is { } problem ? $"Clearinghouse:Escalation:Destinations:{d.Key}: {problem}" : null)
            .OfType<string>()
            .ToList();
        if (options.MaxAttempts < 1)
        {
            problems.Add("Clearinghouse:Escalation:MaxAttempts must be at least 1");
        }

        if (options.FirstRetryDelay <= TimeSpan.Zero || options.MaxRetryDelay < options.FirstRetryDelay)
        {
            problems.Add("Clearinghouse:Escalation:FirstRetryDelay must be positive and at most MaxRetryDelay");
        }

        return problems.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(problems);
    }
}
