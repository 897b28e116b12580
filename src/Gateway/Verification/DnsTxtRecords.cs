using Clearinghouse.Domain;

namespace Clearinghouse.Gateway.Verification;

/// <summary>The grains' TXT lookups (DMARC records for failure reports) through the gateway's resolver.</summary>
public sealed class DnsTxtRecords(IDnsLookup dns) : ITxtRecords
{
    public async Task<TxtAnswer> TxtAsync(string name, CancellationToken cancellationToken)
    {
        var answer = await dns.TxtAsync(name, cancellationToken);
        var status = answer.Status switch
        {
            DnsStatus.Found => TxtStatus.Found,
            DnsStatus.NotFound => TxtStatus.NotFound,
            _ => TxtStatus.Failed,
        };
        return new TxtAnswer(status, answer.Records);
    }
}
