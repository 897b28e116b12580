using System.Globalization;
using System.Text;

namespace Clearinghouse.Fuzzing;

/// <summary>
/// Generators for the languages of outside input: domain names, addresses, IP addresses and CIDRs, SPF records,
/// Message-IDs and reply texts. Each mostly writes well-formed text and, now and then, a near-miss (a length just over
/// a limit, a misplaced separator, a look-alike character), so that both sides of every check are reached.
/// </summary>
public static class Grammars
{
    private static readonly string[] Labels =
    [
        "example", "mail", "mx1", "a", "b", "sub-domain", "xn--bcher-kva", "xn--80ak6aa92e", "bücher", "пример", "例え",
        "ＥＸＡＭＰＬＥ", "İstanbul", "straße", "ȺB", "123", "0", "co", "uk", "com", "org", "example-", "-example", "ex_ample",
        "EXAMPLE", "ipv6", "localhost", "xn--", "xn--zz", "😀", "a\u0301", "\u200b",
    ];

    private static readonly string[] AtextRuns = ["alice", "bob", "user+tag", "o'brien", "first.last", "x", "!#$%&'*+-/=?^_`{|}~", "jörg", "用户", "Ⱥlice", "İ", "ß", "ÄÖÜ", "a.b.c"];

    private static readonly string[] QuotedContents = ["john doe", "a@b", "a\\\"b", "a\\\\b", "", " ", "a\\", "\\\t", "x\ty", "é", "a\"b"];

    public static string Label(FuzzRandom random) => random.Next(10) switch
    {
        0 => new string('a', random.Pick([62, 63, 64])),
        1 => new string('ü', random.Between(20, 60)),
        _ => random.Pick(Labels),
    };

    /// <summary>A domain name, sometimes with IDN labels, a trailing dot, other dots, or over the length limits.</summary>
    public static string Domain(FuzzRandom random)
    {
        switch (random.Next(20))
        {
            case 0:
                return AddressLiteral(random);
            case 1:
                // Just under or over 255 characters.
                return string.Join('.', Enumerable.Repeat("abcdefghi", random.Between(24, 26))) + ".com";
            case 2:
                return string.Join('.', Enumerable.Range(0, random.Between(100, 130)).Select(_ => "a"));
        }

        var count = random.Between(1, 5);
        var labels = Enumerable.Range(0, count).Select(_ => Label(random));
        var separator = random.Chance(0.05) ? random.Pick(["。", "．", "｡", ".."]) : ".";
        var domain = string.Join(separator, labels);
        return random.Next(12) switch
        {
            0 => domain + ".",
            1 => " " + domain + " ",
            2 => domain.ToUpperInvariant(),
            _ => domain,
        };
    }

    public static string AddressLiteral(FuzzRandom random) => random.Next(4) switch
    {
        0 => $"[{Ipv4(random)}]",
        1 => $"[IPv6:{Ipv6(random)}]",
        2 => $"[ipv6:{Ipv4(random)}]",
        _ => $"[{Ipv6(random)}]",
    };

    public static string LocalPart(FuzzRandom random) => random.Next(12) switch
    {
        0 => $"\"{random.Pick(QuotedContents)}\"",
        1 => new string('a', random.Pick([63, 64, 65])),
        2 => new string(random.Pick(['é', 'Ⱥ', 'İ', 'ß']), random.Between(20, 40)),
        3 => random.Pick([".alice", "alice.", "al..ice", "a b", "a\u0000b", "a<b", "\"unterminated"]),
        _ => random.Chance(0.5) ? random.Pick(AtextRuns) : random.Pick(AtextRuns) + "." + random.Pick(AtextRuns),
    };

    /// <summary>An address (or IM handle): <c>local@domain</c>, sometimes in angle brackets, padded, or the null sender.</summary>
    public static string Address(FuzzRandom random)
    {
        var address = random.Next(30) switch
        {
            0 => "<>",
            1 => "",
            2 => random.Pick(["@example.com", "alice@", "alice", "a@b@c", "<alice@example.com", "alice@example.com>"]),
            _ => $"{LocalPart(random)}@{Domain(random)}",
        };
        return random.Next(10) switch
        {
            0 => $"<{address}>",
            1 => $"  {address}\t",
            _ => address,
        };
    }

    /// <summary>A sender pattern: an address, a domain, <c>*.domain</c> or <c>.tld</c>, with stray wildcards now and then.</summary>
    public static string Pattern(FuzzRandom random) => random.Next(10) switch
    {
        0 or 1 => Address(random),
        2 or 3 => "*." + Domain(random),
        4 => "." + random.Pick(["xyz", "co.uk", "com", "例え", "XN--P1AI"]),
        5 => random.Pick(["*", "*.", ".", "**.example.com", "*.*.example.com", "ex*ample.com", "*example.com", "*.[192.0.2.1]", "..com"]),
        _ => Domain(random),
    };

    public static string Ipv4(FuzzRandom random)
    {
        string Octet() => random.Next(12) switch
        {
            0 => random.Pick(["00", "010", "0255", "256", "999", "0x7f", "-1", "", " 1"]),
            1 => random.Pick(["0", "255"]),
            _ => random.Between(0, 255).ToString(CultureInfo.InvariantCulture),
        };

        var parts = random.Chance(0.1) ? random.Between(1, 5) : 4;
        return string.Join('.', Enumerable.Range(0, parts).Select(_ => Octet()));
    }

    public static string Ipv6(FuzzRandom random)
    {
        string Group() => random.Chance(0.05) ? random.Pick(["12345", "g", "", "00000"]) : random.Next(0x10000).ToString(random.Chance(0.5) ? "x" : "X4", CultureInfo.InvariantCulture);

        var text = random.Next(10) switch
        {
            0 => "::",
            1 => "::1",
            2 => $"::ffff:{Ipv4(random)}",
            3 => $"2001:db8::{Group()}",
            4 => $"{Group()}::{Group()}:{Group()}",
            5 => string.Join(':', Enumerable.Range(0, random.Between(7, 9)).Select(_ => Group())),
            6 => $"fe80::{Group()}%{random.Pick(["eth0", "1", ""])}",
            7 => $"[{Group()}::{Group()}]" + (random.Chance(0.5) ? ":25" : ""),
            _ => $"2001:db8:{Group()}:{Group()}::{Group()}",
        };
        return text;
    }

    public static string IpAddress(FuzzRandom random) => random.Chance(0.5) ? Ipv4(random) : Ipv6(random);

    /// <summary>An IP address or CIDR, with prefix lengths at and beyond the limits.</summary>
    public static string Cidr(FuzzRandom random)
    {
        var address = IpAddress(random);
        if (random.Chance(0.3))
        {
            return address;
        }

        var length = random.Next(8) switch
        {
            0 => random.Pick(["", "-1", "+8", "08", "33", "129", "4294967296", " 24", "24 ", "٣"]),
            _ => random.Between(0, address.Contains(':') ? 128 : 32).ToString(CultureInfo.InvariantCulture),
        };
        return $"{address}/{length}";
    }

    /// <summary>An SPF macro-string: literal text with <c>%{s l o d i p v h c r t}</c> macros, digits, reversal and delimiters.</summary>
    public static string MacroString(FuzzRandom random)
    {
        var builder = new StringBuilder();
        var parts = random.Between(1, 4);
        for (var i = 0; i < parts; i++)
        {
            switch (random.Next(6))
            {
                case 0:
                    builder.Append(random.Pick(["%%", "%_", "%-", "%", "%x", "%{", "%{}", "%{s", "%{i0}", "%{d99999999999}"]));
                    break;
                case 1:
                case 2:
                    builder.Append("%{").Append(random.Pick("slodipvhcrtSLODIPVHCRTx".ToCharArray()));
                    if (random.Chance(0.4))
                    {
                        builder.Append(random.Between(0, 130).ToString(CultureInfo.InvariantCulture));
                    }

                    if (random.Chance(0.4))
                    {
                        builder.Append(random.Pick(['r', 'R']));
                    }

                    if (random.Chance(0.3))
                    {
                        builder.Append(random.Pick([".", "-", "+", ",", "/", "_", "=", ".-", "x", " "]));
                    }

                    builder.Append('}');
                    break;
                default:
                    builder.Append(random.Chance(0.5) ? "." : "").Append(Label(random));
                    break;
            }
        }

        return builder.ToString();
    }

    /// <summary>An SPF record (RFC 7208): <c>v=spf1</c> and terms (qualified mechanisms and modifiers), with near-misses.</summary>
    public static string SpfRecord(FuzzRandom random)
    {
        var builder = new StringBuilder(random.Next(20) == 0 ? random.Pick(["v=spf1x", "v=spf2", "V=SPF1", "", "v=spf1\t"]) : "v=spf1");
        var terms = random.Between(0, random.Chance(0.05) ? 40 : 8);
        for (var i = 0; i < terms; i++)
        {
            builder.Append(random.Chance(0.03) ? "  " : " ").Append(SpfTerm(random));
        }

        return builder.ToString();
    }

    public static string SpfTerm(FuzzRandom random)
    {
        var qualifier = random.Chance(0.6) ? "" : random.Pick(["+", "-", "~", "?", "!"]);
        string Cidr4() => "/" + random.Pick(["0", "8", "24", "32", "33", "024", ""]);
        string Cidr6() => "//" + random.Pick(["0", "48", "64", "128", "129", "064", ""]);
        string DualCidr() => random.Next(4) switch
        {
            0 => Cidr4(),
            1 => Cidr6(),
            2 => Cidr4() + Cidr6(),
            _ => "",
        };
        string DomainSpec() => random.Chance(0.5) ? Domain(random) : MacroString(random);

        return random.Next(12) switch
        {
            0 => qualifier + random.Pick(["all", "ALL", "all:x", "all/24"]),
            1 => qualifier + "include:" + DomainSpec(),
            2 => qualifier + "a" + (random.Chance(0.5) ? ":" + DomainSpec() : "") + DualCidr(),
            3 => qualifier + "mx" + (random.Chance(0.5) ? ":" + DomainSpec() : "") + DualCidr(),
            4 => qualifier + "ptr" + (random.Chance(0.5) ? ":" + DomainSpec() : ""),
            5 => qualifier + "ip4:" + Ipv4(random) + (random.Chance(0.5) ? Cidr4() : ""),
            6 => qualifier + "ip6:" + Ipv6(random) + (random.Chance(0.5) ? "/" + random.Between(0, 130).ToString(CultureInfo.InvariantCulture) : ""),
            7 => qualifier + "exists:" + DomainSpec(),
            8 => "redirect=" + DomainSpec(),
            9 => "exp=" + DomainSpec(),
            10 => random.Pick(["foo=bar", "x-custom=%{d}", "1bad=x", "=x", "a=", "ra=postmaster", "redirect=", "unknown", "ip4", "include", "ip6:", "a:", "mx//"]),
            _ => qualifier + random.Pick(["a", "mx", "ptr", "-all", "~all"]),
        };
    }

    /// <summary>A Message-ID header value: <c>&lt;left@right&gt;</c>, sometimes without brackets, with spaces or over 998 characters.</summary>
    public static string MessageId(FuzzRandom random) => random.Next(12) switch
    {
        0 => "",
        1 => new string('m', random.Pick([996, 997, 998, 999])) + "@x",
        2 => random.Pick(["@right", "left@", "no-at", "<>", "<<a@b>>", "a b@c", "a@b@c", "<a@b", "a@b>", " <a@b> "]),
        3 => $"{random.Pick(AtextRuns)}@{Domain(random)}",
        _ => $"<{random.NextLong(0, long.MaxValue).ToString("x", CultureInfo.InvariantCulture)}.{random.Pick(AtextRuns)}@{Domain(random)}>",
    };

    /// <summary>A header digest: 64 hex digits, sometimes upper case, short, long or with a non-hex character.</summary>
    public static string HeaderDigest(FuzzRandom random)
    {
        var bytes = new byte[32];
        random.NextBytes(bytes);
        var hex = Convert.ToHexString(bytes);
        return random.Next(10) switch
        {
            0 => "",
            1 => hex[..63],
            2 => hex + "0",
            3 => hex[..63] + "g",
            4 => " " + hex + " ",
            5 => hex,
            _ => hex.ToLowerInvariant(),
        };
    }

    /// <summary>A reply text: a sentence, sometimes with line breaks, controls, padding, emoji or over 450 characters.</summary>
    public static string ReplyText(FuzzRandom random)
    {
        var text = random.Pick(["I unsubscribed on 3 March. Please stop.", "Nein danke.", "停止发送", "Stop 😀", "", " ", "550 5.7.1 injected"]);
        return random.Next(10) switch
        {
            0 => text + "\r\n250 OK",
            1 => "\t" + text + "\u0085",
            2 => string.Concat(Enumerable.Repeat(text.Length == 0 ? "x" : text, 500 / Math.Max(1, text.Length) + 1)),
            3 => new string('x', random.Pick([449, 450, 451])),
            4 => new string('x', 449) + "😀",
            _ => text,
        };
    }

    /// <summary>
    /// A time in seconds since the Unix epoch: ordinary, at or within days of the ends of what a protobuf Timestamp
    /// allows (where adding a period overflows), or beyond them.
    /// </summary>
    public static long TimestampSeconds(FuzzRandom random, long ordinary) => random.Next(12) switch
    {
        0 => random.Pick([MinTimestampSeconds, MinTimestampSeconds - 1, MaxTimestampSeconds, MaxTimestampSeconds + 1, long.MinValue, long.MaxValue, 0L]),
        1 => MaxTimestampSeconds - random.NextLong(0, 86400L * 3),
        2 => MinTimestampSeconds + random.NextLong(0, 86400L * 3),
        3 => random.NextLong(MinTimestampSeconds, MaxTimestampSeconds + 1),
        _ => ordinary + random.NextLong(-86400L * 60, 86400L * 60),
    };

    // 0001-01-01T00:00:00Z and 9999-12-31T23:59:59Z.
    private const long MinTimestampSeconds = -62_135_596_800;
    private const long MaxTimestampSeconds = 253_402_300_799;

    /// <summary>Nanoseconds of a protobuf Timestamp: 0, ordinary, or out of range.</summary>
    public static int TimestampNanos(FuzzRandom random) => random.Next(10) switch
    {
        0 => random.Pick([-1, 1_000_000_000, int.MaxValue, int.MinValue, 999_999_999]),
        1 => random.Between(0, 999_999_999),
        _ => 0,
    };
}
