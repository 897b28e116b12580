using System.Globalization;
using System.Net;
using System.Net.Sockets;
using Clearinghouse.Domain;

namespace Clearinghouse.Gateway.Verification;

public enum SpfMechanismKind
{
    All,
    Include,
    A,
    Mx,
    Ptr,
    Ip4,
    Ip6,
    Exists,
}

/// <summary>
/// One mechanism of an SPF record (RFC 7208 section 5): its qualifier as the result it gives when it matches, the
/// domain-spec (a macro-string; null means the current domain), and the CIDR lengths or network it compares with.
/// </summary>
public sealed record SpfMechanism(
    SpfResult Qualifier,
    SpfMechanismKind Kind,
    string? DomainSpec = null,
    IPAddress? Network = null,
    int Ip4PrefixLength = 32,
    int Ip6PrefixLength = 128)
{
    public int PrefixLengthFor(AddressFamily family) => family == AddressFamily.InterNetworkV6 ? Ip6PrefixLength : Ip4PrefixLength;
}

/// <summary>A parsed SPF record: its mechanisms in order, and the <c>redirect=</c> and <c>exp=</c> modifiers.</summary>
public sealed class SpfRecord
{
    private SpfRecord(IReadOnlyList<SpfMechanism> mechanisms, string? redirect, string? explanation)
    {
        Mechanisms = mechanisms;
        Redirect = redirect;
        Explanation = explanation;
    }

    public IReadOnlyList<SpfMechanism> Mechanisms { get; }

    public string? Redirect { get; }

    public string? Explanation { get; }

    /// <summary>True for a TXT record that is an SPF record: "v=spf1" alone or followed by a space (section 4.5).</summary>
    public static bool IsSpfRecord(string text) =>
        text.StartsWith("v=spf1", StringComparison.OrdinalIgnoreCase) && (text.Length == 6 || text[6] == ' ');

    /// <summary>Parses an SPF record; a syntax error is a permerror for the domain that publishes it.</summary>
    public static bool TryParse(string text, out SpfRecord record, out string problem)
    {
        record = null!;
        if (!IsSpfRecord(text))
        {
            problem = "does not start with v=spf1";
            return false;
        }

        var mechanisms = new List<SpfMechanism>();
        string? redirect = null, explanation = null;
        foreach (var term in text[6..].Split(' ', StringSplitOptions.RemoveEmptyEntries))
        {
            if (TryParseModifier(term, out var name, out var value, out problem))
            {
                if (name is null)
                {
                    continue;
                }

                if ((name == "redirect" && redirect is not null) || (name == "exp" && explanation is not null))
                {
                    problem = $"the {name} modifier appears twice";
                    return false;
                }

                if (name == "redirect")
                {
                    redirect = value;
                }
                else
                {
                    explanation = value;
                }

                continue;
            }

            if (problem.Length > 0)
            {
                return false;
            }

            if (!TryParseMechanism(term, out var mechanism, out problem))
            {
                return false;
            }

            mechanisms.Add(mechanism);
        }

        record = new SpfRecord(mechanisms, redirect, explanation);
        problem = "";
        return true;
    }

    // A modifier is name=value where name = ALPHA *( ALPHA / DIGIT / "-" / "_" / "." ). Unknown modifiers are ignored
    // (name null); redirect and exp are returned.
    private static bool TryParseModifier(string term, out string? name, out string value, out string problem)
    {
        name = null;
        value = "";
        problem = "";
        var equals = term.IndexOf('=');
        if (equals <= 0 || !char.IsAsciiLetter(term[0]) || !term.AsSpan(0, equals).ContainsOnlyNameCharacters())
        {
            return false;
        }

        var key = term[..equals].ToLowerInvariant();
        value = term[(equals + 1)..];
        if (key is "redirect" or "exp")
        {
            if (!SpfMacro.IsValidMacroString(value) || value.Length == 0)
            {
                problem = $"the {key} modifier has an invalid domain-spec '{value}'";
                return false;
            }

            name = key;
        }

        return true;
    }

    private static bool TryParseMechanism(string term, out SpfMechanism mechanism, out string problem)
    {
        mechanism = null!;
        var qualifier = term[0] switch
        {
            '+' => SpfResult.Pass,
            '-' => SpfResult.Fail,
            '~' => SpfResult.SoftFail,
            '?' => SpfResult.Neutral,
            _ => (SpfResult?)null,
        };
        var body = qualifier is null ? term : term[1..];
        var result = qualifier ?? SpfResult.Pass;
        var nameEnd = body.IndexOfAny([':', '/']);
        var name = (nameEnd < 0 ? body : body[..nameEnd]).ToLowerInvariant();
        var rest = nameEnd < 0 ? "" : body[nameEnd..];
        problem = $"the term '{term}' is not valid";

        switch (name)
        {
            case "all" when rest.Length == 0:
                mechanism = new SpfMechanism(result, SpfMechanismKind.All);
                return true;
            case "include" or "exists":
                if (!rest.StartsWith(':') || rest.Length == 1 || !SpfMacro.IsValidMacroString(rest[1..]))
                {
                    return false;
                }

                mechanism = new SpfMechanism(result, name == "include" ? SpfMechanismKind.Include : SpfMechanismKind.Exists, rest[1..]);
                return true;
            case "ptr":
                if (rest.Length > 0 && (!rest.StartsWith(':') || rest.Length == 1 || !SpfMacro.IsValidMacroString(rest[1..])))
                {
                    return false;
                }

                mechanism = new SpfMechanism(result, SpfMechanismKind.Ptr, rest.Length > 0 ? rest[1..] : null);
                return true;
            case "a" or "mx":
                return TryParseDomainWithCidr(result, name == "a" ? SpfMechanismKind.A : SpfMechanismKind.Mx, rest, ref mechanism, ref problem);
            case "ip4" or "ip6":
                return TryParseNetwork(result, name == "ip4" ? SpfMechanismKind.Ip4 : SpfMechanismKind.Ip6, rest, ref mechanism, ref problem);
            default:
                problem = $"unknown mechanism in '{term}'";
                return false;
        }
    }

    // [ ":" domain-spec ] [ dual-cidr-length ], dual-cidr-length = [ "/" ip4-cidr-length ] [ "//" ip6-cidr-length ]
    private static bool TryParseDomainWithCidr(SpfResult qualifier, SpfMechanismKind kind, string rest, ref SpfMechanism mechanism, ref string problem)
    {
        string? domainSpec = null;
        var cidr = rest;
        if (rest.StartsWith(':'))
        {
            var slash = SlashOutsideMacros(rest);
            domainSpec = slash < 0 ? rest[1..] : rest[1..slash];
            cidr = slash < 0 ? "" : rest[slash..];
            if (domainSpec.Length == 0 || !SpfMacro.IsValidMacroString(domainSpec))
            {
                return false;
            }
        }

        int ip4 = 32, ip6 = 128;
        if (cidr.Length > 0)
        {
            if (cidr[0] != '/')
            {
                return false;
            }

            var doubleSlash = cidr.IndexOf("//", StringComparison.Ordinal);
            var ip4Text = doubleSlash == 0 ? "" : doubleSlash < 0 ? cidr[1..] : cidr[1..doubleSlash];
            var ip6Text = doubleSlash < 0 ? null : cidr[(doubleSlash + 2)..];
            if ((ip4Text.Length > 0 && !TryPrefixLength(ip4Text, 32, out ip4, ref problem))
                || (ip6Text is not null && !TryPrefixLength(ip6Text, 128, out ip6, ref problem)))
            {
                return false;
            }
        }

        mechanism = new SpfMechanism(qualifier, kind, domainSpec, null, ip4, ip6);
        return true;
    }

    private static bool TryParseNetwork(SpfResult qualifier, SpfMechanismKind kind, string rest, ref SpfMechanism mechanism, ref string problem)
    {
        if (!rest.StartsWith(':'))
        {
            return false;
        }

        var text = rest[1..];
        var slash = text.IndexOf('/');
        var addressText = slash < 0 ? text : text[..slash];
        var family = kind == SpfMechanismKind.Ip4 ? AddressFamily.InterNetwork : AddressFamily.InterNetworkV6;
        var max = family == AddressFamily.InterNetwork ? 32 : 128;
        if (!IpPrefix.TryParseAddress(addressText, out var address, out _)
            || address.AddressFamily != family
            || (kind == SpfMechanismKind.Ip6 && !addressText.Contains(':')))
        {
            problem = $"'{rest[1..]}' is not an {(family == AddressFamily.InterNetwork ? "IPv4" : "IPv6")} network";
            return false;
        }

        var length = max;
        if (slash >= 0 && !TryPrefixLength(text[(slash + 1)..], max, out length, ref problem))
        {
            return false;
        }

        mechanism = family == AddressFamily.InterNetwork
            ? new SpfMechanism(qualifier, kind, null, address, Ip4PrefixLength: length)
            : new SpfMechanism(qualifier, kind, null, address, Ip6PrefixLength: length);
        return true;
    }

    private static bool TryPrefixLength(string text, int max, out int length, ref string problem)
    {
        // RFC 7208 4.6.1: a leading zero is not allowed; the length is 0..32 or 0..128.
        if (text.Length == 0 || (text.Length > 1 && text[0] == '0')
            || !int.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out length) || length > max)
        {
            length = 0;
            problem = $"the CIDR length '{text}' is not between 0 and {max}";
            return false;
        }

        return true;
    }

    private static int SlashOutsideMacros(string text)
    {
        var depth = 0;
        for (var i = 0; i < text.Length; i++)
        {
            switch (text[i])
            {
                case '{':
                    depth++;
                    break;
                case '}':
                    depth--;
                    break;
                case '/' when depth == 0:
                    return i;
            }
        }

        return -1;
    }
}

internal static class SpfNameCharacters
{
    public static bool ContainsOnlyNameCharacters(this ReadOnlySpan<char> name)
    {
        foreach (var c in name)
        {
            if (!(char.IsAsciiLetterOrDigit(c) || c is '-' or '_' or '.'))
            {
                return false;
            }
        }

        return true;
    }
}
