using Clearinghouse.Domain;

namespace Clearinghouse.UnitTests.Verdicts;

public class CacheLeasesTests
{
    private const long Lease = 5_000;
    private const long Margin = 500;

    [Fact]
    public void After_the_predecessors_leases_ran_out_only_holders_with_a_running_lease_are_invalidated()
    {
        var leases = new CacheLeases<string>(activatedAt: 0, Lease, Margin);
        Assert.Equal(Lease + Margin, leases.HoldersUnknownUntil);
        leases.Grant("b", now: 6_000);
        leases.Grant("c", now: 1_000);

        var targets = leases.ToInvalidate(now: 7_000, ["a", "b", "c", "d"]);

        // c's lease (1,000 + 5,500) has run out; a and d never read from this activation.
        Assert.Equal([("b", 6_000 + Lease + Margin)], targets);
        Assert.Equal(1, leases.Count);
    }

    [Fact]
    public void While_holders_are_unknown_every_silo_is_invalidated_and_waited_for_until_a_predecessors_lease_could_run_out()
    {
        var leases = new CacheLeases<string>(activatedAt: 1_000, Lease, Margin);
        leases.Grant("b", now: 1_200);

        var targets = leases.ToInvalidate(now: 2_000, ["a", "b"]).OrderBy(t => t.Holder).ToList();

        Assert.Equal([("a", 6_500L), ("b", 6_700L)], targets);
    }

    [Fact]
    public void A_holder_that_dropped_its_copy_holds_nothing_until_it_reads_again()
    {
        var leases = new CacheLeases<string>(activatedAt: 0, Lease, Margin);
        leases.Grant("b", now: 10_000);
        leases.Invalidated("b");
        Assert.Empty(leases.ToInvalidate(now: 10_001, ["b"]));

        leases.Grant("b", now: 10_002);
        Assert.Single(leases.ToInvalidate(now: 10_003, ["b"]));
    }

    [Fact]
    public void Shortly_after_a_membership_change_every_silo_is_told_and_a_silent_non_holder_is_waited_for_at_most_a_lease()
    {
        var leases = new CacheLeases<string>(activatedAt: 0, Lease, Margin);
        leases.Grant("b", now: 9_000);

        var targets = leases.ToInvalidate(now: 10_000, ["a", "b", "c"], everySilo: true).OrderBy(t => t.Holder).ToList();

        Assert.Equal([("a", 10_000 + Lease + Margin), ("b", 9_000 + Lease + Margin), ("c", 10_000 + Lease + Margin)], targets);
    }
}
