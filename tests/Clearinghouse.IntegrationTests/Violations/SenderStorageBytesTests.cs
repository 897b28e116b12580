using Clearinghouse.Contracts;
using Clearinghouse.Domain;
using Clearinghouse.Grains.Persistence;
using Clearinghouse.Grains.Violations;
using Orleans.Storage;

namespace Clearinghouse.IntegrationTests;

/// <summary>
/// What storage is asked to write for a sender's reports (the recording provider's serialized bytes), and that what
/// earlier versions stored still reads: chunks listed in the head with their entries as records, the evidence sample
/// whole in the head.
/// </summary>
[Collection(FastWritesClusterCollection.Name)]
public class SenderStorageBytesTests(FastWritesClusterFixture fixture)
{
    private static readonly DateTimeOffset Now = DateTimeOffset.UtcNow;

    [Fact]
    public async Task A_report_to_a_sender_writes_as_many_bytes_after_3000_reports_as_after_300()
    {
        var sender = Address.Parse($"h-{Guid.NewGuid():N}@history.example", "sender");
        var grain = fixture.Grains.GetGrain<ISender>(sender.Value);
        await ReportAsync(grain, sender, 0, 300, together: 1);
        var early = await SenderBytesPerReportAsync(grain, sender, 300, 256);

        await ReportAsync(grain, sender, 556, 2444, together: 1);
        var late = await SenderBytesPerReportAsync(grain, sender, 3000, 256);

        // Each measure spans two checkpoints (a checkpoint every 128 writes): the head and the chunks included.
        Assert.InRange(late, early - 1, early + 1);
        var stored = await StoredViolations.SenderAsync(fixture.Storage, grain.GetGrainId(), sender);
        Assert.Equal((3256L, 3256), (stored.Ledger.TotalReports, stored.Ledger.EntryCount));
        Assert.Equal(3256, stored.Ledger.Standing(DateTimeOffset.UtcNow).DistinctRecipients);

        // The evidence sample, stored by reference to the event slots, reads back whole and in order.
        Assert.Equal(Enumerable.Range(3236, 20).Select(i => Key(sender, i)), stored.Ledger.Evidence.Select(e => e.ReportKey));
    }

    [Fact]
    public async Task A_report_to_a_sender_with_history_writes_no_more_bytes_than_one_to_a_fresh_sender()
    {
        var big = Address.Parse($"big-{Guid.NewGuid():N}@history.example", "sender");
        var grain = fixture.Grains.GetGrain<ISender>(big.Value);
        await ReportAsync(grain, big, 0, 3000, together: 20);
        await Task.Delay(1000);

        // Everything written meanwhile counts: the senders' logs, the ranking shards' scores, the domains' aggregates.
        var freshDomain = $"fresh-{Guid.NewGuid():N}.example";
        var fresh = await AllBytesPerReportAsync(async i =>
        {
            var sender = Address.Parse($"f{i:D6}@{freshDomain}", "sender");
            await fixture.Grains.GetGrain<ISender>(sender.Value).Report(Report(sender, i));
        });
        var history = await AllBytesPerReportAsync(i => grain.Report(Report(big, 3000 + i)));

        Assert.True(history <= fresh, $"{history:0.0} bytes per report to the sender with history, {fresh:0.0} to fresh senders");
    }

    [Fact]
    public async Task A_sender_stored_before_chunks_were_numbered_and_packed_reads_with_the_same_counts_and_goes_on()
    {
        var sender = Address.Parse($"old-{Guid.NewGuid():N}@bulk.example", "sender");
        var grain = fixture.Grains.GetGrain<ISender>(sender.Value);
        var id = grain.GetGrainId();

        // The layout of the previous version: a chunk listed in the head by its id, its entries as records, the
        // evidence sample whole in the snapshot, one batch in the ring after the checkpoint.
        var reports = Enumerable.Range(0, 4).Select(i => Report(sender, i)).ToList();
        var entries = reports.Take(3).Select((r, i) => new LedgerEntry(r.ReportKey, r.RecipientHash, r.ProviderId, "", Hour(r), Hour(r), i + 1)).ToList();
        var snapshot = new SenderSnapshot
        {
            Ledger = new LedgerSnapshot { HourlyReports = { [Hour(reports[0])] = 3 }, Evidence = [.. reports.Take(3)], TotalReports = 3, UnverifiedReports = 3 },
        };
        await Write(SenderGrain.LogName, new LogHead<SenderSnapshot> { CheckpointSeq = 2, Chunks = [new LogChunkInfo("2-0", 3)], Snapshot = snapshot });
        await Write($"{SenderGrain.LogName}-c2-0", new LogChunk<LedgerEntry> { Items = entries });
        await Write($"{SenderGrain.LogName}-e3", new LogSlot<SenderEvent> { Seq = 3, Events = [new SenderEvent(Now, reports[3], null)] });

        var status = await grain.GetStatus();
        Assert.Equal((4L, 4, 4, 4), (status.TotalReports, status.Standing.ReportsInWindow, status.Standing.DistinctRecipients, status.EvidenceSamples));
        Assert.True((await grain.Report(reports[1])).Duplicate);

        // Past two checkpoints: new chunks are numbered and packed, the old one stays listed and read.
        await ReportAsync(grain, sender, 4, 300, together: 1);
        var stored = await StoredViolations.SenderAsync(fixture.Storage, id, sender);
        Assert.Equal((304L, 304, 304), (stored.Ledger.TotalReports, stored.Ledger.EntryCount, stored.Ledger.Standing(DateTimeOffset.UtcNow).DistinctRecipients));
        Assert.True(stored.Ledger.Contains(reports[0].ReportKey));
        var head = fixture.Storage.Stored<LogHead<SenderSnapshot>>(id, SenderGrain.LogName)!;
        Assert.Equal(["2-0"], head.Chunks.Select(c => c.Id));
        Assert.True(head.NextChunk >= 2);
        Assert.NotNull(fixture.Storage.Stored<LogChunk<LedgerEntry>>(id, $"{SenderGrain.LogName}-c{head.FirstChunk}")!.Packed);

        Task Write<T>(string name, T state) => ((IGrainStorage)fixture.Storage).WriteStateAsync(name, id, new GrainState<T>(state, null));
    }

    private async Task<double> SenderBytesPerReportAsync(ISender grain, Address sender, int from, int count)
    {
        var before = fixture.Storage.Writes.Count;
        await ReportAsync(grain, sender, from, count, together: 1);
        return fixture.Storage.Writes.Skip(before).Where(w => w.Grain == grain.GetGrainId()).Sum(w => w.Bytes) / (double)count;
    }

    private async Task<double> AllBytesPerReportAsync(Func<int, Task> report)
    {
        const int Count = 256;
        var before = fixture.Storage.Writes.Count;
        for (var i = 0; i < Count; i++)
        {
            await report(i);
        }

        // The ranking scores and the domains' aggregates are written on 200 ms timers.
        await Task.Delay(1000);
        return fixture.Storage.Writes.Skip(before).Sum(w => w.Bytes) / (double)Count;
    }

    private static async Task ReportAsync(ISender grain, Address sender, int from, int count, int together)
    {
        for (var i = from; i < from + count; i += together)
        {
            var outcomes = await Task.WhenAll(Enumerable.Range(i, Math.Min(together, from + count - i)).Select(n => grain.Report(Report(sender, n))));
            Assert.All(outcomes, o => Assert.False(o.Duplicate));
        }
    }

    private static long Hour(ViolationReport report) => ViolationLedger.HourOf(report.SecondMessage.Date);

    private static string Key(Address sender, int i) => Report(sender, i).ReportKey;

    // Fixed-width numbers, so that every report has the same size.
    private static ViolationReport Report(Address sender, int i) =>
        new(
            ViolationReport.ViolationKey(Address.Parse($"r{i:D6}@acme.example", "recipient"), sender, MessageChannel.Email, $"m{i:D6}@bulk.example"),
            sender,
            Sha256Hex.Of($"r{i:D6}@acme.example"),
            "acme",
            new MessageEvidence($"f{i:D6}@bulk.example", Now.AddDays(-4), Sha256Hex.Of($"first{i:D6}")),
            DoNotSendMethod.Reply,
            Now.AddDays(-3),
            new MessageEvidence($"m{i:D6}@bulk.example", Now, Sha256Hex.Of($"second{i:D6}")),
            Now,
            ReportSource.Provider,
            MessageChannel.Email);
}
