using System.Net;
using System.Net.Sockets;

namespace Clearinghouse.Gateway.Verification;

public enum DnsStatus
{
    /// <summary>Records of the type asked for.</summary>
    Found,

    /// <summary>NXDOMAIN, or the name exists without records of that type: a "void lookup" in SPF's terms.</summary>
    NotFound,

    /// <summary>No usable answer: timeout, unreachable server, SERVFAIL, REFUSED.</summary>
    Failed,
}

/// <summary>One DNS answer: its status, its records, and how long it may be kept.</summary>
public readonly record struct DnsAnswer<T>(DnsStatus Status, IReadOnlyList<T> Records, TimeSpan Ttl)
{
    public static DnsAnswer<T> Failed => new(DnsStatus.Failed, [], TimeSpan.Zero);
}

/// <summary>The DNS questions sender verification asks. Names are ASCII (IDNA) domain names without a trailing dot.</summary>
public interface IDnsLookup
{
    /// <summary>TXT records, each one's strings concatenated (RFC 7208 section 3.3).</summary>
    Task<DnsAnswer<string>> TxtAsync(string name, CancellationToken cancellationToken);

    /// <summary>A records (IPv4) or AAAA records (IPv6).</summary>
    Task<DnsAnswer<IPAddress>> AddressesAsync(string name, AddressFamily family, CancellationToken cancellationToken);

    /// <summary>The exchange names of the MX records.</summary>
    Task<DnsAnswer<string>> MxAsync(string name, CancellationToken cancellationToken);

    /// <summary>The names the PTR records of <paramref name="address"/>'s reverse name point to.</summary>
    Task<DnsAnswer<string>> PtrAsync(IPAddress address, CancellationToken cancellationToken);
}
