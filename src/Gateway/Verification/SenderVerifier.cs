using System.Collections.Concurrent;
using System.Diagnostics;
using System.Net;
using Clearinghouse.Domain;
using Microsoft.Extensions.Options;

namespace Clearinghouse.Gateway.Verification;

/// <summary>
/// Verifies at MAIL time that the client IP may send for the sender's domain: SPF pass, or, when SPF gives no verdict
/// (none, neutral, temperror, permerror), forward-confirmed reverse DNS to a name at or under the domain. An SPF fail
/// or softfail is the domain owner saying no, and reverse DNS does not overrule it. Results are cached per
/// (IP, domain) for the shortest TTL of the DNS answers used (temperrors briefly), and concurrent misses share one
/// evaluation, so a warm check is a dictionary lookup. Macros that use the sender's local part (<c>%{s}</c>, <c>%{l}</c>)
/// are evaluated for the first sender seen with that IP and domain.
/// </summary>
public sealed class SenderVerifier(SpfEvaluator spf, IDnsLookup dns, IOptions<DnsOptions> options, TimeProvider clock)
{
    private readonly ConcurrentDictionary<(IPAddress Ip, string Domain), Entry> cache = new();

    public ValueTask<SenderVerification> VerifyAsync(IPAddress ip, Address sender, string? helo, CancellationToken cancellationToken = default)
    {
        var key = (IpPrefix.Canonical(ip), sender.Domain);
        var now = clock.GetUtcNow().UtcTicks;
        if (cache.TryGetValue(key, out var cached) && cached.IsFreshAt(now))
        {
            return cached.Result.IsCompletedSuccessfully ? new(cached.Result.Result) : new(cached.Result);
        }

        var fresh = new Entry();
        var winner = cache.AddOrUpdate(key, fresh, (_, old) => old.IsFreshAt(now) ? old : fresh);
        if (winner != fresh)
        {
            return new(winner.Result);
        }

        return new(ComputeAsync(key, fresh, sender, helo, cancellationToken));
    }

    private async Task<SenderVerification> ComputeAsync((IPAddress Ip, string Domain) key, Entry entry, Address sender, string? helo, CancellationToken cancellationToken)
    {
        try
        {
            var (verification, ttl) = await EvaluateAsync(key.Ip, key.Domain, sender.LocalPart.ToString(), helo, cancellationToken);
            ttl = ttl > options.Value.MaxCacheTtl ? options.Value.MaxCacheTtl : ttl;
            if (verification.Spf == SpfResult.TempError && ttl > options.Value.TempErrorCacheTtl)
            {
                ttl = options.Value.TempErrorCacheTtl;
            }

            entry.Complete(verification, clock.GetUtcNow().UtcTicks + ttl.Ticks);
            if (ttl <= TimeSpan.Zero)
            {
                cache.TryRemove(new KeyValuePair<(IPAddress, string), Entry>(key, entry));
            }

            KeepBounded();
            Count(verification);
            return verification;
        }
        catch (Exception error)
        {
            cache.TryRemove(new KeyValuePair<(IPAddress, string), Entry>(key, entry));
            entry.Fail(error);
            throw;
        }
    }

    private async Task<(SenderVerification Verification, TimeSpan Ttl)> EvaluateAsync(IPAddress ip, string domain, string localPart, string? helo, CancellationToken cancellationToken)
    {
        var check = await spf.CheckHostAsync(ip, domain, localPart, helo, cancellationToken);
        if (check.Result == SpfResult.Pass)
        {
            return (new SenderVerification(VerificationMethod.Spf, SpfResult.Pass), check.Ttl);
        }

        if (check.Result is SpfResult.Fail or SpfResult.SoftFail)
        {
            return (new SenderVerification(VerificationMethod.None, check.Result), check.Ttl);
        }

        var (names, ttl) = await ReverseDns.ConfirmedNamesAsync(dns, ip, cancellationToken);
        var method = names.Any(name => ReverseDns.IsAtOrUnder(name, domain)) ? VerificationMethod.ForwardConfirmedReverseDns : VerificationMethod.None;
        return (new SenderVerification(method, check.Result), ttl < check.Ttl ? ttl : check.Ttl);
    }

    private void KeepBounded()
    {
        if (cache.Count <= options.Value.MaxCacheEntries)
        {
            return;
        }

        var now = clock.GetUtcNow().UtcTicks;
        foreach (var (key, entry) in cache)
        {
            if (!entry.IsFreshAt(now))
            {
                cache.TryRemove(new KeyValuePair<(IPAddress, string), Entry>(key, entry));
            }
        }

        // Still full of fresh entries (a flood of distinct IPs): start over rather than grow without bound.
        if (cache.Count > options.Value.MaxCacheEntries)
        {
            cache.Clear();
        }
    }

    private static void Count(SenderVerification verification) =>
        ClearinghouseTelemetry.SenderVerifications.Add(1, new TagList
        {
            { "method", verification.Method switch { VerificationMethod.Spf => "spf", VerificationMethod.ForwardConfirmedReverseDns => "fcrdns", _ => "none" } },
            { "spf", verification.Spf.ToString().ToLowerInvariant() },
        });

    /// <summary>A cached verification, pending until its evaluation completes; fresh until its expiry.</summary>
    private sealed class Entry
    {
        private readonly TaskCompletionSource<SenderVerification> result = new(TaskCreationOptions.RunContinuationsAsynchronously);
        private long expiresAtTicks = long.MaxValue;

        public Task<SenderVerification> Result => result.Task;

        public bool IsFreshAt(long nowTicks) => nowTicks < Volatile.Read(ref expiresAtTicks);

        public void Complete(SenderVerification verification, long expiresAt)
        {
            Volatile.Write(ref expiresAtTicks, expiresAt);
            result.SetResult(verification);
        }

        public void Fail(Exception error)
        {
            Volatile.Write(ref expiresAtTicks, long.MinValue);
            result.SetException(error);
        }
    }
}
