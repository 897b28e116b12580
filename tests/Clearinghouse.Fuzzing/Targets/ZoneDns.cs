using System.Net;
using System.Net.Sockets;
using Clearinghouse.Gateway.Verification;

namespace Clearinghouse.Fuzzing.Targets;

/// <summary>
/// A made-up DNS for evaluating SPF records in-process: <see cref="Domain"/> publishes the record under test, and
/// every other name answers deterministically by a hash of the name (addresses, MX and PTR names, a few SPF records
/// that include or redirect back, nothing, or a failure), so that every branch of <c>check_host()</c> is reachable.
/// Counts the queries it answered.
/// </summary>
public sealed class ZoneDns(string record) : IDnsLookup
{
    public const string Domain = "fuzz.example";

    private static readonly TimeSpan Ttl = TimeSpan.FromMinutes(5);

    private static readonly string[] OtherRecords =
    [
        "v=spf1 ip4:192.0.2.0/24 ip6:2001:db8::/32 -all", "v=spf1 include:" + Domain + " ~all", "v=spf1 redirect=" + Domain,
        "v=spf1 a mx ptr ?all", "v=spf1 exists:%{i}.%{l}.%{d} -all", "v=spf1 -all", "not spf",
    ];

    public int Queries { get; private set; }

    public Task<DnsAnswer<string>> TxtAsync(string name, CancellationToken cancellationToken)
    {
        if (name == Domain)
        {
            return Answer<string>([record]);
        }

        var hash = Hash(name);
        return hash % 5 == 0 ? Fail<string>() : hash % 5 == 1 ? NotFound<string>() : Answer<string>([OtherRecords[hash % OtherRecords.Length]]);
    }

    public Task<DnsAnswer<IPAddress>> AddressesAsync(string name, AddressFamily family, CancellationToken cancellationToken)
    {
        var hash = Hash(name);
        if (hash % 7 == 0)
        {
            return Fail<IPAddress>();
        }

        if (hash % 7 == 1)
        {
            return NotFound<IPAddress>();
        }

        return family == AddressFamily.InterNetworkV6
            ? Answer<IPAddress>([IPAddress.Parse($"2001:db8::{hash % 4:x}"), IPAddress.Parse("2001:db8::1")])
            : Answer<IPAddress>([IPAddress.Parse($"192.0.2.{hash % 4}"), IPAddress.Parse("198.51.100.7")]);
    }

    public Task<DnsAnswer<string>> MxAsync(string name, CancellationToken cancellationToken)
    {
        var hash = Hash(name);
        var count = hash % 6 == 0 ? 11 : 1 + (hash % 3);
        return hash % 9 == 1 ? NotFound<string>() : Answer<string>([.. Enumerable.Range(0, count).Select(i => $"mx{i}.{name}")]);
    }

    public Task<DnsAnswer<string>> PtrAsync(IPAddress address, CancellationToken cancellationToken) =>
        Answer<string>([.. Enumerable.Range(0, 1 + (Hash(address.ToString()) % 12)).Select(i => $"host{i}.{Domain}")]);

    private static int Hash(string name)
    {
        var hash = 17;
        foreach (var c in name)
        {
            hash = unchecked((hash * 31) + c);
        }

        return hash & int.MaxValue;
    }

    private Task<DnsAnswer<T>> Answer<T>(IReadOnlyList<T> records)
    {
        Queries++;
        return Task.FromResult(new DnsAnswer<T>(DnsStatus.Found, records, Ttl));
    }

    private Task<DnsAnswer<T>> NotFound<T>()
    {
        Queries++;
        return Task.FromResult(new DnsAnswer<T>(DnsStatus.NotFound, [], Ttl));
    }

    private Task<DnsAnswer<T>> Fail<T>()
    {
        Queries++;
        return Task.FromResult(DnsAnswer<T>.Failed);
    }
}
