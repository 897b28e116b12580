using Clearinghouse.Domain;
using Microsoft.Extensions.Options;

namespace Clearinghouse.Grains.Escalation;

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
