using Clearinghouse.Domain;
using Clearinghouse.Grains.Persistence;
using Clearinghouse.Grains.Violations;
using Orleans.Storage;

namespace Clearinghouse.IntegrationTests.Infrastructure;

/// <summary>What a storage holds of the violation grains, read the way a new activation reads it.</summary>
public static class StoredViolations
{
    public static async Task<ReportedSender> SenderAsync(IGrainStorage storage, GrainId grain, Address sender)
    {
        var log = SenderGrain.OpenLog(storage, grain);
        var stored = await log.LoadAsync();
        var snapshot = stored.Snapshot ?? new SenderSnapshot();
        await SenderEvidence.ResolveAsync(snapshot, log);
        var restored = new ReportedSender(sender, snapshot, new ViolationOptions().LedgerLimits());
        restored.Restore(stored.Chunks.SelectMany(c => c.Items), stored.Events, DateTimeOffset.UtcNow);
        return restored;
    }

    public static async Task<ViolationLedger> DomainAsync(IGrainStorage storage, GrainId grain)
    {
        var stored = await SenderDomainGrain.OpenLog(storage, grain).LoadAsync();
        var ledger = new ViolationLedger(stored.Snapshot ?? new LedgerSnapshot(), new ViolationOptions().LedgerLimits());
        ledger.Restore(stored.Chunks.SelectMany(c => c.Items), DateTimeOffset.UtcNow);
        foreach (var counted in stored.Events)
        {
            ledger.TryAdd(counted.Report.Key, counted.Report.RecipientHash, counted.Report.ProviderId, counted.Report.Sender, counted.Report.Hour, counted.At);
        }

        return ledger;
    }

    public static async Task<Dictionary<string, ShardScore>> ShardAsync(IGrainStorage storage, GrainId grain)
    {
        var stored = await new EventLog<ShardCheckpoint, ShardScore, ShardScore>(storage, grain, ViolationShardGrain.LogName).LoadAsync();
        var scores = new Dictionary<string, ShardScore>();
        foreach (var score in stored.Chunks.SelectMany(c => c.Items).Concat(stored.Events))
        {
            scores[score.Sender] = score;
        }

        return scores;
    }
}
