using System.Globalization;

namespace Clearinghouse.Domain;

/// <summary>A failure-report address from a DMARC record's <c>ruf=</c> tag, with the largest report it accepts (if it says).</summary>
[GenerateSerializer, Immutable]
public sealed record RufAddress([property: Id(0)] Address Mailbox, [property: Id(1)] long? MaxBytes);

/// <summary>
/// The parts of a DMARC record (RFC 7489 section 6.3) that failure reports need: the <c>ruf=</c> URIs the clearing
/// house can use (<c>mailto:</c> only, one address each, at most <see cref="MaxRuf"/>, with their <c>!size</c> limits)
/// and the failure-reporting options (<c>fo=</c>). Parsed from outside input (a TXT record): anything it cannot read is
/// left out, never guessed.
/// </summary>
public sealed record DmarcRecord(IReadOnlyList<RufAddress> FailureReportAddresses, IReadOnlyList<string> FailureOptions)
{
    /// <summary>RFC 7489 section 6.2: receivers may limit the URIs they report to, and must support two.</summary>
    public const int MaxRuf = 2;

    /// <summary>Longest TXT record read: a DMARC record is a few hundred characters.</summary>
    public const int MaxRecordLength = 4096;

    /// <summary>
    /// Whether the owner asked for the failure reports the clearing house sends (SPF or DMARC failures): every
    /// <c>fo=</c> value does (0, 1 and s; an unknown one is ignored) except <c>fo=d</c> alone, which asks only for DKIM
    /// signature failures.
    /// </summary>
    public bool WantsSpfOrDmarcFailureReports => !(FailureOptions.Count > 0 && FailureOptions.All(o => o == "d"));

    /// <summary>Whether a TXT record is a DMARC record: its first tag is <c>v=DMARC1</c>.</summary>
    public static bool IsDmarc(string? text)
    {
        if (string.IsNullOrEmpty(text) || text.Length > MaxRecordLength)
        {
            return false;
        }

        var first = text.Split(';', 2)[0].Split('=', 2);
        return first.Length == 2
            && string.Equals(first[0].Trim(), "v", StringComparison.OrdinalIgnoreCase)
            && string.Equals(first[1].Trim(), "DMARC1", StringComparison.OrdinalIgnoreCase);
    }

    /// <summary>The record, or null when <paramref name="text"/> is not a DMARC record.</summary>
    public static DmarcRecord? Parse(string? text)
    {
        if (!IsDmarc(text))
        {
            return null;
        }

        var ruf = new List<RufAddress>();
        var options = new List<string>();
        foreach (var tag in text!.Split(';').Skip(1))
        {
            var parts = tag.Split('=', 2);
            if (parts.Length != 2)
            {
                continue;
            }

            var value = parts[1].Trim();
            switch (parts[0].Trim().ToLowerInvariant())
            {
                case "ruf":
                    ruf.Clear();
                    foreach (var uri in value.Split(','))
                    {
                        if (ruf.Count < MaxRuf && TryParseRuf(uri.Trim(), out var address))
                        {
                            ruf.Add(address);
                        }
                    }

                    break;
                case "fo":
                    options.Clear();
                    options.AddRange(value.Split(':').Select(o => o.Trim().ToLowerInvariant()).Where(o => o.Length > 0));
                    break;
            }
        }

        return new DmarcRecord(ruf, options);
    }

    /// <summary>
    /// One <c>ruf=</c> URI: <c>mailto:</c> with one address (percent-encoding decoded, any <c>?headers</c> ignored) and an
    /// optional <c>!size</c> with a unit k, m, g or t. Other schemes and unreadable URIs are refused.
    /// </summary>
    public static bool TryParseRuf(string uri, out RufAddress address)
    {
        address = null!;
        long? maxBytes = null;
        var bang = uri.LastIndexOf('!');
        if (bang >= 0)
        {
            if (ParseSize(uri[(bang + 1)..]) is not { } size)
            {
                return false;
            }

            maxBytes = size;
            uri = uri[..bang];
        }

        const string scheme = "mailto:";
        if (!uri.StartsWith(scheme, StringComparison.OrdinalIgnoreCase))
        {
            return false;
        }

        var mailbox = uri[scheme.Length..];
        var query = mailbox.IndexOf('?');
        if (query >= 0)
        {
            mailbox = mailbox[..query];
        }

        string decoded;
        try
        {
            decoded = Uri.UnescapeDataString(mailbox);
        }
        catch (UriFormatException)
        {
            return false;
        }

        if (decoded.Contains(',', StringComparison.Ordinal) || !Address.TryParse(decoded, out var parsed, out _) || parsed.IsNullSender)
        {
            return false;
        }

        address = new RufAddress(parsed, maxBytes);
        return true;
    }

    private static long? ParseSize(string text)
    {
        if (text.Length == 0)
        {
            return null;
        }

        var unit = char.ToLowerInvariant(text[^1]);
        var factor = unit switch
        {
            'k' => 1L << 10,
            'm' => 1L << 20,
            'g' => 1L << 30,
            't' => 1L << 40,
            _ => 1L,
        };
        var digits = factor == 1 ? text : text[..^1];
        if (digits.Length is 0 or > 12 || !digits.All(char.IsAsciiDigit) || !long.TryParse(digits, NumberStyles.None, CultureInfo.InvariantCulture, out var number))
        {
            return null;
        }

        return number > long.MaxValue / factor ? long.MaxValue : number * factor;
    }
}
