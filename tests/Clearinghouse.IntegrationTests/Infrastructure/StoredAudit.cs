using Clearinghouse.Contracts;
using Clearinghouse.Domain;
using Clearinghouse.Grains.Audit;

namespace Clearinghouse.IntegrationTests.Infrastructure;

/// <summary>What a storage holds of the audit trail.</summary>
public static class StoredAudit
{
    /// <summary>Every entry the retained segments hold in storage, oldest first.</summary>
    public static async Task<List<AuditEntry>> EntriesAsync(IGrainFactory grains, RecordingGrainStorage storage)
    {
        var head = await grains.GetGrain<IAuditTrail>(0).GetHead();
        var entries = new List<AuditEntry>();
        for (var segment = head.Oldest; segment <= head.Current; segment++)
        {
            entries.AddRange(storage.Stored<AuditSegmentState>(grains.GetGrain<IAuditSegment>(segment).GetGrainId())?.Entries ?? []);
        }

        return entries;
    }
}
