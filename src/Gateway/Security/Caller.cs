using Clearinghouse.Domain;

namespace Clearinghouse.Gateway.Security;

public enum CallerRole
{
    Provider,
    Operator,
}

/// <summary>An authenticated caller: a provider (acting only on recipients in its domains) or an operator.</summary>
public sealed class Caller
{
    private readonly HashSet<string> exactDomains;
    private readonly string[] parentDomains;
    private readonly bool ownsEverything;

    public Caller(string id, CallerRole role, IEnumerable<string> ownedDomains)
    {
        Id = id;
        Role = role;
        exactDomains = new HashSet<string>(StringComparer.Ordinal);
        var parents = new List<string>();
        foreach (var domain in ownedDomains)
        {
            if (domain == "*")
            {
                ownsEverything = true;
            }
            else if (domain.StartsWith("*.", StringComparison.Ordinal))
            {
                parents.Add(domain[2..]);
            }
            else
            {
                exactDomains.Add(domain);
            }
        }

        parentDomains = [.. parents];
    }

    public string Id { get; }

    public CallerRole Role { get; }

    public bool OwnsAllDomains => ownsEverything;

    public bool Owns(Address recipient)
    {
        if (Role != CallerRole.Provider)
        {
            return false;
        }

        if (ownsEverything || exactDomains.Contains(recipient.Domain))
        {
            return true;
        }

        foreach (var parent in parentDomains)
        {
            if (SenderPattern.IsStrictSuffix(recipient.Domain, parent))
            {
                return true;
            }
        }

        return false;
    }
}
