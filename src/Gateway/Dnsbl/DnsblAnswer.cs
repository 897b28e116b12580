using ARSoft.Tools.Net.Dns;
using Clearinghouse.Domain;

namespace Clearinghouse.Gateway.Dnsbl;

/// <summary>The records an answer carries (the answer section's, and the zone's SOA in the authority section).</summary>
[Flags]
public enum DnsblRecords
{
    None = 0,
    A = 1,
    Txt = 2,
    Soa = 4,
    Ns = 8,

    /// <summary>The zone's SOA in the authority section: every negative answer (NXDOMAIN, NOERROR without data).</summary>
    AuthoritySoa = 16,
}

/// <summary>
/// What the DNS blocklist answers to one question, before it is encoded: the return code, which records, and what
/// they are made from (the zone, the listing). Both encoders (ARSoft.Tools.Net's messages for TCP, <see cref="DnsblWire"/>
/// for UDP) write exactly this.
/// </summary>
public readonly record struct DnsblAnswer(ReturnCode Code, DnsblRecords Records, DnsblZone? Zone = null, FilterListing? Listing = null)
{
    /// <summary>Authoritative for answers from a zone; not for errors (REFUSED, FORMERR, NOTIMP).</summary>
    public bool IsAuthoritative => Code is ReturnCode.NoError or ReturnCode.NxDomain;

    public static DnsblAnswer Error(ReturnCode code) => new(code, DnsblRecords.None);
}
