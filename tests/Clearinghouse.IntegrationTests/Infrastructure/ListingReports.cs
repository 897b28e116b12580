using Clearinghouse.TestSupport.Chaos;

namespace Clearinghouse.IntegrationTests.Infrastructure;

/// <summary>Violation reports that get a sender listed with the default thresholds.</summary>
public static class ListingReports
{
    /// <summary>
    /// Six recipients, three at each test provider, report <paramref name="sender"/> (report ids start with
    /// <paramref name="reportIdPrefix"/>): more than the default threshold of 5 distinct recipients at 2 providers.
    /// </summary>
    public static async Task SubmitAsync(ClearinghouseTestHost host, string sender, string reportIdPrefix)
    {
        var now = DateTimeOffset.UtcNow;
        for (var i = 0; i < 6; i++)
        {
            var (domain, key) = i < 3 ? (TestTenants.AcmeDomain, TestTenants.AcmeKey) : (TestTenants.OtherDomain, TestTenants.OtherKey);
            await host.Reports(key).SubmitViolationAsync(ViolationReportWorkload.Report($"{reportIdPrefix}-{i}", $"reporter{i}@{domain}", sender, now));
        }
    }
}
