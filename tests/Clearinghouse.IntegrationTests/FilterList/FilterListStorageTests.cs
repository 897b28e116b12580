using Clearinghouse.Contracts;
using Clearinghouse.Domain;
using Clearinghouse.Gateway.FilterList;
using Clearinghouse.Grains.FilterList;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;

namespace Clearinghouse.IntegrationTests;

/// <summary>Segments of 100 changes, so that appends in these tests cross several segment boundaries.</summary>
public sealed class FilterListClusterFixture() : ClusterFixtureBase(
    TimeSpan.FromSeconds(1),
    new Dictionary<string, string?> { ["Clearinghouse:FilterList:SegmentSize"] = FilterListStorageTests.SegmentSize.ToString(System.Globalization.CultureInfo.InvariantCulture) });

/// <summary>
/// The filter list is stored as an append-only log: what storage is asked to write per append does not grow with the
/// list, and a replica that starts behind reads the list once and then applies changes in place.
/// </summary>
public class FilterListStorageTests(FilterListClusterFixture fixture) : IClassFixture<FilterListClusterFixture>
{
    public const int SegmentSize = 100;
    private const int Appends = 250;

    [Fact]
    public async Task Appending_to_a_list_of_a_million_entries_asks_storage_to_write_what_appending_to_a_list_of_ten_does()
    {
        var small = await WritesPerAppendAsync(listKey: 101, seeded: 10);
        var large = await WritesPerAppendAsync(listKey: 102, seeded: 1_000_000);

        // One record per append, of the change alone; a segment (and the head) every SegmentSize appends.
        Assert.Equal(Appends, small.ChangeRecords);
        Assert.Equal(Appends, large.ChangeRecords);
        Assert.Equal(small.Segments, large.Segments);
        Assert.InRange(large.LargestChangeRecord, 1, 512);
        Assert.InRange(large.LargestChangeRecord, small.LargestChangeRecord - 8, small.LargestChangeRecord + 8);
        Assert.InRange(large.BytesPerAppend / small.BytesPerAppend, 0.95, 1.05);
    }

    [Fact]
    public async Task A_list_loads_from_its_segments_and_records_after_a_restart_of_its_grain()
    {
        var key = 103;
        await SeedAsync(key, SegmentSize * 3);
        var list = fixture.Grains.GetGrain<IFilterList>(key);
        for (var i = 0; i < 42; i++)
        {
            await list.Append(FilterChangeOp.Add, new FilterEntry(FilterEntryKind.Domain, $"late{i}.example"), "test", "case");
        }

        var grainId = list.GetGrainId();
        await fixture.Grains.GetGrain<IManagementGrain>(0).ForceActivationCollection(TimeSpan.Zero);
        var reloaded = new FilterListLog(10_000);
        await new FilterListStore(fixture.Storage, grainId, SegmentSize, NullLogger.Instance).LoadAsync(reloaded);

        Assert.Equal(SegmentSize * 3 + 42, reloaded.Version);
        Assert.True(reloaded.TryGetListing(new FilterEntry(FilterEntryKind.Domain, "late41.example"), out _));
        var slice = await list.Read(SegmentSize * 3, 1000);
        Assert.Equal(42, slice.Changes.Count);
    }

    [Fact]
    public async Task A_replica_that_starts_behind_reads_the_listing_once_and_then_applies_each_change_in_place()
    {
        // More changes than the grain retains (10,000): the replica must read the listed entries, by pages.
        await SeedAsync(listKey: 0, 25_000);
        var list = fixture.Grains.GetGrain<IFilterList>(0);
        await list.Append(FilterChangeOp.Add, new FilterEntry(FilterEntryKind.Domain, "before-start.example"), "test", "case");

        var replica = new FilterListReplica(fixture.Grains, Options.Create(new FilterListOptions()), NullLogger<FilterListReplica>.Instance);
        await replica.StartAsync(CancellationToken.None);
        try
        {
            await replica.WhenReady.WaitAsync(TimeSpan.FromSeconds(30));
            Assert.Equal(25_001, replica.Version);
            Assert.NotNull(replica.Match(Address.Parse("x@seed8.example", "sender"), null));
            Assert.Equal(2, replica.IndexBuilds);

            for (var i = 0; i < 50; i++)
            {
                await list.Append(FilterChangeOp.Add, new FilterEntry(FilterEntryKind.Domain, $"after{i}.example"), "test", "case");
            }

            await list.Append(FilterChangeOp.Remove, new FilterEntry(FilterEntryKind.Domain, "seed8.example"), "test", "case");
            var deadline = DateTime.UtcNow.AddSeconds(20);
            while (replica.Version < 25_052 && DateTime.UtcNow < deadline)
            {
                await Task.Delay(50);
            }

            Assert.Equal(25_052, replica.Version);
            Assert.NotNull(replica.Match(Address.Parse("x@after49.example", "sender"), null));
            Assert.Null(replica.Match(Address.Parse("x@seed8.example", "sender"), null));
            Assert.Equal(2, replica.IndexBuilds);
        }
        finally
        {
            await replica.StopAsync(CancellationToken.None);
        }
    }

    private async Task<(int ChangeRecords, int Segments, int LargestChangeRecord, double BytesPerAppend)> WritesPerAppendAsync(int listKey, int seeded)
    {
        await SeedAsync(listKey, seeded);
        var list = fixture.Grains.GetGrain<IFilterList>(listKey);
        var grainId = list.GetGrainId();

        // Activate (the load reads, never writes), then count from here.
        Assert.Null(await list.Append(FilterChangeOp.Remove, new FilterEntry(FilterEntryKind.Domain, "never-listed.example"), "test", "case"));
        var before = fixture.Storage.Writes.Count;
        for (var i = 0; i < Appends; i++)
        {
            Assert.NotNull(await list.Append(FilterChangeOp.Add, FilterEntry.ForAddress(Address.Parse($"appended{i}@fresh.example", "sender")), "test", "case"));
        }

        // Sealing runs on a timer beside the appends: wait for the segments the appends filled.
        var deadline = DateTime.UtcNow.AddSeconds(20);
        List<StorageWrite> writes;
        do
        {
            await Task.Delay(200);
            writes = fixture.Storage.Writes.Skip(before).Where(w => w.Grain == grainId).ToList();
        }
        while (writes.Count(w => w.State.StartsWith("filterlist-segment-", StringComparison.Ordinal)) < Appends / SegmentSize && DateTime.UtcNow < deadline);

        var changeRecords = writes.Where(w => w.State.StartsWith("filterlist-change-", StringComparison.Ordinal)).ToList();
        return (
            changeRecords.Count,
            writes.Count(w => w.State.StartsWith("filterlist-segment-", StringComparison.Ordinal)),
            changeRecords.Max(w => w.Bytes),
            (double)writes.Sum(w => w.Bytes) / Appends);
    }

    // The bulk path: the entries as sealed segments, through the same store the grain uses.
    private async Task SeedAsync(int listKey, int entries)
    {
        var grainId = fixture.Grains.GetGrain<IFilterList>(listKey).GetGrainId();
        var store = new FilterListStore(fixture.Storage, grainId, SegmentSize, NullLogger.Instance);
        await store.LoadAsync(new FilterListLog(10_000));
        var at = DateTimeOffset.UnixEpoch;
        await store.ImportAsync(Enumerable.Range(0, entries).Select(i => new FilterChange(
            i + 1,
            FilterChangeOp.Add,
            i % 2 == 0 ? new FilterEntry(FilterEntryKind.Domain, $"seed{i}.example") : FilterEntry.ForAddress(Address.Parse($"seed{i}@bulk.example", "sender")),
            "seeded",
            "seed-case",
            at)));
    }
}
