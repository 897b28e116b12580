using System.Net;
using System.Net.Sockets;
using Clearinghouse.Domain;

namespace Clearinghouse.Gateway.Verification;

/// <summary>The outcome of an SPF check and how long it may be kept (the shortest TTL of the answers it used).</summary>
public readonly record struct SpfCheck(SpfResult Result, TimeSpan Ttl);

/// <summary>
/// RFC 7208 <c>check_host()</c>: evaluates the sender domain's SPF record for the client IP with the <c>all</c>,
/// <c>include</c>, <c>a</c>, <c>mx</c>, <c>ptr</c>, <c>ip4</c>, <c>ip6</c> and <c>exists</c> mechanisms, the
/// <c>redirect</c> modifier, qualifiers and macros; at most 10 terms that query DNS and 2 void lookups (section 4.6.4),
/// at most 10 MX or PTR names per mechanism. A DNS failure is a temperror; anything the record's publisher got wrong
/// is a permerror. Stateless: one instance serves every check.
/// </summary>
public sealed class SpfEvaluator(IDnsLookup dns)
{
    public const int MaxDnsTerms = 10;
    public const int MaxVoidLookups = 2;
    public const int MaxNamesPerMechanism = 10;

    public async Task<SpfCheck> CheckHostAsync(IPAddress ip, string domain, string senderLocalPart, string? helo, CancellationToken cancellationToken = default)
    {
        var run = new Run(new SpfMacroContext(IpPrefix.Canonical(ip), senderLocalPart, domain, helo), cancellationToken);
        SpfResult result;
        try
        {
            result = await CheckHostAsync(run, domain);
        }
        catch (SpfAbort abort)
        {
            result = abort.Result;
        }

        return new SpfCheck(result, run.Ttl);
    }

    private async Task<SpfResult> CheckHostAsync(Run run, string domain)
    {
        if (!IsCheckableDomain(domain))
        {
            return SpfResult.None;
        }

        var txt = run.Observe(await dns.TxtAsync(domain, run.Cancellation));
        if (txt.Status == DnsStatus.Failed)
        {
            throw new SpfAbort(SpfResult.TempError);
        }

        var records = txt.Records.Where(SpfRecord.IsSpfRecord).ToList();
        if (records.Count == 0)
        {
            return SpfResult.None;
        }

        if (records.Count > 1 || !SpfRecord.TryParse(records[0], out var record, out _))
        {
            throw new SpfAbort(SpfResult.PermError);
        }

        foreach (var mechanism in record.Mechanisms)
        {
            if (await MatchesAsync(run, mechanism, domain))
            {
                return mechanism.Qualifier;
            }
        }

        if (record.Redirect is { } redirect)
        {
            run.CountDnsTerm();
            var result = await CheckHostAsync(run, Expand(run, redirect, domain));
            return result == SpfResult.None ? throw new SpfAbort(SpfResult.PermError) : result;
        }

        return SpfResult.Neutral;
    }

    private async Task<bool> MatchesAsync(Run run, SpfMechanism mechanism, string domain)
    {
        var ip = run.Macros.Ip;
        switch (mechanism.Kind)
        {
            case SpfMechanismKind.All:
                return true;

            case SpfMechanismKind.Ip4 or SpfMechanismKind.Ip6:
                return mechanism.Network!.AddressFamily == ip.AddressFamily
                    && IpPrefix.SharePrefix(ip, mechanism.Network, mechanism.PrefixLengthFor(ip.AddressFamily));

            case SpfMechanismKind.Include:
            {
                run.CountDnsTerm();
                var result = await CheckHostAsync(run, Expand(run, mechanism.DomainSpec!, domain));
                return result switch
                {
                    SpfResult.Pass => true,
                    SpfResult.None => throw new SpfAbort(SpfResult.PermError),
                    _ => false,
                };
            }

            case SpfMechanismKind.A:
            {
                run.CountDnsTerm();
                var addresses = run.Observe(await dns.AddressesAsync(Target(run, mechanism, domain), ip.AddressFamily, run.Cancellation));
                return run.CheckVoid(addresses) && ContainsNetworkOf(addresses.Records, ip, mechanism.PrefixLengthFor(ip.AddressFamily));
            }

            case SpfMechanismKind.Mx:
            {
                run.CountDnsTerm();
                var exchanges = run.Observe(await dns.MxAsync(Target(run, mechanism, domain), run.Cancellation));
                if (!run.CheckVoid(exchanges))
                {
                    return false;
                }

                if (exchanges.Records.Count > MaxNamesPerMechanism)
                {
                    throw new SpfAbort(SpfResult.PermError);
                }

                foreach (var exchange in exchanges.Records)
                {
                    var addresses = run.Observe(await dns.AddressesAsync(exchange, ip.AddressFamily, run.Cancellation));
                    if (addresses.Status == DnsStatus.Failed)
                    {
                        throw new SpfAbort(SpfResult.TempError);
                    }

                    if (ContainsNetworkOf(addresses.Records, ip, mechanism.PrefixLengthFor(ip.AddressFamily)))
                    {
                        return true;
                    }
                }

                return false;
            }

            case SpfMechanismKind.Ptr:
            {
                run.CountDnsTerm();
                var target = Target(run, mechanism, domain);
                var (names, ttl) = await ReverseDns.ConfirmedNamesAsync(dns, ip, run.Cancellation);
                run.Observe(ttl);
                return names.Any(name => ReverseDns.IsAtOrUnder(name, target));
            }

            case SpfMechanismKind.Exists:
            {
                run.CountDnsTerm();
                var addresses = run.Observe(await dns.AddressesAsync(Expand(run, mechanism.DomainSpec!, domain), AddressFamily.InterNetwork, run.Cancellation));
                return run.CheckVoid(addresses);
            }

            default:
                throw new SpfAbort(SpfResult.PermError);
        }
    }

    private static bool ContainsNetworkOf(IReadOnlyList<IPAddress> addresses, IPAddress ip, int prefixLength)
    {
        foreach (var address in addresses)
        {
            if (address.AddressFamily == ip.AddressFamily && IpPrefix.SharePrefix(address, ip, prefixLength))
            {
                return true;
            }
        }

        return false;
    }

    private static string Target(Run run, SpfMechanism mechanism, string domain) =>
        mechanism.DomainSpec is null ? domain : Expand(run, mechanism.DomainSpec, domain);

    private static string Expand(Run run, string spec, string domain) =>
        SpfMacro.TryExpand(spec, run.Macros, domain, out var expanded) ? expanded.TrimEnd('.').ToLowerInvariant() : throw new SpfAbort(SpfResult.PermError);

    // Section 4.3: a malformed or single-label domain gives "none".
    private static bool IsCheckableDomain(string domain) =>
        DomainName.TryNormalize(domain, out var normalized, out _) && normalized.Contains('.') && !normalized.StartsWith('[');

    /// <summary>The state of one check: lookup counters, the shortest TTL seen.</summary>
    private sealed class Run(SpfMacroContext macros, CancellationToken cancellation)
    {
        private int dnsTerms;
        private int voidLookups;

        public SpfMacroContext Macros { get; } = macros;

        public CancellationToken Cancellation { get; } = cancellation;

        public TimeSpan Ttl { get; private set; } = TimeSpan.MaxValue;

        public void CountDnsTerm()
        {
            if (++dnsTerms > MaxDnsTerms)
            {
                throw new SpfAbort(SpfResult.PermError);
            }
        }

        /// <summary>False for a void lookup (counted; more than two is a permerror); temperror for a failed one.</summary>
        public bool CheckVoid<T>(DnsAnswer<T> answer)
        {
            if (answer.Status == DnsStatus.Failed)
            {
                throw new SpfAbort(SpfResult.TempError);
            }

            if (answer.Status == DnsStatus.NotFound)
            {
                if (++voidLookups > MaxVoidLookups)
                {
                    throw new SpfAbort(SpfResult.PermError);
                }

                return false;
            }

            return true;
        }

        public DnsAnswer<T> Observe<T>(DnsAnswer<T> answer)
        {
            if (answer.Status != DnsStatus.Failed)
            {
                Observe(answer.Ttl);
            }

            return answer;
        }

        public void Observe(TimeSpan ttl)
        {
            if (ttl < Ttl)
            {
                Ttl = ttl;
            }
        }
    }

    private sealed class SpfAbort(SpfResult result) : Exception($"SPF {result}")
    {
        public SpfResult Result { get; } = result;
    }
}
