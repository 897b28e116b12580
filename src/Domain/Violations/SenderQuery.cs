namespace Clearinghouse.Domain;

/// <summary>
/// Which reported senders an operator asks about: one address, or every address at a domain and its subdomains.
/// An empty query matches every sender.
/// </summary>
public sealed class SenderQuery
{
    public const int MaxLength = 320;

    private readonly string? address;
    private readonly string? domain;

    private SenderQuery(string? address, string? domain)
    {
        this.address = address;
        this.domain = domain;
    }

    public static readonly SenderQuery Everyone = new(null, null);

    /// <summary>Parses an address or a domain as an operator types it; names <paramref name="field"/> when it is neither.</summary>
    public static SenderQuery Parse(string? text, string field)
    {
        var query = (text ?? "").Trim();
        if (query.Length == 0)
        {
            return Everyone;
        }

        if (query.Length > MaxLength || query.Any(char.IsControl))
        {
            throw new InvalidFieldException(field, $"must be an address or a domain of at most {MaxLength} characters");
        }

        if (query.Contains('@'))
        {
            return new SenderQuery(Address.Parse(query, field).Value, null);
        }

        if (!DomainName.TryNormalize(query.TrimStart('*', '.'), out var normalized, out var problem) || normalized.StartsWith('['))
        {
            throw new InvalidFieldException(field, problem.Length > 0 ? problem : "is not an address or a domain");
        }

        return new SenderQuery(null, normalized);
    }

    /// <summary>The one address asked about, when the query is an address.</summary>
    public string? SingleAddress => address;

    public bool Matches(string sender)
    {
        if (address is not null)
        {
            return string.Equals(sender, address, StringComparison.Ordinal);
        }

        if (domain is null)
        {
            return true;
        }

        var at = sender.LastIndexOf('@');
        var senderDomain = at >= 0 ? sender[(at + 1)..] : sender;
        return senderDomain == domain || SenderPattern.IsStrictSuffix(senderDomain, domain);
    }
}
