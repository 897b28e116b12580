namespace Clearinghouse.Domain;

public enum TxtStatus
{
    Found,

    /// <summary>NXDOMAIN, or the name has no TXT records.</summary>
    NotFound,

    /// <summary>No usable answer (timeout, SERVFAIL): worth asking again later.</summary>
    Failed,
}

/// <summary>TXT records of one name, each one's strings concatenated.</summary>
public sealed record TxtAnswer(TxtStatus Status, IReadOnlyList<string> Records);

/// <summary>
/// TXT lookups for the grains (DMARC records for failure reports), answered by the gateway's resolver
/// (<c>Clearinghouse:Dns</c>), which the composition root adapts to this.
/// </summary>
public interface ITxtRecords
{
    Task<TxtAnswer> TxtAsync(string name, CancellationToken cancellationToken);
}
