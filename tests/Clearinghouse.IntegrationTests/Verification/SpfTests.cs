using System.Net;
using Clearinghouse.Domain;
using Clearinghouse.Gateway.Verification;
using Microsoft.Extensions.Options;
using Microsoft.Extensions.Time.Testing;

namespace Clearinghouse.IntegrationTests;

/// <summary>One loopback DNS server with a zone for every SPF case, shared by the class.</summary>
public sealed class SpfZoneFixture : IAsyncLifetime
{
    public LoopbackDnsServer Dns { get; private set; } = null!;

    public Task InitializeAsync()
    {
        Dns = LoopbackDnsServer.Start();
        Dns.Txt("pass.test", "v=spf1 ip4:192.0.2.0/24 -all")
            .Txt("soft.test", "v=spf1 ip4:192.0.2.1 ~all")
            .Txt("neutral.test", "v=spf1 ?all")
            .Txt("nomatch.test", "v=spf1 ip4:192.0.2.1")
            .Txt("nospf.test", "google-site-verification=abc")
            .Txt("syntax.test", "v=spf1 ip4:300.1.1.1 -all")
            .Txt("unknown.test", "v=spf1 foo:bar.test -all")
            .Txt("twice.test", "v=spf1 -all")
            .Txt("twice.test", "v=spf1 +all")
            .Txt("include.test", "v=spf1 include:pass.test -all")
            .Txt("include-none.test", "v=spf1 include:nospf.test -all")
            .Txt("redirect.test", "v=spf1 redirect=pass.test")
            .Txt("a.test", "v=spf1 a a:hosts.a.test/24 -all")
            .Address("a.test", "198.51.100.7")
            .Address("hosts.a.test", "203.0.113.1")
            .Txt("mx.test", "v=spf1 mx -all")
            .Mx("mx.test", "mail1.mx.test")
            .Mx("mx.test", "mail2.mx.test", 20)
            .Address("mail1.mx.test", "203.0.113.25")
            .Address("mail2.mx.test", "2001:db8:25::1")
            .Txt("v6.test", "v=spf1 ip6:2001:db8::/32 -all")
            .Txt("exists.test", "v=spf1 exists:%{i}.allow.exists.test -all")
            .Address("192.0.2.77.allow.exists.test", "127.0.0.2")
            .Txt("long.test", "v=spf1 ip4:192.0.2.1 ip4:192.0.2.2 ip4:192.0.2.3 ip4:192.0.2.4 ip4:192.0.2.5 ip4:192.0.2.6 ip4:192.0.2.7 ip4:192.0.2.8 ip4:192.0.2.9 ip4:192.0.2.10 ip4:192.0.2.11 ip4:192.0.2.12 ip4:192.0.2.13 ip4:192.0.2.14 ip4:192.0.2.15 ip4:192.0.2.16 ip4:192.0.2.99 -all");

        // Ten terms that query DNS are allowed; an eleventh is a permerror (RFC 7208 4.6.4).
        Dns.Txt("ten.test", "v=spf1 " + string.Join(' ', Enumerable.Range(1, 10).Select(i => $"a:h{i}.hosts.test")) + " -all");
        Dns.Txt("eleven.test", "v=spf1 " + string.Join(' ', Enumerable.Range(1, 11).Select(i => $"a:h{i}.hosts.test")) + " -all");
        for (var i = 1; i <= 11; i++)
        {
            Dns.Address($"h{i}.hosts.test", $"203.0.113.{100 + i}");
        }

        // Two void lookups are allowed; a third is a permerror.
        Dns.Txt("two-void.test", "v=spf1 a:nx1.test a:nx2.test -all");
        Dns.Txt("three-void.test", "v=spf1 a:nx1.test a:nx2.test a:nx3.test -all");

        // Includes that loop: stopped by the lookup limit.
        Dns.Txt("loop1.test", "v=spf1 include:loop2.test -all");
        Dns.Txt("loop2.test", "v=spf1 include:loop1.test -all");
        return Task.CompletedTask;
    }

    public SpfEvaluator Evaluator(LoopbackDnsServer? dns = null) => new(Lookup(dns ?? Dns));

    public static ArSoftDnsLookup Lookup(LoopbackDnsServer dns) => new(Options.Create(new DnsOptions
    {
        Servers = ["127.0.0.1"],
        Port = dns.Port,
        QueryTimeout = TimeSpan.FromMilliseconds(500),
    }));

    public async Task DisposeAsync() => await Dns.DisposeAsync();
}

public class SpfTests(SpfZoneFixture zone) : IClassFixture<SpfZoneFixture>
{
    private readonly SpfEvaluator spf = zone.Evaluator();

    [Theory]
    [InlineData("pass.test", "192.0.2.10", SpfResult.Pass)]
    [InlineData("pass.test", "198.51.100.1", SpfResult.Fail)]
    [InlineData("soft.test", "198.51.100.1", SpfResult.SoftFail)]
    [InlineData("soft.test", "192.0.2.1", SpfResult.Pass)]
    [InlineData("neutral.test", "198.51.100.1", SpfResult.Neutral)]
    [InlineData("nomatch.test", "198.51.100.1", SpfResult.Neutral)]
    [InlineData("nospf.test", "198.51.100.1", SpfResult.None)]
    [InlineData("no-such-domain.test", "198.51.100.1", SpfResult.None)]
    [InlineData("localhost", "198.51.100.1", SpfResult.None)]
    public async Task The_qualifiers_and_the_absence_of_a_record_give_their_results(string domain, string ip, SpfResult expected)
    {
        Assert.Equal(expected, (await spf.CheckHostAsync(IPAddress.Parse(ip), domain, "sender", null)).Result);
    }

    [Theory]
    [InlineData("syntax.test")]
    [InlineData("unknown.test")]
    [InlineData("twice.test")]
    [InlineData("include-none.test")]
    public async Task A_record_that_cannot_be_interpreted_is_a_permerror(string domain)
    {
        Assert.Equal(SpfResult.PermError, (await spf.CheckHostAsync(IPAddress.Parse("192.0.2.10"), domain, "sender", null)).Result);
    }

    [Fact]
    public async Task Ten_DNS_terms_are_evaluated_and_an_eleventh_is_a_permerror()
    {
        var ip = IPAddress.Parse("198.51.100.1");
        Assert.Equal(SpfResult.Fail, (await spf.CheckHostAsync(ip, "ten.test", "s", null)).Result);
        Assert.Equal(SpfResult.PermError, (await spf.CheckHostAsync(ip, "eleven.test", "s", null)).Result);
        Assert.Equal(SpfResult.PermError, (await spf.CheckHostAsync(ip, "loop1.test", "s", null)).Result);

        // The limit counts terms that query DNS, not ip4 terms.
        Assert.Equal(SpfResult.Pass, (await spf.CheckHostAsync(IPAddress.Parse("192.0.2.99"), "long.test", "s", null)).Result);
    }

    [Fact]
    public async Task Two_void_lookups_are_tolerated_and_a_third_is_a_permerror()
    {
        var ip = IPAddress.Parse("198.51.100.1");
        Assert.Equal(SpfResult.Fail, (await spf.CheckHostAsync(ip, "two-void.test", "s", null)).Result);
        Assert.Equal(SpfResult.PermError, (await spf.CheckHostAsync(ip, "three-void.test", "s", null)).Result);
    }

    [Theory]
    [InlineData("include.test", "192.0.2.200", SpfResult.Pass)]
    [InlineData("include.test", "198.51.100.1", SpfResult.Fail)]
    [InlineData("redirect.test", "192.0.2.200", SpfResult.Pass)]
    [InlineData("redirect.test", "198.51.100.1", SpfResult.Fail)]
    [InlineData("a.test", "198.51.100.7", SpfResult.Pass)]
    [InlineData("a.test", "203.0.113.77", SpfResult.Pass)]
    [InlineData("a.test", "203.0.114.1", SpfResult.Fail)]
    [InlineData("mx.test", "203.0.113.25", SpfResult.Pass)]
    [InlineData("mx.test", "2001:db8:25::1", SpfResult.Pass)]
    [InlineData("mx.test", "203.0.113.26", SpfResult.Fail)]
    [InlineData("v6.test", "2001:db8:abcd::1", SpfResult.Pass)]
    [InlineData("v6.test", "2001:db9::1", SpfResult.Fail)]
    [InlineData("v6.test", "192.0.2.1", SpfResult.Fail)]
    [InlineData("exists.test", "192.0.2.77", SpfResult.Pass)]
    [InlineData("exists.test", "192.0.2.78", SpfResult.Fail)]
    [InlineData("pass.test", "::ffff:192.0.2.10", SpfResult.Pass)]
    public async Task Mechanisms_match_the_client_ip(string domain, string ip, SpfResult expected)
    {
        Assert.Equal(expected, (await spf.CheckHostAsync(IPAddress.Parse(ip), domain, "sender", "mail.example")).Result);
    }

    [Fact]
    public async Task A_resolver_that_does_not_answer_gives_a_temperror()
    {
        var dead = LoopbackDnsServer.Start();
        dead.Txt("pass.test", "v=spf1 ip4:192.0.2.0/24 -all");
        var evaluator = zone.Evaluator(dead);
        Assert.Equal(SpfResult.Pass, (await evaluator.CheckHostAsync(IPAddress.Parse("192.0.2.10"), "pass.test", "s", null)).Result);

        dead.Stop();

        Assert.Equal(SpfResult.TempError, (await evaluator.CheckHostAsync(IPAddress.Parse("192.0.2.10"), "pass.test", "s", null)).Result);
    }

    [Fact]
    public async Task The_result_carries_the_shortest_ttl_of_the_answers_used()
    {
        await using var dns = LoopbackDnsServer.Start();
        dns.Txt("ttl.test", "v=spf1 a -all", ttl: 900).Address("ttl.test", "192.0.2.1", ttl: 120);
        var check = await zone.Evaluator(dns).CheckHostAsync(IPAddress.Parse("192.0.2.1"), "ttl.test", "s", null);
        Assert.Equal((SpfResult.Pass, TimeSpan.FromSeconds(120)), (check.Result, check.Ttl));
    }
}

public class SenderVerifierTests(SpfZoneFixture zone) : IClassFixture<SpfZoneFixture>
{
    private static readonly Address Sender = Address.Parse("news@pass.test", "sender");

    private static SenderVerifier Verifier(LoopbackDnsServer dns, TimeProvider clock)
    {
        var lookup = SpfZoneFixture.Lookup(dns);
        return new SenderVerifier(new SpfEvaluator(lookup), lookup, Options.Create(new DnsOptions()), clock);
    }

    [Fact]
    public async Task Spf_pass_verifies_and_fail_does_not_even_with_reverse_dns()
    {
        await using var dns = LoopbackDnsServer.Start();
        dns.Txt("bigmail.test", "v=spf1 ip4:192.0.2.0/24 -all")
            .Ptr("198.51.100.9", "mx.bigmail.test")
            .Address("mx.bigmail.test", "198.51.100.9");
        var verifier = Verifier(dns, TimeProvider.System);
        var sender = Address.Parse("a@bigmail.test", "sender");

        Assert.Equal(new SenderVerification(VerificationMethod.Spf, SpfResult.Pass), await verifier.VerifyAsync(IPAddress.Parse("192.0.2.3"), sender, null));
        Assert.Equal(new SenderVerification(VerificationMethod.None, SpfResult.Fail), await verifier.VerifyAsync(IPAddress.Parse("198.51.100.9"), sender, null));
    }

    [Fact]
    public async Task Without_an_spf_verdict_forward_confirmed_reverse_dns_verifies()
    {
        await using var dns = LoopbackDnsServer.Start();
        dns.Txt("plain.test", "no spf here")
            .Ptr("203.0.113.9", "mx1.plain.test")
            .Address("mx1.plain.test", "203.0.113.9")
            .Ptr("203.0.113.10", "mx2.plain.test")
            .Address("mx2.plain.test", "203.0.113.99")
            .Ptr("203.0.113.11", "host.elsewhere.test")
            .Address("host.elsewhere.test", "203.0.113.11");
        var verifier = Verifier(dns, TimeProvider.System);
        var sender = Address.Parse("a@plain.test", "sender");

        Assert.Equal(new SenderVerification(VerificationMethod.ForwardConfirmedReverseDns, SpfResult.None), await verifier.VerifyAsync(IPAddress.Parse("203.0.113.9"), sender, null));

        // The PTR name does not resolve back to the IP; or it is confirmed but not under the claimed domain.
        Assert.Equal(VerificationMethod.None, (await verifier.VerifyAsync(IPAddress.Parse("203.0.113.10"), sender, null)).Method);
        Assert.Equal(VerificationMethod.None, (await verifier.VerifyAsync(IPAddress.Parse("203.0.113.11"), sender, null)).Method);
    }

    [Fact]
    public async Task A_result_is_cached_for_the_records_ttl_then_asked_again()
    {
        await using var dns = LoopbackDnsServer.Start();
        dns.Txt("cached.test", "v=spf1 ip4:192.0.2.0/24 -all", ttl: 60);
        var clock = new FakeTimeProvider(DateTimeOffset.UtcNow);
        var verifier = Verifier(dns, clock);
        var sender = Address.Parse("a@cached.test", "sender");
        var ip = IPAddress.Parse("192.0.2.8");

        Assert.True((await verifier.VerifyAsync(ip, sender, null)).IsVerified);
        var queriesAfterFirst = dns.Queries;

        // The domain's owner withdraws the authorisation: the cached pass stands until the TTL runs out.
        dns.Clear("cached.test");
        dns.Txt("cached.test", "v=spf1 -all", ttl: 60);
        clock.Advance(TimeSpan.FromSeconds(59));
        Assert.True((await verifier.VerifyAsync(ip, Address.Parse("b@cached.test", "sender"), null)).IsVerified);
        Assert.Equal(queriesAfterFirst, dns.Queries);

        clock.Advance(TimeSpan.FromSeconds(2));
        Assert.Equal(new SenderVerification(VerificationMethod.None, SpfResult.Fail), await verifier.VerifyAsync(ip, sender, null));
        Assert.True(dns.Queries > queriesAfterFirst);
    }

    [Fact]
    public async Task Verification_uses_the_shared_zone()
    {
        var verifier = Verifier(zone.Dns, TimeProvider.System);
        Assert.True((await verifier.VerifyAsync(IPAddress.Parse("192.0.2.44"), Sender, null)).IsVerified);
    }
}
