using System.Diagnostics.CodeAnalysis;
using Clearinghouse.Domain;

namespace Clearinghouse.Contracts;

/// <summary>
/// Answers a check without a grain call when the recipient's grain is active in this very process: it reads the
/// snapshot of records the grain publishes after each persisted change. False when the grain is elsewhere (or not
/// active), or when only the grain can decide (a do-not-send request may make the message a violation, which is
/// written before it is answered).
/// </summary>
public interface ILocalRecipientChecks
{
    bool TryCheck(string recipientKey, CheckRequest request, [NotNullWhen(true)] out Verdict? verdict);
}

/// <summary>For a process that hosts no recipient grains (a gateway running as a plain Orleans client).</summary>
public sealed class NoLocalRecipientChecks : ILocalRecipientChecks
{
    public bool TryCheck(string recipientKey, CheckRequest request, [NotNullWhen(true)] out Verdict? verdict)
    {
        verdict = null;
        return false;
    }
}
