using Clearinghouse.Domain;

namespace Clearinghouse.Contracts;

/// <summary>
/// One recipient's blocking and allow records. Key: the normalised recipient address (<see cref="Address.Value"/>).
/// Writes are acknowledged only once persisted; evaluation never writes (hit counts are flushed on a timer).
/// </summary>
public interface IRecipient : IGrainWithStringKey
{
    /// <summary>
    /// Adds a record, or replaces the one with the same pattern and channel (keeping its id and hits). When the
    /// record's list is full, one entry is evicted first (<see cref="AddRecordResult.Evicted"/>) into the secondary list.
    /// </summary>
    [WaitsOutCacheLeases]
    Task<AddRecordResult> AddRecord(NewRecord record, ListPolicy? policy = null);

    /// <summary>
    /// Adds several records in order, each as <see cref="AddRecord"/> does, and persists them in one write (a bulk import).
    /// If anything fails after the first was added, the activation reloads and nothing is acknowledged (send again: a
    /// record added twice is one record). An activation that no check has reached deactivates once idle afterwards, so
    /// that importing many recipients does not keep them all in memory.
    /// </summary>
    [WaitsOutCacheLeases]
    Task<AddRecordResult[]> ImportRecords(NewRecord[] records, ListPolicy? policy = null);

    /// <summary>Removes a record; false when no record has that id.</summary>
    [WaitsOutCacheLeases]
    Task<bool> RemoveRecord(string recordId);

    Task<IReadOnlyList<RecordView>> ListRecords();

    /// <summary>
    /// The verdict for one message from <see cref="CheckRequest.Sender"/> to this recipient. A message that violates a
    /// do-not-send request is answered only after the violation is persisted; it is then reported to the sender's
    /// grain (exactly once, retried until it is).
    /// </summary>
    Task<Verdict> Evaluate(CheckRequest request);

    /// <summary>
    /// For <paramref name="holder"/>'s read cache: the published snapshot (none when <paramref name="known"/> is still
    /// current) and a lease on it. Until the lease runs out the grain invalidates the holder's copy before it acknowledges
    /// any write. <paramref name="hits"/> are hits the holder counted since its last report.
    /// </summary>
    Task<CachedRead> ReadForCache(SiloAddress holder, RecipientSnapshotVersion? known, HitReport? hits);

    /// <summary>
    /// Hits a silo's read cache counted on this recipient's records (kept in memory and flushed like the grain's own).
    /// Answered, not one-way: a stopping silo awaits its last reports and sends again one that failed. A report is
    /// counted once however often it is sent (by its <see cref="HitReport.Id"/>).
    /// </summary>
    Task RecordHits(HitReport report);

    /// <summary>
    /// Sets (or with null clears) this recipient's own maximum list size, overriding the provider's default; a list
    /// above the new maximum is evicted down to it at once. Acknowledged once persisted.
    /// </summary>
    [WaitsOutCacheLeases]
    Task<ListInfo> SetListLimit(int? maxRecords, ListPolicy policy);

    Task<ListInfo> GetListInfo(ListPolicy policy);

    /// <summary>The secondary list: entries evicted from the full list, newest first. They flag, never block.</summary>
    Task<IReadOnlyList<EvictedRecord>> ListSecondary();

    /// <summary>Stores a do-not-send request, replacing the one for the same sender and channel. Answered once persisted.</summary>
    [WaitsOutCacheLeases]
    Task<DoNotSendView> RecordDoNotSend(DoNotSendRequest request);

    /// <summary>Withdraws the request for a sender and channel; false when there was none.</summary>
    [WaitsOutCacheLeases]
    Task<bool> WithdrawDoNotSend(Address sender, MessageChannel channel);

    Task<IReadOnlyList<DoNotSendView>> ListDoNotSend();
}
