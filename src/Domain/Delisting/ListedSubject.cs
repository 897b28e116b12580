using System.Net;

namespace Clearinghouse.Domain;

public enum SubjectKind
{
    Address = 0,
    Domain = 1,
    Ip = 2,
}

/// <summary>
/// What someone asks about on the public site: a sender address, a domain or an IP address, normalised, with the
/// filter-list entry that would list it. An address is listed by the SHA-256 of its normalised form, as the list
/// publishes it; domains and IP addresses in clear.
/// </summary>
[GenerateSerializer, Immutable]
public sealed record ListedSubject([property: Id(0)] SubjectKind Kind, [property: Id(1)] string Value)
{
    /// <summary>Parses an address (has an '@'), an IP address, or else a domain; throws <see cref="InvalidFieldException"/> naming <paramref name="field"/>.</summary>
    public static ListedSubject Parse(string? input, string field)
    {
        var text = (input ?? "").Trim();
        if (text.Length == 0)
        {
            throw new InvalidFieldException(field, "is required: a sender address, a domain or an IP address");
        }

        if (text.Contains('@', StringComparison.Ordinal))
        {
            return new(SubjectKind.Address, Clearinghouse.Domain.Address.Parse(text, field).Value);
        }

        // IPAddress also reads "12345" or "10.1" as IPv4; only the usual forms count as an address here.
        if ((text.Contains(':', StringComparison.Ordinal) || text.Count(c => c == '.') == 3) && IPAddress.TryParse(text, out var ip))
        {
            return new(SubjectKind.Ip, ip.ToString());
        }

        if (!DomainName.TryNormalize(text, out var domain, out var problem) || domain.StartsWith('['))
        {
            throw new InvalidFieldException(field, problem.Length > 0 ? problem : "is not a domain");
        }

        if (!domain.Contains('.', StringComparison.Ordinal))
        {
            throw new InvalidFieldException(field, "is not a sender address, a domain with a dot, or an IP address");
        }

        return new(SubjectKind.Domain, domain);
    }

    /// <summary>The grain key of the subject's delisting requests.</summary>
    public string Key => $"{Kind.ToString().ToLowerInvariant()}:{Value}";

    public static ListedSubject FromKey(string key)
    {
        var colon = key.IndexOf(':', StringComparison.Ordinal);
        return colon > 0 && Enum.TryParse<SubjectKind>(key[..colon], ignoreCase: true, out var kind)
            ? new(kind, key[(colon + 1)..])
            : throw new ArgumentException($"'{key}' is not a subject key", nameof(key));
    }

    public FilterEntry Entry => Kind switch
    {
        SubjectKind.Address => FilterEntry.ForAddress(Address),
        SubjectKind.Domain => new FilterEntry(FilterEntryKind.Domain, Value),
        _ => new FilterEntry(FilterEntryKind.Ip, Value),
    };

    public Address Address => Kind == SubjectKind.Address
        ? new Address(Value, Value.LastIndexOf('@') + 1)
        : throw new InvalidOperationException($"{Key} is not an address");

    /// <summary>The domain whose DNS proves control: an address's domain, or the domain itself.</summary>
    public string ProofDomain => Kind switch
    {
        SubjectKind.Address => Address.Domain,
        SubjectKind.Domain => Value,
        _ => throw new InvalidOperationException("an IP address has no domain to prove control of"),
    };

    /// <summary>How the audit trail names it.</summary>
    public string AuditTarget => Kind switch
    {
        SubjectKind.Address => AuditNames.Sender(Address),
        SubjectKind.Domain => AuditNames.Domain(Value),
        _ => $"ip:{Value}",
    };

    public override string ToString() => Value;
}
