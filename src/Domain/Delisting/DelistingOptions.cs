namespace Clearinghouse.Domain;

/// <summary>
/// Delisting requests from senders (configuration section <c>Clearinghouse:Delisting</c>): how often a subject may
/// remove itself, how many requests it may make, how long a proof may take, and the relay confirmation mail goes
/// through.
/// </summary>
public sealed class DelistingOptions
{
    public const string Section = "Clearinghouse:Delisting";

    /// <summary>The DNS proof: a TXT record at this label under the domain (<c>_clearinghouse-delist.example.com</c>).</summary>
    public const string DnsLabel = "_clearinghouse-delist";

    /// <summary>Proven requests removed at once per subject within <see cref="SelfServicePeriod"/>; beyond that, operators review.</summary>
    public int SelfServiceLimit { get; set; } = 2;

    public TimeSpan SelfServicePeriod { get; set; } = TimeSpan.FromDays(90);

    /// <summary>Requests per subject within <see cref="RequestWindow"/> (each may send one confirmation mail).</summary>
    public int RequestsPerSubject { get; set; } = 3;

    public TimeSpan RequestWindow { get; set; } = TimeSpan.FromDays(1);

    /// <summary>How long a request waits for its proof.</summary>
    public TimeSpan ProofTimeout { get; set; } = TimeSpan.FromHours(24);

    /// <summary>Requests kept per subject for operators and requesters (older finished ones are dropped).</summary>
    public int KeptRequests { get; set; } = 20;

    /// <summary>The relay confirmation mail goes through; without it only the DNS proof is offered.</summary>
    public SmtpRelaySettings? Mail { get; set; }

    public string? Problem()
    {
        if (SelfServiceLimit < 0 || RequestsPerSubject < 1 || KeptRequests < RequestsPerSubject)
        {
            return "SelfServiceLimit must be at least 0, RequestsPerSubject at least 1 and KeptRequests at least RequestsPerSubject";
        }

        if (SelfServicePeriod <= TimeSpan.Zero || RequestWindow <= TimeSpan.Zero || ProofTimeout <= TimeSpan.Zero)
        {
            return "SelfServicePeriod, RequestWindow and ProofTimeout must be positive";
        }

        return Mail is { } mail && (string.IsNullOrWhiteSpace(mail.Host) || string.IsNullOrWhiteSpace(mail.From))
            ? "Mail needs Host and From"
            : null;
    }
}
