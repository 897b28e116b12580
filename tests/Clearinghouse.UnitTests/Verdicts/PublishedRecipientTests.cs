using Clearinghouse.Domain;
using Microsoft.Extensions.Time.Testing;

namespace Clearinghouse.UnitTests.Verdicts;

/// <summary>Leases renewed in a batch (by the grain silo's cache service, not the grain) against the writes of the grain.</summary>
public class PublishedRecipientTests
{
    private const long Lease = 5_000;
    private const long Margin = 500;
    private static readonly DateTimeOffset Now = new(2026, 11, 27, 20, 0, 0, TimeSpan.Zero);
    private readonly RecipientChecks checks = new(new FakeTimeProvider(Now));
    private readonly PublishedRecipient<string> published;

    public PublishedRecipientTests()
    {
        // Activated long ago: only holders with a running lease are invalidated.
        published = new PublishedRecipient<string>(checks, new CacheLeases<string>(activatedAt: -100_000, Lease, Margin), Guid.NewGuid());
        published.Publish(RecipientSnapshot.Empty);
    }

    [Fact]
    public void A_lease_renewed_in_a_batch_is_among_the_holders_the_next_write_invalidates_and_waits_for()
    {
        var (version, snapshot) = published.Grant("b", known: null, now: 0);
        Assert.NotNull(snapshot);

        // Renewed near the end of its first lease: a write after the first lease would have run out still waits for b.
        Assert.Equal(LeaseRenewal.Renewed, published.TryRenew("b", version, hits: null, now: 4_000));
        published.Publish(RecipientSnapshot.Empty);

        Assert.Equal([("b", 4_000 + Lease + Margin)], published.ToInvalidate(now: 6_000, ["a", "b"]));
    }

    [Fact]
    public void A_copy_of_a_version_a_write_superseded_is_not_renewed_but_its_hits_are_counted()
    {
        var (old, _) = published.Grant("b", known: null, now: 0);
        published.Publish(RecipientSnapshot.Empty);

        var outcome = published.TryRenew("b", old, Report(7, 3), now: 4_000);

        Assert.Equal(LeaseRenewal.Superseded, outcome);
        // Only the lease of the first read remains (the write invalidates it); none was added at 4,000.
        Assert.Equal([("b", Lease + Margin)], published.ToInvalidate(now: 4_000, ["b"]));
        Assert.Equal([(7L, 3L)], Described(published.TakeCarriedReports()));
        Assert.Empty(published.TakeCarriedReports());
    }

    [Fact]
    public void After_the_activation_closed_nothing_is_renewed_and_the_hits_stay_with_the_holder()
    {
        var (version, _) = published.Grant("b", known: null, now: 0);
        published.Close();

        Assert.Equal(LeaseRenewal.Gone, published.TryRenew("b", version, Report(7, 3), now: 4_000));
        Assert.Empty(published.TakeCarriedReports());
        Assert.Equal([("b", Lease + Margin)], published.ToInvalidate(now: 4_000, ["b"]));
    }

    [Fact]
    public void A_holder_that_knows_the_current_version_gets_a_lease_without_the_snapshot()
    {
        var (version, _) = published.Grant("b", known: null, now: 0);

        var (again, snapshot) = published.Grant("b", known: version, now: 1_000);

        Assert.Equal(version, again);
        Assert.Null(snapshot);
    }

    [Fact]
    public void Hits_a_renewal_carries_are_kept_whole_with_their_report_id_apart_from_the_hits_counted_here()
    {
        var (version, _) = published.Grant("b", known: null, now: 0);
        published.TryRenew("b", version, Report(7, 3), now: 1_000);
        published.TryRenew("b", version, hits: null, now: 2_000);
        published.TryRenew("b", version, Report(8, 2), now: 3_000);

        // The grain counts each report by its id: one sent again by a grain call (its renewal's answer lost) counts once.
        Assert.Equal([(7L, 3L), (8L, 2L)], Described(published.TakeCarriedReports()));
        Assert.Empty(checks.TakeHits());
    }

    private static List<(long Sequence, long Hits)> Described(List<HitReport> reports) => [.. reports.Select(r => (r.Id.Sequence, r.Hits.Sum(h => h.Count)))];

    private static HitReport Report(long sequence, long hits) => new(new HitReportId("S127.0.0.1:11111:1", sequence), [new RecordHitCount("r1", hits, Now)]);

    [Fact]
    public void A_superseded_activation_renews_no_lease_and_its_checks_are_retired()
    {
        var (version, _) = published.Grant("b", known: null, now: 0);

        published.Supersede();

        Assert.True(published.IsSuperseded);
        Assert.True(checks.IsRetired);
        Assert.Equal(LeaseRenewal.Gone, published.TryRenew("b", version, hits: null, now: 1_000));
    }
}
