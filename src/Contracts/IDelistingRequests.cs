using Clearinghouse.Domain;

namespace Clearinghouse.Contracts;

/// <summary>
/// One listed subject's delisting requests. Key: <see cref="ListedSubject.Key"/> (<c>address:news@shop.example</c>,
/// <c>domain:shop.example</c>). Opens requests (mailing the confirmation link for the email proof), checks proofs,
/// removes a proven subject at once while it has self-service left, else queues it for operators
/// (<see cref="IDelistingReviews"/>), and records every step in the audit trail. Answers once the step is persisted.
/// </summary>
public interface IDelistingRequests : IGrainWithStringKey
{
    /// <summary>Opens a request; for the email proof, mails a link under <paramref name="linkBase"/> to the address.</summary>
    Task<DelistingRequestView> Open(ProofMethod method, string explanation, string requester, string linkBase);

    /// <summary>The email proof: the token from the mailed link.</summary>
    Task<DelistingRequestView> ConfirmByEmail(string requestId, string token, string requester);

    /// <summary>The DNS proof: the TXT records the gateway found at <see cref="DelistingBook.DnsRecordName"/>.</summary>
    Task<DelistingRequestView> ProveByDns(string requestId, IReadOnlyList<string> txtRecords, string requester);

    /// <summary>An operator's decision on a request waiting for review.</summary>
    Task<DelistingRequestView> Review(string requestId, bool approve, string operatorName, string reason);

    Task<DelistingRequestView> Get(string requestId);
}
