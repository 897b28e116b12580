using Clearinghouse.Domain;

namespace Clearinghouse.UnitTests.Forgery;

/// <summary>
/// Where a forged domain's failure report goes, with the TXT records given here (the integration tests use a real DNS
/// server): the ruf= address inside the domain, an outside one only with RFC 7489 section 7.1's authorisation.
/// </summary>
public class FailureReportRoutingTests
{
    private sealed class Zone : ITxtRecords
    {
        public Dictionary<string, string[]> Records { get; } = new(StringComparer.Ordinal);

        public HashSet<string> Failing { get; } = new(StringComparer.Ordinal);

        public List<string> Asked { get; } = [];

        public Task<TxtAnswer> TxtAsync(string name, CancellationToken cancellationToken)
        {
            Asked.Add(name);
            if (Failing.Contains(name))
            {
                return Task.FromResult(new TxtAnswer(TxtStatus.Failed, []));
            }

            return Task.FromResult(Records.TryGetValue(name, out var found) ? new TxtAnswer(TxtStatus.Found, found) : new TxtAnswer(TxtStatus.NotFound, []));
        }
    }

    private static Task<FailureReportRoute> Route(Zone zone, string domain = "bank.example", long size = 3000) =>
        new FailureReportRouting(zone).RouteAsync(domain, size, CancellationToken.None);

    [Fact]
    public async Task A_ruf_address_inside_the_domain_receives_the_report()
    {
        var zone = new Zone();
        zone.Records["_dmarc.bank.example"] = ["v=spf1 -all", "v=DMARC1; p=reject; ruf=mailto:failures@bank.example"];
        var route = await Route(zone);
        Assert.Equal(["failures@bank.example"], route.Recipients.Select(r => r.Value));
        Assert.False(route.UseFallback || route.Retry);
    }

    [Fact]
    public async Task An_outside_ruf_address_receives_nothing_without_the_authorisation_record()
    {
        var zone = new Zone();
        zone.Records["_dmarc.bank.example"] = ["v=DMARC1; p=reject; ruf=mailto:victim@third.example"];
        var route = await Route(zone);
        Assert.Empty(route.Recipients);
        Assert.True(route.UseFallback);
        Assert.Contains("bank.example._report._dmarc.third.example", route.Note);
        Assert.Contains("bank.example._report._dmarc.third.example", zone.Asked);

        // A TXT record that is not v=DMARC1 does not authorise either.
        zone.Records["bank.example._report._dmarc.third.example"] = ["hello"];
        Assert.True((await Route(zone)).UseFallback);

        zone.Records["bank.example._report._dmarc.third.example"] = ["v=DMARC1"];
        Assert.Equal(["victim@third.example"], (await Route(zone)).Recipients.Select(r => r.Value));
    }

    [Fact]
    public async Task A_subdomain_without_a_record_uses_its_parents_and_its_ruf()
    {
        var zone = new Zone();
        zone.Records["_dmarc.bank.example"] = ["v=DMARC1; p=none; ruf=mailto:failures@reports.bank.example"];
        var route = await Route(zone, "mail.eu.bank.example");
        Assert.Equal(["failures@reports.bank.example"], route.Recipients.Select(r => r.Value));
        Assert.Equal(["_dmarc.mail.eu.bank.example", "_dmarc.eu.bank.example", "_dmarc.bank.example"], zone.Asked);
        Assert.Equal(["a.b.c.d.e", "b.c.d.e", "c.d.e", "d.e"], FailureReportRouting.PolicyCandidates("a.b.c.d.e"));
    }

    [Fact]
    public async Task No_record_no_ruf_fo_d_or_two_records_fall_back()
    {
        var zone = new Zone();
        Assert.True((await Route(zone)).UseFallback);

        zone.Records["_dmarc.bank.example"] = ["v=DMARC1; p=reject; rua=mailto:agg@bank.example"];
        Assert.True((await Route(zone)).UseFallback);

        zone.Records["_dmarc.bank.example"] = ["v=DMARC1; p=reject; ruf=mailto:f@bank.example; fo=d"];
        Assert.True((await Route(zone)).UseFallback);

        zone.Records["_dmarc.bank.example"] = ["v=DMARC1; ruf=mailto:f@bank.example", "v=DMARC1; ruf=mailto:g@bank.example"];
        Assert.True((await Route(zone)).UseFallback);
    }

    [Fact]
    public async Task A_ruf_address_that_accepts_less_than_the_report_is_skipped()
    {
        var zone = new Zone();
        zone.Records["_dmarc.bank.example"] = ["v=DMARC1; ruf=mailto:small@bank.example!1k,mailto:big@bank.example!1m"];
        Assert.Equal(["big@bank.example"], (await Route(zone, size: 3000)).Recipients.Select(r => r.Value));
    }

    [Fact]
    public async Task A_failed_lookup_is_retried_later_rather_than_sent_elsewhere()
    {
        var zone = new Zone();
        zone.Failing.Add("_dmarc.bank.example");
        var route = await Route(zone);
        Assert.True(route.Retry);
        Assert.False(route.UseFallback);

        zone.Failing.Clear();
        zone.Records["_dmarc.bank.example"] = ["v=DMARC1; ruf=mailto:victim@third.example"];
        zone.Failing.Add("bank.example._report._dmarc.third.example");
        Assert.True((await Route(zone)).Retry);
    }
}
