using Clearinghouse.Gateway.Dnsbl;
using Clearinghouse.Gateway.Security;
using Clearinghouse.UnitTests.Security;
using Microsoft.Extensions.Logging.Abstractions;

namespace Clearinghouse.UnitTests.Dnsbl;

/// <summary>The zones and responder the DNS blocklist's unit tests answer from: no access keys, no tenants.</summary>
internal static class TestDnsbl
{
    public static DnsblOptions Options() => new() { IpZone = "ip.dnsbl.test", DomainZone = "dbl.dnsbl.test", AddressZone = "hbl.dnsbl.test", NameServer = "ns.dnsbl.test", Hostmaster = "hostmaster.dnsbl.test" };

    // The wire path and the responder must share one set of zones: answers compare them by reference.
    public static DnsblResponder Responder(DnsblIndex index, DnsblOptions options, DnsblZones zones) =>
        new(index, zones, options, new CallerDirectory(new FixedOptions<TenancyOptions>(new TenancyOptions()), NullLogger<CallerDirectory>.Instance));
}
