using System.Net;
using System.Text;
using Clearinghouse.Domain;

namespace Clearinghouse.Fuzzing.Targets;

/// <summary>
/// What every normalised value of the domain promises, whichever parser made it. Targets check the values their
/// parser accepted; the proto targets check the values the mapping produced.
/// </summary>
public static class DomainInvariants
{
    /// <summary>
    /// A normalised domain: lower-case LDH labels of 1–63 characters, at most 255 in all, or an address literal holding
    /// an IP address; normalising it again gives it back.
    /// </summary>
    public static void CheckDomain(string domain)
    {
        InvariantViolation.Check(domain.Length is > 0 and <= DomainName.MaxLength, $"a normalised domain's length is {domain.Length}");
        InvariantViolation.Check(DomainName.TryNormalize(domain, out var again, out var problem), $"a normalised domain is refused when parsed again ({problem}): {InputText.Quote(domain)}");
        InvariantViolation.CheckEqual(domain, again, "normalising a normalised domain again");
        if (domain.StartsWith('['))
        {
            var inner = domain.StartsWith("[ipv6:", StringComparison.Ordinal) ? domain[6..^1] : domain[1..^1];
            InvariantViolation.Check(domain.EndsWith(']') && IPAddress.TryParse(inner, out _), $"an address literal does not hold an IP address: {InputText.Quote(domain)}");
            return;
        }

        foreach (var label in domain.Split('.'))
        {
            InvariantViolation.Check(label.Length is > 0 and <= DomainName.MaxLabelLength, $"a label of a normalised domain has {label.Length} characters: {InputText.Quote(domain)}");
            InvariantViolation.Check(label.All(c => char.IsAsciiDigit(c) || char.IsAsciiLetterLower(c) || c == '-'), $"a normalised domain has a character outside a-z, 0-9 and '-': {InputText.Quote(domain)}");
            InvariantViolation.Check(label[0] != '-' && label[^1] != '-', $"a label of a normalised domain starts or ends with '-': {InputText.Quote(domain)}");
        }

        var parents = new List<string>();
        foreach (var parent in new DomainParents(domain))
        {
            parents.Add(parent.ToString());
        }

        InvariantViolation.CheckEqual(domain.Count(c => c == '.'), parents.Count, "number of parents of a domain");
        InvariantViolation.Check(parents.All(p => SenderPattern.IsStrictSuffix(domain, p)), $"a parent is not a suffix of its domain: {InputText.Quote(domain)}");
    }

    /// <summary>
    /// A normalised address: within the RFC 5321 limits, lower case, without control characters, its parts consistent,
    /// and parsing its value gives it back (grains are keyed by it and parse their key).
    /// </summary>
    public static void CheckAddress(Address address)
    {
        if (address.IsNullSender)
        {
            InvariantViolation.CheckEqual("", address.Value, "the null sender's value");
            return;
        }

        var value = address.Value;
        InvariantViolation.Check(value.Length <= Address.MaxAddressLength, $"a normalised address has {value.Length} characters");
        InvariantViolation.Check(address.DomainStart > 1 && value[address.DomainStart - 1] == '@', $"the domain of {InputText.Quote(value)} starts at {address.DomainStart}");
        InvariantViolation.CheckEqual(value, $"{address.LocalPart}@{address.Domain}", "local part and domain joined");
        var localOctets = Encoding.UTF8.GetByteCount(address.LocalPart);
        InvariantViolation.Check(localOctets <= Address.MaxLocalPartOctets, $"the local part of a normalised address has {localOctets} octets: {InputText.Quote(value)}");
        InvariantViolation.Check(!value.Any(char.IsControl), $"a normalised address contains a control character: {InputText.Quote(value)}");
        InvariantViolation.Check(!value.Any(char.IsSurrogate) || Encoding.UTF8.GetString(Encoding.UTF8.GetBytes(value)) == value, $"a normalised address is not valid Unicode: {InputText.Quote(value)}");
        InvariantViolation.CheckEqual(value.ToLowerInvariant(), value, "a normalised address in lower case");
        CheckDomain(address.Domain);

        InvariantViolation.Check(Address.TryParse(value, out var again, out var problem), $"a normalised address is refused when parsed again ({problem}): {InputText.Quote(value)}");
        InvariantViolation.CheckEqual(address, again, "parsing a normalised address again");
    }

    /// <summary>A sender pattern: its written form parses back to it, and its value is normalised for its kind.</summary>
    public static void CheckPattern(SenderPattern pattern)
    {
        if (pattern.Kind == PatternKind.Address)
        {
            InvariantViolation.Check(Address.TryParse(pattern.Value, out var address, out _), $"an address pattern's value is not an address: {InputText.Quote(pattern.Value)}");
            CheckAddress(address);
            InvariantViolation.Check(pattern.Matches(address), $"an address pattern does not match its own address: {InputText.Quote(pattern.Value)}");
        }
        else
        {
            CheckDomain(pattern.Value);
            InvariantViolation.Check(!pattern.Value.StartsWith('['), $"a domain pattern holds an address literal: {pattern}");
        }

        InvariantViolation.Check(SenderPattern.TryParse(pattern.ToString(), out var again, out var problem), $"the pattern {InputText.Quote(pattern.ToString())} is refused when parsed again ({problem})");
        InvariantViolation.CheckEqual(pattern, again, "parsing a pattern's written form again");
    }

    /// <summary>A reply text as stored: one line without controls, trimmed, at most 450 characters, valid Unicode.</summary>
    public static void CheckStoredReplyText(string text)
    {
        InvariantViolation.Check(text.Length <= ReplyText.MaxLength, $"a stored reply text has {text.Length} characters");
        InvariantViolation.Check(!text.Any(char.IsControl), $"a stored reply text contains a control character: {InputText.Quote(text)}");
        InvariantViolation.CheckEqual(text.Trim(), text, "a stored reply text trimmed");
        InvariantViolation.Check(ReplyText.TryValidate(text, out var problem), $"a stored reply text is refused when validated again ({problem}): {InputText.Quote(text)}");
        InvariantViolation.CheckEqual(text, ReplyText.Sanitize(text), "sanitising a stored reply text again");
    }

    /// <summary>Evidence as stored: a Message-ID that parses back to itself and a lower-case hex SHA-256 digest or none.</summary>
    public static void CheckEvidence(MessageEvidence evidence)
    {
        InvariantViolation.CheckEqual(evidence.MessageId, MessageEvidence.ParseMessageId(evidence.MessageId, "message_id"), "parsing a stored Message-ID again");
        InvariantViolation.Check(
            evidence.HeaderDigest.Length == 0 || (Sha256Hex.IsValid(evidence.HeaderDigest) && evidence.HeaderDigest == evidence.HeaderDigest.ToLowerInvariant()),
            $"a stored header digest is not lower-case hex SHA-256: {InputText.Quote(evidence.HeaderDigest)}");
    }

    /// <summary>
    /// A <c>TryParse</c> and the <c>Parse</c> beside it agree: <paramref name="parse"/> throws
    /// <see cref="InvalidFieldException"/> naming <paramref name="field"/> with the same problem exactly when
    /// <paramref name="accepted"/> is false, and a refusal says what is wrong.
    /// </summary>
    public static void CheckParseAgrees(bool accepted, string problem, Action parse, string field)
    {
        try
        {
            parse();
            InvariantViolation.Check(accepted, $"Parse accepts what TryParse refuses ({problem})");
        }
        catch (InvalidFieldException error)
        {
            InvariantViolation.Check(!accepted, $"Parse refuses what TryParse accepts ({error.Message})");
            InvariantViolation.CheckEqual(field, error.Field, "the field Parse names");
            InvariantViolation.CheckEqual(problem, error.Problem, "the problem Parse gives");
        }

        InvariantViolation.Check(accepted || problem.Length > 0, "a refusal without a problem");
    }
}
