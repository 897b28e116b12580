namespace Clearinghouse.Domain;

/// <summary>
/// How much of an escalation case a destination receives (<c>Destinations:&lt;name&gt;:Disclosure</c>). Each level
/// includes the one before it. Whatever the level, a <see cref="DestinationKind.ReportingProvider"/> destination
/// receives only its own provider's evidence, and recipients are never named: at <see cref="Full"/> they appear as an
/// identifier keyed per destination (see <see cref="CaseDisclosure"/>).
/// </summary>
public enum DisclosureLevel
{
    /// <summary>The case, the sender, why it escalated and the aggregate counts.</summary>
    Counts = 0,

    /// <summary>Also each sampled violation: channel, how the recipient asked, the dates, both messages' Message-IDs and header digests.</summary>
    Messages = 1,

    /// <summary>Also the reporting providers, each violation's provider, and keyed recipient and report identifiers.</summary>
    Full = 2,
}
