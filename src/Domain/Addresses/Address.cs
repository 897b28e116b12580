using System.Text;

namespace Clearinghouse.Domain;

/// <summary>
/// A normalised e-mail address or IM handle (<c>local@domain</c>): trimmed, lower-cased, the domain in IDNA
/// ASCII form, within the RFC 5321 limits (64 octets local part, 255 domain, 254 in all).
/// Build one with <see cref="TryParse"/> or <see cref="Parse"/>; the constructor trusts its input.
/// </summary>
[GenerateSerializer, Immutable]
public sealed record Address([property: Id(0)] string Value, [property: Id(1)] int DomainStart)
{
    public const int MaxLocalPartOctets = 64;
    public const int MaxAddressLength = 254;

    /// <summary>The null reverse-path (<c>&lt;&gt;</c>) that bounces and delivery notices are sent from.</summary>
    public static readonly Address NullSender = new("", 0);

    public bool IsNullSender => Value.Length == 0;

    public ReadOnlySpan<char> LocalPart => IsNullSender ? default : Value.AsSpan(0, DomainStart - 1);

    public string Domain => IsNullSender ? "" : Value[DomainStart..];

    public override string ToString() => IsNullSender ? "<>" : Value;

    /// <summary>Parses and normalises an address; throws <see cref="InvalidFieldException"/> naming <paramref name="field"/>.</summary>
    /// <inheritdoc cref="TryParse" path="/param"/>
    public static Address Parse(string? input, string field, bool allowNullSender = false, bool allowAsterisk = false)
        => TryParse(input, out var address, out var problem, allowNullSender, allowAsterisk) ? address : throw new InvalidFieldException(field, problem);

    /// <summary>Parses and normalises an address, or says what is wrong with it.</summary>
    /// <param name="input">The text, with or without angle brackets.</param>
    /// <param name="address">The normalised address.</param>
    /// <param name="problem">What is wrong, when it is not an address.</param>
    /// <param name="allowNullSender">Whether <c>&lt;&gt;</c> is accepted (the envelope sender of a bounce).</param>
    /// <param name="allowAsterisk">
    /// Whether an unquoted <c>*</c> may appear in the local part. RFC 5322 allows it, and an address seen on a message
    /// (a check's envelope sender) is taken as it is. An address someone names (a recipient, a pattern, the sender of a
    /// request or report) may not carry one: <c>*@example.com</c> reads as a wildcard but would match only itself.
    /// </param>
    public static bool TryParse(string? input, out Address address, out string problem, bool allowNullSender = false, bool allowAsterisk = false)
    {
        address = NullSender;
        var text = (input ?? "").AsSpan().Trim();
        if (text.IsEmpty)
        {
            problem = "is required";
            return false;
        }

        if (text[0] == '<' && text[^1] == '>')
        {
            text = text[1..^1].Trim();
            if (text.IsEmpty)
            {
                if (allowNullSender)
                {
                    problem = "";
                    return true;
                }

                problem = "the null address <> is not allowed here";
                return false;
            }
        }

        var at = text.LastIndexOf('@');
        if (at <= 0 || at == text.Length - 1)
        {
            problem = "is not an address of the form local@domain";
            return false;
        }

        // Validated after lower-casing: that can lengthen a character's UTF-8 form ('Ⱥ' is 2 octets, 'ⱥ' 3), and the
        // stored form must be within the limits, or it would not parse again.
        var localLower = text[..at].ToString().ToLowerInvariant();
        if (!IsValidLocalPart(localLower, allowAsterisk, out problem))
        {
            return false;
        }

        if (!DomainName.TryNormalize(text[(at + 1)..], out var domain, out var domainProblem))
        {
            problem = domainProblem;
            return false;
        }

        var value = string.Concat(localLower, "@", domain);
        if (value.Length > MaxAddressLength)
        {
            problem = $"is longer than {MaxAddressLength} characters";
            return false;
        }

        address = new Address(value, localLower.Length + 1);
        problem = "";
        return true;
    }

    private static bool IsValidLocalPart(ReadOnlySpan<char> local, bool allowAsterisk, out string problem)
    {
        if (Encoding.UTF8.GetByteCount(local) > MaxLocalPartOctets)
        {
            problem = $"local part is longer than {MaxLocalPartOctets} octets";
            return false;
        }

        if (local[0] == '"')
        {
            return IsValidQuotedString(local, out problem);
        }

        if (local[0] == '.' || local[^1] == '.' || local.Contains("..", StringComparison.Ordinal))
        {
            problem = "local part has a misplaced dot";
            return false;
        }

        foreach (var c in local)
        {
            if (c == '*' && !allowAsterisk)
            {
                problem = "local part contains '*': a wildcard is only allowed as a leading '*.' of a domain pattern";
                return false;
            }

            if (!IsAtext(c) && c != '.')
            {
                problem = $"local part contains the character '{Printable(c)}'";
                return false;
            }
        }

        problem = "";
        return true;
    }

    // RFC 5321 quoted-string: printable ASCII (or UTF-8 under RFC 6531) with backslash escapes, no controls, escaped or not.
    private static bool IsValidQuotedString(ReadOnlySpan<char> local, out string problem)
    {
        problem = "local part has an unterminated quoted string";
        if (local.Length < 2 || local[^1] != '"')
        {
            return false;
        }

        var inner = local[1..^1];
        for (var i = 0; i < inner.Length; i++)
        {
            var c = inner[i];
            if (char.IsControl(c))
            {
                problem = "local part contains a control character";
                return false;
            }

            if (c == '\\')
            {
                if (++i == inner.Length)
                {
                    return false;
                }

                if (char.IsControl(inner[i]))
                {
                    problem = "local part contains a control character";
                    return false;
                }
            }
            else if (c == '"')
            {
                return false;
            }
        }

        problem = "";
        return true;
    }

    // RFC 5322 atext, widened to non-ASCII by RFC 6531 (SMTPUTF8).
    private static bool IsAtext(char c) =>
        char.IsAsciiLetterOrDigit(c)
        || "!#$%&'*+-/=?^_`{|}~".Contains(c)
        || (c > 0x7f && !char.IsControl(c) && !char.IsWhiteSpace(c));

    private static string Printable(char c) => char.IsControl(c) || char.IsWhiteSpace(c) ? $"U+{(int)c:X4}" : c.ToString();
}
