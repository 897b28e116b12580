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
    public async Task An_import_into_a_list_of_a_million_entries_writes_one_record_per_segment_and_the_next_append_writes_one_change()
    {
        var key = 104;
        await SeedAsync(key, 1_000_000);
        var list = fixture.Grains.GetGrain<IFilterList>(key);
        var grainId = list.GetGrainId();
        Assert.Null(await list.Append(FilterChangeOp.Remove, new FilterEntry(FilterEntryKind.Domain, "never-listed.example"), "test", "case"));

        // 30 changes first, so that the import starts inside a segment: 70 fill it, 100 the next, 80 start a third.
        for (var i = 0; i < 30; i++)
        {
            await list.Append(FilterChangeOp.Add, new FilterEntry(FilterEntryKind.Domain, $"before{i}.example"), "test", "case");
        }

        var importStart = fixture.Storage.Writes.Count;
        var before = importStart;
        var listings = Enumerable.Range(0, 250).Select(i => new FilterListing(new FilterEntry(FilterEntryKind.Domain, $"imported{i}.example"), "import-case", "imported")).ToList();
        listings.Add(listings[3]);
        var changes = await list.AppendAll(FilterChangeOp.Add, [.. listings]);

        Assert.Equal(Enumerable.Range(1_000_031, 250).Select(v => (long?)v), changes.Take(250).Select(c => c?.Version));
        Assert.Null(changes[250]);
        var importWrites = fixture.Storage.Writes.Skip(before).Where(w => w.Grain == grainId && w.State.StartsWith("filterlist-change-", StringComparison.Ordinal)).Select(w => w.State).ToList();
        Assert.Equal(["filterlist-change-1000031", "filterlist-change-1000101", "filterlist-change-1000201"], importWrites);

        // An ordinary append after the import: one record of the change alone.
        before = fixture.Storage.Writes.Count;
        Assert.NotNull(await list.Append(FilterChangeOp.Add, new FilterEntry(FilterEntryKind.Domain, "after-import.example"), "test", "case"));
        var appendWrites = fixture.Storage.Writes.Skip(before).Where(w => w.Grain == grainId && w.State.StartsWith("filterlist-change-", StringComparison.Ordinal)).ToList();
        Assert.Equal("filterlist-change-1000281", Assert.Single(appendWrites).State);
        Assert.InRange(appendWrites[0].Bytes, 1, 512);

        // Sealing deletes whole records; a reload finds every change, in order.
        var deadline = DateTime.UtcNow.AddSeconds(20);
        while (fixture.Storage.Writes.Skip(importStart).Count(w => w.Grain == grainId && w.State.StartsWith("filterlist-segment-", StringComparison.Ordinal)) < 2 && DateTime.UtcNow < deadline)
        {
            await Task.Delay(200);
        }

        await fixture.Grains.GetGrain<IManagementGrain>(0).ForceActivationCollection(TimeSpan.Zero);
        var reloaded = new FilterListLog(10_000);
        await new FilterListStore(fixture.Storage, grainId, SegmentSize, NullLogger.Instance).LoadAsync(reloaded);
        Assert.Equal(1_000_281, reloaded.Version);
        Assert.True(reloaded.TryGetListing(new FilterEntry(FilterEntryKind.Domain, "imported249.example"), out var last));
        Assert.Equal(1_000_280, last.Version);
        var slice = await list.Read(1_000_030, 1000);
        Assert.Equal(Enumerable.Range(1_000_031, 251).Select(v => (long)v), slice.Changes.Select(c => c.Version));
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
