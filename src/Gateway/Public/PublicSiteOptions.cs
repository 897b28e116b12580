namespace Clearinghouse.Gateway.Public;

/// <summary>
/// The public site (configuration section <c>Clearinghouse:Public</c>): the listing lookup and delisting requests,
/// without a credential, on a port of its own (HTTP/1.1; HTTPS when a certificate is configured, the Kestrel way).
/// </summary>
public sealed class PublicSiteOptions
{
    public const string Section = "Clearinghouse:Public";

    /// <summary>Off when absent.</summary>
    public int? Port { get; set; }

    /// <summary>The address to listen on: loopback by default, <c>0.0.0.0</c> in a pod.</summary>
    public string Address { get; set; } = "127.0.0.1";

    /// <summary>
    /// Where people reach the site (<c>https://delist.clearinghouse.example</c>): confirmation links are built on it,
    /// never on a request's Host header. Required unless the site listens on loopback.
    /// </summary>
    public string? BaseUrl { get; set; }

    /// <summary>A certificate makes the site HTTPS: <c>Path</c> (PEM with <c>KeyPath</c>, or PFX with <c>Password</c>).</summary>
    public CertificateSettings? Certificate { get; set; }

    /// <summary>Lookups per client address (an IPv6 client by its /64) and minute.</summary>
    public int LookupsPerMinute { get; set; } = 30;

    /// <summary>Delisting calls (requests, confirmations, DNS checks) per client address (IPv6: /64) and hour.</summary>
    public int DelistingCallsPerHour { get; set; } = 20;

    /// <summary>Whom to ask about what self-service cannot remove (an IP address), shown on the site.</summary>
    public string? Contact { get; set; }

    public string Scheme => Certificate is { Path.Length: > 0 } ? "https" : "http";

    /// <summary>The base of links: <see cref="BaseUrl"/>, or the listening address itself.</summary>
    public string LinkBase => (BaseUrl is { Length: > 0 } url ? url : $"{Scheme}://{Address}:{Port}").TrimEnd('/');
}

public sealed class CertificateSettings
{
    public string? Path { get; set; }

    public string? KeyPath { get; set; }

    public string? Password { get; set; }
}
