using Clearinghouse.Domain;
using Grpc.Core;

namespace Clearinghouse.Gateway.Security;

public enum CallerRole
{
    Provider,
    Operator,
}

/// <summary>What an operator may do: an administrator reads and changes, a viewer only reads.</summary>
public enum OperatorRole
{
    Administrator,
    Viewer,
}

/// <summary>An authenticated caller: a provider (acting only on recipients in its domains) or an operator.</summary>
public sealed class Caller
{
    private readonly HashSet<string> exactDomains;
    private readonly string[] parentDomains;
    private readonly bool ownsEverything;

    public Caller(string id, CallerRole role, IEnumerable<string> ownedDomains, int? maxRecordsPerRecipient = null, OperatorRole operatorRole = OperatorRole.Administrator)
    {
        Id = id;
        Role = role;
        OperatorRole = operatorRole;
        ListPolicy = new ListPolicy(id, maxRecordsPerRecipient);
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

    /// <summary>For an operator: whether it may change anything (an administrator) or only read (a viewer).</summary>
    public OperatorRole OperatorRole { get; }

    /// <summary>Throws <c>PermissionDenied</c> unless this caller is an operator.</summary>
    public Caller RequireOperator() =>
        Role == CallerRole.Operator ? this : throw new RpcException(new Status(StatusCode.PermissionDenied, "this call needs an operator credential"));

    /// <summary>Throws <c>PermissionDenied</c> unless this caller is an operator who may change things.</summary>
    public Caller RequireAdministrator() =>
        RequireOperator().OperatorRole == OperatorRole.Administrator
            ? this
            : throw new RpcException(new Status(StatusCode.PermissionDenied, $"this call changes state: operator '{Id}' is a viewer, it needs an administrator"));

    /// <summary>What recipient grains are told about this provider: its id and its default maximum list size.</summary>
    public ListPolicy ListPolicy { get; }

    public bool Owns(Address recipient) => OwnsDomain(recipient.Domain);

    /// <summary>True for a provider that manages recipients at <paramref name="domain"/>.</summary>
    public bool OwnsDomain(string domain)
    {
        if (Role != CallerRole.Provider)
        {
            return false;
        }

        if (ownsEverything || exactDomains.Contains(domain))
        {
            return true;
        }

        foreach (var parent in parentDomains)
        {
            if (SenderPattern.IsStrictSuffix(domain, parent))
            {
                return true;
            }
        }

        return false;
    }

    /// <summary>True for a provider that manages recipients at every subdomain of <paramref name="domain"/>.</summary>
    public bool OwnsAllSubdomainsOf(string domain) =>
        Role == CallerRole.Provider
        && (ownsEverything || parentDomains.Any(parent => parent == domain || SenderPattern.IsStrictSuffix(domain, parent)));
}
