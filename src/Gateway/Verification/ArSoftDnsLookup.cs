using System.Net;
using System.Net.Sockets;
using ARSoft.Tools.Net;
using ARSoft.Tools.Net.Dns;
using Microsoft.Extensions.Options;

namespace Clearinghouse.Gateway.Verification;

/// <summary><see cref="IDnsLookup"/> over ARSoft.Tools.Net's stub client, against the configured resolvers.</summary>
public sealed class ArSoftDnsLookup : IDnsLookup
{
    private readonly DnsClient client;
    private readonly TimeSpan negativeTtl;

    public ArSoftDnsLookup(IOptions<DnsOptions> options)
    {
        var settings = options.Value;
        var servers = settings.Servers.Count > 0
            ? settings.Servers.Select(s => IPAddress.Parse(s.Trim())).ToList()
            : DnsClient.GetLocalConfiguredDnsServers();
        client = new DnsClient(
            servers,
            [new UdpClientTransport(settings.Port), new TcpClientTransport(settings.Port)],
            false,
            (int)settings.QueryTimeout.TotalMilliseconds);
        negativeTtl = settings.NegativeCacheTtl;
    }

    public Task<DnsAnswer<string>> TxtAsync(string name, CancellationToken cancellationToken) =>
        QueryAsync(name, RecordType.Txt, r => r is TxtRecord txt ? string.Concat(txt.TextParts) : null, cancellationToken);

    public Task<DnsAnswer<IPAddress>> AddressesAsync(string name, AddressFamily family, CancellationToken cancellationToken) =>
        QueryAsync(name, family == AddressFamily.InterNetworkV6 ? RecordType.Aaaa : RecordType.A, r => (r as AddressRecordBase)?.Address, cancellationToken);

    public Task<DnsAnswer<string>> MxAsync(string name, CancellationToken cancellationToken) =>
        QueryAsync(name, RecordType.Mx, r => r is MxRecord mx ? Text(mx.ExchangeDomainName) : null, cancellationToken);

    public Task<DnsAnswer<string>> PtrAsync(IPAddress address, CancellationToken cancellationToken) =>
        QueryAsync(address.GetReverseLookupDomain(), RecordType.Ptr, r => r is PtrRecord ptr ? Text(ptr.PointerDomainName) : null, cancellationToken);

    private Task<DnsAnswer<T>> QueryAsync<T>(string name, RecordType type, Func<DnsRecordBase, T?> select, CancellationToken cancellationToken)
        where T : class =>
        DomainName.TryParse(name, out var domain)
            ? QueryAsync(domain!, type, select, cancellationToken)
            : Task.FromResult(new DnsAnswer<T>(DnsStatus.NotFound, [], negativeTtl));

    private async Task<DnsAnswer<T>> QueryAsync<T>(DomainName name, RecordType type, Func<DnsRecordBase, T?> select, CancellationToken cancellationToken)
        where T : class
    {
        DnsMessage? answer;
        try
        {
            answer = await client.ResolveAsync(name, type, RecordClass.INet, null, cancellationToken);
        }
        catch (Exception error) when (error is SocketException or IOException or TimeoutException || (error is OperationCanceledException && !cancellationToken.IsCancellationRequested))
        {
            return DnsAnswer<T>.Failed;
        }

        if (answer is null || answer.ReturnCode is not (ReturnCode.NoError or ReturnCode.NxDomain))
        {
            return DnsAnswer<T>.Failed;
        }

        var records = new List<T>();
        var ttl = int.MaxValue;
        foreach (var record in answer.AnswerRecords)
        {
            if (record.RecordType == type && select(record) is { } value)
            {
                records.Add(value);
                ttl = Math.Min(ttl, record.TimeToLive);
            }
        }

        if (records.Count > 0)
        {
            return new DnsAnswer<T>(DnsStatus.Found, records, TimeSpan.FromSeconds(Math.Max(0, ttl)));
        }

        var soa = answer.AuthorityRecords.OfType<SoaRecord>().FirstOrDefault();
        var negative = soa is null ? negativeTtl : TimeSpan.FromSeconds(Math.Max(0, Math.Min(soa.TimeToLive, soa.NegativeCachingTTL)));
        return new DnsAnswer<T>(DnsStatus.NotFound, [], negative);
    }

    private static string Text(DomainName name) => name.ToString().TrimEnd('.').ToLowerInvariant();
}
