using System.Security.Cryptography;
using System.Text;

namespace Clearinghouse.Domain;

/// <summary>A case as one destination may see it (see <see cref="CaseDisclosure"/>), and the level that applies.</summary>
public sealed record DisclosedCase(EscalationCase Case, DisclosureLevel Level);

/// <summary>
/// Cuts a case down to what one destination may learn. A <see cref="DestinationKind.ReportingProvider"/> destination
/// keeps only its own provider's evidence and sees only itself among the reporting providers. Every recipient
/// identifier and report key is replaced by an HMAC-SHA256 under a key of that destination's own (derived from the
/// cluster's secret and the destination's name): reports to one destination correlate (the same recipient has the
/// same identifier in every case), but no receiver can confirm a guessed address, and two destinations cannot join
/// their identifiers. What the <see cref="DisclosureLevel"/> leaves out is left to the document builders.
/// </summary>
public sealed class CaseDisclosure
{
    private const string KeyLabel = "clearinghouse/escalation-identifiers/v1\n";
    private readonly byte[] secret;

    public CaseDisclosure(string secret)
    {
        if (string.IsNullOrEmpty(secret))
        {
            throw new ArgumentException("the identifier secret is required", nameof(secret));
        }

        this.secret = Encoding.UTF8.GetBytes(secret);
    }

    public DisclosedCase For(EscalationCase escalation, string destinationName, EscalationDestination destination)
    {
        ArgumentNullException.ThrowIfNull(escalation);
        ArgumentNullException.ThrowIfNull(destination);
        var key = HMACSHA256.HashData(secret, Encoding.UTF8.GetBytes(KeyLabel + destinationName));
        var ownProviderOnly = destination.Kind == DestinationKind.ReportingProvider ? destination.Provider ?? "" : null;
        var evidence = escalation.Evidence
            .Where(e => ownProviderOnly is null || e.ProviderId == ownProviderOnly)
            .Select(e => e with { RecipientHash = Keyed(key, "recipient\n" + e.RecipientHash), ReportKey = Keyed(key, "report\n" + e.ReportKey) })
            .ToList();
        var providers = ownProviderOnly is null ? escalation.ReportingProviders : escalation.ReportingProviders.Where(p => p == ownProviderOnly).ToList();
        return new DisclosedCase(escalation with { Evidence = evidence, ReportingProviders = providers }, destination.DisclosureLevel);
    }

    private static string Keyed(byte[] key, string value) =>
        Convert.ToHexStringLower(HMACSHA256.HashData(key, Encoding.UTF8.GetBytes(value)));
}
