namespace Clearinghouse.Domain;

public enum PatternKind
{
    /// <summary><c>user@example.com</c>: that address only.</summary>
    Address = 0,

    /// <summary><c>example.com</c>: any address at exactly that domain.</summary>
    Domain = 1,

    /// <summary><c>*.example.com</c>: any address at a subdomain of example.com (not example.com itself).</summary>
    Subdomains = 2,

    /// <summary><c>.xyz</c> (or a public suffix such as <c>.co.uk</c>): any address under that top-level domain.</summary>
    TopLevelDomain = 3,
}

/// <summary>
/// Which senders a record applies to. <see cref="Value"/> is normalised: the full address for
/// <see cref="PatternKind.Address"/>, otherwise the ASCII domain without any leading <c>*.</c> or <c>.</c>.
/// </summary>
[GenerateSerializer, Immutable]
public sealed record SenderPattern([property: Id(0)] PatternKind Kind, [property: Id(1)] string Value)
{
    /// <summary>The pattern as a user writes it: <c>a@b.c</c>, <c>b.c</c>, <c>*.b.c</c> or <c>.c</c>.</summary>
    public override string ToString() => Kind switch
    {
        PatternKind.Subdomains => "*." + Value,
        PatternKind.TopLevelDomain => "." + Value,
        _ => Value,
    };

    public bool Matches(Address sender)
    {
        if (sender.IsNullSender)
        {
            return false;
        }

        return Kind switch
        {
            PatternKind.Address => sender.Value == Value,
            PatternKind.Domain => sender.Domain == Value,
            _ => IsStrictSuffix(sender.Domain, Value),
        };
    }

    /// <summary>True when <paramref name="domain"/> ends with "." + <paramref name="parent"/>.</summary>
    public static bool IsStrictSuffix(string domain, string parent) =>
        domain.Length > parent.Length
        && domain[domain.Length - parent.Length - 1] == '.'
        && domain.EndsWith(parent, StringComparison.Ordinal);

    public static SenderPattern Parse(string? input, string field)
        => TryParse(input, out var pattern, out var problem) ? pattern : throw new InvalidFieldException(field, problem);

    public static bool TryParse(string? input, out SenderPattern pattern, out string problem)
    {
        pattern = null!;
        var text = (input ?? "").Trim();
        if (text.Length == 0)
        {
            problem = "is required";
            return false;
        }

        if (text.Contains('@'))
        {
            if (!Address.TryParse(text, out var address, out problem))
            {
                return false;
            }

            pattern = new SenderPattern(PatternKind.Address, address.Value);
            return true;
        }

        var (kind, domainText) = text switch
        {
            _ when text.StartsWith("*.", StringComparison.Ordinal) => (PatternKind.Subdomains, text[2..]),
            _ when text.StartsWith('.') => (PatternKind.TopLevelDomain, text[1..]),
            _ => (PatternKind.Domain, text),
        };

        if (domainText.Contains('*'))
        {
            problem = "a wildcard is only allowed as a leading '*.'";
            return false;
        }

        if (!DomainName.TryNormalize(domainText, out var domain, out problem))
        {
            return false;
        }

        if (domain.StartsWith('['))
        {
            problem = "an address literal cannot be a domain pattern";
            return false;
        }

        pattern = new SenderPattern(kind, domain);
        return true;
    }
}
