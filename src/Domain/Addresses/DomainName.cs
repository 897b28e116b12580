using System.Globalization;
using System.Net;

namespace Clearinghouse.Domain;

/// <summary>
/// Domain names as they are compared everywhere in the system: IDNA (punycode) ASCII form, lower case,
/// no trailing dot, within the RFC 1035 / RFC 5321 limits. Address literals (<c>[192.0.2.1]</c>) are kept as written.
/// </summary>
public static class DomainName
{
    public const int MaxLength = 255;
    public const int MaxLabelLength = 63;

    [ThreadStatic]
    private static IdnMapping? idn;

    /// <summary>Normalises <paramref name="input"/> or says what is wrong with it.</summary>
    public static bool TryNormalize(ReadOnlySpan<char> input, out string normalized, out string problem)
    {
        normalized = "";
        input = input.Trim();
        if (input.Length > 0 && input[^1] == '.')
        {
            input = input[..^1];
        }

        if (input.IsEmpty)
        {
            problem = "domain is empty";
            return false;
        }

        if (input[0] == '[')
        {
            return TryNormalizeAddressLiteral(input, out normalized, out problem);
        }

        string ascii;
        if (IsAscii(input))
        {
            ascii = input.ToString().ToLowerInvariant();
        }
        else
        {
            try
            {
                ascii = (idn ??= new IdnMapping { UseStd3AsciiRules = true }).GetAscii(input.ToString()).ToLowerInvariant();
            }
            catch (ArgumentException)
            {
                problem = "domain is not a valid internationalised domain name";
                return false;
            }
        }

        if (ascii.Length > MaxLength)
        {
            problem = $"domain is longer than {MaxLength} characters";
            return false;
        }

        if (!HasValidLabels(ascii, out problem))
        {
            return false;
        }

        normalized = ascii;
        return true;
    }

    private static bool HasValidLabels(string ascii, out string problem)
    {
        foreach (var range in ascii.AsSpan().Split('.'))
        {
            var label = ascii.AsSpan(range);
            if (label.IsEmpty)
            {
                problem = "domain has an empty label";
                return false;
            }

            if (label.Length > MaxLabelLength)
            {
                problem = $"domain has a label longer than {MaxLabelLength} characters";
                return false;
            }

            if (label[0] == '-' || label[^1] == '-')
            {
                problem = "domain label starts or ends with a hyphen";
                return false;
            }

            foreach (var c in label)
            {
                if (!(char.IsAsciiLetterOrDigit(c) || c == '-'))
                {
                    problem = $"domain contains the character '{c}'";
                    return false;
                }
            }
        }

        problem = "";
        return true;
    }

    private static bool TryNormalizeAddressLiteral(ReadOnlySpan<char> input, out string normalized, out string problem)
    {
        normalized = "";
        if (input[^1] != ']')
        {
            problem = "address literal is not closed with ']'";
            return false;
        }

        var inner = input[1..^1];
        const string ipv6Tag = "IPv6:";
        var isV6 = inner.StartsWith(ipv6Tag, StringComparison.OrdinalIgnoreCase);
        if (isV6)
        {
            inner = inner[ipv6Tag.Length..];
        }

        if (!IPAddress.TryParse(inner, out var ip)
            || (isV6 ? ip.AddressFamily != System.Net.Sockets.AddressFamily.InterNetworkV6 : ip.AddressFamily != System.Net.Sockets.AddressFamily.InterNetwork))
        {
            problem = "address literal is not a valid IP address";
            return false;
        }

        normalized = isV6 ? $"[ipv6:{ip}]" : $"[{ip}]";
        problem = "";
        return true;
    }

    private static bool IsAscii(ReadOnlySpan<char> s)
    {
        foreach (var c in s)
        {
            if (c > 0x7f)
            {
                return false;
            }
        }

        return true;
    }
}
