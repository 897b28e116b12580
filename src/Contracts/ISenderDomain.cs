using Clearinghouse.Domain;
using Orleans.Concurrency;

namespace Clearinghouse.Contracts;

/// <summary>The aggregate of all reported addresses at one domain. Key: the normalised domain.</summary>
public interface ISenderDomain : IGrainWithStringKey
{
    /// <summary>
    /// Adds reports (each counted once per key), sent in batches by the addresses' <see cref="ISender"/> grains once
    /// they have stored them. One-way: a domain with many reported addresses is not a queue every report stands in.
    /// </summary>
    [OneWay]
    Task Add(LedgerEntry[] reports);

    Task<DomainStatus> GetStatus();
}
