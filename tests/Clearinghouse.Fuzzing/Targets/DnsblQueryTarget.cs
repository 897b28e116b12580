using System.Globalization;
using System.Net.Sockets;
using System.Security.Cryptography;
using System.Text;
using Clearinghouse.Domain;
using Clearinghouse.Gateway.Dnsbl;

namespace Clearinghouse.Fuzzing.Targets;

/// <summary>Query names sent to the DNS blocklist, as the DNS server hands them on (text, any case, trailing dot or not).</summary>
public sealed class DnsblQueryTarget : TextFuzzTarget
{
    private static readonly DnsblZone[] Zones =
    [
        new(DnsblZoneKind.Ip, "ip.bl.example"),
        new(DnsblZoneKind.Domain, "dbl.bl.example"),
        new(DnsblZoneKind.Address, "hash.bl.example"),
    ];

    private static readonly DnsblZones Open = new(Zones, requireAccessKey: false);
    private static readonly DnsblZones Keyed = new(Zones, requireAccessKey: true);

    public override string Name => "dnsbl-query";

    public override string Description =>
        "DnsblQueryParser.Parse (src/Gateway/Dnsbl), with and without access keys. It never throws; a name is malformed " +
        "exactly when it or a label is empty or too long; a trailing dot and (for ASCII names) case change nothing; a " +
        "domain subject is the name's labels in lower case ASCII; hashes are 40 lower-case hex digits or 52 base32 " +
        "characters; an IP read from a full-length name is written back to the same name.";

    public override IReadOnlyList<string> Dictionary => [".", "ip.bl.example", "dbl.bl.example", "hash.bl.example", "0", "255", "f", "xn--", "-", "_"];

    public override FuzzOutcome Execute(string text)
    {
        var outcome = FuzzOutcome.Rejected;
        foreach (var zones in new[] { Open, Keyed })
        {
            var query = DnsblQueryParser.Parse(text, zones);
            Check(text, zones, query);
            if (query.Kind is DnsblQueryKind.Ip or DnsblQueryKind.Domain or DnsblQueryKind.AddressSha1 or DnsblQueryKind.AddressSha256)
            {
                outcome = FuzzOutcome.Accepted;
            }
        }

        return outcome;
    }

    private static void Check(string text, DnsblZones zones, DnsblQuery query)
    {
        var name = text.EndsWith('.') ? text[..^1] : text;
        var labels = name.Split('.');
        var malformed = name.Length is 0 or > 253 || labels.Any(label => label.Length is 0 or > 63);
        InvariantViolation.CheckEqual(malformed, query.Kind == DnsblQueryKind.Malformed, $"{InputText.Quote(text)} is malformed");
        if (!text.EndsWith('.'))
        {
            InvariantViolation.Check(Same(query, DnsblQueryParser.Parse(text + ".", zones)), $"{InputText.Quote(text)} read differently with a trailing dot");
        }

        if (text.All(char.IsAscii))
        {
            InvariantViolation.Check(Same(query, DnsblQueryParser.Parse(text.ToUpperInvariant(), zones)), $"{InputText.Quote(text)} read differently in upper case");
        }

        if (query.Kind is DnsblQueryKind.Malformed or DnsblQueryKind.OutsideZones)
        {
            InvariantViolation.Check(query.Zone is null, "a zone for a name outside every zone");
            return;
        }

        var zone = query.Zone!;
        InvariantViolation.Check(name.EndsWith(zone.Name, StringComparison.OrdinalIgnoreCase) && (name.Length == zone.Name.Length || name[^(zone.Name.Length + 1)] == '.'), $"{InputText.Quote(text)} is not under the zone {zone.Name}");
        var subject = labels[..^zone.Labels.Length];
        if (zones.RequireAccessKey && subject.Length > 0)
        {
            InvariantViolation.Check(subject[^1].Equals(query.AccessKey, StringComparison.OrdinalIgnoreCase) && !query.AccessKey!.Any(char.IsAsciiLetterUpper), "the access key");
            subject = subject[..^1];
        }

        switch (query.Kind)
        {
            case DnsblQueryKind.Domain:
                InvariantViolation.CheckEqual(DnsblZoneKind.Domain, zone.Kind, "the zone of a domain query");
                InvariantViolation.Check(query.Subject.All(c => char.IsAsciiDigit(c) || char.IsAsciiLetterLower(c) || c is '-' or '_' or '.'), $"the domain subject {InputText.Quote(query.Subject)} is not lower-case ASCII");
                InvariantViolation.Check(string.Join('.', subject).Equals(query.Subject, StringComparison.OrdinalIgnoreCase), $"the domain subject {InputText.Quote(query.Subject)} is not the name's labels");
                break;
            case DnsblQueryKind.AddressSha1:
                InvariantViolation.Check(query.Subject.Length == 40 && query.Subject.All(c => char.IsAsciiDigit(c) || c is >= 'a' and <= 'f'), $"{InputText.Quote(query.Subject)} is not a hex SHA-1");
                break;
            case DnsblQueryKind.AddressSha256:
                InvariantViolation.Check(query.Subject.Length == 52 && query.Subject.All(c => c is (>= 'a' and <= 'z') or (>= '2' and <= '7')), $"{InputText.Quote(query.Subject)} is not a base32 SHA-256");
                break;
            case DnsblQueryKind.Ip:
                InvariantViolation.Check(query.V4 is not null || query.V6 is not null, "an IP query without an address");
                if (query.V4 is { Length: 32 } v4 && subject.Length == 4)
                {
                    var written = string.Join('.', v4.Network.GetAddressBytes().Reverse().Select(b => b.ToString(CultureInfo.InvariantCulture)));
                    InvariantViolation.Check(written.Equals(string.Join('.', subject), StringComparison.Ordinal), $"{InputText.Quote(text)} read as {v4.Network}");
                }

                if (query.V6 is { Length: 128 } v6)
                {
                    InvariantViolation.CheckEqual(AddressFamily.InterNetworkV6, v6.Network.AddressFamily, "the family of an IPv6 reading");
                    var nibbles = string.Join('.', Convert.ToHexStringLower(v6.Network.GetAddressBytes()).Reverse());
                    InvariantViolation.Check(nibbles.Equals(string.Join('.', subject), StringComparison.OrdinalIgnoreCase), $"{InputText.Quote(text)} read as {v6.Network}");
                }

                break;
        }
    }

    private static bool Same(DnsblQuery a, DnsblQuery b) =>
        a.Kind == b.Kind && a.Zone?.Name == b.Zone?.Name && a.AccessKey == b.AccessKey && a.Subject == b.Subject && Equals(a.V4, b.V4) && Equals(a.V6, b.V6);

    protected override IEnumerable<string> SeedTexts() =>
    [
        "2.0.0.127.ip.bl.example", "1.2.0.192.ip.bl.example.", "0.192.ip.bl.example",
        "1.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.8.b.d.0.1.0.0.2.ip.bl.example",
        "bulk.example.dbl.bl.example", "xn--bcher-kva.example.DBL.bl.example", "ip.bl.example", "key1.ip.bl.example",
        "da39a3ee5e6b4b0d3255bfef95601890afd80709.hash.bl.example", "nothing.example", "a..b.ip.bl.example",
        Base32Sha256("a@b.example") + ".hash.bl.example",
    ];

    protected override string GenerateText(FuzzRandom random)
    {
        var zone = random.Pick(Zones);
        var subject = zone.Kind switch
        {
            DnsblZoneKind.Ip => random.Chance(0.5)
                ? string.Join('.', Grammars.Ipv4(random).Split('.').Reverse())
                : string.Join('.', Enumerable.Range(0, random.Chance(0.7) ? 32 : random.Between(1, 33)).Select(_ => "0123456789abcdefABCDEFg"[random.Next(23)])),
            DnsblZoneKind.Domain => Grammars.Domain(random),
            _ => random.Chance(0.5) ? Convert.ToHexStringLower(SHA1.HashData(Encoding.UTF8.GetBytes(Grammars.Address(random)))) : Base32Sha256(Grammars.Address(random)),
        };
        var name = random.Next(10) switch
        {
            0 => zone.Name,
            1 => $"{Grammars.Label(random)}.{zone.Name}",
            2 => $"{subject}.{Grammars.Label(random)}.{zone.Name}",
            3 => $"{subject}.{Grammars.Domain(random)}",
            _ => $"{subject}.{zone.Name}",
        };
        if (random.Chance(0.3))
        {
            name = random.Chance(0.5) ? name.ToUpperInvariant() : name + ".";
        }

        return name;
    }

    private static string Base32Sha256(string address) => HashedAddressForms.Base32(SHA256.HashData(Encoding.UTF8.GetBytes(address)));
}
