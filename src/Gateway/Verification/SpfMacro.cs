using System.Globalization;
using System.Net;
using System.Net.Sockets;
using System.Text;

namespace Clearinghouse.Gateway.Verification;

/// <summary>What SPF macros (RFC 7208 section 7) expand to for one check.</summary>
public sealed record SpfMacroContext(IPAddress Ip, string SenderLocalPart, string SenderDomain, string? Helo);

/// <summary>
/// SPF macro expansion (RFC 7208 section 7): <c>%{s l o d i p v h}</c> with an optional digit count, <c>r</c> for
/// reverse and delimiters, plus <c>%%</c>, <c>%_</c>, <c>%-</c>. <c>%{p}</c> expands to "unknown" (the RFC discourages
/// it and allows that); <c>c r t</c> belong to explanations only and are refused in domain-specs.
/// </summary>
public static class SpfMacro
{
    private const string Delimiters = ".-+,/_=";

    public static bool IsValidMacroString(string text) => TryExpand(text, null, "", out _);

    /// <summary>Expands <paramref name="spec"/> for <paramref name="context"/>, <paramref name="domain"/> being the current domain.</summary>
    public static bool TryExpand(string spec, SpfMacroContext? context, string domain, out string expanded)
    {
        var builder = new StringBuilder(spec.Length + 16);
        expanded = "";
        for (var i = 0; i < spec.Length; i++)
        {
            var c = spec[i];
            if (c is < '!' or > '~')
            {
                return false;
            }

            if (c != '%')
            {
                builder.Append(c);
                continue;
            }

            if (++i >= spec.Length)
            {
                return false;
            }

            switch (spec[i])
            {
                case '%':
                    builder.Append('%');
                    continue;
                case '_':
                    builder.Append(' ');
                    continue;
                case '-':
                    builder.Append("%20");
                    continue;
                case '{':
                    var close = spec.IndexOf('}', i);
                    if (close < 0 || !TryExpandMacro(spec.AsSpan(i + 1, close - i - 1), context, domain, builder))
                    {
                        return false;
                    }

                    i = close;
                    continue;
                default:
                    return false;
            }
        }

        expanded = Truncate(builder.ToString());
        return true;
    }

    private static bool TryExpandMacro(ReadOnlySpan<char> macro, SpfMacroContext? context, string domain, StringBuilder output)
    {
        if (macro.IsEmpty)
        {
            return false;
        }

        var letter = char.ToLowerInvariant(macro[0]);
        var rest = macro[1..];
        var digitsEnd = 0;
        while (digitsEnd < rest.Length && char.IsAsciiDigit(rest[digitsEnd]))
        {
            digitsEnd++;
        }

        var keep = 0;
        if (digitsEnd > 0 && (!int.TryParse(rest[..digitsEnd], NumberStyles.None, CultureInfo.InvariantCulture, out keep) || keep == 0))
        {
            return false;
        }

        rest = rest[digitsEnd..];
        var reverse = rest.Length > 0 && (rest[0] is 'r' or 'R');
        var delimiters = reverse ? rest[1..] : rest;
        foreach (var d in delimiters)
        {
            if (!Delimiters.Contains(d))
            {
                return false;
            }
        }

        if (context is null)
        {
            // Syntax check only.
            return "slodipvh".Contains(letter);
        }

        string? value = letter switch
        {
            's' => $"{context.SenderLocalPart}@{context.SenderDomain}",
            'l' => context.SenderLocalPart,
            'o' => context.SenderDomain,
            'd' => domain,
            'i' => IpLabels(context.Ip),
            'p' => "unknown",
            'v' => context.Ip.AddressFamily == AddressFamily.InterNetworkV6 ? "ip6" : "in-addr",
            'h' => string.IsNullOrEmpty(context.Helo) ? "unknown" : context.Helo,
            _ => null,
        };
        if (value is null)
        {
            return false;
        }

        var parts = value.Split(delimiters.IsEmpty ? ['.'] : delimiters.ToArray());
        if (reverse)
        {
            Array.Reverse(parts);
        }

        var from = keep > 0 ? Math.Max(0, parts.Length - keep) : 0;
        output.AppendJoin('.', parts[from..]);
        return true;
    }

    // %{i}: dotted decimal for IPv4, dot-separated nibbles for IPv6 (section 7.3).
    private static string IpLabels(IPAddress ip)
    {
        if (ip.AddressFamily == AddressFamily.InterNetwork)
        {
            return ip.ToString();
        }

        var bytes = ip.GetAddressBytes();
        var builder = new StringBuilder(63);
        foreach (var b in bytes)
        {
            if (builder.Length > 0)
            {
                builder.Append('.');
            }

            builder.Append(HexNibble(b >> 4)).Append('.').Append(HexNibble(b & 0xf));
        }

        return builder.ToString();
    }

    private static char HexNibble(int value) => (char)(value < 10 ? '0' + value : 'a' + value - 10);

    // Section 4.8: a domain longer than 253 characters loses labels from the left until it fits.
    private static string Truncate(string domain)
    {
        while (domain.Length > 253)
        {
            var dot = domain.IndexOf('.');
            if (dot < 0)
            {
                return domain;
            }

            domain = domain[(dot + 1)..];
        }

        return domain;
    }
}
