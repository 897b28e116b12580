using Microsoft.Extensions.Configuration;

namespace Clearinghouse.Gateway.Security;

/// <summary>
/// Who may call the gateway (configuration section <c>Clearinghouse</c>): providers by id, each with the recipient
/// domains it owns and the SHA-256 (hex) of each of its API keys, and the operators' key hashes. Keys themselves are
/// never stored. Several hashes per caller let a key be rotated without downtime: add the new hash, move the
/// clients, remove the old one; the file is re-read when it changes.
/// </summary>
public sealed class TenancyOptions
{
    public Dictionary<string, ProviderOptions> Providers { get; set; } = new(StringComparer.Ordinal);

    public OperatorOptions Operators { get; set; } = new();

    /// <summary>Write limits of every caller without its own (<c>Clearinghouse:RateLimits</c>).</summary>
    public WriteLimitOptions RateLimits { get; set; } = new();
}

public sealed class ProviderOptions
{
    /// <summary>"example.com" (that domain), "*.example.com" (its subdomains) or "*" (every domain; development only).</summary>
    public List<string> Domains { get; set; } = [];

    public List<string> ApiKeySha256 { get; set; } = [];

    /// <summary>
    /// Hex SHA-256 of each of the provider's DNS blocklist access keys: with <c>Clearinghouse:Dnsbl:RequireAccessKey</c>
    /// a query name carries a key as the label before the zone (<c>2.0.0.127.KEY.zone</c>), as Spamhaus DQS does.
    /// Separate from the API keys, since a DNS query crosses the network in clear.
    /// </summary>
    public List<string> DnsblKeySha256 { get; set; } = [];

    /// <summary>
    /// The provider's default maximum size of each recipient's blocking list and allow list (1 to 100,000); unset means
    /// the server's default (<c>Clearinghouse:Recipients:DefaultMaxRecords</c>). A recipient may have its own (API).
    /// </summary>
    public int? MaxRecordsPerRecipient { get; set; }
    /// <summary>This provider's own write limit; the default (<c>Clearinghouse:RateLimits</c>) when absent.</summary>
    public int? WritesPerSecond { get; set; }

    public int? WriteBurst { get; set; }
}

/// <summary>
/// Operators' credentials. Each operator has a name, which the audit trail records for everything it does:
/// <c>Clearinghouse:Operators:&lt;name&gt;:ApiKeySha256:&lt;n&gt;</c>. Key hashes configured directly under
/// <c>Clearinghouse:Operators:ApiKeySha256</c> (the older form) still work, under the name <see cref="UnnamedOperator"/>.
/// </summary>
public sealed class OperatorOptions
{
    public const string UnnamedOperator = "operator";

    /// <summary>Key hashes of the unnamed operator (the older configuration form).</summary>
    public List<string> ApiKeySha256 { get; set; } = [];

    /// <summary>Named operators' key hashes, read from the other children of the section (see <see cref="ReadNamed"/>).</summary>
    public Dictionary<string, List<string>> Named { get; set; } = new(StringComparer.Ordinal);

    /// <summary>Every child of <c>Clearinghouse:Operators</c> but <c>ApiKeySha256</c> is an operator named by its key.</summary>
    public static Dictionary<string, List<string>> ReadNamed(IConfigurationSection operators) =>
        operators.GetChildren()
            .Where(child => child.Key != nameof(ApiKeySha256))
            .ToDictionary(child => child.Key, child => child.GetSection(nameof(ApiKeySha256)).GetChildren().Select(k => k.Value ?? "").ToList(), StringComparer.Ordinal);
}

/// <summary>How many writes a caller may make through one gateway: a sustained rate and a burst. 0 = no limit.</summary>
public sealed class WriteLimitOptions
{
    public int WritesPerSecond { get; set; } = 1000;

    public int WriteBurst { get; set; } = 2000;
}
