using Clearinghouse.Domain;

namespace Clearinghouse.Contracts;

/// <summary>
/// The operators' review queue: proven delisting requests of subjects past their self-service limit. Key: 0. Kept in
/// step by the subjects' grains (<see cref="IDelistingRequests"/>), which own the requests.
/// </summary>
public interface IDelistingReviews : IGrainWithIntegerKey
{
    /// <summary>Adds (or refreshes) a request waiting for review; answered once persisted.</summary>
    Task Add(DelistingRequestView request);

    Task Remove(string requestId);

    /// <summary>The waiting requests, oldest first.</summary>
    Task<IReadOnlyList<DelistingRequestView>> List(int max);

    Task<DelistingRequestView?> Find(string requestId);
}
