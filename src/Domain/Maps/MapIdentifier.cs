namespace Clearinghouse.Domain;

public enum MapIdentifierKind
{
    IpPrefix = 0,
    HeloName = 1,
    HeloSubdomains = 2,
    RecipientAddress = 3,
    RecipientDomain = 4,
    RecipientSubdomains = 5,
}

/// <summary>
/// A key of a provider's map, normalised: an IP or CIDR as <c>network/length</c>; a HELO name or domain as lower-case
/// IDNA ASCII (<c>*.</c> prefix for "anything under it"); a recipient address as <see cref="Address.Value"/>.
/// </summary>
public readonly record struct MapIdentifier(MapIdentifierKind Kind, string Value, IpPrefix Prefix = default)
{
    public static MapIdentifier Parse(MapKind map, string? input, string field) =>
        TryParse(map, input, out var identifier, out var problem) ? identifier : throw new InvalidFieldException(field, problem);

    public static bool TryParse(MapKind map, string? input, out MapIdentifier identifier, out string problem)
    {
        identifier = default;
        var text = (input ?? "").Trim();
        if (text.Length == 0)
        {
            problem = "is required";
            return false;
        }

        return map == MapKind.Connection ? TryParseConnection(text, out identifier, out problem) : TryParseRecipient(text, out identifier, out problem);
    }

    private static bool TryParseConnection(string text, out MapIdentifier identifier, out string problem)
    {
        identifier = default;
        if (text.Contains('/') || text.Contains(':') || LooksNumeric(text))
        {
            if (!IpPrefix.TryParse(text, out var prefix, out problem))
            {
                return false;
            }

            identifier = new MapIdentifier(MapIdentifierKind.IpPrefix, prefix.ToString(), prefix);
            return true;
        }

        if (text.StartsWith('['))
        {
            problem = "an address literal is not a HELO name to match; give the IP address or CIDR itself";
            return false;
        }

        if (!TryParseNamed(text, MapIdentifierKind.HeloName, MapIdentifierKind.HeloSubdomains, out identifier, out problem))
        {
            return false;
        }

        // IDNA maps full-width digits and dots to ASCII: "４.０.０.３" would become a name that reads as an address.
        if (LooksNumeric(identifier.Value))
        {
            identifier = default;
            problem = $"'{text}' is neither an IP address written in ASCII digits nor a HELO name";
            return false;
        }

        return true;
    }

    private static bool TryParseRecipient(string text, out MapIdentifier identifier, out string problem)
    {
        identifier = default;
        if (text.Contains('@'))
        {
            if (!Address.TryParse(text, out var address, out problem))
            {
                return false;
            }

            identifier = new MapIdentifier(MapIdentifierKind.RecipientAddress, address.Value);
            return true;
        }

        if (text.StartsWith('.'))
        {
            problem = "a recipient map entry is an address, a domain or *.domain";
            return false;
        }

        return TryParseNamed(text, MapIdentifierKind.RecipientDomain, MapIdentifierKind.RecipientSubdomains, out identifier, out problem);
    }

    // "example.com" (that name) or "*.example.com" (any name under it).
    private static bool TryParseNamed(string text, MapIdentifierKind exact, MapIdentifierKind under, out MapIdentifier identifier, out string problem)
    {
        identifier = default;
        var subdomains = text.StartsWith("*.", StringComparison.Ordinal);
        if (!TryDomain(subdomains ? text[2..] : text, out var domain, out problem))
        {
            return false;
        }

        identifier = subdomains ? new MapIdentifier(under, "*." + domain) : new MapIdentifier(exact, domain);
        return true;
    }

    private static bool TryDomain(string text, out string domain, out string problem)
    {
        if (text.Contains('*'))
        {
            domain = "";
            problem = "a wildcard is only allowed as a leading '*.'";
            return false;
        }

        if (!DomainName.TryNormalize(text, out domain, out problem))
        {
            return false;
        }

        if (domain.StartsWith('['))
        {
            problem = "an address literal is not allowed here";
            return false;
        }

        return true;
    }

    // "10.0.0.1", "10.0.0", "300.1.1.1": digits and dots only are meant as an address, never as a host name.
    private static bool LooksNumeric(string text) => text.All(c => char.IsAsciiDigit(c) || c == '.');

    /// <summary>The domain an identifier names: a recipient address's domain, or a (<c>*.</c>)domain without the wildcard.</summary>
    public string Domain => Kind switch
    {
        MapIdentifierKind.RecipientAddress => Value[(Value.LastIndexOf('@') + 1)..],
        _ => Value.StartsWith("*.", StringComparison.Ordinal) ? Value[2..] : Value,
    };
}
