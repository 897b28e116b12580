namespace Clearinghouse.Gateway.Verification;

/// <summary>
/// The resolvers the gateway asks for SPF, MX, A/AAAA and PTR records, and how long answers are kept
/// (configuration section <c>Clearinghouse:Dns</c>).
/// </summary>
public sealed class DnsOptions
{
    public const string Section = "Clearinghouse:Dns";

    /// <summary>Recursive resolvers' IP addresses; empty means those of the host (<c>/etc/resolv.conf</c>).</summary>
    public List<string> Servers { get; set; } = [];

    /// <summary>The resolvers' port (UDP, with TCP for truncated answers).</summary>
    public int Port { get; set; } = 53;

    /// <summary>How long one query may take before the resolver counts as unreachable (SPF temperror).</summary>
    public TimeSpan QueryTimeout { get; set; } = TimeSpan.FromSeconds(2);

    /// <summary>How long a "no such record" answer is kept when the answer carries no SOA to say (RFC 2308).</summary>
    public TimeSpan NegativeCacheTtl { get; set; } = TimeSpan.FromMinutes(5);

    /// <summary>Upper bound on how long a verification result is kept, whatever the records' TTLs say.</summary>
    public TimeSpan MaxCacheTtl { get; set; } = TimeSpan.FromHours(1);

    /// <summary>How long a temperror is kept, so that a dead resolver does not stall every check.</summary>
    public TimeSpan TempErrorCacheTtl { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>Verification results kept per gateway, by (client IP, sender domain).</summary>
    public int MaxCacheEntries { get; set; } = 100_000;
}
