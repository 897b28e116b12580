using System.Net;
using Clearinghouse.Domain;
using Clearinghouse.Gateway.FilterList;
using Clearinghouse.UnitTests.Maps;

namespace Clearinghouse.UnitTests.FilterList;

public class FilterListIndexTests
{
    private static readonly DateTimeOffset Now = new(2026, 5, 1, 12, 0, 0, TimeSpan.Zero);
    private static readonly Address Anyone = Address.Parse("anyone@fine.example", "sender");

    [Theory]
    [InlineData("10.0.0.0/8", "10.1.0.0/16", "10.1.2.3", "10.1.9.9", "10.2.0.1", "11.0.0.1")]
    [InlineData("2001:db8::/32", "2001:db8:1::/48", "2001:db8:1::7", "2001:db8:1:ffff::1", "2001:db8:2::1", "2001:db9::1")]
    public void Overlapping_networks_added_removed_and_re_added_answer_with_the_longest_listed(
        string wide, string narrow, string inNarrow, string alsoInNarrow, string inWideOnly, string outside)
    {
        var index = new FilterListIndex([]);
        var version = 0L;
        index.Apply(Change(++version, FilterChangeOp.Add, wide, "c-wide"));
        index.Apply(Change(++version, FilterChangeOp.Add, narrow, "c-narrow"));

        Assert.Equal("c-narrow", CaseAt(index, inNarrow));
        Assert.Equal("c-narrow", CaseAt(index, alsoInNarrow));
        Assert.Equal("c-wide", CaseAt(index, inWideOnly));
        Assert.Null(CaseAt(index, outside));

        index.Apply(Change(++version, FilterChangeOp.Remove, narrow, "c-narrow"));
        Assert.Equal("c-wide", CaseAt(index, inNarrow));
        Assert.Equal(1, index.Count);

        index.Apply(Change(++version, FilterChangeOp.Remove, wide, "c-wide"));
        Assert.Null(CaseAt(index, inNarrow));
        Assert.Null(CaseAt(index, inWideOnly));
        Assert.Equal(0, index.Count);

        // Re-added with a new case: the new listing answers; removing what is not listed changes nothing.
        index.Apply(Change(++version, FilterChangeOp.Add, narrow, "c-again"));
        index.Apply(Change(++version, FilterChangeOp.Remove, wide, "c-wide"));
        Assert.Equal("c-again", CaseAt(index, inNarrow));
        Assert.Null(CaseAt(index, inWideOnly));
        Assert.Equal(1, index.Count);
    }

    [Fact]
    public void A_single_address_and_its_network_are_separate_entries()
    {
        var index = new FilterListIndex([Change(1, FilterChangeOp.Add, "192.0.2.7", "c-host"), Change(2, FilterChangeOp.Add, "192.0.2.0/24", "c-net")]);
        Assert.Equal("c-host", CaseAt(index, "192.0.2.7"));
        Assert.Equal("c-net", CaseAt(index, "192.0.2.8"));

        index.Apply(Change(3, FilterChangeOp.Remove, "192.0.2.7", "c-host"));
        Assert.Equal("c-net", CaseAt(index, "192.0.2.7"));
        Assert.Equal(1, index.Count);
    }

    [Fact]
    public void Addresses_and_domains_added_removed_and_re_added()
    {
        var spammer = Address.Parse("spam@bulk.example", "sender");
        var index = new FilterListIndex([]);
        var address = new FilterChange(1, FilterChangeOp.Add, FilterEntry.ForAddress(spammer), "r", "c-address", Now);
        var domain = new FilterChange(2, FilterChangeOp.Add, FilterEntry.Parse(FilterEntryKind.Domain, "bulk.example", "value"), "r", "c-domain", Now);
        index.Apply(address);
        index.Apply(domain);
        Assert.Equal("c-address", index.Match(spammer, null)?.CaseId);
        Assert.Equal("c-domain", index.Match(Address.Parse("other@mail.bulk.example", "s"), null)?.CaseId);

        index.Apply(address with { Version = 3, Op = FilterChangeOp.Remove });
        Assert.Equal("c-domain", index.Match(spammer, null)?.CaseId);

        index.Apply(domain with { Version = 4, Op = FilterChangeOp.Remove });
        Assert.Null(index.Match(spammer, null));

        index.Apply(address with { Version = 5, CaseId = "c-again" });
        Assert.Equal("c-again", index.Match(spammer, null)?.CaseId);
        Assert.Equal(1, index.Count);
    }

    [Fact]
    public void After_random_adds_and_removes_it_agrees_with_a_linear_scan_of_the_listed_networks()
    {
        var random = new Random(11);
        var listed = new Dictionary<string, IpPrefix>();
        var index = new FilterListIndex([]);
        var version = 0L;
        var universe = Enumerable.Range(0, 3_000).Select(i => RandomNetworks.Prefix(random, v6: i % 3 == 0)).Distinct().ToList();
        for (var i = 0; i < 20_000; i++)
        {
            var prefix = universe[random.Next(universe.Count)];
            var entry = FilterEntry.ForNetwork(prefix);
            var add = !listed.ContainsKey(entry.Value) && random.Next(3) > 0;
            index.Apply(new FilterChange(++version, add ? FilterChangeOp.Add : FilterChangeOp.Remove, entry, "r", entry.Value, Now));
            if (add)
            {
                listed[entry.Value] = prefix;
            }
            else
            {
                listed.Remove(entry.Value);
            }
        }

        Assert.Equal(listed.Count, index.Count);
        for (var i = 0; i < 3_000; i++)
        {
            var near = universe[random.Next(universe.Count)];
            var probe = i % 2 == 0 ? RandomNetworks.Within(near, random) : RandomNetworks.Address(random, v6: i % 4 == 1);
            var expected = listed.Values.Where(p => p.Contains(probe)).OrderByDescending(p => p.Length).Select(p => FilterEntry.ForNetwork(p).Value).FirstOrDefault();
            Assert.Equal(expected, index.Match(Anyone, probe)?.Entry.Value);
        }
    }

    [Fact]
    public void Applying_changes_to_a_large_list_writes_one_entry_per_change_not_the_list()
    {
        var random = new Random(5);
        const int Listed = 50_000;
        var entries = Enumerable.Range(0, Listed)
            .Select(i => FilterEntry.ForNetwork(RandomNetworks.Prefix(random, v6: i % 2 == 0)))
            .DistinctBy(e => e.Value)
            .Select((e, i) => new FilterChange(i + 1, FilterChangeOp.Add, e, "r", "c", Now))
            .ToList();
        var index = new FilterListIndex(entries);
        Assert.Equal(entries.Count, index.EntryWrites);

        // 1,000 changes of IP entries (the kind whose table used to be rebuilt whole on each change), and some of the others.
        var writesBefore = index.EntryWrites;
        var version = (long)entries.Count;
        for (var i = 0; i < 500; i++)
        {
            var removed = entries[i];
            index.Apply(removed with { Version = ++version, Op = FilterChangeOp.Remove });
            index.Apply(removed with { Version = ++version });
        }

        var spammer = FilterEntry.ForAddress(Address.Parse("spam@bulk.example", "sender"));
        index.Apply(new FilterChange(++version, FilterChangeOp.Add, spammer, "r", "c", Now));
        index.Apply(new FilterChange(++version, FilterChangeOp.Add, new FilterEntry(FilterEntryKind.Domain, "bulk.example"), "r", "c", Now));
        index.Apply(new FilterChange(++version, FilterChangeOp.Remove, spammer, "r", "c", Now));

        Assert.Equal(1_003, index.EntryWrites - writesBefore);
        Assert.Equal(entries.Count + 1, index.Count);
    }

    [Fact]
    public async Task A_lookup_never_mixes_two_changes_an_address_covered_throughout_is_always_matched()
    {
        // The address is covered by the /16, the /24 or both at every version; a lookup that probed the /24 before it
        // was added and the /16 after it was removed would miss it.
        var wide = Change(1, FilterChangeOp.Add, "198.51.0.0/16", "c-wide");
        var narrow = Change(2, FilterChangeOp.Add, "198.51.100.0/24", "c-narrow");
        var index = new FilterListIndex([wide]);
        var probe = IPAddress.Parse("198.51.100.7");
        var misses = 0;
        using var done = new CancellationTokenSource();
        var reader = Task.Run(() =>
        {
            while (!done.IsCancellationRequested)
            {
                if (index.Match(Anyone, probe) is null)
                {
                    Interlocked.Increment(ref misses);
                }
            }
        });

        var version = 2L;
        for (var i = 0; i < 100_000; i++)
        {
            index.Apply(narrow with { Version = ++version });
            index.Apply(wide with { Version = ++version, Op = FilterChangeOp.Remove });
            index.Apply(wide with { Version = ++version });
            index.Apply(narrow with { Version = ++version, Op = FilterChangeOp.Remove });
        }

        await done.CancelAsync();
        await reader;
        Assert.Equal(0, misses);
    }

    private static FilterChange Change(long version, FilterChangeOp op, string ip, string caseId) =>
        new(version, op, FilterEntry.Parse(FilterEntryKind.Ip, ip, "value"), "r", caseId, Now);

    private static string? CaseAt(FilterListIndex index, string ip) => index.Match(Anyone, IPAddress.Parse(ip))?.CaseId;
}
