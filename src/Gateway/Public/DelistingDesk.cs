using Clearinghouse.Contracts;
using Clearinghouse.Domain;
using Clearinghouse.Gateway.FilterList;
using Clearinghouse.Gateway.Verification;
using Microsoft.Extensions.Options;

namespace Clearinghouse.Gateway.Public;

/// <summary>
/// Delisting requests as the public site takes them: validates what the requester sent, refuses what is not listed
/// (from this gateway's filter-list replica), looks up the DNS proof with the gateway's resolver, and hands the rest
/// to the subject's grain (<see cref="IDelistingRequests"/>), which owns the requests and their rules.
/// </summary>
public sealed class DelistingDesk(IGrainFactory grains, FilterListReplica replica, IDnsLookup dns, IOptions<PublicSiteOptions> options)
{
    private const int MaxTokenLength = 128;

    public async Task<DelistingRequestView> OpenAsync(string? subjectText, string? methodText, string? explanation, string requester)
    {
        var subject = Subject(subjectText);
        var method = (methodText ?? "").Trim().ToLowerInvariant() switch
        {
            "email" => ProofMethod.Email,
            "dns" => ProofMethod.Dns,
            _ => throw new InvalidFieldException("method", "must be email or dns"),
        };
        if (replica.Find(subject.Entry) is null)
        {
            throw new PublicSiteException(404, $"subject: {subject.Value} is not on the filter list: there is nothing to remove");
        }

        return await grains.GetGrain<IDelistingRequests>(subject.Key).Open(method, explanation ?? "", requester, options.Value.LinkBase);
    }

    public async Task<DelistingRequestView> ConfirmAsync(string? subjectText, string? requestId, string? token, string requester)
    {
        var subject = Subject(subjectText);
        var id = RequestId(requestId);
        var text = (token ?? "").Trim();
        if (text.Length is 0 or > MaxTokenLength)
        {
            throw new InvalidFieldException("token", "is required: the token of the mailed link");
        }

        return await grains.GetGrain<IDelistingRequests>(subject.Key).ConfirmByEmail(id, text, requester);
    }

    public async Task<DelistingRequestView> CheckDnsAsync(string? subjectText, string? requestId, string requester, CancellationToken cancellationToken)
    {
        var subject = Subject(subjectText);
        var id = RequestId(requestId);
        var name = DelistingBook.DnsRecordName(subject);
        var answer = await dns.TxtAsync(name, cancellationToken);
        if (answer.Status == DnsStatus.Failed)
        {
            throw new PublicSiteException(503, $"DNS did not answer for {name}; check again in a moment");
        }

        return await grains.GetGrain<IDelistingRequests>(subject.Key).ProveByDns(id, answer.Records, requester);
    }

    public async Task<DelistingRequestView> StatusAsync(string? subjectText, string? requestId) =>
        await grains.GetGrain<IDelistingRequests>(Subject(subjectText).Key).Get(RequestId(requestId));

    private static ListedSubject Subject(string? text)
    {
        var subject = ListedSubject.Parse(text, "subject");
        return subject.Kind == SubjectKind.Ip
            ? throw new InvalidFieldException("subject", "an IP address cannot be removed by self-service: ask the clearing house's operators")
            : subject;
    }

    /// <summary>A request id as the grains make them: "dl-" and 32 hexadecimal digits.</summary>
    public static string RequestId(string? text, string field = "request_id")
    {
        var id = (text ?? "").Trim();
        return id.Length == 35 && id.StartsWith("dl-", StringComparison.Ordinal) && id.AsSpan(3).IndexOfAnyExcept("0123456789abcdef") < 0
            ? id
            : throw new InvalidFieldException(field, "is not a delisting request id (dl- and 32 hexadecimal digits)");
    }
}
