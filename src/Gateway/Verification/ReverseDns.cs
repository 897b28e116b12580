using System.Net;
using Clearinghouse.Domain;

namespace Clearinghouse.Gateway.Verification;

/// <summary>Forward-confirmed reverse DNS: the PTR names of an IP whose own A/AAAA records include that IP.</summary>
public static class ReverseDns
{
    /// <summary>
    /// The validated names of <paramref name="ip"/> (RFC 7208 section 5.5: at most the first 10 PTR names are tried),
    /// and the shortest TTL of the answers used. A failed lookup gives no names.
    /// </summary>
    public static async Task<(IReadOnlyList<string> Names, TimeSpan Ttl)> ConfirmedNamesAsync(IDnsLookup dns, IPAddress ip, CancellationToken cancellationToken)
    {
        var pointers = await dns.PtrAsync(ip, cancellationToken);
        var ttl = pointers.Status == DnsStatus.Failed ? TimeSpan.Zero : pointers.Ttl;
        var confirmed = new List<string>();
        foreach (var name in pointers.Records.Take(SpfEvaluator.MaxNamesPerMechanism))
        {
            var forward = await dns.AddressesAsync(name, ip.AddressFamily, cancellationToken);
            if (forward.Status == DnsStatus.Failed)
            {
                continue;
            }

            ttl = forward.Ttl < ttl ? forward.Ttl : ttl;
            if (forward.Records.Any(ip.Equals))
            {
                confirmed.Add(name);
            }
        }

        return (confirmed, ttl);
    }

    /// <summary>True when <paramref name="name"/> is <paramref name="domain"/> or one of its subdomains.</summary>
    public static bool IsAtOrUnder(string name, string domain) =>
        name == domain || SenderPattern.IsStrictSuffix(name, domain);
}
