namespace Clearinghouse.Gateway.Dnsbl;

/// <summary>The DNS blocklist of the filter list (configuration section <c>Clearinghouse:Dnsbl</c>). Off by default.</summary>
public sealed class DnsblOptions
{
    public const string Section = "Clearinghouse:Dnsbl";

    public bool Enabled { get; set; }

    /// <summary>The address to answer on (UDP and TCP).</summary>
    public string Address { get; set; } = "127.0.0.1";

    public int Port { get; set; } = 5353;

    /// <summary>Threads receiving on the one UDP socket (each answers the queries it receives inline).</summary>
    public int UdpReceiveThreads { get; set; } = 2;

    /// <summary>The zone of IP entries (IPv4 reversed octets, IPv6 reversed nibbles); empty to serve none.</summary>
    public string IpZone { get; set; } = "";

    /// <summary>The zone of domain entries (RHSBL: an entry covers its subdomains); empty to serve none.</summary>
    public string DomainZone { get; set; } = "";

    /// <summary>The zone of address entries (hex SHA-1 or base32 SHA-256 of the normalised address); empty to serve none.</summary>
    public string AddressZone { get; set; } = "";

    /// <summary>The name server named in the zones' NS and SOA records.</summary>
    public string NameServer { get; set; } = "localhost";

    /// <summary>The zones' responsible mailbox in DNS form (<c>hostmaster.example.org</c>).</summary>
    public string Hostmaster { get; set; } = "hostmaster.localhost";

    /// <summary>TTL of A and TXT answers and of the apex records.</summary>
    public TimeSpan Ttl { get; set; } = TimeSpan.FromMinutes(5);

    /// <summary>How long resolvers may cache "not listed" (the SOA's minimum): a new listing is seen at most this late.</summary>
    public TimeSpan NegativeTtl { get; set; } = TimeSpan.FromMinutes(1);

    /// <summary>
    /// Queries must carry a provider's access key as the label before the zone (<c>2.0.0.127.KEY.zone</c>, as Spamhaus
    /// DQS does); others are REFUSED. Keys: <c>Clearinghouse:Providers:&lt;id&gt;:DnsblKeySha256</c>.
    /// </summary>
    public bool RequireAccessKey { get; set; }

    /// <summary>A directory to keep rbldnsd data files of the list in (rewritten after changes); none when empty.</summary>
    public string ExportDirectory { get; set; } = "";

    /// <summary>How often the export directory is brought up to date with the list.</summary>
    public TimeSpan ExportInterval { get; set; } = TimeSpan.FromSeconds(10);
}
