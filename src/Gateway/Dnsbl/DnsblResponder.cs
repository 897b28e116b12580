using System.Net;
using ARSoft.Tools.Net.Dns;
using Clearinghouse.Domain;
using Clearinghouse.Gateway.Security;
using DnsName = ARSoft.Tools.Net.DomainName;

namespace Clearinghouse.Gateway.Dnsbl;

/// <summary>
/// Answers DNS blocklist queries from a <see cref="DnsblIndex"/> (RFC 5782): for a listed name an A record in
/// 127.0.0.0/8 (<see cref="IpCode"/>, <see cref="DomainCode"/>, <see cref="AddressCode"/> by entry kind) and a TXT
/// record with the reason and case id; NXDOMAIN for a name that is not listed; NOERROR without data for an empty
/// non-terminal and for other record types of a listed name; SOA and NS at each zone's apex, and the SOA in the
/// authority section of every negative answer; REFUSED for a name outside the zones, a query of another class, and
/// (when keys are required) a missing or unknown access key. The RFC 5782 test points answer as listed
/// (<c>127.0.0.2</c>, <c>::ffff:127.0.0.2</c>, <c>TEST</c>), <c>127.0.0.1</c> and <c>INVALID</c> do not. No wildcard,
/// and never an A record for an error: an error is REFUSED, FORMERR or SERVFAIL.
/// </summary>
public sealed class DnsblResponder(DnsblIndex index, DnsblZones zones, DnsblOptions options, CallerDirectory callers)
{
    public static readonly IPAddress IpCode = IPAddress.Parse("127.0.0.2");
    public static readonly IPAddress DomainCode = IPAddress.Parse("127.0.1.2");
    public static readonly IPAddress AddressCode = IPAddress.Parse("127.0.2.2");

    /// <summary>What the RFC 5782 test points are listed with.</summary>
    public static readonly FilterListing TestListing = new(new FilterEntry(FilterEntryKind.Ip, "127.0.0.2"), "rfc5782", "RFC 5782 test point");

    /// <summary>The SOA's refresh, retry and expire (seconds): fixed, the zones are not transferred.</summary>
    public const int SoaRefresh = 3600;
    public const int SoaRetry = 600;
    public const int SoaExpire = 604800;

    private static readonly IPAddress TestPoint = IPAddress.Parse("127.0.0.2");

    private readonly int ttl = (int)options.Ttl.TotalSeconds;
    private readonly int negativeTtl = (int)options.NegativeTtl.TotalSeconds;
    private readonly DnsName nameServer = DnsName.Parse(options.NameServer);
    private readonly DnsName hostmaster = DnsName.Parse(options.Hostmaster);

    /// <summary>The list's version as the zones' SOA serial: it changes with every change of the list.</summary>
    public uint Serial => (uint)(index.Version & uint.MaxValue);

    /// <summary>The name server named in the zones' NS and SOA records.</summary>
    public DnsName NameServer => nameServer;

    /// <summary>The zones' responsible mailbox (the SOA's RNAME).</summary>
    public DnsName Hostmaster => hostmaster;

    /// <summary>TTL of A and TXT answers and of the apex records, in seconds.</summary>
    public int Ttl => ttl;

    /// <summary>TTL of the SOA in negative answers and the SOA's minimum, in seconds.</summary>
    public int NegativeTtl => negativeTtl;

    /// <summary>The A record answered for a listed name of a zone of <paramref name="kind"/>.</summary>
    public static IPAddress CodeFor(DnsblZoneKind kind) => kind switch
    {
        DnsblZoneKind.Ip => IpCode,
        DnsblZoneKind.Domain => DomainCode,
        _ => AddressCode,
    };

    /// <summary>Answers a whole query message (the TCP path, and tests): the checks of the header, then <see cref="Decide"/>.</summary>
    public DnsMessage Answer(DnsMessage query)
    {
        var response = query.CreateResponseInstance();
        response.IsRecursionAllowed = false;
        var answer = query.OperationCode != OperationCode.Query ? Count(DnsblAnswer.Error(ReturnCode.NotImplemented))
            : query.Questions.Count != 1 ? Count(DnsblAnswer.Error(ReturnCode.FormatError))
            : Decide(query.Questions[0].Name.Labels, query.Questions[0].RecordType, query.Questions[0].RecordClass);
        response.ReturnCode = answer.Code;
        response.IsAuthoritiveAnswer = answer.IsAuthoritative;
        if (answer.Zone is not { } zone)
        {
            return response;
        }

        var owner = query.Questions[0].Name;
        var zoneName = DnsName.Parse(zone.Name);
        if (answer.Records.HasFlag(DnsblRecords.A))
        {
            response.AnswerRecords.Add(new ARecord(owner, ttl, CodeFor(zone.Kind)));
        }

        if (answer.Records.HasFlag(DnsblRecords.Txt))
        {
            response.AnswerRecords.Add(new TxtRecord(owner, ttl, DnsblText.Strings(DnsblText.For(answer.Listing!))));
        }

        if (answer.Records.HasFlag(DnsblRecords.Soa))
        {
            response.AnswerRecords.Add(Soa(zoneName, ttl));
        }

        if (answer.Records.HasFlag(DnsblRecords.Ns))
        {
            response.AnswerRecords.Add(new NsRecord(zoneName, ttl, nameServer));
        }

        if (answer.Records.HasFlag(DnsblRecords.AuthoritySoa))
        {
            response.AuthorityRecords.Add(Soa(zoneName, negativeTtl));
        }

        return response;
    }

    /// <summary>
    /// What to answer to one question (a standard query): the name's labels as they came, the type and the class.
    /// Counted in <see cref="ClearinghouseTelemetry.DnsblQueries"/>.
    /// </summary>
    public DnsblAnswer Decide(IReadOnlyList<string> labels, RecordType type, RecordClass recordClass) =>
        Count(Build(labels, type, recordClass));

    /// <summary>Counts an answer in <see cref="ClearinghouseTelemetry.DnsblQueries"/> by zone and result.</summary>
    public static DnsblAnswer Count(DnsblAnswer answer)
    {
        var result = answer.Code switch
        {
            ReturnCode.NoError when (answer.Records & (DnsblRecords.A | DnsblRecords.Txt | DnsblRecords.Soa | DnsblRecords.Ns)) == 0 => "empty",
            ReturnCode.NoError => (answer.Records & (DnsblRecords.Soa | DnsblRecords.Ns)) != 0 ? "apex" : "listed",
            ReturnCode.NxDomain => "not_listed",
            ReturnCode.Refused => "refused",
            _ => "error",
        };
        ClearinghouseTelemetry.DnsblQueries.Add(1, new System.Diagnostics.TagList
        {
            { "zone", answer.Zone is { } zone && answer.IsAuthoritative ? ZoneTag(zone.Kind) : "none" },
            { "result", result },
        });
        return answer;
    }

    private static string ZoneTag(DnsblZoneKind kind) => kind switch
    {
        DnsblZoneKind.Ip => "ip",
        DnsblZoneKind.Domain => "domain",
        _ => "address",
    };

    private DnsblAnswer Build(IReadOnlyList<string> labels, RecordType type, RecordClass recordClass)
    {
        var parsed = DnsblQueryParser.Parse(labels, zones);
        if (recordClass is not (RecordClass.INet or RecordClass.Any) || parsed.Kind is DnsblQueryKind.OutsideZones or DnsblQueryKind.Malformed
            || (parsed.AccessKey is { } key && !callers.TryAuthenticateDnsblKey(key, out _)))
        {
            return DnsblAnswer.Error(parsed.Kind == DnsblQueryKind.Malformed ? ReturnCode.FormatError : ReturnCode.Refused);
        }

        var zone = parsed.Zone!;
        if (parsed.Kind == DnsblQueryKind.Apex)
        {
            var apex = (type is RecordType.Soa or RecordType.Any ? DnsblRecords.Soa : DnsblRecords.None)
                | (type is RecordType.Ns or RecordType.Any ? DnsblRecords.Ns : DnsblRecords.None);
            return new DnsblAnswer(ReturnCode.NoError, apex == DnsblRecords.None ? DnsblRecords.AuthoritySoa : apex, zone);
        }

        switch (Lookup(parsed))
        {
            case (Listing: { } listing, _):
                var records = (type is RecordType.A or RecordType.Any ? DnsblRecords.A : DnsblRecords.None)
                    | (type is RecordType.Txt or RecordType.Any ? DnsblRecords.Txt : DnsblRecords.None);
                return new DnsblAnswer(ReturnCode.NoError, records == DnsblRecords.None ? DnsblRecords.AuthoritySoa : records, zone, listing);
            case (null, NamesBelow: true):
                return new DnsblAnswer(ReturnCode.NoError, DnsblRecords.AuthoritySoa, zone);
            default:
                return new DnsblAnswer(ReturnCode.NxDomain, DnsblRecords.AuthoritySoa, zone);
        }
    }

    private (FilterListing? Listing, bool NamesBelow) Lookup(DnsblQuery query)
    {
        switch (query.Kind)
        {
            case DnsblQueryKind.AccessKeyOnly:
                return (null, true);
            case DnsblQueryKind.Ip:
                if (query.V4 is { Length: 32 } v4 && (v4.Network.Equals(TestPoint) ? TestListing : index.MatchIp(v4)) is { } byV4)
                {
                    return (byV4, false);
                }

                if (query.V6 is { Length: 128 } v6 && index.MatchIp(v6) is { } byV6)
                {
                    return (byV6, false);
                }

                var below = (query.V4 is { Length: < 32 } p4 && (p4.Contains(TestPoint) || index.HasNamesBelow(p4)))
                    || (query.V6 is { Length: < 128 } p6 && (IsAboveMappedTestPoint(p6) || index.HasNamesBelow(p6)));
                return (null, below);
            case DnsblQueryKind.Domain:
                if (query.Subject == "test")
                {
                    return (TestListing, false);
                }

                return query.Subject == "invalid" ? (null, false) : (index.MatchDomain(query.Subject), index.HasDomainsBelow(query.Subject));
            case DnsblQueryKind.AddressSha1:
                return (index.MatchAddressSha1(query.Subject), false);
            case DnsblQueryKind.AddressSha256:
                return (index.MatchAddressSha256Base32(query.Subject), false);
            default:
                return (null, false);
        }
    }

    // The IPv6 test point ::ffff:127.0.0.2 (32 nibbles) has the empty non-terminals above it too.
    private static bool IsAboveMappedTestPoint(IpPrefix prefix) =>
        prefix.Contains(TestPoint.MapToIPv6());

    private SoaRecord Soa(DnsName zoneName, int recordTtl) =>
        new(zoneName, recordTtl, nameServer, hostmaster, Serial, SoaRefresh, SoaRetry, SoaExpire, negativeTtl);
}

/// <summary>The TXT text of a listing: printable ASCII (TXT records are octets; clients expect ASCII), reason and case.</summary>
public static class DnsblText
{
    public static string For(FilterListing listing)
    {
        var text = $"Listed by Clearinghouse: {listing.Reason} (case {listing.CaseId})";
        return new string([.. text.Select(c => c is >= ' ' and <= '~' ? c : '?')]);
    }

    /// <summary>The text as TXT character-strings: each holds at most 255 octets.</summary>
    public static IEnumerable<string> Strings(string text)
    {
        for (var i = 0; i < text.Length; i += 255)
        {
            yield return text.Substring(i, Math.Min(255, text.Length - i));
        }
    }
}
