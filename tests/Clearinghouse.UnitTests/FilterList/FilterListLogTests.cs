using Clearinghouse.Domain;
using Clearinghouse.Gateway.FilterList;

namespace Clearinghouse.UnitTests.FilterList;

public class FilterListLogTests
{
    private static readonly DateTimeOffset Now = new(2026, 5, 1, 12, 0, 0, TimeSpan.Zero);
    private static readonly Address Spammer = Address.Parse("spam@bulk.example", "sender");

    [Fact]
    public void Appends_are_idempotent_and_versions_have_no_gaps()
    {
        var log = new FilterListLog(100);
        var entry = FilterEntry.ForAddress(Spammer);
        Assert.Equal(1, log.Append(FilterChangeOp.Add, entry, "r", "c1", Now)!.Version);
        Assert.Null(log.Append(FilterChangeOp.Add, entry, "r", "c1", Now));
        Assert.Null(log.Append(FilterChangeOp.Remove, new FilterEntry(FilterEntryKind.Domain, "other.example"), "r", "c2", Now));
        Assert.Equal(2, log.Append(FilterChangeOp.Remove, entry, "r", "c1", Now)!.Version);
        Assert.Equal(0, log.Count);
    }

    [Theory]
    [InlineData("spam@bulk.example", true)]
    [InlineData("other@bulk.example", false)]
    [InlineData("anyone@listed.example", true)]
    [InlineData("anyone@mail.listed.example", true)]
    [InlineData("listed.example", true)]
    [InlineData("*.listed.example", true)]
    [InlineData("sub.listed.example", true)]
    [InlineData("notlisted.example", false)]
    [InlineData("*.example", false)]
    [InlineData(".example", false)]
    public void Coverage_tells_which_recipient_patterns_the_list_already_blocks(string pattern, bool covered)
    {
        var log = new FilterListLog(100);
        log.Append(FilterChangeOp.Add, FilterEntry.ForAddress(Spammer), "r", "c1", Now);
        log.Append(FilterChangeOp.Add, new FilterEntry(FilterEntryKind.Domain, "listed.example"), "r", "c2", Now);
        Assert.Equal(covered, FilterListCoverage.Covers(log, SenderPattern.Parse(pattern, "pattern")));
    }

    [Fact]
    public void A_reader_gets_exactly_the_changes_after_its_version_or_a_snapshot_when_too_far_behind()
    {
        var log = new FilterListLog(retainedChanges: 3);
        for (var i = 0; i < 5; i++)
        {
            log.Append(FilterChangeOp.Add, new FilterEntry(FilterEntryKind.Domain, $"d{i}.example"), "r", $"c{i}", Now);
        }

        var resumed = log.ReadFrom(3);
        Assert.Null(resumed.Snapshot);
        Assert.Equal([4L, 5L], resumed.Changes.Select(c => c.Version));
        Assert.Equal([3L, 4L, 5L], log.ReadFrom(2).Changes.Select(c => c.Version));
        Assert.Empty(log.ReadFrom(5).Changes);

        var behind = log.ReadFrom(1);
        Assert.NotNull(behind.Snapshot);
        Assert.Equal((5L, 5), (behind.SnapshotVersion, behind.Snapshot.Count));
        Assert.Empty(behind.Changes);
    }

    [Fact]
    public void A_replica_following_the_changes_matches_the_original()
    {
        var original = new FilterListLog(10);
        var replica = new FilterListLog(10);
        original.Append(FilterChangeOp.Add, FilterEntry.ForAddress(Spammer), "r", "c", Now);
        original.Append(FilterChangeOp.Add, new FilterEntry(FilterEntryKind.Domain, "bad.example"), "r", "c", Now);
        foreach (var change in original.ReadFrom(0).Changes)
        {
            replica.Apply(change);
        }

        Assert.Equal(original.Listed.Select(c => c.Entry), replica.Listed.Select(c => c.Entry));
        Assert.Throws<InvalidOperationException>(() => replica.Apply(original.ReadFrom(0).Changes[0]));
    }

    [Fact]
    public void The_index_matches_hashed_addresses_domains_with_their_subdomains_and_ips()
    {
        var log = new FilterListLog(10);
        log.Append(FilterChangeOp.Add, FilterEntry.ForAddress(Spammer), "r", "c-address", Now);
        log.Append(FilterChangeOp.Add, FilterEntry.Parse(FilterEntryKind.Domain, "Bad.Example", "value"), "r", "c-domain", Now);
        log.Append(FilterChangeOp.Add, FilterEntry.Parse(FilterEntryKind.Ip, "192.0.2.7", "value"), "r", "c-ip", Now);
        var index = new FilterListIndex(log.Listed);

        Assert.Equal(Sha256Hex.Of("spam@bulk.example"), log.Listed.First().Entry.Value);
        Assert.Equal("c-address", index.Match(Spammer, null)?.CaseId);
        Assert.Null(index.Match(Address.Parse("other@bulk.example", "s"), null));
        Assert.Equal("c-domain", index.Match(Address.Parse("x@mail.bad.example", "s"), null)?.CaseId);
        Assert.Null(index.Match(Address.Parse("x@notbad.example", "s"), null));
        Assert.Equal("c-ip", index.Match(Address.Parse("x@fine.example", "s"), System.Net.IPAddress.Parse("192.0.2.7"))?.CaseId);
        Assert.Null(index.Match(Address.NullSender, null));
    }

    [Fact]
    public void The_index_applies_each_change_in_place()
    {
        var log = new FilterListLog(10);
        var index = new FilterListIndex([]);
        var domain = FilterEntry.Parse(FilterEntryKind.Domain, "bad.example", "value");
        foreach (var change in new[]
        {
            log.Append(FilterChangeOp.Add, FilterEntry.ForAddress(Spammer), "r", "c-address", Now)!,
            log.Append(FilterChangeOp.Add, domain, "r", "c-domain", Now)!,
            log.Append(FilterChangeOp.Remove, FilterEntry.ForAddress(Spammer), "r", "c-address", Now)!,
        })
        {
            index.Apply(change);
        }

        Assert.Equal(1, index.Count);
        Assert.Null(index.Match(Spammer, null));
        Assert.Equal("c-domain", index.Match(Address.Parse("x@bad.example", "s"), null)?.CaseId);

        index.Apply(log.Append(FilterChangeOp.Remove, domain, "r", "c-domain", Now)!);
        Assert.Equal(0, index.Count);
        Assert.Null(index.Match(Address.Parse("x@bad.example", "s"), null));
    }
}
