using Clearinghouse.Contracts;
using Clearinghouse.Domain;

namespace Clearinghouse.IntegrationTests;

/// <summary>What a sender's reports cost in storage: one small write each, shared by reports that arrive together.</summary>
[Collection(FastWritesClusterCollection.Name)]
public class SenderWriteTests(FastWritesClusterFixture fixture)
{
    private static readonly DateTimeOffset Now = DateTimeOffset.UtcNow;

    [Fact]
    public async Task Reports_that_arrive_while_a_write_runs_share_the_next_write_and_each_is_answered_once_stored()
    {
        var sender = Address.Parse($"s-{Guid.NewGuid():N}@bulk.example", "sender");
        var grain = fixture.Grains.GetGrain<ISender>(sender.Value);
        await grain.GetStatus();
        var release = new TaskCompletionSource();
        var held = fixture.Faults.Hold((_, id, _) => id == grain.GetGrainId(), release.Task);

        var reports = Enumerable.Range(0, 50).Select(i => grain.Report(Report(sender, i))).ToList();
        await held.WaitAsync(TimeSpan.FromSeconds(10));
        await Task.Delay(200); // the other reports reach the grain and wait for the write
        Assert.DoesNotContain(reports, r => r.IsCompleted);
        release.SetResult();
        await Task.WhenAll(reports);

        Assert.All(reports, r => Assert.False(r.Result.Duplicate));
        Assert.InRange(fixture.Storage.WriteCount(grain.GetGrainId()), 2, 3);
        var stored = await StoredViolations.SenderAsync(fixture.Storage, grain.GetGrainId(), sender);
        Assert.Equal((50L, 50), (stored.Ledger.TotalReports, stored.Ledger.EntryCount));
    }

    private static ViolationReport Report(Address sender, int i) =>
        new(
            ViolationReport.ViolationKey(Address.Parse($"r{i}@acme.example", "recipient"), sender, MessageChannel.Email, $"m{i}@bulk.example"),
            sender,
            Sha256Hex.Of($"r{i}@acme.example"),
            "acme",
            new MessageEvidence("first@bulk.example", Now.AddDays(-4), new string('a', 64)),
            DoNotSendMethod.Reply,
            Now.AddDays(-3),
            new MessageEvidence($"m{i}@bulk.example", Now, new string('b', 64)),
            Now,
            ReportSource.Provider,
            MessageChannel.Email);
}
