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

    private static readonly IPAddress TestPoint = IPAddress.Parse("127.0.0.2");

    private readonly int ttl = (int)options.Ttl.TotalSeconds;
    private readonly int negativeTtl = (int)options.NegativeTtl.TotalSeconds;
    private readonly DnsName nameServer = DnsName.Parse(options.NameServer);
    private readonly DnsName hostmaster = DnsName.Parse(options.Hostmaster);

    public DnsMessage Answer(DnsMessage query)
    {
        var response = Build(query, out var zone);
        var result = response.ReturnCode switch
        {
            ReturnCode.NoError when response.AnswerRecords.Count == 0 => "empty",
            ReturnCode.NoError => zone is null || response.AnswerRecords[0].RecordType is RecordType.Soa or RecordType.Ns ? "apex" : "listed",
            ReturnCode.NxDomain => "not_listed",
            ReturnCode.Refused => "refused",
            _ => "error",
        };
        ClearinghouseTelemetry.DnsblQueries.Add(1, new System.Diagnostics.TagList
        {
            { "zone", zone?.ToString().ToLowerInvariant() ?? "none" },
            { "result", result },
        });
        return response;
    }

    private DnsMessage Build(DnsMessage query, out DnsblZoneKind? zoneKind)
    {
        zoneKind = null;
        var response = query.CreateResponseInstance();
        response.IsAuthoritiveAnswer = true;
        response.IsRecursionAllowed = false;
        if (query.OperationCode != OperationCode.Query)
        {
            response.ReturnCode = ReturnCode.NotImplemented;
            response.IsAuthoritiveAnswer = false;
            return response;
        }

        if (query.Questions.Count != 1)
        {
            response.ReturnCode = ReturnCode.FormatError;
            response.IsAuthoritiveAnswer = false;
            return response;
        }

        var question = query.Questions[0];
        var parsed = DnsblQueryParser.Parse(question.Name.Labels, zones);
        if (question.RecordClass is not (RecordClass.INet or RecordClass.Any) || parsed.Kind is DnsblQueryKind.OutsideZones or DnsblQueryKind.Malformed
            || (parsed.AccessKey is { } key && !callers.TryAuthenticateDnsblKey(key, out _)))
        {
            response.ReturnCode = parsed.Kind == DnsblQueryKind.Malformed ? ReturnCode.FormatError : ReturnCode.Refused;
            response.IsAuthoritiveAnswer = false;
            return response;
        }

        var zone = parsed.Zone!;
        zoneKind = zone.Kind;
        var zoneName = DnsName.Parse(zone.Name);
        if (parsed.Kind == DnsblQueryKind.Apex)
        {
            AnswerApex(response, question, zoneName);
            return response;
        }

        switch (Lookup(parsed))
        {
            case (Listing: { } listing, _):
                AnswerListed(response, question, zone.Kind, listing, zoneName);
                break;
            case (null, NamesBelow: true):
                Negative(response, zoneName, ReturnCode.NoError);
                break;
            default:
                Negative(response, zoneName, ReturnCode.NxDomain);
                break;
        }

        return response;
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

    private void AnswerListed(DnsMessage response, DnsQuestion question, DnsblZoneKind kind, FilterListing listing, DnsName zoneName)
    {
        var code = kind switch
        {
            DnsblZoneKind.Ip => IpCode,
            DnsblZoneKind.Domain => DomainCode,
            _ => AddressCode,
        };
        var wantsA = question.RecordType is RecordType.A or RecordType.Any;
        var wantsTxt = question.RecordType is RecordType.Txt or RecordType.Any;
        if (wantsA)
        {
            response.AnswerRecords.Add(new ARecord(question.Name, ttl, code));
        }

        if (wantsTxt)
        {
            response.AnswerRecords.Add(new TxtRecord(question.Name, ttl, TxtStrings(DnsblText.For(listing))));
        }

        if (!wantsA && !wantsTxt)
        {
            Negative(response, zoneName, ReturnCode.NoError);
        }
    }

    private void AnswerApex(DnsMessage response, DnsQuestion question, DnsName zoneName)
    {
        var type = question.RecordType;
        if (type is RecordType.Soa or RecordType.Any)
        {
            response.AnswerRecords.Add(Soa(zoneName, ttl));
        }

        if (type is RecordType.Ns or RecordType.Any)
        {
            response.AnswerRecords.Add(new NsRecord(zoneName, ttl, nameServer));
        }

        if (response.AnswerRecords.Count == 0)
        {
            Negative(response, zoneName, ReturnCode.NoError);
        }
    }

    private void Negative(DnsMessage response, DnsName zoneName, ReturnCode code)
    {
        response.ReturnCode = code;
        response.AuthorityRecords.Add(Soa(zoneName, negativeTtl));
    }

    // The serial is the list's version: it changes with every change of the list.
    private SoaRecord Soa(DnsName zoneName, int recordTtl) =>
        new(zoneName, recordTtl, nameServer, hostmaster, (uint)(index.Version & uint.MaxValue), 3600, 600, 604800, negativeTtl);

    // A TXT character-string holds at most 255 octets.
    private static IEnumerable<string> TxtStrings(string text)
    {
        for (var i = 0; i < text.Length; i += 255)
        {
            yield return text.Substring(i, Math.Min(255, text.Length - i));
        }
    }
}

/// <summary>The TXT text of a listing: printable ASCII (TXT records are octets; clients expect ASCII), reason and case.</summary>
public static class DnsblText
{
    public static string For(FilterListing listing)
    {
        var text = $"Listed by Clearinghouse: {listing.Reason} (case {listing.CaseId})";
        return new string([.. text.Select(c => c is >= ' ' and <= '~' ? c : '?')]);
    }
}
