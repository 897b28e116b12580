using Clearinghouse.Domain;
using Orleans.Concurrency;

namespace Clearinghouse.Contracts;

/// <summary>The aggregate of all reported addresses at one domain. Key: the normalised domain.</summary>
public interface ISenderDomain : IGrainWithStringKey
{
    /// <summary>
    /// Adds a report once per key (forwarded by the address's <see cref="ISender"/>). One-way: the sender does not wait
    /// for it, so a domain with many reported addresses is not a queue every report stands in.
    /// </summary>
    [OneWay]
    Task Add(ViolationReport report);

    Task<DomainStatus> GetStatus();
}
